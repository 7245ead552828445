//! `multipart/form-data` (RFC 7578) and `multipart/mixed` (RFC 2046) request
//! bodies: named parts of text, JSON or files, each with its content type and
//! headers as the operation's `encoding` declares them.
//!
//! A [`Multipart`] is a description, not the encoded body: the client turns it
//! into a `reqwest::multipart::Form` (reqwest writes the boundary and the part
//! headers) for every attempt, so a retry sends the whole body again, and a
//! file part is opened and read chunk by chunk each time, never held in memory.
//!
//! Each part carries the headers its `encoding` entry declares, whatever its
//! kind ([`PartHeaders`]; [`FilePart::header`] for one file). An Encoding
//! Object's `style`, `explode` and `allowReserved` do not apply to multipart
//! bodies (OpenAPI 3.0.3 and 3.1.1 say they are ignored there): a list is a part
//! per item, an object one JSON part.
//!
//! reqwest writes `Content-Disposition: form-data; name="..."` on every part,
//! and its API has no way to leave it out: a `multipart/mixed` body's parts
//! carry it too. RFC 2046 allows any header on a part of `multipart/mixed`, and
//! the name tells the server which property a part is; only the body's own
//! `Content-Type` says `multipart/mixed` (with the boundary).
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;

use super::transfer::UploadBody;
use super::Error;

/// How the generated code describes one property of a multipart body, from
/// its schema and its `encoding` entry.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartSpec {
    /// The part's name (`Content-Disposition: form-data; name="..."`): the property's.
    pub name: &'static str,
    /// The part's `Content-Type`: `encoding.contentType`, or OpenAPI's default for
    /// the property's type (`text/plain`, `application/json`,
    /// `application/octet-stream`).
    pub content_type: &'static str,
}

/// A file sent as a part of a multipart body: bytes in memory, or a file on
/// disk read chunk by chunk when the request is sent (and again on a retry),
/// with the file name and content type the part declares.
#[derive(Clone, Debug)]
pub struct FilePart {
    source: UploadBody,
    file_name: Option<String>,
    content_type: Option<String>,
    headers: Vec<(String, String)>,
}

impl FilePart {
    /// A part holding `bytes`, with no file name.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        FilePart::new(UploadBody::Bytes(bytes.into()), None)
    }

    /// A part read from the file at `path` when the request is sent; its file
    /// name is the path's last component.
    pub fn path(path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        let file_name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        FilePart::new(UploadBody::File(path.to_owned()), file_name)
    }

    fn new(source: UploadBody, file_name: Option<String>) -> Self {
        FilePart {
            source,
            file_name,
            content_type: None,
            headers: Vec::new(),
        }
    }

    /// Sets the file name sent with the part (`filename="..."`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the part's `Content-Type`, in place of the one the operation's
    /// `encoding` declares (for example one of several it allows).
    pub fn content_type(mut self, media_type: impl Into<String>) -> Self {
        self.content_type = Some(media_type.into());
        self
    }

    /// Adds a header to the part (one the operation's `encoding` declares).
    /// A name or value that is not valid in HTTP is an [`Error::InvalidRequest`]
    /// when the request is sent.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

impl From<Bytes> for FilePart {
    fn from(bytes: Bytes) -> Self {
        FilePart::bytes(bytes)
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(bytes: Vec<u8>) -> Self {
        FilePart::bytes(bytes)
    }
}

impl From<&'static [u8]> for FilePart {
    fn from(bytes: &'static [u8]) -> Self {
        FilePart::bytes(bytes)
    }
}

impl From<PathBuf> for FilePart {
    fn from(path: PathBuf) -> Self {
        FilePart::path(path)
    }
}

impl From<&Path> for FilePart {
    fn from(path: &Path) -> Self {
        FilePart::path(path)
    }
}

/// Headers of a multipart body's parts, by part name: the headers the
/// operation's `encoding` declares for its properties (its Header Objects), for a
/// part of any kind (text, JSON or file). Every part of that name carries them
/// (each item of a list); a name no part has adds nothing. A name or value that
/// is not valid in HTTP is an [`Error::InvalidRequest`] when the request is sent.
///
/// For a file part, [`FilePart::header`] sets a header on that file alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartHeaders {
    /// (part name, header name, value), in the order given.
    headers: Vec<(String, String, String)>,
}

impl PartHeaders {
    /// No headers.
    pub fn new() -> Self {
        PartHeaders::default()
    }

    /// Adds `name: value` to the part(s) named `part`.
    pub fn header(
        mut self,
        part: impl Into<String>,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.insert(part, name, value);
        self
    }

