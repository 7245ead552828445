//! The single error type returned by every operation, and its API and decode
//! details.
//!
//! [`Error`] is generic over the body type non-2xx answers are parsed as, which
//! each generated crate supplies (`pub type Error = runtime::Error<ErrorBody>`).
//! Inside the runtime nothing is parsed yet ([`Unparsed`], the default); the body
//! is parsed once, for the generated crate's type, when the error leaves
//! [`send`](super::send) ([`Error::parse_body`]).
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use reqwest::{header::HeaderMap, StatusCode};

use serde::de::DeserializeOwned;

use super::RawResponse;

/// How many characters of a response body an error message quotes.
const EXCERPT_CHARS: usize = 200;

/// Everything that can go wrong calling the API.
///
/// The large variants keep their data behind a `Box` so that `Result<T, Error>`
/// stays small on the happy path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E = Unparsed> {
    /// The server answered with a non-2xx status.
    #[error(transparent)]
    Api(ApiError<E>),
    /// A declared success response could not be decoded into the expected type.
    #[error(transparent)]
    Decode(DecodeError),
    /// A declared success response decoded, but is not the shape the API
    /// describes: a JSON object of which the declared type took none of the
    /// keys (it would otherwise come back as a value of nothing but `None`s),
    /// or an envelope without the property that holds the entity. Keeps the
    /// status, headers, body and the keys that were not understood.
    ///
    /// Why an error and not an empty value with a warning, nor models that
    /// keep the fields they do not know: an empty value is data loss that
    /// only a program with a logger notices (`copy.id` printed `None`), while
    /// this is seen by every caller at the first `?`. Models that keep
    /// unknown fields (`#[serde(flatten)] extra: Map<String, Value>`) would
    /// catch it only if callers looked, change every generated model's
    /// shape, and make every decode slower: a flattened field makes serde
    /// buffer each object's entries into an intermediate map before filling
    /// the struct. The check here costs one comparison per top-level key.
    /// An answer that does match (one declared field or more) decodes as
    /// before, unknown extra fields ignored.
    #[error(transparent)]
    UnexpectedShape(ShapeError),
    /// The request did not complete within the configured timeout (per
    /// attempt), or a streamed body stopped arriving for longer than the read
    /// timeout.
    #[error("request timed out")]
    Timeout(#[source] reqwest::Error),
    /// The server stopped sending: nothing arrived for longer than
    /// [`ClientBuilder::read_timeout`](super::ClientBuilder::read_timeout),
    /// before the response head or part-way through the body, well before the
    /// attempt's own timeout. Retried like [`Error::Timeout`].
    #[error("the server sent nothing for longer than the read timeout")]
    ReadTimeout(#[source] reqwest::Error),
    /// The call's [`RetryPolicy::deadline`](super::RetryPolicy::deadline)
    /// passed: over all attempts and the waits between them, the call took
    /// too long. Says how many attempts were made and keeps the last finished
    /// attempt's error (with its status and body, for an answer).
    #[error("{0}")]
    Deadline(Box<DeadlineError<E>>),
    /// The response head is larger than the client reads: more than 64 KiB of
    /// headers (the status is then known), or more than the HTTP parser
    /// accepts at all, in size or number of headers (no status). The
    /// response was dropped unread. Not retried: the same answer would come
    /// back.
    #[error("the response headers are too large{}", status_suffix(.status))]
    ResponseHeadersTooLarge {
        /// The status of the response, when its head could be parsed.
        status: Option<StatusCode>,
        /// The parser's error, when it refused the head.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// A paged list could not go on without repeating itself: the server
    /// sent a next-page link it had sent before, the same page again for
    /// another offset, or page after page of nothing with a link to more.
    /// The items already yielded stay valid; the stream ends here.
    #[error(transparent)]
    Pagination(Box<super::PaginationError>),
    /// Connecting, TLS, sending the request or reading the response failed.
    #[error("{}", transport_summary(.0))]
    Transport(#[source] reqwest::Error),
    /// The request could not be built: bad base URL, header value, path
    /// parameter or body serialisation. Nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A link given to a generated client's `get_link` is not on the API's
    /// origin (the base URL's scheme, host and port): it was not called, so
    /// the token did not leave the API's origin. Storage links are for
    /// [`HttpClient::download`](super::HttpClient::download) and
    /// [`HttpClient::upload`](super::HttpClient::upload).
    #[error(transparent)]
    ForeignOrigin(Box<super::ForeignOriginError>),
    /// The token provider failed or returned an unusable token; the provider's
    /// error is the source. Nothing was sent for this attempt, and the call
    /// is not retried.
    #[error("could not obtain an access token")]
    Auth(#[source] super::BoxError),
    /// A 2xx status the API does not declare for this operation, with the whole
    /// response: the operation's typed value cannot be decoded from it, and the
    /// caller may still want it (`Err(Error::UndeclaredStatus(raw))`).
    #[error("response status {} is not declared for this operation", .0.status())]
    UndeclaredStatus(Box<RawResponse>),
    /// The response body is larger than
    /// [`ClientBuilder::max_response_bytes`](super::ClientBuilder::max_response_bytes)
    /// allows, whatever the status. Reading stopped at the limit (or did not
    /// start, when `Content-Length` already said so) and the connection was
    /// dropped; nothing of the body is kept, since a cut-off body would be
    /// mistaken for the whole one. Not retried: the same answer would come back.
    #[error("the {status} response body is larger than the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The status of the response whose body was refused.
        status: StatusCode,
        /// The limit in force, in bytes.
        limit: u64,
    },
    /// A download or upload through a storage URL failed in a way no status
    /// says: a local file could not be read or written, the server stalled,
    /// or its answers did not fit together (a range from the wrong place, a
    /// file that changed between attempts, a body cut short every time); see
    /// [`TransferError`] for the kinds.
    #[error(transparent)]
    Transfer(Box<TransferError>),
    /// A long-running operation failed, or did not finish in time, or its
    /// start did not say what to wait for (`send_and_wait`).
    #[error(transparent)]
    Wait(Box<super::WaitError>),
}

impl<E> From<super::PaginationError> for Error<E> {
    fn from(error: super::PaginationError) -> Self {
        Error::Pagination(Box::new(error))
    }
}

/// See [`Error::Deadline`].
#[derive(Debug)]
pub struct DeadlineError<E = Unparsed> {
    deadline: std::time::Duration,
    attempts: u32,
    last: Option<Error<E>>,
}

impl<E> DeadlineError<E> {
    pub(crate) fn new(
        deadline: std::time::Duration,
        attempts: u32,
        last: Option<Error<E>>,
    ) -> Self {
        DeadlineError {
            deadline,
            attempts,
            last,
        }
    }

    /// The deadline that passed.
    pub fn deadline(&self) -> std::time::Duration {
        self.deadline
    }

    /// How many attempts were started, the one cut off by the deadline
    /// included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// What the last finished attempt ended in: an [`Error::Api`] with its
    /// status and body, a timeout, a transport error. `None` when the first
    /// attempt was still running at the deadline.
    pub fn last_error(&self) -> Option<&Error<E>> {
        self.last.as_ref()
    }

    /// The last finished attempt's error, taken out.
    pub fn into_last_error(self) -> Option<Error<E>> {
        self.last
    }
}

impl DeadlineError<Unparsed> {
    fn parse_body<P: DeserializeOwned>(self) -> DeadlineError<P> {
        DeadlineError {
            deadline: self.deadline,
            attempts: self.attempts,
            last: self.last.map(Error::parse_body),
        }
    }
}

impl<E> fmt::Display for DeadlineError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.attempts == 1 { "" } else { "s" };
        write!(
            f,
            "the call did not finish within its deadline of {:?} ({} attempt{plural}",
            self.deadline, self.attempts
        )?;
        match &self.last {
            Some(last) => write!(f, "; the last finished one ended with: {last})"),
            None => f.write_str(")"),
        }
    }
}

impl<E> From<super::WaitError> for Error<E> {
    fn from(error: super::WaitError) -> Self {
        Error::Wait(Box::new(error))
    }
}

/// See [`Error::Transfer`]: what went wrong, by kind, with what a caller
/// would act on (how long a transfer stalled, how far it got).
///
/// New kinds may be added in a minor release, so a `match` needs a `_` arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransferError {
    /// A local file could not be created, read, written or moved into place.
    #[error("{}: {source}", path.display())]
    #[non_exhaustive]
    Io {
        /// The file (for a download, the destination the caller named).
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// No byte arrived (or, for an upload, left) for `idle`: the server
    /// stopped sending or reading without closing the connection. See
    /// `with_idle_timeout` on [`Download`](super::Download) and
    /// [`Upload`](super::Upload).
    #[error("the transfer stalled: no data for {idle:?} after {transferred} bytes")]
    #[non_exhaustive]
    Stalled {
        /// The idle timeout that ran out.
        idle: Duration,
        /// Bytes moved before the stall (for a download, its body bytes so far).
        transferred: u64,
    },
    /// The download's body ended before the length its answer announced,
    /// and the retry policy gave up.
    #[error("the download ended after {transferred} of {total} bytes")]
    #[non_exhaustive]
    Cut {
        /// Body bytes received.
        transferred: u64,
        /// The length the server announced.
        total: u64,
    },
    /// A resumed download asked for the bytes from `requested` on and the
    /// server's `206` answer started somewhere else (or did not say where).
    #[error("asked for bytes from {requested} and got a range starting at {received:?}")]
    #[non_exhaustive]
    WrongRange {
        /// The first byte asked for.
        requested: u64,
        /// The first byte of the answer's `Content-Range`, if it had one.
        received: Option<u64>,
    },
    /// A download could not go on consistently after `transferred` bytes:
    /// the file changed on the server (or gave no strong validator to show
    /// it had not) and a stream cannot take back the bytes it handed out, or
    /// the file kept changing each time a download to a file started over.
    /// Nothing of two versions is ever joined.
    #[error(
        "the file changed on the server after {transferred} bytes, and the download could not start over"
    )]
    #[non_exhaustive]
    NotResumable {
        /// Bytes handed out (or written) before the change was noticed.
        transferred: u64,
    },
    /// More than `limit` redirects in a row.
    #[error("more than {limit} redirects")]
    #[non_exhaustive]
    TooManyRedirects {
        /// The most redirects followed.
        limit: usize,
    },
}

