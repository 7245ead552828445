//! The HTTP client every generated `Client` wraps, its builder, and the single
//! place requests go on the wire.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use futures_util::FutureExt;
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT,
};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use tracing::instrument::Instrumented;
use tracing::Instrument;
use url::Url;

use super::auth::REDACTED;
use super::encode::{check_expanded_path, encode_query};
use super::options::parse_header;
use super::retry::Outcome;
use super::security::{self, ApiKeyScheme, BasicScheme, BearerScheme, Credential, HttpScheme};
use super::transfer::{
    ByteStream, Download, Storage, StreamingResponse, Upload, UploadBody, DEFAULT_IDLE_TIMEOUT,
};
use super::{
    AccessToken, ApiError, BoxError, DeadlineError, Error, Href, RawResponse, Request, RetryPolicy,
    StaticToken, TokenProvider,
};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may stay silent, before the answer or part-way
/// through its body: half the per-attempt timeout.
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The most bytes of response headers accepted (names, values and their line
/// framing); far above what any API sends. hyper refuses heads over about
/// 400 KiB (or with more than 100 headers) before this is checked.
const MAX_RESPONSE_HEAD_BYTES: usize = 64 * 1024;
/// 64 MiB: far above any JSON page or thumbnail the API sends, far below what
/// would hurt a process to hold.
const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// Same-origin redirects followed in a row before giving up (reqwest's default).
const MAX_REDIRECTS: usize = 10;
/// The most a `Content-Length` makes us allocate before any of the body arrives;
/// a larger body grows the buffer as it comes.
const MAX_PREALLOCATION: u64 = 8 * 1024 * 1024;

/// What a generated crate tells the runtime about its API. Its `Client` is a
/// newtype of [`HttpClient`] implementing this, so the runtime can build it
/// ([`ClientBuilder`]) and send through it (a generated `Request`'s `send`).
pub trait ApiClient: From<HttpClient> + Sized {
    /// The body non-2xx answers are parsed as (the spec's error schema).
    type ErrorBody: DeserializeOwned;
    /// The first server the spec lists: where [`ClientBuilder`] points by default.
    const DEFAULT_BASE_URL: &'static str;
    /// The default `User-Agent`: the generated crate's `<name>/<version>`.
    const USER_AGENT: &'static str;

    /// The wrapped HTTP client.
    fn http(&self) -> &HttpClient;
}

/// The HTTP side of a generated `Client`: connection pool, base URL, token,
/// default headers, timeout and retry policy. Cheap to clone: clones share one
/// connection pool and configuration.
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    http: reqwest::Client,
    base_url: String,
    // `base_url` parsed once, with a trailing slash: every request's URL starts
    // from a copy of it, and links are resolved against it, instead of parsing
    // the whole URL again (a tenth of a call's own work).
    base: Url,
    // Set when the caller chose the base URL: then every request goes there,
    // even an operation with servers of its own (so tests can redirect all).
    base_url_chosen: bool,
    // Operations' own servers the caller chose variables for: (id, base URL
    // without a trailing slash), from `ClientBuilder::server`.
    servers: Vec<(&'static str, String)>,
    credentials: security::Credentials,
    // Includes User-Agent, so a caller-supplied reqwest::Client gets it too.
    default_headers: HeaderMap,
    // Replaces every operation's own `Accept` when set.
    accept: Option<HeaderValue>,
    timeout: Option<Duration>,
    // Set when this runtime built the reqwest client with a read timeout, so a
    // timeout well before `timeout` can be told to be the read timeout's.
    read_timeout: Option<Duration>,
    retry: RetryPolicy,
    max_response_bytes: u64,
    // For pre-signed storage URLs: no token, no default headers.
    storage: Storage,
}

impl HttpClient {
    /// The base URL requests are sent to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Where `request` goes: the operation's own server (path- or
    /// operation-level `servers` in the spec; with the variables the caller
    /// chose for it, else their defaults) unless the caller chose the base
    /// URL, which then takes every request. A relative server URL (`/files`) is
    /// on the base URL's origin.
    fn base_for<'a>(&'a self, request: &'a Request) -> std::borrow::Cow<'a, str> {
        let chosen = request.server_setting().and_then(|id| {
            self.inner
                .servers
                .iter()
                .find(|(chosen, _)| *chosen == id)
                .map(|(_, url)| url.as_str())
        });
        match chosen.or(request.server_url()) {
            Some(server) if !self.inner.base_url_chosen => {
                let server = server.trim_end_matches('/');
                if server.starts_with('/') {
                    // The base URL was parsed once, when the client was built.
                    let origin = self.inner.base.origin().ascii_serialization();
                    std::borrow::Cow::Owned(format!("{origin}{server}"))
                } else {
                    std::borrow::Cow::Borrowed(server)
                }
            }
            _ => std::borrow::Cow::Borrowed(&self.inner.base_url),
        }
    }

    /// Sends `request` and reads the whole response, retrying transient
    /// failures as the request's or else the client's [`RetryPolicy`] allows.
    ///
    /// A 2xx status is `Ok`; any other status is [`Error::Api`] with the body
    /// kept and, when it matches the API's error schema, parsed. When retries
    /// run out, the error is the last attempt's. A body of any status larger
    /// than [`ClientBuilder::max_response_bytes`] is
    /// [`Error::ResponseTooLarge`]. The whole call, retries included, ends at
    /// the policy's [`deadline`](RetryPolicy::deadline) with
    /// [`Error::Deadline`].
    ///
    /// Each call is one `api_request` span at `DEBUG` level with the fields
    /// `operation`, `method`, `path` (the template, never IDs or the query),
    /// `status` and `attempts`; each retry is a `DEBUG` event with `attempt`,
    /// `reason` and `delay_ms`. Tokens and header values are never recorded.
    #[doc(hidden)]
    pub fn execute(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<RawResponse, Error>> + Send + '_ {
        // A combinator, not another `async fn` around `execute_reading`: each
        // nested async layer stores its child's state again, and the call's
        // future is moved through every layer.
        self.execute_reading(request, Reading::Whole)
            .map(|answer| match answer? {
                Answer::Whole(response) => Ok(response),
                // Not asked for: `Reading::Whole` buffers every answer.
                Answer::Streaming(response) => Ok(RawResponse::new(
                    response.status(),
                    response.headers().clone(),
                    Bytes::new(),
                )),
            })
    }

    /// Like [`execute`](Self::execute), but a 2xx body is not read: it streams
    /// from the answer as it arrives, with no size limit (non-2xx bodies are
    /// still read whole, for the error). Retries end once a 2xx answer starts.
    #[doc(hidden)]
    pub async fn execute_streaming(&self, request: Request) -> Result<StreamingResponse, Error> {
        match self.execute_reading(request, Reading::Streamed).await? {
            Answer::Whole(response) => {
                let (status, headers, body) = (
                    response.status(),
                    response.headers().clone(),
                    response.into_body(),
                );
                Ok(StreamingResponse::new(
                    status,
                    headers,
                    ByteStream::new(futures_util::stream::once(async { Ok(body) })),
                ))
            }
            Answer::Streaming(mut response) => {
                let status = response.status();
                let headers = std::mem::take(response.headers_mut());
                let body = futures_util::stream::try_unfold(response, |mut response| async move {
                    let chunk = response.chunk().await.map_err(Error::from_reqwest)?;
                    Ok(chunk.map(|chunk| (chunk, response)))
                });
                Ok(StreamingResponse::new(
                    status,
                    headers,
                    ByteStream::new(body),
                ))
            }
        }
    }

    /// Downloads from a pre-signed storage URL (a `_links` entry of another
    /// origin): streamed, resumed with `Range`/`If-Range` after a cut onto the
    /// same version of the file only, and sent with no token and none of the
    /// client's default headers; headers added to the download go to the URL's
    /// origin only, never along a redirect to another. See [`Download`].
    ///
    /// `link` is a URL or a link object of the API ([`Href`]); one without
    /// a URL makes the download fail with [`Error::InvalidRequest`], sending
    /// nothing.
    pub fn download<E>(&self, link: impl Href) -> Download<E> {
        self.inner.storage.download(link.href())
    }

    /// Uploads to a pre-signed storage URL, with no token and none of the
    /// client's default headers; a redirect to another origin is not followed
    /// (it is an [`Error::Api`] with its `Location`). See [`Upload`].
    ///
    /// `link` is a URL or a link object of the API ([`Href`]); one without
    /// a URL makes the upload fail with [`Error::InvalidRequest`], sending
    /// nothing.
    pub fn upload<E>(&self, link: impl Href, body: impl Into<UploadBody>) -> Upload<E> {
        self.inner.storage.upload(link.href(), body.into())
    }

    fn execute_reading(
        &self,
        request: Request,
        reading: Reading,
    ) -> Instrumented<impl Future<Output = Result<Answer, Error>> + Send + '_> {
        // DEBUG, not INFO: a library should not add a line per HTTP call to an
        // application's default logs; `openapi_client_runtime=debug` turns it on.
        let span = tracing::debug_span!(
            "api_request",
            operation = request.operation_id(),
            method = %request.method(),
            path = request.path_template(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        // The span is passed along rather than found with `Span::current()`,
        // which depends on the subscriber tracking entered spans.
        self.execute_in_span(request, reading, span.clone())
            .instrument(span)
    }

    async fn execute_in_span(
        &self,
        request: Request,
        reading: Reading,
        span: tracing::Span,
    ) -> Result<Answer, Error> {
        // Everything that cannot change between attempts is checked once, up front.
        let url = self.url_for(&request)?;
        let options = request.request_options();
        let extra_headers = options.header_map()?;
        let policy = options.retry.as_ref().unwrap_or(&self.inner.retry);
        let timeout = options.timeout.or(self.inner.timeout);
        let deadline = policy.call_deadline();
        let call_started = Instant::now();
        let deadline_passed = |attempts: u32, last: Option<Error>| -> Result<Answer, Error> {
            span.record("attempts", attempts);
            tracing::debug!(attempts, "deadline passed");
            Err(Error::Deadline(Box::new(DeadlineError::new(
                deadline, attempts, last,
            ))))
        };

        let mut attempt: u32 = 1;
        let mut waited = Duration::ZERO;
        let mut last_error = None;
        loop {
            let started = Instant::now();
            let left = deadline.saturating_sub(call_started.elapsed());
            let attempt_result = tokio::time::timeout(
                left,
                self.send_once(&request, &url, &extra_headers, timeout, reading),
            )
            .await;
            let Ok(result) = attempt_result else {
                // Dropping the attempt closes its connection.
                return deadline_passed(attempt, last_error);
            };
            let result = result.map_err(|error| self.read_timeout_or(error, started, timeout));
            let outcome = match &result {
                Ok(response) => {
                    tracing::debug!(
                        attempt,
                        status = response.status().as_u16(),
                        elapsed_ms = elapsed_ms(started),
                        "response received"
                    );
                    (!response.status().is_success())
                        .then(|| Outcome::Status(response.status(), response.headers()))
                }
                Err(error) => {
                    tracing::debug!(
                        attempt,
                        elapsed_ms = elapsed_ms(started),
                        error = %error,
                        "request failed"
                    );
                    Some(Outcome::Failed(error))
                }
            };
            // A body read once (a stream) cannot be sent again: no retry.
            let retry = outcome
                .filter(|_| request.is_replayable())
                .and_then(|outcome| policy.next_retry(request.method(), attempt, waited, outcome));
            let Some(retry) = retry else {
                return finish(result, attempt, &span);
            };
            // A wait that would end at or after the deadline leaves no time
            // for the next attempt: the deadline ends the call now.
            if retry.delay >= deadline.saturating_sub(call_started.elapsed()) {
                let last = finish(result, attempt, &span).err();
                return deadline_passed(attempt, last);
            }
            tracing::debug!(
                attempt,
                reason = %retry.reason,
                delay_ms = u64::try_from(retry.delay.as_millis()).unwrap_or(u64::MAX),
                "retrying"
            );
            // Kept for the deadline's error; the span records only the end.
            last_error = success_or_error(result).err();
            tokio::time::sleep(retry.delay).await;
            waited = waited.saturating_add(retry.delay);
            attempt = attempt.saturating_add(1);
        }
    }

    /// An attempt's timeout that fired well before the attempt's own limit
    /// (`started` + `timeout`) can only be the read timeout's: the connection
    /// went silent. Other errors are returned as they are.
    fn read_timeout_or(&self, error: Error, started: Instant, timeout: Option<Duration>) -> Error {
        match error {
            Error::Timeout(error)
                if self.inner.read_timeout.is_some()
                    && !error.is_connect()
                    && timeout.is_none_or(|timeout| started.elapsed() < timeout) =>
            {
                Error::ReadTimeout(error)
            }
            error => error,
        }
    }

    /// One attempt: any status is `Ok`, only transport failures are errors.
    async fn send_once(
        &self,
        request: &Request,
        url: &Url,
        extra_headers: &HeaderMap,
        timeout: Option<Duration>,
        reading: Reading,
    ) -> Result<Answer, Error> {
        // Precedence, lowest first: default headers, Accept and Content-Type,
        // header parameters, per-call headers, the token.
        let mut headers = self.inner.default_headers.clone();
        match (&self.inner.accept, request.accept_media()) {
            (Some(accept), _) => {
                headers.insert(ACCEPT, accept.clone());
            }
            (None, Some(media)) => {
                headers.insert(ACCEPT, static_header_value("Accept", media)?);
            }
            (None, None) => {}
        }
        if let Some((_, content_type)) = request.raw_body() {
            headers.insert(
                CONTENT_TYPE,
                static_header_value("Content-Type", content_type)?,
            );
        }
        for (name, value) in request.headers() {
            headers.insert(name.clone(), value.clone());
        }
        for name in extra_headers.keys() {
            headers.remove(name);
        }
        for (name, value) in extra_headers {
            headers.append(name.clone(), value.clone());
        }
        // What the operation's security requirement asks for (the client's
        // token for a request without one). Asked on every attempt so a
        // refreshed token is used on retries; a per-call Authorization header
        // replaces whatever would set it for that call.
        let applied = self
            .inner
            .credentials
            .apply(
                request.security_requirement(),
                extra_headers.contains_key(AUTHORIZATION),
            )
            .await?;
        applied.apply_headers(&mut headers)?;
        let mut url = url.clone();
        applied.apply_query(&mut url);

        // Put together directly: `RequestBuilder::headers` would merge the map
        // into an empty one header by header.
        let mut http_request = reqwest::Request::new(request.method().clone(), url);
        *http_request.headers_mut() = headers;
        *http_request.timeout_mut() = timeout;
        if let Some((body, _)) = request.raw_body() {
            // Bytes are shared, a file opened again: every attempt sends the whole body.
            let (body, length) = body.for_attempt().await?;
            *http_request.body_mut() = Some(body);
            if let Some(length) = length {
                // A streamed body of known length is not sent chunked.
                http_request
                    .headers_mut()
                    .insert(CONTENT_LENGTH, HeaderValue::from(length));
            }
        }
        let multipart = match request.multipart_body() {
            Some(multipart) => Some((multipart.form().await?, multipart.media_type())),
            None => None,
        };
        if applied.basic.is_some() || multipart.is_some() {
            let mut builder =
                reqwest::RequestBuilder::from_parts(self.inner.http.clone(), http_request);
            if let Some((user, password)) = &applied.basic {
                // reqwest's encoder (base64, marked sensitive): none written here.
                builder = builder.basic_auth(user, Some(password));
            }
            if let Some((form, media_type)) = multipart {
                builder = with_multipart(builder, form, media_type)?;
            }
            http_request = builder.build().map_err(Error::from_reqwest)?;
        }

        let mut response = self
            .inner
            .http
            .execute(http_request)
            .await
            .map_err(Error::from_reqwest)?;
        if head_bytes(response.headers()) > MAX_RESPONSE_HEAD_BYTES {
            // Dropping the response closes the connection unread.
            return Err(Error::ResponseHeadersTooLarge {
                status: Some(response.status()),
                source: None,
            });
        }
        if reading == Reading::Streamed && response.status().is_success() {
            return Ok(Answer::Streaming(response));
        }
        let body = read_body(&mut response, self.inner.max_response_bytes).await?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        Ok(Answer::Whole(
            RawResponse::new(status, headers, body)
                .for_operation(request.operation_id())
                .with_url(response.url().clone()),
        ))
    }

    fn url_for(&self, request: &Request) -> Result<Url, Error> {
        if let Some(url) = request.target() {
            return Ok(url.clone());
        }
        if let Some(link) = request.link() {
            return self.link_url(link);
        }
        let path = request.path();
        if !path.is_empty() && !path.starts_with('/') {
            return Err(Error::InvalidRequest(format!(
                "request path `{path}` does not start with `/`"
            )));
        }
        check_expanded_path(request.path_template(), path)?;
        // The operation's parameters (already encoded), then the caller's extra ones
        // (`with_query`).
        let extra = &request.request_options().query;
        let own = request.query_string();
        let query = (!own.is_empty() || !extra.is_empty()).then(|| {
            let mut query = own.to_owned();
            if !extra.is_empty() {
                if !own.is_empty() {
                    query.push('&');
                }
                query.push_str(&encode_query(
                    extra
                        .iter()
                        .map(|(name, value)| (name.as_str(), value.as_str())),
                ));
            }
            query
        });
        let invalid =
            |error| Error::InvalidRequest(format!("could not build the request URL: {error}"));
        let base = self.base_for(request);
        if base != self.inner.base_url {
            // An operation's own server: parsed as written.
            let mut url = format!("{base}{path}");
            if let Some(query) = query {
                url.push('?');
                url.push_str(&query);
            }
            return Url::parse(&url).map_err(invalid);
        }
        // The same URL `Url::parse` would make of `{base_url}{path}?{query}`:
        // the path and query are already encoded, so setting them only checks.
        let mut url = self.inner.base.clone();
        let base_path = url.path().trim_end_matches('/').len();
        let mut full_path = String::with_capacity(base_path + path.len());
        full_path.push_str(&url.path()[..base_path]);
        full_path.push_str(path);
        url.set_path(&full_path);
        url.set_query(query.as_deref());
        Ok(url)
    }
}

impl HttpClient {
    /// A next-page link as a URL, accepted only when it lies under the base URL:
    /// same scheme, host and port, and a path below the base path. A relative link is
    /// resolved against the base URL first.
    fn link_url(&self, link: &str) -> Result<Url, Error> {
        let base = &self.inner.base;
        let url = base.join(link).map_err(|error| {
            Error::InvalidRequest(format!("the next-page link is not a URL: {error}"))
        })?;
        let same_origin = url.origin() == base.origin();
        let under_base =
            url.path().starts_with(base.path()) || format!("{}/", url.path()) == base.path();
        if !same_origin || !under_base {
            return Err(Error::InvalidRequest(format!(
                "refusing to follow a next-page link outside the base URL {}: {}",
                self.inner.base_url,
                url.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }
}

/// Puts a multipart body, encoded for this attempt, on the request, with its
/// length. reqwest names every form `multipart/form-data`; another
/// `multipart/*` type (`multipart/mixed`) replaces that name, keeping the boundary.
fn with_multipart(
    builder: reqwest::RequestBuilder,
    form: reqwest::multipart::Form,
    media_type: &str,
) -> Result<reqwest::RequestBuilder, Error> {
    let content_type = HeaderValue::try_from(format!("{media_type}; boundary={}", form.boundary()))
        .map_err(|_| {
            Error::InvalidRequest(format!("`{media_type}` is not a valid Content-Type"))
        })?;
    // `headers` replaces the value `multipart` set rather than adding a second one.
    Ok(builder
        .multipart(form)
        .headers(HeaderMap::from_iter([(CONTENT_TYPE, content_type)])))
}

/// Reads the whole body a chunk at a time, giving up as soon as it is known to
/// be longer than `limit` bytes: before reading anything when `Content-Length`
/// says so, otherwise (chunked or unannounced bodies, or a server sending more
/// than it announced) once the bytes received pass the limit. Dropping the
/// response then closes the connection instead of draining it.
async fn read_body(response: &mut reqwest::Response, limit: u64) -> Result<Bytes, Error> {
    let status = response.status();
    let too_large = || Error::ResponseTooLarge { status, limit };
    let announced = response.content_length();
    if announced.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    // Trust `Content-Length` for the first allocation only up to a point: it is
    // the server's word, and nothing has arrived yet.
    let capacity = announced.unwrap_or(0).min(MAX_PREALLOCATION);
    // A body that arrives in one chunk is returned as that chunk, uncopied;
    // only a second chunk starts a buffer they are gathered in.
    let mut first: Option<Bytes> = None;
    let mut gathered: Option<BytesMut> = None;
    let mut received: u64 = 0;
    while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
        received = received.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        if received > limit {
            return Err(too_large());
        }
        match (&mut gathered, first.take()) {
            (Some(body), _) => body.extend_from_slice(&chunk),
            (None, None) => first = Some(chunk),
            (None, Some(earlier)) => {
                let wanted = usize::try_from(capacity).unwrap_or(0);
                let mut body = BytesMut::with_capacity(wanted.max(earlier.len() + chunk.len()));
                body.extend_from_slice(&earlier);
                body.extend_from_slice(&chunk);
                gathered = Some(body);
            }
        }
    }
    Ok(match gathered {
        Some(body) => body.freeze(),
        None => first.unwrap_or_default(),
    })
}

/// The size of a response head as it came on the wire, near enough: each
/// header's name and value, plus `": "` and CRLF.
fn head_bytes(headers: &HeaderMap) -> usize {
    headers.iter().fold(0, |total, (name, value)| {
        total.saturating_add(name.as_str().len() + value.len() + 4)
    })
}

/// Follows a redirect only within the origin (scheme, host and port) of the
/// original request, so every hop stays there too. `reqwest`'s own policy follows any redirect and
/// drops only `Authorization`, `Cookie` and the proxy credentials on the way
/// to another host: a credential in a default or per-call header (an API key)
/// would go along, and a `307`/`308` would resend the request body. A redirect
/// to another origin is not followed; the `3xx` comes back as [`Error::Api`]
/// with its `Location` header, for the caller to judge.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

/// Whether an attempt reads a 2xx body before returning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reading {
    Whole,
    Streamed,
}

/// One attempt's answer: read whole, or (a 2xx asked for as a stream) not yet.
enum Answer {
    Whole(RawResponse),
    Streaming(reqwest::Response),
}

impl Answer {
    fn status(&self) -> StatusCode {
        match self {
            Answer::Whole(response) => response.status(),
            Answer::Streaming(response) => response.status(),
        }
    }

    fn headers(&self) -> &HeaderMap {
        match self {
            Answer::Whole(response) => response.headers(),
            Answer::Streaming(response) => response.headers(),
        }
    }
}

/// The last attempt's result, recorded on the call's span.
fn finish(
    result: Result<Answer, Error>,
    attempts: u32,
    span: &tracing::Span,
) -> Result<Answer, Error> {
    span.record("attempts", attempts);
    if let Ok(answer) = &result {
        span.record("status", answer.status().as_u16());
    }
    success_or_error(result)
}

/// A 2xx answer, or the error a non-2xx one is.
fn success_or_error(result: Result<Answer, Error>) -> Result<Answer, Error> {
    match result? {
        answer if answer.status().is_success() => Ok(answer),
        Answer::Whole(response) => Err(Error::Api(ApiError::unparsed(response))),
        // Only 2xx answers stream.
        Answer::Streaming(response) => Err(Error::Api(ApiError::unparsed(RawResponse::new(
            response.status(),
            response.headers().clone(),
            Bytes::new(),
        )))),
    }
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("servers", &inner.servers)
            .field("credentials", &inner.credentials)
            .field("accept", &inner.accept)
            .field("timeout", &inner.timeout)
            .field("read_timeout", &inner.read_timeout)
            .field("retry", &inner.retry)
            .field("max_response_bytes", &inner.max_response_bytes)
            .field(
                "default_headers",
                &inner.default_headers.keys().collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// Where the builder's credential comes from.
#[derive(Clone)]
enum Credentials {
    // Kept as given so `build` can reject a malformed token up front.
    Bearer(String),
    Provider(Arc<dyn TokenProvider>),
}

/// A credential set for one security scheme, checked by `build`.
#[derive(Clone)]
enum SchemeSetting {
    Token(String),
    Provider(Arc<dyn TokenProvider>),
    Basic { user: String, password: String },
    ApiKey(String),
    Http(String),
}

/// Configures a generated crate's `Client` (`C`). Setters only record;
/// everything is validated by [`ClientBuilder::build`], which reports problems
/// as [`Error::InvalidRequest`].
#[must_use = "a ClientBuilder does nothing until `build()` is called"]
pub struct ClientBuilder<C> {
    base_url: String,
    base_url_chosen: bool,
    servers: Vec<(&'static str, String)>,
    credentials: Option<Credentials>,
    schemes: Vec<(&'static security::SecurityScheme, SchemeSetting)>,
    accept: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    user_agent: Option<String>,
    default_headers: Vec<(String, String)>,
    retry: RetryPolicy,
    max_response_bytes: u64,
    transfer_idle_timeout: Duration,
    http_client: Option<reqwest::Client>,
    client: PhantomData<fn() -> C>,
}

// Hand-written: a derive would ask `C: Clone`, which the builder does not need.
impl<C> Clone for ClientBuilder<C> {
    fn clone(&self) -> Self {
        ClientBuilder {
            base_url: self.base_url.clone(),
            base_url_chosen: self.base_url_chosen,
            servers: self.servers.clone(),
            credentials: self.credentials.clone(),
            schemes: self.schemes.clone(),
            accept: self.accept.clone(),
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            read_timeout: self.read_timeout,
            user_agent: self.user_agent.clone(),
            default_headers: self.default_headers.clone(),
            retry: self.retry.clone(),
            max_response_bytes: self.max_response_bytes,
            transfer_idle_timeout: self.transfer_idle_timeout,
            http_client: self.http_client.clone(),
            client: PhantomData,
        }
    }
}

impl<C: ApiClient> Default for ClientBuilder<C> {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl<C: ApiClient> ClientBuilder<C> {
    /// Defaults: the spec's server, no token, 60 s timeout per attempt, 10 s
    /// connect timeout, 30 s read timeout, User-Agent `<crate>/<version>`, [`RetryPolicy::default`],
    /// response bodies up to 64 MiB, transfers ending after 60 s without a
    /// byte, redirects followed within the same origin only, TLS through
    /// rustls with the bundled Mozilla roots and certificate and host name
    /// checks on.
    pub fn new() -> Self {
        ClientBuilder {
            base_url: C::DEFAULT_BASE_URL.to_owned(),
            base_url_chosen: false,
            servers: Vec::new(),
            credentials: None,
            schemes: Vec::new(),
            accept: None,
            timeout: None,
            connect_timeout: None,
            read_timeout: None,
            user_agent: None,
            default_headers: Vec::new(),
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            transfer_idle_timeout: DEFAULT_IDLE_TIMEOUT,
            http_client: None,
            client: PhantomData,
        }
    }

    /// The server to call; `http` or `https`, no query or fragment. A trailing
    /// slash is dropped because the spec's paths start with `/`.
    ///
    /// A base URL set here takes every request, including those of operations
    /// the spec sends to servers of their own (path- or operation-level
    /// `servers`), so one setting points a whole client at a mock or a proxy.
    /// Without it, such operations go to their own first server.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self.base_url_chosen = true;
        self
    }

    /// The variables of a server the spec gives some operations of their own
    /// (path- or operation-level `servers`), as the generated crate types them:
    /// `.server(servers::files::Server::default().region(Region::Eu))`. Those
    /// operations go to its [`url`](OperationServer::url) instead of the one
    /// with the variables' defaults. Replaces an earlier choice for the same
    /// server. A [`base_url`](Self::base_url) set too still takes every request.
    pub fn server<S: OperationServer>(mut self, server: S) -> Self {
        let url = server.url();
        self.servers.retain(|(id, _)| *id != S::ID);
        self.servers.push((S::ID, url));
        self
    }

    /// The key of an `apiKey` security scheme (a constant of the generated
    /// crate's `schemes` module), sent in the header, query parameter or cookie
    /// the scheme names, only with operations whose security requirement
    /// names the scheme. Replaces an earlier key of the scheme.
    pub fn api_key(mut self, scheme: ApiKeyScheme, key: impl Into<String>) -> Self {
        self.set_scheme(scheme.0, SchemeSetting::ApiKey(key.into()));
        self
    }

    /// The user and password of an HTTP `basic` security scheme, sent as
    /// `Authorization: Basic <base64(user:password)>` only with operations
    /// whose security requirement names the scheme.
    pub fn basic_auth(
        mut self,
        scheme: BasicScheme,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        let setting = SchemeSetting::Basic {
            user: user.into(),
            password: password.into(),
        };
        self.set_scheme(scheme.0, setting);
        self
    }

    /// A fixed token for one bearer, `oauth2` or `openIdConnect` scheme, used
    /// instead of the client's [`bearer_token`](Self::bearer_token) for the
    /// operations that name this scheme.
    pub fn scheme_token(mut self, scheme: BearerScheme, token: impl Into<String>) -> Self {
        self.set_scheme(scheme.0, SchemeSetting::Token(token.into()));
        self
    }

    /// Like [`scheme_token`](Self::scheme_token), asking `provider` before every
    /// attempt.
    pub fn scheme_token_provider(
        mut self,
        scheme: BearerScheme,
        provider: impl TokenProvider,
    ) -> Self {
        self.set_scheme(scheme.0, SchemeSetting::Provider(Arc::new(provider)));
        self
    }

    /// The credentials of another HTTP authentication scheme, sent as
    /// `Authorization: <scheme> <credentials>` with the operations that name it.
    pub fn http_credentials(mut self, scheme: HttpScheme, credentials: impl Into<String>) -> Self {
        self.set_scheme(scheme.0, SchemeSetting::Http(credentials.into()));
        self
    }

    fn set_scheme(&mut self, scheme: &'static security::SecurityScheme, setting: SchemeSetting) {
        self.schemes.retain(|(set, _)| set.key != scheme.key);
        self.schemes.push((scheme, setting));
    }

    /// A fixed OAuth access token sent as `Authorization: Bearer <token>`. A
    /// token that already starts with `Bearer ` (as iTwin auth clients return
    /// it) is sent as is. Replaces an earlier token or provider.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Bearer(token.into()));
        self
    }

    /// Asks `provider` for the credential before every attempt, so expiring
    /// tokens can be refreshed. Replaces an earlier token or provider.
    pub fn token_provider(mut self, provider: impl TokenProvider) -> Self {
        self.credentials = Some(Credentials::Provider(Arc::new(provider)));
        self
    }

    /// Like [`ClientBuilder::token_provider`] for a closure returning a future,
    /// e.g. `|| async { Ok(AccessToken::bearer(auth.token().await?)) }`. Naming
    /// the error type here lets `?` and `Ok(..)` in the closure infer it.
    pub fn token_fn<F, Fut>(self, provider: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<AccessToken, BoxError>> + Send + 'static,
    {
        self.token_provider(provider)
    }

    /// The `Accept` header for every request, replacing the media type each
    /// operation would ask for, e.g.
    /// `application/vnd.bentley.itwin-platform.v2+json` to pin the API version.
    /// JSON responses of any `application/*+json` type still decode.
    pub fn accept(mut self, media: impl Into<String>) -> Self {
        self.accept = Some(media.into());
        self
    }

    /// Limit for each attempt, from connecting until the body is read; a call
    /// that is retried may take longer in total, up to the retry policy's
    /// [`deadline`](RetryPolicy::deadline) for the whole call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Limit for establishing a connection. Cannot be combined with
    /// [`ClientBuilder::http_client`]; configure that client instead.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The longest the server may stay silent (default 30 s): from sending
    /// the request until the whole response head has arrived, then between
    /// any two pieces of the body. Unlike
    /// [`timeout`](ClientBuilder::timeout) it restarts whenever data arrives,
    /// so a large body that keeps coming is not cut off, while a server that
    /// stops sending part-way is given up on quickly with
    /// [`Error::ReadTimeout`] (or [`Error::Timeout`] from the stream of
    /// `send_streaming`). Cannot be combined with
    /// [`ClientBuilder::http_client`]; configure that client instead.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Replaces the default User-Agent.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// A header sent with every request; operation parameters, per-call
    /// headers and the token take precedence over it.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// How calls are retried unless a call sets its own policy
    /// ([`RequestOptions::retry`](super::RequestOptions::retry)).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The most bytes of a response body that are read, for any status;
    /// default 64 MiB. A larger body ends the attempt with
    /// [`Error::ResponseTooLarge`]: at once when its `Content-Length` says so,
    /// otherwise as soon as the bytes received pass the limit (so a chunked or
    /// endless body cannot exhaust memory either). Error bodies get no partial
    /// treatment: a `500` with a body over the limit is `ResponseTooLarge`
    /// with its status, not an [`Error::Api`] holding a cut-off body.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// How long a download or upload through a storage URL
    /// ([`HttpClient::download`], [`HttpClient::upload`]) may go without moving
    /// a byte before it ends with
    /// [`TransferError::Stalled`](super::TransferError::Stalled); default 60 s.
    /// Each transfer may set its own (`with_idle_timeout`). A large file takes
    /// as long as it takes; only silence ends it.
    pub fn transfer_idle_timeout(mut self, idle: Duration) -> Self {
        self.transfer_idle_timeout = idle;
        self
    }

    /// Uses a caller-configured `reqwest` client (proxy, TLS roots, pool
    /// settings). The request timeout still applies if set here, and so does
    /// [`ClientBuilder::max_response_bytes`]; redirects follow that client's
    /// policy, whose default follows other origins too (dropping only
    /// `Authorization`, `Cookie` and proxy credentials), instead of this
    /// builder's same-origin-only policy.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Validates the settings and builds the client.
    pub fn build(self) -> Result<C, Error<C::ErrorBody>> {
        self.build_http().map(C::from).map_err(Error::parse_body)
    }

    fn build_http(self) -> Result<HttpClient, Error> {
        let base_url = normalise_base_url(&self.base_url)?;
        let servers = self
            .servers
            .iter()
            .map(|(id, url)| normalise_server_url(url).map(|url| (*id, url)))
            .collect::<Result<Vec<_>, _>>()?;
        let default_token = match self.credentials {
            None => None,
            Some(Credentials::Provider(provider)) => Some(provider),
            Some(Credentials::Bearer(token)) => {
                let token = AccessToken::bearer(token);
                token.header_value().map_err(|message| {
                    Error::InvalidRequest(format!("invalid bearer token: {message}"))
                })?;
                Some(Arc::new(StaticToken::new(token)) as Arc<dyn TokenProvider>)
            }
        };

        let credentials =
            security::Credentials::new(scheme_credentials(self.schemes)?, default_token);

        let mut default_headers = HeaderMap::new();
        for (name, value) in &self.default_headers {
            let (name, value) = parse_header(name, value, "default header")?;
            default_headers.append(name, value);
        }
        // An explicit user_agent wins; otherwise keep a User-Agent given as a default header.
        let user_agent = match (&self.user_agent, default_headers.contains_key(USER_AGENT)) {
            (Some(agent), _) => Some(agent.as_str()),
            (None, false) => Some(C::USER_AGENT),
            (None, true) => None,
        };
        if let Some(agent) = user_agent {
            let value = HeaderValue::try_from(agent).map_err(|_| {
                Error::InvalidRequest("the User-Agent is not a valid header value".to_owned())
            })?;
            default_headers.insert(USER_AGENT, value);
        }
        let accept = self
            .accept
            .map(|media| {
                HeaderValue::try_from(media.as_str()).map_err(|_| {
                    Error::InvalidRequest(format!("`{media}` is not a valid Accept header value"))
                })
            })
            .transpose()?;

        let (http, timeout, read_timeout) = match self.http_client {
            Some(_) if self.connect_timeout.is_some() || self.read_timeout.is_some() => {
                let setting = if self.connect_timeout.is_some() {
                    "connect_timeout"
                } else {
                    "read_timeout"
                };
                return Err(Error::InvalidRequest(format!(
                    "{setting} cannot be applied to a caller-supplied reqwest::Client"
                )));
            }
            Some(http) => (http, self.timeout, None),
            None => {
                let read_timeout = self.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT);
                let http = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .read_timeout(read_timeout)
                    .redirect(same_origin_redirects())
                    .build()
                    .map_err(|error| {
                        Error::InvalidRequest(format!("could not create the HTTP client: {error}"))
                    })?;
                (
                    http,
                    Some(self.timeout.unwrap_or(DEFAULT_TIMEOUT)),
                    Some(read_timeout),
                )
            }
        };

        // Its own connection pool: nothing configured for the API (token,
        // default headers, a caller's reqwest::Client) can reach storage hosts.
        // Redirects within an origin only: a download follows one to another
        // origin itself, without the caller's headers (`transfer.rs`).
        let storage_http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .redirect(same_origin_redirects())
            .build()
            .map_err(|error| {
                Error::InvalidRequest(format!("could not create the HTTP client: {error}"))
            })?;
        let storage = Storage::new(storage_http, self.retry.clone(), self.transfer_idle_timeout);

        let base = Url::parse(&format!("{base_url}/")).map_err(|error| {
            Error::InvalidRequest(format!("invalid base URL `{base_url}`: {error}"))
        })?;
        Ok(HttpClient {
            inner: Arc::new(ClientInner {
                http,
                base_url,
                base,
                base_url_chosen: self.base_url_chosen,
                servers,
                credentials,
                default_headers,
                accept,
                timeout,
                read_timeout,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                storage,
            }),
        })
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = self
            .credentials
            .as_ref()
            .map(|credentials| match credentials {
                Credentials::Bearer(_) => REDACTED,
                Credentials::Provider(_) => "<token provider>",
            });
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("servers", &self.servers)
            .field("token", &token)
            // Credentials are secrets; the schemes they are for are enough.
            .field(
                "schemes",
                &self
                    .schemes
                    .iter()
                    .map(|(scheme, _)| scheme.key)
                    .collect::<Vec<_>>(),
            )
            .field("accept", &self.accept)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("user_agent", &self.user_agent)
            // Values may be API keys; names are enough to debug with.
            .field(
                "default_headers",
                &self
                    .default_headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("retry", &self.retry)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("transfer_idle_timeout", &self.transfer_idle_timeout)
            .field("custom_http_client", &self.http_client.is_some())
            .finish()
    }
}

/// The credentials set per scheme, checked, by scheme key.
fn scheme_credentials(
    schemes: Vec<(&'static security::SecurityScheme, SchemeSetting)>,
) -> Result<std::collections::BTreeMap<&'static str, Credential>, Error> {
    let mut by_scheme = std::collections::BTreeMap::new();
    for (scheme, setting) in schemes {
        let invalid = |message: String| {
            Error::InvalidRequest(format!("security scheme `{}`: {message}", scheme.key))
        };
        let credential = match setting {
            SchemeSetting::Token(token) => {
                let token = AccessToken::bearer(token);
                token.header_value().map_err(invalid)?;
                Credential::Token(Arc::new(StaticToken::new(token)))
            }
            SchemeSetting::Provider(provider) => Credential::Token(provider),
            SchemeSetting::Basic { user, password } => Credential::Basic { user, password },
            SchemeSetting::ApiKey(key) => Credential::ApiKey(key),
            SchemeSetting::Http(credentials) => {
                let security::SchemeKind::Http(name) = scheme.kind else {
                    return Err(invalid("not another HTTP scheme".to_owned()));
                };
                Credential::Authorization(
                    security::http_authorization(name, &credentials).map_err(invalid)?,
                )
            }
        };
        security::check(scheme, &credential)?;
        by_scheme.insert(scheme.key, credential);
    }
    Ok(by_scheme)
}

fn normalise_base_url(raw: &str) -> Result<String, Error> {
    let invalid =
        |reason: String| Error::InvalidRequest(format!("invalid base URL `{raw}`: {reason}"));
    let url = Url::parse(raw.trim()).map_err(|error| invalid(error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "scheme `{}` is not http or https",
            url.scheme()
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "a base URL cannot have a query or fragment".to_owned(),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// A server URL chosen with [`ClientBuilder::server`]: absolute like a base
/// URL, or relative to the base URL's origin (`/files`), as the spec allows.
fn normalise_server_url(raw: &str) -> Result<String, Error> {
    if raw.starts_with('/') {
        return Url::parse("http://localhost")
            .and_then(|origin| origin.join(raw))
            .map(|_| raw.trim_end_matches('/').to_owned())
            .map_err(|error| {
                Error::InvalidRequest(format!("invalid server URL `{raw}`: {error}"))
            });
    }
    normalise_base_url(raw).map_err(|error| match error {
        Error::InvalidRequest(message) => {
            Error::InvalidRequest(message.replacen("invalid base URL", "invalid server URL", 1))
        }
        other => other,
    })
}

/// The typed variables of a server the spec gives some operations of their
/// own (path- or operation-level `servers` with `variables`): a generated
/// crate's `servers::<name>::Server`, set on a client with
/// [`ClientBuilder::server`]. Its setters take each variable's value (an
/// enum's variant for a variable with `enum`); its `Default` has the spec's
/// defaults.
pub trait OperationServer {
    /// Which server of the spec this is: its JSON pointer
    /// (`#/paths/~1files/servers/0`).
    const ID: &'static str;

    /// The server's URL with every variable filled in.
    fn url(&self) -> String;
}

fn static_header_value(name: &str, value: &'static str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::InvalidRequest(format!("`{value}` is not a valid {name} header value")))
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// What a generated crate adds: a newtype `Client` and its constructors
    /// (also the client of other modules' tests).
    #[derive(Debug, Clone)]
    pub(crate) struct Client(HttpClient);

    impl From<HttpClient> for Client {
        fn from(http: HttpClient) -> Self {
            Client(http)
        }
    }

    impl ApiClient for Client {
        type ErrorBody = serde_json::Value;
        const DEFAULT_BASE_URL: &'static str = "https://api.example.test/default/";
        const USER_AGENT: &'static str = "test-client/1.0";

        fn http(&self) -> &HttpClient {
            &self.0
        }
    }

    impl Client {
        fn new(token: &str) -> Result<Client, Error<serde_json::Value>> {
            Client::builder().bearer_token(token).build()
        }

        fn with_base_url(base_url: &str, token: &str) -> Result<Client, Error<serde_json::Value>> {
            Client::builder()
                .base_url(base_url)
                .bearer_token(token)
                .build()
        }

        fn builder() -> ClientBuilder<Client> {
            ClientBuilder::new()
        }

        fn base_url(&self) -> &str {
            self.0.base_url()
        }
    }

    #[test]
    fn base_url_is_validated_and_trimmed() {
        let client = Client::with_base_url("https://example.com/imodels/", "t").expect("valid");
        assert_eq!(client.base_url(), "https://example.com/imodels");
        let client = Client::with_base_url("http://127.0.0.1:8080", "t").expect("valid");
        assert_eq!(client.base_url(), "http://127.0.0.1:8080");
        for bad in [
            "",
            "example.com",
            "ftp://example.com",
            "https://example.com/?a=1",
            "https://x/#f",
            "http://",
        ] {
            assert!(
                matches!(
                    Client::with_base_url(bad, "t"),
                    Err(Error::InvalidRequest(_))
                ),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn operation_servers_apply_unless_the_base_url_was_chosen() {
        let request = |server: &'static str| {
            let mut request = Request::new("op", reqwest::Method::GET, "/p", "/p".to_owned());
            request.server(server);
            request
        };
        let by_spec = Client::builder().build().expect("valid");
        let chosen = Client::builder()
            .base_url("http://127.0.0.1:1/mock")
            .build()
            .expect("valid");
        // (client, the operation's server, the URL it is sent to)
        let cases = [
            (
                &by_spec,
                "https://files.example.test/v1/",
                "https://files.example.test/v1/p",
            ),
            (&by_spec, "/files", "https://api.example.test/files/p"),
            (
                &chosen,
                "https://files.example.test/v1",
                "http://127.0.0.1:1/mock/p",
            ),
            (&chosen, "/files", "http://127.0.0.1:1/mock/p"),
        ];
        for (client, server, expected) in cases {
            let url = client.0.url_for(&request(server)).expect("a URL");
            assert_eq!(url.as_str(), expected, "{server}");
        }
    }

    /// The typed variables of one server of the spec, as a generated
    /// `servers::<name>::Server`.
    struct Regional(&'static str);

    impl OperationServer for Regional {
        const ID: &'static str = "#/paths/~1files/servers/0";

        fn url(&self) -> String {
            format!("https://{}.files.example.test/v1/", self.0)
        }
    }

    #[test]
    fn chosen_server_variables_replace_the_defaults_of_that_server_only() {
        let request = |id: &'static str| {
            let mut request = Request::new("op", reqwest::Method::GET, "/p", "/p".to_owned());
            request.server("https://eu.files.example.test/v1");
            request.server_id(id);
            request
        };
        let by_spec = Client::builder().build().expect("valid");
        let chosen = Client::builder()
            .server(Regional("eu"))
            .server(Regional("us"))
            .build()
            .expect("valid");
        let both = Client::builder()
            .server(Regional("us"))
            .base_url("http://127.0.0.1:1/mock")
            .build()
            .expect("valid");
        // (client, the request's server id, the URL it is sent to)
        let cases = [
            (&by_spec, Regional::ID, "https://eu.files.example.test/v1/p"),
            (&chosen, Regional::ID, "https://us.files.example.test/v1/p"),
            (&chosen, "#/other", "https://eu.files.example.test/v1/p"),
            (&both, Regional::ID, "http://127.0.0.1:1/mock/p"),
        ];
        for (client, id, expected) in cases {
            let url = client.0.url_for(&request(id)).expect("a URL");
            assert_eq!(url.as_str(), expected, "{id}");
        }
        let invalid = Client::builder().server(Regional("a b")).build();
        match invalid {
            Err(Error::InvalidRequest(message)) => {
                assert!(message.starts_with("invalid server URL"), "{message}")
            }
            other => panic!("expected an invalid server URL, got {:?}", other.map(drop)),
        }
    }

    #[test]
    fn default_base_url_is_the_specs() {
        let client = Client::new("t").expect("valid");
        assert_eq!(
            client.base_url(),
            Client::DEFAULT_BASE_URL.trim_end_matches('/')
        );
    }

    #[test]
    fn token_is_redacted_in_debug() {
        let secret = "eyJ-super-secret-token";
        let builder = Client::builder()
            .bearer_token(secret)
            .default_header("X-Api-Key", "another-secret");
        let client = builder.clone().build().expect("valid");
        for text in [
            format!("{builder:?}"),
            format!("{client:?}"),
            format!("{client:#?}"),
        ] {
            assert!(!text.contains(secret), "{text}");
            assert!(!text.contains("another-secret"), "{text}");
            assert!(text.contains(REDACTED), "{text}");
        }
    }

    #[test]
    fn bad_headers_and_conflicting_settings_are_errors() {
        assert!(Client::builder()
            .default_header("bad name", "x")
            .build()
            .is_err());
        assert!(Client::builder()
            .default_header("X-A", "a\r\nb")
            .build()
            .is_err());
        assert!(Client::builder().user_agent("a\nb").build().is_err());
        assert!(Client::builder().accept("a\nb").build().is_err());
        for token in ["", "Bearer ", "a\nb"] {
            let error = Client::builder()
                .bearer_token(token)
                .build()
                .expect_err("invalid");
            assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
        }
        let conflicting = Client::builder()
            .http_client(reqwest::Client::new())
            .connect_timeout(Duration::from_secs(1))
            .build();
        assert!(matches!(conflicting, Err(Error::InvalidRequest(_))));
    }

    #[test]
    fn token_provider_is_redacted_and_replaces_the_bearer_token() {
        let builder = Client::builder()
            .bearer_token("static-secret")
            .token_fn(|| async { Ok(AccessToken::bearer("dynamic-secret")) });
        let client = builder.clone().build().expect("valid");
        for text in [format!("{builder:?}"), format!("{client:?}")] {
            assert!(!text.contains("secret"), "{text}");
        }
        assert!(format!("{builder:?}").contains("<token provider>"));
        assert!(client.0.inner.credentials.has_default_token());
        let anonymous = Client::builder().build().expect("valid");
        assert!(!anonymous.0.inner.credentials.has_default_token());
    }

    #[test]
    fn user_agent_precedence() {
        let agent = |builder: ClientBuilder<Client>| {
            let client = builder.build().expect("valid");
            client.0.inner.default_headers.get(USER_AGENT).cloned()
        };
        assert_eq!(
            agent(Client::builder()).as_ref().map(|v| v.as_bytes()),
            Some(Client::USER_AGENT.as_bytes())
        );
        assert_eq!(
            agent(Client::builder().user_agent("me/1")).expect("set"),
            "me/1"
        );
        assert_eq!(
            agent(Client::builder().default_header("User-Agent", "dh/1")).expect("set"),
            "dh/1"
        );
    }

    #[test]
    fn client_is_send_sync_and_execute_is_send() {
        fn assert_send_sync<T: Send + Sync>(_: &T) {}
        fn assert_send<T: Send>(_: &T) {}
        let client = Client::new("t").expect("valid");
        assert_send_sync(&client);
        let future = client.0.execute(Request::new(
            "Op",
            reqwest::Method::GET,
            "/",
            "/".to_owned(),
        ));
        assert_send(&future);
    }

    #[test]
    fn next_links_are_followed_only_under_the_base_url() {
        let client = Client::with_base_url("https://api.example.test/imodels", "t").unwrap();
        let url = |link: &str| client.0.link_url(link).map(|u| u.to_string());
        assert_eq!(
            url("https://api.example.test/imodels/?$skip=2&$top=2").unwrap(),
            "https://api.example.test/imodels/?$skip=2&$top=2"
        );
        assert_eq!(
            url("/imodels/abc/changesets?$skip=10").unwrap(),
            "https://api.example.test/imodels/abc/changesets?$skip=10"
        );
        for outside in [
            "https://evil.example.test/imodels/?$skip=2",
            "http://api.example.test/imodels/",
            "https://api.example.test:8443/imodels/",
            "https://api.example.test/other/",
            "https://api.example.test/imodelsx/",
        ] {
            assert!(
                matches!(url(outside), Err(Error::InvalidRequest(_))),
                "{outside} was followed"
            );
        }
    }

    #[test]
    fn url_is_base_plus_path_plus_query() {
        let client = Client::with_base_url("https://example.com/imodels/", "t").expect("valid");
        let mut request = Request::new("Op", reqwest::Method::GET, "/{id}", "/a%20b".to_owned());
        request.query("$top", &5);
        request.query("q", "x y&z");
        let url = client.0.url_for(&request).expect("valid");
        assert_eq!(
            url.as_str(),
            "https://example.com/imodels/a%20b?$top=5&q=x%20y%26z"
        );

        let dots = Request::new(
            "Op",
            reqwest::Method::GET,
            "/{id}",
            format!("/{}", super::super::encode_path_segment("..")),
        );
        assert!(matches!(
            client.0.url_for(&dots),
            Err(Error::InvalidRequest(_))
        ));
        let relative = Request::new("Op", reqwest::Method::GET, "{id}", "abc".to_owned());
        assert!(matches!(
            client.0.url_for(&relative),
            Err(Error::InvalidRequest(_))
        ));
    }
}