    /// Adds `name: value` to the part(s) named `part`, in place.
    pub fn insert(
        &mut self,
        part: impl Into<String>,
        name: impl Into<String>,
        value: impl Into<String>,
    ) {
        self.headers.push((part.into(), name.into(), value.into()));
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }
}

/// One part, encoded as far as it can be before the request is sent.
#[derive(Clone, Debug)]
pub(crate) struct Part {
    /// The spec's property name, or a name the caller gave ([`Parts`]).
    pub(crate) name: Cow<'static, str>,
    pub(crate) body: UploadBody,
    pub(crate) content_type: String,
    pub(crate) file_name: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
}

/// A multipart request body, built by generated code from the operation's
/// body struct; see the [module docs](self).
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct Multipart {
    media_type: &'static str,
    parts: Vec<Part>,
}

impl Multipart {
    /// An empty body of `media_type`: `multipart/form-data` or another
    /// `multipart/*` type (`multipart/mixed`), whose boundary is added when it is sent.
    pub fn new(media_type: &'static str) -> Self {
        Multipart {
            media_type,
            parts: Vec::new(),
        }
    }

    /// Adds `value` as text: a string as it is, a number or boolean as JSON
    /// writes it; `None` adds nothing, and each item of a list is a part of its
    /// own with the same name. An object inside is written as JSON.
    pub fn text<T: Serialize + ?Sized>(
        &mut self,
        spec: &'static PartSpec,
        value: &T,
    ) -> Result<(), Error> {
        let value = serde_json::to_value(value).map_err(|error| {
            Error::InvalidRequest(format!(
                "could not serialise the multipart part `{}`: {error}",
                spec.name
            ))
        })?;
        self.text_value(spec, value);
        Ok(())
    }

    fn text_value(&mut self, spec: &'static PartSpec, value: serde_json::Value) {
        let text = match value {
            serde_json::Value::Null => return,
            serde_json::Value::Array(items) => {
                for item in items {
                    self.text_value(spec, item);
                }
                return;
            }
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        };
        self.push(spec, UploadBody::Bytes(Bytes::from(text)), None);
    }

    /// Adds `value` serialised as JSON (properties in declaration order);
    /// `None` adds nothing.
    pub fn json<T: Serialize + ?Sized>(
        &mut self,
        spec: &'static PartSpec,
        value: &T,
    ) -> Result<(), Error> {
        let bytes = serde_json::to_vec(value).map_err(|error| {
            Error::InvalidRequest(format!(
                "could not serialise the multipart part `{}`: {error}",
                spec.name
            ))
        })?;
        if bytes != b"null" {
            self.push(spec, UploadBody::Bytes(Bytes::from(bytes)), None);
        }
        Ok(())
    }

    /// Adds a file part.
    pub fn file(&mut self, spec: &'static PartSpec, file: &FilePart) {
        self.push(spec, file.source.clone(), Some(file));
    }

    fn push(&mut self, spec: &'static PartSpec, body: UploadBody, file: Option<&FilePart>) {
        self.parts.push(Part {
            name: Cow::Borrowed(spec.name),
            body,
            content_type: file
                .and_then(|f| f.content_type.clone())
                .unwrap_or_else(|| spec.content_type.to_owned()),
            file_name: file.and_then(|f| f.file_name.clone()),
            headers: file.map(|f| f.headers.clone()).unwrap_or_default(),
        });
    }

    /// Adds `headers` to the parts of their names (added so far).
    pub fn part_headers(&mut self, headers: &PartHeaders) {
        for (part_name, name, value) in &headers.headers {
            for part in self.parts.iter_mut().filter(|p| p.name == *part_name) {
                part.headers.push((name.clone(), value.clone()));
            }
        }
    }

    /// Adds the caller's parts of a body the spec names none of, in their order.
    pub fn extend(&mut self, parts: &Parts) {
        self.parts.extend(parts.parts.iter().cloned());
    }

    /// The body's media type without its boundary: `multipart/form-data`.
    pub fn media_type(&self) -> &'static str {
        self.media_type
    }

    /// The parts, in order (what a mock expects).
    #[cfg(feature = "mock")]
    pub(crate) fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The number of parts.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether the body has no parts.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// The form reqwest encodes, built anew for each attempt: files are opened
    /// here and streamed with their length, so the request has a
    /// `Content-Length` and the file is never read whole into memory.
    pub(crate) async fn form(&self) -> Result<reqwest::multipart::Form, Error> {
        let mut form = reqwest::multipart::Form::new();
        for part in &self.parts {
            let encoded = match &part.body {
                // `Bytes` clones share the buffer: no copy per attempt.
                UploadBody::Bytes(bytes) => reqwest::multipart::Part::stream_with_length(
                    reqwest::Body::from(bytes.clone()),
                    bytes.len() as u64,
                ),
                UploadBody::File(path) => {
                    let (stream, length) = super::body::open_file(path).await?;
                    reqwest::multipart::Part::stream_with_length(
                        reqwest::Body::wrap_stream(stream),
                        length,
                    )
                }
            };
            let mut encoded = encoded.mime_str(&part.content_type).map_err(|_| {
                Error::InvalidRequest(format!(
                    "`{}` is not a media type (multipart part `{}`)",
                    part.content_type, part.name
                ))
            })?;
            if let Some(file_name) = &part.file_name {
                encoded = encoded.file_name(file_name.clone());
            }
            if !part.headers.is_empty() {
                encoded = encoded.headers(part_headers(part)?);
            }
            form = form.part(part.name.clone(), encoded);
        }
        Ok(form)
    }
}