impl TransferError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        TransferError::Io {
            path: path.to_owned(),
            source,
        }
    }

    /// What went wrong, as text (the same as its `Display`).
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl<E> From<TransferError> for Error<E> {
    fn from(error: TransferError) -> Self {
        Error::Transfer(Box::new(error))
    }
}

/// The error body type inside the runtime, before a generated crate's
/// `send` parses the body as its own type: nothing is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unparsed;

impl<E> Error<E> {
    /// The HTTP status of the response behind this error, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(error) => Some(error.status()),
            Error::Decode(error) => Some(error.status()),
            Error::UnexpectedShape(error) => Some(error.status()),
            Error::UndeclaredStatus(response) => Some(response.status()),
            Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::Timeout(error) | Error::ReadTimeout(error) | Error::Transport(error) => {
                error.status()
            }
            Error::ResponseHeadersTooLarge { status, .. } => *status,
            Error::Deadline(error) => error.last_error().and_then(|last| last.status()),
            Error::InvalidRequest(_)
            | Error::ForeignOrigin(_)
            | Error::Auth(_)
            | Error::Transfer(_)
            | Error::Wait(_)
            | Error::Pagination(_) => None,
        }
    }

    /// Sorts a `reqwest` failure into the variant a caller would act on.
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        if head_too_large(&error) {
            Error::ResponseHeadersTooLarge {
                status: None,
                source: Some(error),
            }
        } else if error.is_timeout() {
            Error::Timeout(error)
        } else if error.is_builder() {
            Error::InvalidRequest(error.to_string())
        } else {
            Error::Transport(error)
        }
    }
}

