//! Files moved through pre-signed storage URLs (the `_links` an API hands out for
//! uploads and downloads), and bodies too large to hold in memory.
//!
//! Such a URL carries its own authorisation, usually on another host, so these
//! requests go through an HTTP client of their own: no token, no default headers,
//! no `Accept` — only what the caller adds, and that only to the URL's own
//! origin: a download redirected to another origin follows the redirect without
//! the caller's headers (pre-signed URLs do hand over to a CDN or a mirror), an
//! upload does not follow it at all. Bodies stream chunk by chunk; a download
//! cut off part-way resumes with `Range` and `If-Range` when the first answer
//! had a strong validator (`ETag`, or a `Last-Modified` at least a second older
//! than its `Date`), and only onto the same version of the file: a download to a
//! file starts over when the file changed or cannot be shown not to have, a
//! stream fails with [`TransferError::NotResumable`]. A download to a file is
//! written beside it and moved into place only once complete. No byte for the
//! idle timeout is [`TransferError::Stalled`]. Connection errors, `429` and
//! every `5xx` are retried with the client's backoff.

use std::future::Future;
use std::io::SeekFrom;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_RANGE, DATE, ETAG, IF_RANGE,
    LAST_MODIFIED, LOCATION, RANGE,
};
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use url::Url;

use serde::de::DeserializeOwned;

use super::error::TransferError;
use super::retry::{Outcome, RetryPolicy};
use super::{ApiError, Error, RawResponse};

/// How much of an error answer's body is kept: storage services explain
/// themselves in a few hundred bytes of XML or JSON.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// How long a transfer may go without moving a byte before it is
/// [`TransferError::Stalled`], unless the client or the transfer says otherwise.
pub(crate) const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Redirects to another origin a download follows in a row (each origin's own
/// hops are the storage client's, which follows up to ten of those).
const MAX_REDIRECTS: usize = 10;

/// How often a download to a file starts over because the file changed on the
/// server before it gives up with [`TransferError::NotResumable`].
const MAX_RESTARTS: u32 = 3;

/// The size of the pieces an upload from memory is sent in, so that the idle
/// timeout sees it move.
const UPLOAD_CHUNK: usize = 64 * 1024;

/// How far a transfer has got, reported after every chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Bytes moved so far (for a resumed download, including those received
    /// before the cut; for a download to a file that started over because the
    /// file changed on the server, counted again from zero).
    pub transferred: u64,
    /// The whole size, when the server or the file said it.
    pub total: Option<u64>,
}

/// The caller's progress callback: `FnMut`, so it may keep its own state (a
/// counter, the last value) without atomics. The transfer's clones (an
/// upload's body stream) share it; each report locks it for the call.
type ProgressFn = Arc<std::sync::Mutex<dyn FnMut(Progress) + Send>>;

/// The HTTP client for storage URLs; see the [module docs](self).
#[derive(Clone, Debug)]
pub(crate) struct Storage {
    http: reqwest::Client,
    retry: RetryPolicy,
    idle: Duration,
}

impl Storage {
    pub(crate) fn new(http: reqwest::Client, retry: RetryPolicy, idle: Duration) -> Self {
        Storage { http, retry, idle }
    }

    pub(crate) fn download<E>(&self, url: Option<&str>) -> Download<E> {
        Download {
            transfer: Transfer::new(self, url),
            error_body: PhantomData,
        }
    }

    pub(crate) fn upload<E>(&self, url: Option<&str>, body: UploadBody) -> Upload<E> {
        Upload {
            transfer: Transfer::new(self, url),
            body,
            method: Method::PUT,
            error_body: PhantomData,
        }
    }
}

/// What the two kinds of transfer share: where, how, and who is told.
#[derive(Clone)]
struct Transfer {
    http: reqwest::Client,
    url: Result<Url, String>,
    headers: Result<HeaderMap, String>,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    idle: Duration,
    progress: Option<ProgressFn>,
}

impl Transfer {
    fn new(storage: &Storage, url: Option<&str>) -> Self {
        let url = url
            .ok_or_else(super::link::no_href)
            .and_then(|url| {
                Url::parse(url).map_err(|e| format!("the transfer URL is not a URL: {e}"))
            })
            .and_then(|url| match url.scheme() {
                "http" | "https" => Ok(url),
                other => Err(format!(
                    "the transfer URL has the scheme `{other}`, not http(s)"
                )),
            });
        Transfer {
            http: storage.http.clone(),
            url,
            headers: Ok(HeaderMap::new()),
            retry: storage.retry.clone(),
            timeout: None,
            idle: storage.idle,
            progress: None,
        }
    }