fn part_headers(part: &Part) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::new();
    for (name, value) in &part.headers {
        let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            Error::InvalidRequest(format!(
                "`{name}` is not a valid header name (multipart part `{}`)",
                part.name
            ))
        })?;
        let header_value = HeaderValue::try_from(value.as_str()).map_err(|_| {
            Error::InvalidRequest(format!(
                "the value of header `{name}` of multipart part `{}` is not a valid header value",
                part.name
            ))
        })?;
        headers.append(header_name, header_value);
    }
    Ok(headers)
}

/// The parts of a multipart body whose schema names none (no object with
/// properties): named and filled by the caller, and sent in the order added,
/// each with its content type.
///
/// ```
/// use openapi_client_runtime::{FilePart, Parts};
///
/// let parts = Parts::new()
///     .text("title", "Quarterly report")
///     .file(
///         "document",
///         FilePart::path("report.pdf").content_type("application/pdf"),
///     );
/// assert_eq!(parts.len(), 2);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Parts {
    parts: Vec<Part>,
}

impl Parts {
    /// No parts yet.
    pub fn new() -> Self {
        Parts::default()
    }

    /// Adds a text part (`text/plain`).
    pub fn text(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let value = Bytes::from(value.into());
        self.push(
            name.into(),
            UploadBody::Bytes(value),
            "text/plain".to_owned(),
        )
    }

    /// Adds `value` as a JSON part (`application/json`).
    pub fn json<T: Serialize + ?Sized>(
        self,
        name: impl Into<String>,
        value: &T,
    ) -> Result<Self, Error> {
        let name = name.into();
        let bytes = serde_json::to_vec(value).map_err(|error| {
            Error::InvalidRequest(format!(
                "could not serialise the multipart part `{name}`: {error}"
            ))
        })?;
        Ok(self.push(
            name,
            UploadBody::Bytes(Bytes::from(bytes)),
            "application/json".to_owned(),
        ))
    }

    /// Adds a file part: bytes, or a file streamed from disk on every attempt,
    /// with its file name, content type (`application/octet-stream` unless the
    /// file says) and headers.
    pub fn file(mut self, name: impl Into<String>, file: FilePart) -> Self {
        self.parts.push(Part {
            name: Cow::Owned(name.into()),
            body: file.source,
            content_type: file
                .content_type
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            file_name: file.file_name,
            headers: file.headers,
        });
        self
    }

    fn push(mut self, name: String, body: UploadBody, content_type: String) -> Self {
        self.parts.push(Part {
            name: Cow::Owned(name),
            body,
            content_type,
            file_name: None,
            headers: Vec::new(),
        });
        self
    }