impl Error<Unparsed> {
    /// The same error with a non-2xx body parsed as `E`, the generated crate's
    /// error schema; every other variant is moved over unchanged.
    pub fn parse_body<E: DeserializeOwned>(self) -> Error<E> {
        match self {
            Error::Api(error) => Error::Api(ApiError::from_response(error.into_response())),
            Error::Decode(error) => Error::Decode(error),
            Error::UnexpectedShape(error) => Error::UnexpectedShape(error),
            Error::Timeout(error) => Error::Timeout(error),
            Error::ReadTimeout(error) => Error::ReadTimeout(error),
            Error::Deadline(error) => Error::Deadline(Box::new(error.parse_body())),
            Error::ResponseHeadersTooLarge { status, source } => {
                Error::ResponseHeadersTooLarge { status, source }
            }
            Error::Pagination(error) => Error::Pagination(error),
            Error::Transport(error) => Error::Transport(error),
            Error::InvalidRequest(message) => Error::InvalidRequest(message),
            Error::ForeignOrigin(error) => Error::ForeignOrigin(error),
            Error::Auth(error) => Error::Auth(error),
            Error::UndeclaredStatus(response) => Error::UndeclaredStatus(response),
            Error::ResponseTooLarge { status, limit } => Error::ResponseTooLarge { status, limit },
            Error::Transfer(error) => Error::Transfer(error),
            Error::Wait(error) => Error::Wait(error),
        }
    }
}

