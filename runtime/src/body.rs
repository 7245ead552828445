//! Raw request bodies (a media type that is not JSON, a form or multipart, such
//! as `image/png` or `application/octet-stream`): see [`Body`].
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures_util::{Stream, TryStreamExt};

use super::{BoxError, Error, TransferError};

/// 64 KiB reads: `ReaderStream`'s 4 KiB default makes a large file slow.
const FILE_CHUNK: usize = 64 * 1024;

/// The raw body of a request: bytes in memory, a file streamed from disk, or a
/// stream of the caller's.
///
/// A `Body` is a description of what to send: the client turns it into the
/// bytes of the request on every attempt. Bytes are shared, not copied, between
/// attempts; a file is opened again and read chunk by chunk each time, with its
/// length from the file's metadata as the `Content-Length`, so a retry sends the
/// whole file again and the file is never held in memory.
///
/// A stream can be read only once. A request whose body is a stream is
/// therefore **never retried**: whatever its one attempt gets (a `503`, a cut
/// connection) is the call's result, as if its [`RetryPolicy`](super::RetryPolicy)
/// were disabled. Sending the same stream body a second time (a cloned request
/// sent again) is an [`Error::InvalidRequest`] and sends nothing; it never goes
/// out empty or partial.
///
/// Anything that was a byte body converts into one (`Vec<u8>`, `Bytes`,
/// `&'static [u8]`, `String`, `&'static str`), so `client.op(body)` keeps
/// working with those; a file is [`Body::from_file`], a stream
/// [`Body::from_stream`].
#[derive(Clone)]
pub struct Body {
    source: Source,
}

#[derive(Clone)]
enum Source {
    Bytes(Bytes),
    File(PathBuf),
    // Shared by clones: whichever attempt reads it first takes it.
    Stream(Arc<OnceStream>),
}

type BoxStream = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

struct OnceStream {
    stream: Mutex<Option<BoxStream>>,
    length: Option<u64>,
}

impl Body {
    /// A body of `bytes`, sent as they are with their length.
    pub fn bytes(bytes: impl Into<Bytes>) -> Body {
        Body {
            source: Source::Bytes(bytes.into()),
        }
    }

    /// The file at `path`, opened when the request is sent (and again on each
    /// retry) and read chunk by chunk, with its size as the `Content-Length`.
    /// A file that cannot be opened is an [`Error::Transfer`] naming it, when
    /// the request is sent.
    pub fn from_file(path: impl Into<PathBuf>) -> Body {
        Body {
            source: Source::File(path.into()),
        }
    }

    /// The chunks of `stream`, sent as they come; with `length`, as the
    /// `Content-Length` (the stream must then yield exactly that many bytes),
    /// without, chunked. A stream is read once: a request with it is not
    /// retried (see [`Body`]).
    pub fn from_stream<S, B, E>(stream: S, length: Option<u64>) -> Body
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        B: Into<Bytes> + 'static,
        E: Into<BoxError> + 'static,
    {
        let stream: BoxStream = Box::pin(stream.map_ok(Into::into).map_err(Into::into));
        Body {
            source: Source::Stream(Arc::new(OnceStream {
                stream: Mutex::new(Some(stream)),
                length,
            })),
        }
    }

    /// Whether the body can be sent again, so its request may be retried:
    /// bytes and files can, a stream cannot.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.source, Source::Stream(_))
    }

    /// The bytes, when the body is in memory.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.source {
            Source::Bytes(bytes) => Some(bytes),
            Source::File(_) | Source::Stream(_) => None,
        }
    }

    /// The file the body is read from, when it is one.
    pub fn file_path(&self) -> Option<&Path> {
        match &self.source {
            Source::File(path) => Some(path),
            Source::Bytes(_) | Source::Stream(_) => None,
        }
    }

    /// The body for one attempt, and the `Content-Length` to declare for it
    /// when the HTTP client cannot tell it (a file or a stream of known length).
    pub(crate) async fn for_attempt(&self) -> Result<(reqwest::Body, Option<u64>), Error> {
        match &self.source {
            // `Bytes` clones share the buffer: no copy per attempt.
            Source::Bytes(bytes) => Ok((reqwest::Body::from(bytes.clone()), None)),
            Source::File(path) => {
                let (stream, length) = open_file(path).await?;
                Ok((reqwest::Body::wrap_stream(stream), Some(length)))
            }
            Source::Stream(once) => {
                let taken = once
                    .stream
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take();
                match taken {
                    Some(stream) => Ok((reqwest::Body::wrap_stream(stream), once.length)),
                    None => Err(Error::InvalidRequest(
                        "the request body is a stream that was already sent; a stream is read \
                         once (use `Body::from_file` or bytes for a body that can be sent again)"
                            .to_owned(),
                    )),
                }
            }
        }
    }
}