    fn header(&mut self, name: &str, value: &str) {
        let parsed = HeaderName::try_from(name)
            .map_err(|_| format!("`{name}` is not a valid header name"))
            .and_then(|header| match HeaderValue::try_from(value) {
                Ok(value) => Ok((header, value)),
                Err(_) => Err(format!("the value of header `{name}` is not valid")),
            });
        self.headers = match (
            std::mem::replace(&mut self.headers, Ok(HeaderMap::new())),
            parsed,
        ) {
            (Ok(mut headers), Ok((name, value))) => {
                headers.append(name, value);
                Ok(headers)
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
    }

    fn url(&self) -> Result<Url, Error> {
        self.url.clone().map_err(Error::InvalidRequest)
    }

    /// A request to `url`, with the caller's headers only when `url` is on the
    /// origin the caller gave (a redirect may lead elsewhere).
    fn request(&self, method: Method, url: &Url) -> Result<reqwest::RequestBuilder, Error> {
        let headers = self.headers.clone().map_err(Error::InvalidRequest)?;
        let own_origin = self
            .url
            .as_ref()
            .is_ok_and(|given| given.origin() == url.origin());
        let mut builder = self.http.request(method, url.clone());
        if own_origin {
            builder = builder.headers(headers);
        }
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        Ok(builder)
    }

    fn report(&self, progress: Progress) {
        tracing::trace!(
            transferred = progress.transferred,
            total = progress.total,
            "transfer progress"
        );
        if let Some(report) = &self.progress {
            // A callback that panicked once poisons the lock; later reports
            // still reach it.
            let mut report = report
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            report(progress);
        }
    }
}

/// Whether a failed attempt of a transfer is worth repeating, and after how long:
/// the policy's schedule, with every `5xx` counted as transient (storage services
/// answer `500` for a hiccup).
fn transfer_retry(
    policy: &RetryPolicy,
    method: &Method,
    attempt: u32,
    waited: Duration,
    outcome: Outcome<'_>,
) -> Option<Duration> {
    let outcome = match outcome {
        Outcome::Status(status, headers) if status.is_server_error() => {
            Outcome::Status(StatusCode::SERVICE_UNAVAILABLE, headers)
        }
        other => other,
    };
    // A transfer URL is safe to repeat: a download reads, an upload puts the same bytes.
    let method = if *method == Method::POST {
        &Method::PUT
    } else {
        method
    };
    policy
        .next_retry(method, attempt, waited, outcome)
        .map(|retry| retry.delay)
}

/// `future`'s output, or [`TransferError::Stalled`] if it takes longer than `idle`.
async fn within_idle<T>(
    idle: Duration,
    transferred: u64,
    future: impl Future<Output = T>,
) -> Result<T, Error> {
    tokio::time::timeout(idle, future)
        .await
        .map_err(|_| TransferError::Stalled { idle, transferred }.into())
}

/// Reads at most [`ERROR_BODY_LIMIT`] of a short answer (an error, or what an
/// upload's storage service says back); a body that stalls for `idle` is kept
/// as far as it came.
async fn short_response(mut response: reqwest::Response, idle: Duration) -> RawResponse {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let mut body = Vec::new();
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout(idle, response.chunk()).await {
        body.extend_from_slice(&chunk[..chunk.len().min(ERROR_BODY_LIMIT - body.len())]);
        if body.len() >= ERROR_BODY_LIMIT {
            break;
        }
    }
    RawResponse::new(status, headers, Bytes::from(body))
}

macro_rules! transfer_options {
    ($ty:ident) => {
        impl<E> $ty<E> {
            /// Adds a header to every attempt (`x-ms-blob-type: BlockBlob` for an
            /// Azure upload, say). Nothing else is sent: no token, no default headers.
            pub fn header(mut self, name: &str, value: &str) -> Self {
                self.transfer.header(name, value);
                self
            }

            /// Replaces the client's retry policy for this transfer.
            pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
                self.transfer.retry = policy;
                self
            }

            /// A limit for each attempt as a whole (none by default: a large
            /// file takes as long as it takes).
            pub fn with_timeout(mut self, timeout: Duration) -> Self {
                self.transfer.timeout = Some(timeout);
                self
            }

            /// How long the transfer may go without moving a byte (waiting for
            /// the answer, or between two pieces of a body) before it ends with
            /// [`TransferError::Stalled`]; the client's
            /// [`transfer_idle_timeout`](super::ClientBuilder::transfer_idle_timeout)
            /// by default (60 s unless set). A stall is not retried unless the
            /// retry policy's classifier says so.
            pub fn with_idle_timeout(mut self, idle: Duration) -> Self {
                self.transfer.idle = idle;
                self
            }

            /// Called after every chunk with the bytes moved so far, one call
            /// at a time; the closure may change what it captured (a plain
            /// counter needs no atomic). Progress is also a `TRACE` event.
            pub fn on_progress(mut self, report: impl FnMut(Progress) + Send + 'static) -> Self {
                self.transfer.progress = Some(Arc::new(std::sync::Mutex::new(report)));
                self
            }
        }
    };
}

/// A download from a storage URL; see [`HttpClient::download`](super::HttpClient::download).
///
/// `E` is the generated crate's error body: a non-2xx answer from the storage
/// service is an [`Error::Api`] like the API's own (it rarely parses as `E`;
/// its body is kept).
#[must_use = "a download does nothing until it is streamed or written"]
pub struct Download<E = super::Unparsed> {
    transfer: Transfer,
    error_body: PhantomData<fn() -> E>,
}

transfer_options!(Download);

impl<E: DeserializeOwned + Send + 'static> Download<E> {
    /// The body, chunk by chunk, as it arrives; at most one chunk is held.
    ///
    /// A stream cannot take back what it handed out: a cut it cannot resume
    /// onto the same version of the file (no strong validator, or the file
    /// changed) ends it with [`TransferError::NotResumable`].
    pub fn into_stream(self) -> ByteStream<E> {
        let state = DownloadState::new(self.transfer, false);
        let stream = futures_util::stream::try_unfold(state, |mut state| async move {
            Ok(state.next_chunk().await?.map(|chunk| (chunk, state)))
        });
        ByteStream::new(stream).parse_errors()
    }