impl<E> From<DecodeError> for Error<E> {
    fn from(error: DecodeError) -> Self {
        Error::Decode(error)
    }
}

/// Whether the HTTP parser refused the response head as too large (hyper's
/// `Parse(TooLarge)`: more bytes than its buffer holds, or more headers than it
/// parses). hyper is not a dependency of its own here, so the error is known by
/// its message, `message head is too large`, somewhere in the source chain.
fn head_too_large(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.to_string().contains("message head is too large") {
            return true;
        }
        source = error.source();
    }
    false
}

/// ` (status 200 OK)` when there is a status, otherwise nothing.
fn status_suffix(status: &Option<StatusCode>) -> String {
    status.map_or_else(String::new, |status| format!(" (status {status})"))
}

fn transport_summary(error: &reqwest::Error) -> &'static str {
    if error.is_connect() {
        "HTTP transport error: could not connect"
    } else if error.is_body() || error.is_decode() {
        "HTTP transport error: reading the response body failed"
    } else if error.is_redirect() {
        "HTTP transport error: redirect failed"
    } else {
        "HTTP transport error: sending the request failed"
    }
}

/// A non-2xx answer: status, headers, the raw body, and the body parsed as the
/// API's error schema when it is one.
#[derive(Debug, Clone)]
pub struct ApiError<E = Unparsed> {
    inner: Box<ApiErrorInner<E>>,
}

#[derive(Debug, Clone)]
struct ApiErrorInner<E> {
    response: RawResponse,
    parsed: Option<E>,
}

impl ApiError<Unparsed> {
    /// The response as it came, with nothing parsed yet.
    pub(crate) fn unparsed(response: RawResponse) -> Self {
        ApiError {
            inner: Box::new(ApiErrorInner {
                response,
                parsed: None,
            }),
        }
    }
}

impl<E: DeserializeOwned> ApiError<E> {
    /// Parsing is best-effort: gateways and proxies answer with HTML or plain
    /// text, and the raw body is kept either way.
    pub fn from_response(response: RawResponse) -> Self {
        let parsed = serde_json::from_slice::<E>(response.body()).ok();
        ApiError {
            inner: Box::new(ApiErrorInner { response, parsed }),
        }
    }
}

impl<E> ApiError<E> {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.inner.response.status()
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.response.headers()
    }

    /// The raw response body.
    pub fn body(&self) -> &Bytes {
        self.inner.response.body()
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(self.body())
    }

    /// How long the server asked the caller to wait before trying again
    /// (`Retry-After`, in seconds or as an HTTP date; a past date is zero), as
    /// `429` and `503` answers say. A number of seconds too large for a `u64`
    /// is [`Duration::MAX`](std::time::Duration::MAX): this is the server's
    /// word, so cap it before sleeping on it.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        super::retry::retry_after(self.headers(), std::time::SystemTime::now())
    }

    /// The body parsed as the API's error schema, if it was one.
    pub fn error_body(&self) -> Option<&E> {
        self.inner.parsed.as_ref()
    }

    /// The body decoded as JSON into any type: an operation's own error
    /// schema, where it declares one (a generated `<Op>Error` reads its
    /// declared bodies by status with this). A failure is a [`DecodeError`]
    /// naming the field, as for a success body; the raw body stays here
    /// either way.
    pub fn body_as<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        self.inner.response.json()
    }

    /// The whole response (status, headers, body), borrowed.
    pub fn response(&self) -> &RawResponse {
        &self.inner.response
    }

    /// The whole response, for callers that want to handle it themselves.
    pub fn into_response(self) -> RawResponse {
        self.inner.response
    }
}