/// Opens the file at `path` to send it: its chunks and its length.
pub(crate) async fn open_file(
    path: &Path,
) -> Result<(tokio_util::io::ReaderStream<tokio::fs::File>, u64), Error> {
    let io = |e: std::io::Error| Error::from(TransferError::io(path, e));
    let file = tokio::fs::File::open(path).await.map_err(io)?;
    let length = file.metadata().await.map_err(io)?.len();
    Ok((
        tokio_util::io::ReaderStream::with_capacity(file, FILE_CHUNK),
        length,
    ))
}

// Hand-written so a large body is summarised instead of dumped into logs.
impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Bytes(bytes) => write!(f, "Body({} bytes)", bytes.len()),
            Source::File(path) => write!(f, "Body(file {})", path.display()),
            Source::Stream(once) => match once.length {
                Some(length) => write!(f, "Body(stream of {length} bytes)"),
                None => f.write_str("Body(stream)"),
            },
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Body::bytes(bytes)
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::bytes(bytes)
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Body::bytes(bytes)
    }
}

impl<const N: usize> From<&'static [u8; N]> for Body {
    fn from(bytes: &'static [u8; N]) -> Self {
        Body::bytes(&bytes[..])
    }
}

impl From<Box<[u8]>> for Body {
    fn from(bytes: Box<[u8]>) -> Self {
        Body::bytes(bytes)
    }
}

impl From<bytes::BytesMut> for Body {
    fn from(bytes: bytes::BytesMut) -> Self {
        Body::bytes(bytes)
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body::bytes(text)
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Body::bytes(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn collect(body: reqwest::Body) -> Vec<u8> {
        use http_body_util::BodyExt;
        match body.collect().await {
            Ok(collected) => collected.to_bytes().to_vec(),
            Err(error) => panic!("body failed: {error}"),
        }
    }

    #[tokio::test]
    async fn every_kind_converts_and_reports_its_length() {
        let cases: [(Body, &[u8]); 5] = [
            (Body::from(b"ab".to_vec()), b"ab"),
            (Body::from(Bytes::from_static(b"cd")), b"cd"),
            (Body::from(&b"ef"[..]), b"ef"),
            (Body::from(String::from("gh")), b"gh"),
            (Body::from("ij"), b"ij"),
        ];
        for (body, want) in cases {
            assert!(body.is_replayable());
            assert_eq!(body.as_bytes().map(|b| b.as_ref()), Some(want));
            let (sent, length) = body.for_attempt().await.expect("bytes");
            assert_eq!(length, None, "reqwest knows the length of bytes");
            assert_eq!(collect(sent).await, want);
        }
    }

    #[tokio::test]
    async fn a_file_is_read_again_for_every_attempt() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("data.bin");
        std::fs::write(&path, b"file bytes").expect("written");
        let body = Body::from_file(&path);
        assert!(body.is_replayable());
        assert_eq!(body.file_path(), Some(path.as_path()));
        for _ in 0..2 {
            let (sent, length) = body.for_attempt().await.expect("opens");
            assert_eq!(length, Some(10));
            assert_eq!(collect(sent).await, b"file bytes");
        }
        let missing = Body::from_file(dir.path().join("missing"));
        assert!(matches!(
            missing.for_attempt().await,
            Err(Error::Transfer(_))
        ));
    }

    #[tokio::test]
    async fn a_stream_is_sent_once_then_refused() {
        let chunks: Vec<Result<&'static [u8], std::io::Error>> = vec![Ok(b"ab"), Ok(b"c")];
        let body = Body::from_stream(futures_util::stream::iter(chunks), Some(3));
        assert!(!body.is_replayable());
        assert_eq!(format!("{body:?}"), "Body(stream of 3 bytes)");
        let clone = body.clone();
        let (sent, length) = body.for_attempt().await.expect("first");
        assert_eq!(length, Some(3));
        assert_eq!(collect(sent).await, b"abc");
        assert!(matches!(
            clone.for_attempt().await,
            Err(Error::InvalidRequest(_))
        ));
    }
}