    /// Writes the body to `path` and returns its length.
    ///
    /// The body goes to a temporary file beside `path` (`.<name>.<random>.part`,
    /// in the same directory so that the last step is an atomic rename), which
    /// replaces `path` only once the download is complete, taking over the
    /// permissions of the file it replaces. On any failure (or when the
    /// future is dropped) the temporary file is removed and a file already at
    /// `path` is left as it was. A cut resumes into the temporary file; when
    /// the file changed on the server, or cannot be shown not to have, the
    /// download starts over from its first byte.
    pub async fn to_file(self, path: impl AsRef<Path>) -> Result<u64, Error<E>> {
        download_to_file(self.transfer, path.as_ref())
            .await
            .map_err(Error::parse_body)
    }
}

async fn download_to_file(transfer: Transfer, path: &Path) -> Result<u64, Error> {
    // A bad URL must not even create the temporary file.
    transfer.url()?;
    let mut part = PartFile::create(path).await?;
    let mut state = DownloadState::new(transfer, true);
    loop {
        let chunk = state.next_chunk().await?;
        if std::mem::take(&mut state.restarted) {
            part.truncate().await?;
        }
        match chunk {
            Some(chunk) => part.write(&chunk).await?,
            None => return Ok(part.finish().await?),
        }
    }
}

/// A 2xx answer whose body has not been read yet: status and headers now, the
/// body as a [`ByteStream`], with no size limit.
#[derive(Debug)]
pub struct StreamingResponse<E = super::Unparsed> {
    status: StatusCode,
    headers: HeaderMap,
    body: ByteStream<E>,
}

impl<E> StreamingResponse<E> {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: ByteStream<E>) -> Self {
        StreamingResponse {
            status,
            headers,
            body,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, chunk by chunk.
    pub fn into_body(self) -> ByteStream<E> {
        self.body
    }

    /// Writes the body to `path` and returns its length. As with
    /// [`Download::to_file`], the body goes to a temporary file beside `path`
    /// that replaces it only once complete; on a failure `path` is untouched.
    pub async fn to_file(self, path: impl AsRef<Path>) -> Result<u64, Error<E>> {
        write_file(self.body, path.as_ref()).await
    }
}

impl StreamingResponse {
    /// The same answer, with errors in the body parsed as `E`.
    #[doc(hidden)]
    pub fn parse_errors<E: DeserializeOwned + Send + 'static>(self) -> StreamingResponse<E> {
        StreamingResponse {
            status: self.status,
            headers: self.headers,
            body: self.body.parse_errors(),
        }
    }
}