impl<E> fmt::Display for ApiError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "API returned {}: {}",
            self.status(),
            excerpt(self.body())
        )
    }
}

impl<E: fmt::Debug> std::error::Error for ApiError<E> {}

/// A declared success response whose body did not match the expected type.
#[derive(Debug, Clone)]
pub struct DecodeError {
    inner: Box<DecodeErrorInner>,
}

#[derive(Debug, Clone)]
struct DecodeErrorInner {
    status: StatusCode,
    path: String,
    message: String,
    body: Bytes,
}

impl DecodeError {
    /// A decode failure of a `status` response at `path` (empty when it is not
    /// about one field), keeping the body.
    pub fn new(status: StatusCode, path: String, message: String, body: Bytes) -> Self {
        DecodeError {
            inner: Box::new(DecodeErrorInner {
                status,
                path,
                message,
                body,
            }),
        }
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// Where decoding failed, e.g. `iModels[0].createdDateTime`; empty when the
    /// failure is not about one field (empty body, invalid UTF-8, top-level type).
    pub fn path(&self) -> &str {
        &self.inner.path
    }

    /// What went wrong, as reported by the decoder.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The raw response body.
    pub fn body(&self) -> &Bytes {
        &self.inner.body
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.inner.body)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not decode the {} response body", self.status())?;
        if !self.path().is_empty() {
            write!(f, " at `{}`", self.path())?;
        }
        write!(f, ": {}", self.message())
    }
}

impl std::error::Error for DecodeError {}

/// See [`Error::UnexpectedShape`]: a success response of another shape than
/// the API describes, kept whole.
#[derive(Debug, Clone)]
pub struct ShapeError {
    inner: Box<ShapeErrorInner>,
}

#[derive(Debug, Clone)]
struct ShapeErrorInner {
    response: RawResponse,
    missing_property: Option<String>,
    unknown_keys: Vec<String>,
    unknown_count: usize,
    expected_fields: &'static [&'static str],
}

impl ShapeError {
    /// A struct took none of the keys of the object `response` holds.
    pub(crate) fn no_declared_field(
        response: RawResponse,
        keys: super::response::TopLevelKeys,
    ) -> Self {
        let (unknown_keys, unknown_count, expected_fields) = keys.into_parts();
        ShapeError {
            inner: Box::new(ShapeErrorInner {
                response,
                missing_property: None,
                unknown_keys,
                unknown_count,
                expected_fields,
            }),
        }
    }

    /// The envelope in `response` has no (or a null) `property`; `keys` are
    /// the envelope's own.
    pub(crate) fn property_missing(
        response: RawResponse,
        property: &str,
        keys: super::response::TopLevelKeys,
    ) -> Self {
        let (unknown_keys, unknown_count, _) = keys.into_parts();
        ShapeError {
            inner: Box::new(ShapeErrorInner {
                response,
                missing_property: Some(property.to_owned()),
                unknown_keys,
                unknown_count,
                expected_fields: &[],
            }),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.inner.response.status()
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.response.headers()
    }

    /// The raw response body.
    pub fn body(&self) -> &Bytes {
        self.inner.response.body()
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(self.body())
    }

    /// The `operationId` of the call ("" when unknown).
    pub fn operation(&self) -> &'static str {
        self.inner.response.operation()
    }

    /// For an envelope (`x-envelope`), the property that should have held
    /// the entity and was missing or `null`; `None` when the object had no
    /// key of the declared type.
    pub fn missing_property(&self) -> Option<&str> {
        self.inner.missing_property.as_deref()
    }