    /// The number of parts.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// Whether no part was added.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTE: PartSpec = PartSpec {
        name: "note",
        content_type: "text/plain",
    };
    const META: PartSpec = PartSpec {
        name: "meta",
        content_type: "application/json",
    };
    const FILE: PartSpec = PartSpec {
        name: "file",
        content_type: "application/octet-stream",
    };

    #[test]
    fn text_parts_are_strings_numbers_and_one_part_per_list_item() {
        // (value, the texts of the parts it makes)
        let cases: [(serde_json::Value, &[&str]); 6] = [
            (serde_json::json!("a b"), &["a b"]),
            (serde_json::json!(42), &["42"]),
            (serde_json::json!(true), &["true"]),
            (serde_json::json!(null), &[]),
            (serde_json::json!(["x", 1]), &["x", "1"]),
            (serde_json::json!({"k": 1}), &[r#"{"k":1}"#]),
        ];
        for (value, texts) in cases {
            let mut body = Multipart::new("multipart/form-data");
            body.text(&NOTE, &value).expect("serialises");
            let got: Vec<&[u8]> = body
                .parts
                .iter()
                .map(|p| match &p.body {
                    UploadBody::Bytes(bytes) => bytes.as_ref(),
                    UploadBody::File(_) => panic!("not a file"),
                })
                .collect();
            let want: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
            assert_eq!(got, want, "{value}");
        }
    }

    #[test]
    fn json_parts_keep_field_order_and_skip_none() {
        #[derive(Serialize)]
        struct Meta {
            zeta: u8,
            alpha: u8,
        }
        let mut body = Multipart::new("multipart/form-data");
        body.json(&META, &Meta { zeta: 1, alpha: 2 }).unwrap();
        body.json(&META, &None::<Meta>).unwrap();
        assert_eq!(body.len(), 1);
        assert!(
            matches!(&body.parts[0].body, UploadBody::Bytes(b) if b.as_ref() == br#"{"zeta":1,"alpha":2}"#)
        );
        assert_eq!(body.parts[0].content_type, "application/json");
    }

    #[test]
    fn a_file_part_keeps_its_name_type_and_headers() {
        let file = FilePart::path("/tmp/dir/report.pdf")
            .content_type("application/pdf")
            .header("X-Checksum", "abc");
        let mut body = Multipart::new("multipart/form-data");
        body.file(&FILE, &file);
        body.file(&FILE, &FilePart::bytes(&b"raw"[..]));
        let (first, second) = (&body.parts[0], &body.parts[1]);
        assert_eq!(first.file_name.as_deref(), Some("report.pdf"));
        assert_eq!(first.content_type, "application/pdf");
        assert_eq!(first.headers, [("X-Checksum".to_owned(), "abc".to_owned())]);
        assert_eq!(second.file_name, None);
        assert_eq!(second.content_type, "application/octet-stream");
    }

    #[test]
    fn parts_the_caller_names_keep_their_order_names_and_types() {
        let parts = Parts::new()
            .text("title", "Q3")
            .json("meta", &serde_json::json!({"pages": 3}))
            .unwrap()
            .file("scan", FilePart::bytes(&b"%PDF"[..]).file_name("q3.pdf"))
            .file(
                "cover",
                FilePart::bytes(&b"png"[..]).content_type("image/png"),
            );
        let mut body = Multipart::new("multipart/mixed");
        body.extend(&parts);
        // (name, content type, file name)
        let got: Vec<(&str, &str, Option<&str>)> = body
            .parts
            .iter()
            .map(|p| (&*p.name, p.content_type.as_str(), p.file_name.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("title", "text/plain", None),
                ("meta", "application/json", None),
                ("scan", "application/octet-stream", Some("q3.pdf")),
                ("cover", "image/png", None),
            ]
        );
        assert!(
            matches!(&body.parts[1].body, UploadBody::Bytes(b) if b.as_ref() == br#"{"pages":3}"#)
        );
    }

    #[test]
    fn part_headers_apply_to_parts_of_every_kind_by_name() {
        let mut body = Multipart::new("multipart/form-data");
        body.text(&NOTE, &["a", "b"]).unwrap();
        body.json(&META, &serde_json::json!({"k": 1})).unwrap();
        body.file(&FILE, &FilePart::bytes(&b"x"[..]).header("X-Own", "1"));
        body.part_headers(
            &PartHeaders::new()
                .header("note", "X-Lang", "en")
                .header("meta", "X-Sig", "s")
                .header("file", "X-Checksum", "c")
                .header("absent", "X-None", "n"),
        );
        let headers: Vec<(&str, Vec<(&str, &str)>)> = body
            .parts
            .iter()
            .map(|p| {
                let headers = p.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
                (&*p.name, headers.collect())
            })
            .collect();
        assert_eq!(
            headers,
            [
                ("note", vec![("X-Lang", "en")]),
                ("note", vec![("X-Lang", "en")]),
                ("meta", vec![("X-Sig", "s")]),
                ("file", vec![("X-Own", "1"), ("X-Checksum", "c")]),
            ]
        );
    }

    #[tokio::test]
    async fn bad_input_is_an_invalid_request_not_a_panic() {
        let cases = [
            FilePart::bytes(&b"x"[..]).content_type("not a media type"),
            FilePart::bytes(&b"x"[..]).header("bad name", "v"),
            FilePart::bytes(&b"x"[..]).header("X-Ok", "a\nb"),
        ];
        for file in cases {
            let mut body = Multipart::new("multipart/form-data");
            body.file(&FILE, &file);
            assert!(
                matches!(body.form().await, Err(Error::InvalidRequest(_))),
                "{file:?}"
            );
        }
        let mut body = Multipart::new("multipart/form-data");
        body.file(&FILE, &FilePart::path("/nonexistent/file"));
        assert!(matches!(body.form().await, Err(Error::Transfer(_))));
    }
}