/// Streams `body` into the file at `path`, through a [`PartFile`].
async fn write_file<E>(mut body: ByteStream<E>, path: &Path) -> Result<u64, Error<E>> {
    let mut part = PartFile::create(path).await?;
    while let Some(chunk) = body.try_next().await? {
        part.write(&chunk).await?;
    }
    Ok(part.finish().await?)
}

/// A download's file while it arrives: a temporary file in the destination's
/// directory (so moving it into place is an atomic rename), renamed over the
/// destination by [`finish`](Self::finish) and removed when dropped before
/// that. `tempfile` creates it (a fresh random name, opened exclusively,
/// retried on a clash) and removes it on drop, rather than code of our own.
struct PartFile {
    // Declared before `temp`, so it is closed before the file is removed
    // (Windows cannot remove an open file).
    file: tokio::fs::File,
    temp: tempfile::TempPath,
    destination: PathBuf,
    written: u64,
}

impl PartFile {
    async fn create(destination: &Path) -> Result<PartFile, TransferError> {
        let dir = match destination.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = destination.file_name().map_or_else(
            || "download".to_owned(),
            |name| name.to_string_lossy().into_owned(),
        );
        let created = tokio::task::spawn_blocking(move || {
            let prefix = format!(".{name}.");
            let mut builder = tempfile::Builder::new();
            builder.prefix(&prefix).suffix(".part");
            // What `File::create` gives, not `tempfile`'s owner-only default:
            // this file becomes the download.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                builder.permissions(std::fs::Permissions::from_mode(0o666));
            }
            builder.tempfile_in(dir)
        })
        .await;
        let (file, temp) = joined(created)
            .map_err(|e| TransferError::io(destination, e))?
            .into_parts();
        Ok(PartFile {
            file: tokio::fs::File::from_std(file),
            temp,
            destination: destination.to_owned(),
            written: 0,
        })
    }

    fn error(&self, source: std::io::Error) -> TransferError {
        TransferError::io(&self.destination, source)
    }

    async fn write(&mut self, chunk: &[u8]) -> Result<(), TransferError> {
        if let Err(e) = self.file.write_all(chunk).await {
            return Err(self.error(e));
        }
        self.written += chunk.len() as u64;
        Ok(())
    }

    /// Empties the file, for a download that starts over.
    async fn truncate(&mut self) -> Result<(), TransferError> {
        let emptied = async {
            self.file.flush().await?;
            self.file.set_len(0).await?;
            self.file.seek(SeekFrom::Start(0)).await
        }
        .await;
        emptied.map_err(|e| self.error(e))?;
        self.written = 0;
        Ok(())
    }

    /// Moves the complete file into place and returns its length.
    async fn finish(mut self) -> Result<u64, TransferError> {
        let synced = async {
            self.file.flush().await?;
            // On disk before it replaces the old file, so a crash cannot leave
            // an empty file where a good one was.
            self.file.sync_all().await?;
            match tokio::fs::metadata(&self.destination).await {
                Ok(old) if old.is_file() => self.file.set_permissions(old.permissions()).await,
                _ => Ok(()),
            }
        }
        .await;
        synced.map_err(|e| self.error(e))?;
        let PartFile {
            file,
            temp,
            destination,
            written,
        } = self;
        drop(file);
        let target = destination.clone();
        let moved =
            tokio::task::spawn_blocking(move || temp.persist(&target).map_err(|e| e.error)).await;
        joined(moved).map_err(|e| TransferError::io(&destination, e))?;
        Ok(written)
    }
}

/// The result of a blocking task, its panic (which cannot happen here) as an
/// I/O error.
fn joined<T>(result: Result<std::io::Result<T>, tokio::task::JoinError>) -> std::io::Result<T> {
    result.unwrap_or_else(|e| Err(std::io::Error::other(e)))
}

/// A body as a stream of chunks, as they arrive; see [`Download::into_stream`].
pub struct ByteStream<E = super::Unparsed> {
    inner: Pin<Box<dyn Stream<Item = Result<Bytes, Error<E>>> + Send>>,
}

impl ByteStream {
    pub(crate) fn new(stream: impl Stream<Item = Result<Bytes, Error>> + Send + 'static) -> Self {
        ByteStream {
            inner: Box::pin(stream),
        }
    }

    /// The same stream, with a non-2xx body in an error parsed as `E`.
    #[doc(hidden)]
    pub fn parse_errors<E: DeserializeOwned + Send + 'static>(self) -> ByteStream<E> {
        ByteStream {
            inner: Box::pin(self.inner.map_err(Error::parse_body)),
        }
    }
}