    /// The first keys (at most 8) of the object that the declared type does
    /// not know, in the order they came; for a missing property, the keys
    /// the envelope had instead.
    pub fn unknown_keys(&self) -> &[String] {
        &self.inner.unknown_keys
    }

    /// How many such keys the object had in all.
    pub fn unknown_key_count(&self) -> usize {
        self.inner.unknown_count
    }

    /// The field names the declared type expected (empty for a missing
    /// envelope property).
    pub fn expected_fields(&self) -> &'static [&'static str] {
        self.inner.expected_fields
    }

    /// The whole response, for callers that want to decode it themselves
    /// (`RawResponse::json::<T>()` decodes any type).
    pub fn into_response(self) -> RawResponse {
        self.inner.response
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self
            .unknown_keys()
            .iter()
            .map(|key| format!("`{}`", shortened_key(key)))
            .collect::<Vec<_>>()
            .join(", ");
        let more = self
            .unknown_key_count()
            .saturating_sub(self.unknown_keys().len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        write!(f, "the {} response", self.status())?;
        if !self.operation().is_empty() {
            write!(f, " to {}", self.operation())?;
        }
        match self.missing_property() {
            Some(property) => write!(
                f,
                " has no value at `{}` (its keys: {}{more})",
                shortened_key(property),
                if keys.is_empty() { "none" } else { &keys }
            ),
            None => write!(
                f,
                " is not the declared shape: none of its keys ({keys}{more}) is a field of the declared type"
            ),
        }
    }
}

impl std::error::Error for ShapeError {}

/// A key quoted in a message: server data, so its length is bounded.
fn shortened_key(key: &str) -> String {
    const MAX_CHARS: usize = 64;
    let mut chars = key.chars();
    let mut out: String = chars.by_ref().take(MAX_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

impl<E> From<ShapeError> for Error<E> {
    fn from(error: ShapeError) -> Self {
        Error::UnexpectedShape(error)
    }
}

/// A one-line, bounded quote of a body for error messages: pretty-printed JSON
/// and HTML pages would otherwise flood logs.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut collapsed = String::new();
    for word in text.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
        // A char is at most 4 bytes, so past this many bytes there are surely
        // more than EXCERPT_CHARS chars and the rest of the body is not needed.
        if collapsed.len() > EXCERPT_CHARS * 4 {
            break;
        }
    }
    if collapsed.is_empty() {
        return "(empty body)".to_owned();
    }
    let mut chars = collapsed.chars();
    let mut out: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_one_bounded_line() {
        assert_eq!(excerpt(b""), "(empty body)");
        assert_eq!(excerpt(b"  \n "), "(empty body)");
        assert_eq!(excerpt(b"{\n  \"a\": 1\n}"), "{ \"a\": 1 }");
        let long = "x".repeat(500);
        let quoted = excerpt(long.as_bytes());
        assert_eq!(quoted.chars().count(), EXCERPT_CHARS + 1);
        assert!(quoted.ends_with('…'));
        let multibyte = "é ".repeat(300);
        assert!(excerpt(multibyte.as_bytes()).ends_with('…'));
        assert_eq!(excerpt(&[0xff, b'a']), "\u{fffd}a");
    }

    #[test]
    fn decode_error_display_names_the_field() {
        let error = DecodeError::new(
            StatusCode::OK,
            "iModels[0].createdDateTime".to_owned(),
            "invalid type: integer `5`, expected a string".to_owned(),
            Bytes::new(),
        );
        assert_eq!(
            error.to_string(),
            "could not decode the 200 OK response body at `iModels[0].createdDateTime`: invalid type: integer `5`, expected a string"
        );
        let error = DecodeError::new(
            StatusCode::OK,
            String::new(),
            "empty".to_owned(),
            Bytes::new(),
        );
        assert_eq!(
            error.to_string(),
            "could not decode the 200 OK response body: empty"
        );
    }

    #[test]
    fn retry_after_is_read_from_the_answer() {
        let answer = |value: Option<&str>| {
            let mut headers = HeaderMap::new();
            if let Some(value) = value {
                headers.insert("retry-after", value.parse().expect("valid value"));
            }
            ApiError::unparsed(RawResponse::new(
                StatusCode::TOO_MANY_REQUESTS,
                headers,
                Bytes::new(),
            ))
        };
        assert_eq!(
            answer(Some("7")).retry_after(),
            Some(std::time::Duration::from_secs(7))
        );
        assert_eq!(
            answer(Some("Thu, 01 Jan 1970 00:00:00 GMT")).retry_after(),
            Some(std::time::Duration::ZERO)
        );
        assert_eq!(answer(Some("soon")).retry_after(), None);
        assert_eq!(answer(None).retry_after(), None);
    }

    #[test]
    fn error_stays_small() {
        assert!(std::mem::size_of::<Error>() <= 32);
        assert!(std::mem::size_of::<Error<serde_json::Value>>() <= 32);
    }

    #[test]
    fn api_bodies_are_parsed_once_for_the_callers_type() {
        #[derive(Debug, serde::Deserialize)]
        struct Body {
            code: String,
        }
        let response = RawResponse::new(
            StatusCode::NOT_FOUND,
            HeaderMap::new(),
            Bytes::from_static(br#"{"code":"NotFound"}"#),
        );
        let error: Error<Body> = Error::Api(ApiError::unparsed(response.clone())).parse_body();
        let Error::Api(api) = error else {
            panic!("still an API error");
        };
        assert_eq!(api.error_body().map(|b| b.code.as_str()), Some("NotFound"));
        let html = RawResponse::new(
            StatusCode::BAD_GATEWAY,
            HeaderMap::new(),
            Bytes::from_static(b"<html>"),
        );
        let api = ApiError::<Body>::from_response(html);
        assert!(api.error_body().is_none());
        assert_eq!(api.body_text(), "<html>");
    }

    #[test]
    fn deadline_keeps_the_last_error_and_its_parsed_body() {
        #[derive(Debug, serde::Deserialize)]
        struct Body {
            code: String,
        }
        let response = RawResponse::new(
            StatusCode::SERVICE_UNAVAILABLE,
            HeaderMap::new(),
            Bytes::from_static(br#"{"code":"Busy"}"#),
        );
        let last = Error::Api(ApiError::unparsed(response));
        let error: Error = Error::Deadline(Box::new(DeadlineError::new(
            std::time::Duration::from_secs(2),
            3,
            Some(last),
        )));
        assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(
            error.to_string(),
            "the call did not finish within its deadline of 2s (3 attempts; the last finished \
             one ended with: API returned 503 Service Unavailable: {\"code\":\"Busy\"})"
        );
        let Error::Deadline(deadline) = error.parse_body::<Body>() else {
            panic!("still a deadline error");
        };
        assert_eq!(deadline.attempts(), 3);
        let Some(Error::Api(api)) = deadline.last_error() else {
            panic!("the last error is kept");
        };
        assert_eq!(api.error_body().map(|b| b.code.as_str()), Some("Busy"));
        let first: Error = Error::Deadline(Box::new(DeadlineError::new(
            std::time::Duration::from_millis(500),
            1,
            None,
        )));
        assert_eq!(first.status(), None);
        assert_eq!(
            first.to_string(),
            "the call did not finish within its deadline of 500ms (1 attempt)"
        );
    }

    #[test]
    fn headers_too_large_names_the_status_when_known() {
        let error: Error = Error::ResponseHeadersTooLarge {
            status: Some(StatusCode::OK),
            source: None,
        };
        assert_eq!(error.status(), Some(StatusCode::OK));
        assert_eq!(
            error.to_string(),
            "the response headers are too large (status 200 OK)"
        );
    }

    #[test]
    fn response_too_large_names_status_and_limit() {
        let error: Error = Error::ResponseTooLarge {
            status: StatusCode::OK,
            limit: 1024,
        };
        assert_eq!(error.status(), Some(StatusCode::OK));
        assert_eq!(
            error.to_string(),
            "the 200 OK response body is larger than the limit of 1024 bytes"
        );
    }
}