impl<E> Stream for ByteStream<E> {
    type Item = Result<Bytes, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<E> std::fmt::Debug for ByteStream<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ByteStream")
    }
}

struct DownloadState {
    transfer: Transfer,
    response: Option<reqwest::Response>,
    /// Bytes handed out so far.
    offset: u64,
    total: Option<u64>,
    /// The strong validator of the first answer, so a resumed range comes
    /// from the same version of the file (`If-Range`); `None` when it had none.
    validator: Option<Validator>,
    /// Bytes still to drop from the current answer: a server that ignored
    /// `Range` sends the whole (same) file again.
    skip: u64,
    attempt: u32,
    waited: Duration,
    finished: bool,
    /// Whether bytes handed out may be taken back (a download to a file) when
    /// the file changed: the download then starts over.
    can_restart: bool,
    restarts: u32,
    /// Set when the download started over; the file's writer empties the file.
    restarted: bool,
}

/// A header that tells versions of a file apart, strong enough for `If-Range`.
#[derive(Clone, Debug)]
struct Validator {
    header: HeaderName,
    value: HeaderValue,
}

impl Validator {
    /// A strong `ETag`, or else a `Last-Modified` at least a second older than
    /// the answer's `Date` (RFC 9110, 8.8.2.2 and 13.1.5: a weak tag or a
    /// date that may hide a change within its second must not go in `If-Range`).
    fn of(headers: &HeaderMap) -> Option<Validator> {
        if let Some(etag) = headers.get(ETAG) {
            let strong = etag.as_bytes().first() == Some(&b'"') && etag.len() >= 2;
            return strong.then(|| Validator {
                header: ETAG,
                value: etag.clone(),
            });
        }
        let modified = headers.get(LAST_MODIFIED)?;
        let date = |value: &HeaderValue| httpdate::parse_http_date(value.to_str().ok()?).ok();
        let sent = date(headers.get(DATE)?)?;
        let strong = sent
            .duration_since(date(modified)?)
            .is_ok_and(|age| age >= Duration::from_secs(1));
        strong.then(|| Validator {
            header: LAST_MODIFIED,
            value: modified.clone(),
        })
    }
}

impl DownloadState {
    fn new(transfer: Transfer, can_restart: bool) -> Self {
        DownloadState {
            transfer,
            response: None,
            offset: 0,
            total: None,
            validator: None,
            skip: 0,
            attempt: 1,
            waited: Duration::ZERO,
            finished: false,
            can_restart,
            restarts: 0,
            restarted: false,
        }
    }

    async fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            if self.finished {
                return Ok(None);
            }
            let Some(response) = self.response.as_mut() else {
                self.open().await?;
                continue;
            };
            let idle = self.transfer.idle;
            let Ok(read) = tokio::time::timeout(idle, response.chunk()).await else {
                self.response = None;
                let stalled = TransferError::Stalled {
                    idle,
                    transferred: self.offset,
                };
                self.back_off(stalled.into()).await?;
                continue;
            };
            match read {
                Ok(Some(chunk)) => {
                    let chunk = self.drop_skipped(chunk);
                    if chunk.is_empty() {
                        continue;
                    }
                    self.offset += chunk.len() as u64;
                    // Progress was made: a later cut gets the full retry budget again.
                    self.attempt = 1;
                    self.waited = Duration::ZERO;
                    self.transfer.report(Progress {
                        transferred: self.offset,
                        total: self.total,
                    });
                    return Ok(Some(chunk));
                }
                Ok(None) => match self.total {
                    Some(total) if self.offset < total => {
                        self.response = None;
                        let cut = TransferError::Cut {
                            transferred: self.offset,
                            total,
                        };
                        self.back_off(cut.into()).await?;
                    }
                    _ => {
                        self.finished = true;
                        return Ok(None);
                    }
                },
                Err(error) => {
                    self.response = None;
                    self.back_off(Error::from_reqwest(error)).await?;
                }
            }
        }
    }

    /// Sends the next attempt and keeps its answer, or waits to retry, or fails.
    async fn open(&mut self) -> Result<(), Error> {
        let url = self.transfer.url()?;
        if self.offset > 0 && self.validator.is_none() {
            // Nothing would show that the rest comes from the same version.
            self.restart()?;
        }
        let response = match self.send(&url).await {
            Ok(response) => response,
            Err(error) => return self.back_off(error).await,
        };
        let status = response.status();
        if status == StatusCode::RANGE_NOT_SATISFIABLE
            && self.offset > 0
            && self.total == Some(self.offset)
        {
            self.finished = true;
            return Ok(());
        }
        if !status.is_success() {
            let raw = short_response(response, self.transfer.idle).await;
            let retry = transfer_retry(
                &self.transfer.retry,
                &Method::GET,
                self.attempt,
                self.waited,
                Outcome::Status(raw.status(), raw.headers()),
            );
            return match retry {
                Some(delay) => {
                    self.sleep(delay).await;
                    Ok(())
                }
                None => Err(Error::Api(ApiError::unparsed(raw))),
            };
        }
        let headers = response.headers();
        let partial = status == StatusCode::PARTIAL_CONTENT;
        let length = if partial {
            content_range_total(headers)
        } else {
            response.content_length()
        };
        if self.offset > 0 && !self.same_version(headers, length) {
            // Another version of the file: never joined to what came before.
            self.restart()?;
            if partial {
                // Only part of the new version: ask for all of it.
                return Ok(());
            }
        }
        if partial {
            let start = content_range_start(headers);
            if start != Some(self.offset) {
                return Err(TransferError::WrongRange {
                    requested: self.offset,
                    received: start,
                }
                .into());
            }
            if self.offset == 0 {
                self.total = length;
                self.validator = Validator::of(headers);
            }
            self.skip = 0;
        } else if self.offset > 0 {
            // The same version whole: the server ignored `Range`.
            self.skip = self.offset;
        } else {
            self.total = length;
            self.validator = Validator::of(headers);
            self.skip = 0;
        }
        self.response = Some(response);
        Ok(())
    }

    /// Sends a `GET` for the next attempt. The storage client follows
    /// redirects within an origin; one to another origin comes back here and
    /// is followed without the caller's headers ([`Transfer::request`]).
    async fn send(&self, url: &Url) -> Result<reqwest::Response, Error> {
        let mut target = url.clone();
        let mut redirects = 0;
        loop {
            let mut request = self.transfer.request(Method::GET, &target)?;
            if self.offset > 0 {
                request = request.header(RANGE, format!("bytes={}-", self.offset));
                if let Some(validator) = &self.validator {
                    request = request.header(IF_RANGE, validator.value.clone());
                }
            }
            let response = within_idle(self.transfer.idle, self.offset, request.send())
                .await?
                .map_err(Error::from_reqwest)?;
            let Some(next) = redirect_target(&response, &target) else {
                return Ok(response);
            };
            redirects += 1;
            if redirects > MAX_REDIRECTS {
                return Err(TransferError::TooManyRedirects {
                    limit: MAX_REDIRECTS,
                }
                .into());
            }
            tracing::debug!(
                from = %target.origin().ascii_serialization(),
                to = %next.origin().ascii_serialization(),
                "download redirected to another origin"
            );
            target = next;
        }
    }

    /// Whether an answer to a resumed request comes from the version of the
    /// file the first answer did: the same validator and, where both say
    /// it, the same length.
    fn same_version(&self, headers: &HeaderMap, length: Option<u64>) -> bool {
        let Some(validator) = &self.validator else {
            return false;
        };
        headers.get(&validator.header) == Some(&validator.value)
            && !matches!((length, self.total), (Some(now), Some(before)) if now != before)
    }

    /// Starts over from the first byte: a download to a file empties its file
    /// (up to [`MAX_RESTARTS`] times); a stream that handed out bytes cannot.
    fn restart(&mut self) -> Result<(), Error> {
        if (!self.can_restart && self.offset > 0) || self.restarts >= MAX_RESTARTS {
            return Err(TransferError::NotResumable {
                transferred: self.offset,
            }
            .into());
        }
        tracing::debug!(
            offset = self.offset,
            "the file changed on the server, or cannot be shown not to have: starting over"
        );
        self.restarts += 1;
        self.restarted = self.offset > 0 || self.restarted;
        self.offset = 0;
        self.skip = 0;
        self.total = None;
        self.validator = None;
        Ok(())
    }

    fn drop_skipped(&mut self, mut chunk: Bytes) -> Bytes {
        if self.skip > 0 {
            let dropped = usize::try_from(self.skip)
                .unwrap_or(usize::MAX)
                .min(chunk.len());
            self.skip -= dropped as u64;
            chunk = chunk.split_off(dropped);
        }
        chunk
    }

    /// Waits before the next attempt after `error`, or returns it when the
    /// policy says to stop.
    async fn back_off(&mut self, error: Error) -> Result<(), Error> {
        let retry = transfer_retry(
            &self.transfer.retry,
            &Method::GET,
            self.attempt,
            self.waited,
            Outcome::Failed(&error),
        );
        match retry {
            Some(delay) => {
                tracing::debug!(attempt = self.attempt, offset = self.offset, error = %error, "download interrupted; resuming");
                self.sleep(delay).await;
                Ok(())
            }
            None => Err(error),
        }
    }

    async fn sleep(&mut self, delay: Duration) {
        tokio::time::sleep(delay).await;
        self.waited += delay;
        self.attempt += 1;
    }
}

/// Where a redirect a download should follow leads: a `301`, `302`, `303`,
/// `307` or `308` with a `Location` that is an http(s) URL.
fn redirect_target(response: &reqwest::Response, from: &Url) -> Option<Url> {
    if !matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    let next = from.join(location).ok()?;
    matches!(next.scheme(), "http" | "https").then_some(next)
}

/// The first byte position of `Content-Range: bytes 100-199/1000`.
fn content_range_start(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    let range = value.trim().strip_prefix("bytes ")?;
    range.split('-').next()?.trim().parse().ok()
}

/// The whole length of `Content-Range: bytes 100-199/1000` (`None` for `*`).
fn content_range_total(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    value.rsplit_once('/')?.1.trim().parse().ok()
}

/// What an upload sends.
#[derive(Clone, Debug)]
pub enum UploadBody {
    /// Bytes in memory.
    Bytes(Bytes),
    /// A file, read chunk by chunk on each attempt.
    File(PathBuf),
}

impl From<Bytes> for UploadBody {
    fn from(bytes: Bytes) -> Self {
        UploadBody::Bytes(bytes)
    }
}

impl From<Vec<u8>> for UploadBody {
    fn from(bytes: Vec<u8>) -> Self {
        UploadBody::Bytes(bytes.into())
    }
}

impl From<PathBuf> for UploadBody {
    fn from(path: PathBuf) -> Self {
        UploadBody::File(path)
    }
}

impl From<&Path> for UploadBody {
    fn from(path: &Path) -> Self {
        UploadBody::File(path.to_owned())
    }
}

/// An upload to a storage URL; see [`HttpClient::upload`](super::HttpClient::upload).
#[must_use = "an upload does nothing until it is sent"]
pub struct Upload<E = super::Unparsed> {
    transfer: Transfer,
    body: UploadBody,
    method: Method,
    error_body: PhantomData<fn() -> E>,
}

transfer_options!(Upload);

impl<E: DeserializeOwned> Upload<E> {
    /// The method to upload with (`PUT` by default, as blob stores expect).
    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Sends the body, retrying connection errors, `429` and `5xx` from the
    /// start; the storage service's answer is returned as it is.
    pub async fn send(self) -> Result<RawResponse, Error<E>> {
        self.send_unparsed().await.map_err(Error::parse_body)
    }

    async fn send_unparsed(&self) -> Result<RawResponse, Error> {
        let url = self.transfer.url()?;
        let mut attempt = 1;
        let mut waited = Duration::ZERO;
        loop {
            let result = self.attempt(&url).await;
            let retry = match &result {
                Ok(response) if response.status().is_success() => None,
                Ok(response) => transfer_retry(
                    &self.transfer.retry,
                    &self.method,
                    attempt,
                    waited,
                    Outcome::Status(response.status(), response.headers()),
                ),
                Err(error) => transfer_retry(
                    &self.transfer.retry,
                    &self.method,
                    attempt,
                    waited,
                    Outcome::Failed(error),
                ),
            };
            let Some(delay) = retry else {
                return match result? {
                    response if response.status().is_success() => Ok(response),
                    response => Err(Error::Api(ApiError::unparsed(response))),
                };
            };
            tracing::debug!(attempt, "upload failed; starting again");
            tokio::time::sleep(delay).await;
            waited += delay;
            attempt += 1;
        }
    }

    async fn attempt(&self, url: &Url) -> Result<RawResponse, Error> {
        let request = self.transfer.request(self.method.clone(), url)?;
        let activity = Activity::default();
        let (chunks, length): (ChunkStream, u64) = match &self.body {
            UploadBody::Bytes(bytes) => {
                let pieces: Vec<std::io::Result<Bytes>> = (0..bytes.len())
                    .step_by(UPLOAD_CHUNK)
                    .map(|start| Ok(bytes.slice(start..bytes.len().min(start + UPLOAD_CHUNK))))
                    .collect();
                (
                    Box::pin(futures_util::stream::iter(pieces)),
                    bytes.len() as u64,
                )
            }
            UploadBody::File(path) => {
                let (stream, length) = super::body::open_file(path).await?;
                (Box::pin(stream), length)
            }
        };
        let progress = self.transfer.clone();
        let moved = activity.clone();
        let chunks = chunks.inspect_ok(move |chunk| {
            let sent = moved.moved(chunk.len() as u64);
            progress.report(Progress {
                transferred: sent,
                total: Some(length),
            });
        });
        // Blob stores refuse chunked uploads: say the length up front.
        let sending = request
            .header(CONTENT_LENGTH, length)
            .body(reqwest::Body::wrap_stream(chunks))
            .send();
        let response = activity
            .watch(self.transfer.idle, sending)
            .await?
            .map_err(Error::from_reqwest)?;
        Ok(short_response(response, self.transfer.idle).await)
    }
}

/// An upload's body, piece by piece.
type ChunkStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// When an upload's body last moved, and how much of it has: shared between
/// the body stream (which the HTTP client pulls only as the server takes it)
/// and [`watch`](Self::watch).
#[derive(Clone)]
struct Activity(Arc<Mutex<(tokio::time::Instant, u64)>>);

impl Default for Activity {
    fn default() -> Self {
        Activity(Arc::new(Mutex::new((tokio::time::Instant::now(), 0))))
    }
}

impl Activity {
    /// Records `bytes` more sent, now; returns the total so far.
    fn moved(&self, bytes: u64) -> u64 {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.0 = tokio::time::Instant::now();
        state.1 += bytes;
        state.1
    }

    fn last(&self) -> (tokio::time::Instant, u64) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `future`'s output, or [`TransferError::Stalled`] once nothing has
    /// moved for `idle` (sending the body, or waiting for the answer after it).
    async fn watch<F: Future>(&self, idle: Duration, future: F) -> Result<F::Output, Error> {
        let mut future = std::pin::pin!(future);
        loop {
            let (last, _) = self.last();
            // An idle timeout too long to be a point in time never fires.
            let Some(limit) = last.checked_add(idle) else {
                return Ok(future.await);
            };
            if let Ok(output) = tokio::time::timeout_at(limit, future.as_mut()).await {
                return Ok(output);
            }
            let (now, transferred) = self.last();
            if now == last {
                return Err(TransferError::Stalled { idle, transferred }.into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Header names and values, as an answer has them.
    type Pairs = &'static [(&'static str, &'static str)];

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    #[tokio::test]
    async fn an_idle_timeout_beyond_any_instant_never_fires() {
        let activity = Activity::default();
        let output = activity.watch(Duration::MAX, async { 7 }).await;
        assert_eq!(output.ok(), Some(7));
    }

    #[test]
    fn only_strong_validators_go_in_if_range() {
        const MODIFIED: (&str, &str) = ("last-modified", "Mon, 07 Dec 2026 00:00:00 GMT");
        const LATER: (&str, &str) = ("date", "Mon, 07 Dec 2026 00:00:01 GMT");
        const SAME_SECOND: (&str, &str) = ("date", "Mon, 07 Dec 2026 00:00:00 GMT");
        let cases: [(Pairs, Option<&str>); 9] = [
            (&[("etag", "\"v1\"")], Some("\"v1\"")),
            (&[("etag", "\"v1\""), MODIFIED, LATER], Some("\"v1\"")),
            (&[("etag", "W/\"v1\"")], None),
            // An entity tag, even a weak one, rules out a date (RFC 9110, 13.1.5).
            (&[("etag", "W/\"v1\""), MODIFIED, LATER], None),
            (&[("etag", "\"")], None),
            (&[MODIFIED, LATER], Some("Mon, 07 Dec 2026 00:00:00 GMT")),
            (&[MODIFIED, SAME_SECOND], None),
            (&[MODIFIED], None),
            (&[("last-modified", "yesterday"), LATER], None),
        ];
        for (pairs, expected) in cases {
            let validator = Validator::of(&headers(pairs));
            assert_eq!(
                validator.as_ref().and_then(|v| v.value.to_str().ok()),
                expected,
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn content_range_start_and_total() {
        let range = |value: &'static str| headers(&[("content-range", value)]);
        assert_eq!(content_range_start(&range("bytes 4-9/10")), Some(4));
        assert_eq!(content_range_total(&range("bytes 4-9/10")), Some(10));
        assert_eq!(content_range_total(&range("bytes 4-9/*")), None);
        assert_eq!(content_range_start(&range("items 4-9/10")), None);
        assert_eq!(content_range_total(&HeaderMap::new()), None);
    }
}
