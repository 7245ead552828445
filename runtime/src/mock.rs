//! Typed mocks for the tests of code that uses a generated client (the `mock`
//! feature): a [`wiremock`] server on loopback that matches the requests an
//! [`Operation`] makes and answers them.
//!
//! A generated crate's `mock` module has, per operation, a helper with the same
//! arguments (and setters) as its client method. The helper builds the operation
//! exactly as the client does, and this module derives what to match from that
//! operation's own [`Operation::request`]: method, path, query, header parameters
//! and body. The mock can therefore never disagree with the client about what a
//! call looks like on the wire. Everything else (matching, answering, counting,
//! explaining a request no mock matched) is here, once.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use url::Url;

use super::{ApiClient, ClientBuilder, Operation, RequestOptions, RetryPolicy};

/// How many calls a mock expects: `1`, `0`, `2..`, `..=3` (wiremock's `Times`).
pub use wiremock::Times;

/// The status a request no mock matched gets (`501 Not Implemented`), with a
/// plain-text body saying why each mounted mock did not match it. Not wiremock's
/// `404`: code under test often reads a `404` as "there is no such resource" and
/// carries on, which would hide a request that went wrong; and not a status the
/// client retries.
pub const UNMATCHED_STATUS: u16 = 501;

/// What a generated operation tells its mock: the type of a successful answer's body
/// and how it goes on the wire.
pub trait MockOperation: Operation {
    /// The body of a declared success answer: the operation's success type, or any
    /// JSON (`serde_json::Value`) where the spec gives no schema.
    type Body: ?Sized;

    /// The status a mock answers with unless told otherwise: the first success status
    /// the spec declares.
    const STATUS: u16;

    /// `body` as it is sent, with its content type.
    fn body(body: &Self::Body) -> Body;
}

/// A response body and its content type.
#[derive(Clone)]
pub struct Body {
    bytes: Result<Bytes, String>,
    content_type: String,
}

impl Body {
    /// `value` serialised as JSON, sent as `content_type` (a JSON media type).
    pub fn json<T: Serialize + ?Sized>(value: &T, content_type: &str) -> Body {
        Body {
            bytes: serde_json::to_vec(value)
                .map(Bytes::from)
                .map_err(|error| format!("the body does not serialise to JSON: {error}")),
            content_type: content_type.to_owned(),
        }
    }

    /// Bytes sent as they are, as `content_type`.
    pub fn bytes(bytes: impl Into<Bytes>, content_type: &str) -> Body {
        Body {
            bytes: Ok(bytes.into()),
            content_type: content_type.to_owned(),
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.bytes {
            Ok(bytes) => write!(f, "{} bytes of {}", bytes.len(), self.content_type),
            Err(error) => write!(f, "{error}"),
        }
    }
}

/// What a mock answers and how often it expects to be called. Built by a generated
/// `Mock`'s methods, used by [`MockServer::mount`].
#[derive(Debug, Default, Clone)]
pub struct Expectation {
    status: Option<u16>,
    headers: Vec<(String, String)>,
    body: Option<Body>,
    times: Option<Times>,
}

impl Expectation {
    /// Answers with the operation's [`MockOperation::STATUS`] and no body, any
    /// number of times.
    pub fn new() -> Self {
        Expectation::default()
    }

    /// Answers with `status` instead of the operation's success status.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Adds a response header; a name given twice sends both values.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Answers with `body`.
    pub fn body(mut self, body: Body) -> Self {
        self.body = Some(body);
        self
    }

    /// Expects this many matching calls, checked by [`MockServer::verify`] and when
    /// the server is dropped.
    pub fn times(mut self, times: impl Into<Times>) -> Self {
        self.times = Some(times.into());
        self
    }

    fn response<O: MockOperation>(&self, label: &str) -> wiremock::ResponseTemplate {
        let status = self.status.unwrap_or(O::STATUS);
        let status = StatusCode::from_u16(status)
            .unwrap_or_else(|_| panic!("mock {label}: {status} is not an HTTP status"));
        let mut template = wiremock::ResponseTemplate::new(status);
        for (name, value) in &self.headers {
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::try_from(value.as_str()),
            ) else {
                panic!("mock {label}: response header `{name}` is not a valid HTTP header");
            };
            template = template.append_header(name, value);
        }
        if let Some(body) = &self.body {
            match &body.bytes {
                Ok(bytes) => template = template.set_body_raw(bytes.to_vec(), &body.content_type),
                Err(error) => panic!("mock {label}: {error}"),
            }
        }
        template
    }
}

/// A loopback HTTP server for tests that answers the calls its mocks match.
///
/// Mocks mounted later do not hide earlier ones: the one that constrains the most
/// inputs answers, and among equals the first mounted. A request no mock matches is
/// answered [`UNMATCHED_STATUS`] with a body naming it and, for each mock, why it
/// did not match. Expected call counts are checked by [`MockServer::verify`] and
/// when the server is dropped (then as a panic, unless the test already failed).
pub struct MockServer {
    server: wiremock::MockServer,
    mounted: Arc<Mutex<Vec<Arc<Expected>>>>,
}

impl MockServer {
    /// Starts a server on a free loopback port (from wiremock's pool).
    pub async fn start() -> MockServer {
        let server = wiremock::MockServer::start().await;
        let mounted = Arc::new(Mutex::new(Vec::new()));
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(Unmatched {
                mounted: Arc::clone(&mounted),
            })
            .with_priority(u8::MAX)
            .named("no mock matched")
            .mount(&server)
            .await;
        MockServer { server, mounted }
    }

    /// The server's base URL, e.g. `http://127.0.0.1:43121`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// A client of `C` for this server: its base URL, no credentials, and retries
    /// off, so each call is exactly one request (a mocked `503` is answered once, not
    /// retried with backoff). For other settings, start from
    /// `ClientBuilder::new().base_url(server.uri())`.
    pub fn client<C: ApiClient>(&self) -> C {
        let built = ClientBuilder::<C>::new()
            .base_url(self.uri())
            .retry_policy(RetryPolicy::disabled())
            .build();
        match built {
            Ok(client) => client,
            Err(error) => panic!(
                "the mock server's URL {} is not a base URL: {error}",
                self.uri()
            ),
        }
    }

    /// Panics, listing the requests received, if a mock was not called as often as
    /// it expects.
    pub async fn verify(&self) {
        self.server.verify().await;
    }

    /// Mounts a mock for `operation` called with `options`: it matches the request
    /// the client would send for them and answers as `expectation` says. `label`
    /// names the mock in messages (the generated helper's name).
    ///
    /// # Panics
    ///
    /// When the client would refuse to send that call (an invalid header value), or
    /// the answer is not valid HTTP (a status outside 100-999, a bad header).
    pub async fn mount<O: MockOperation>(
        &self,
        label: &str,
        operation: &O,
        options: &RequestOptions,
        expectation: Expectation,
    ) {
        let expected = match Expected::new(label, operation, options) {
            Ok(expected) => Arc::new(expected),
            Err(error) => panic!("mock {label}: the client would not send this call: {error}"),
        };
        let response = expectation.response::<O>(&expected.label);
        let mut mock = wiremock::Mock::given(Matches(Arc::clone(&expected)))
            .respond_with(response)
            .with_priority(expected.priority())
            .named(expected.label.clone());
        if let Some(times) = expectation.times {
            mock = mock.expect(times);
        }
        self.mounted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(expected);
        mock.mount(&self.server).await;
    }
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.uri())
            .finish_non_exhaustive()
    }
}

/// The request a mock matches, from the operation's own `request()`.
#[derive(Debug)]
struct Expected {
    /// `get_imodel GET /5e19…`: the helper and the call, for messages.
    label: String,
    method: Method,
    /// As the URL parser spells it, the way it reaches the server.
    path: String,
    /// The operation's query parameters, then the per-call ones; decoded.
    query: Vec<(String, String)>,
    /// Header parameters, with per-call headers replacing those of the same name.
    headers: HeaderMap,
    /// The body, when the call has one.
    body: Option<ExpectedBody>,
}

/// What a mock expects of a request's body, from the operation's own request.
#[derive(Debug)]
enum ExpectedBody {
    /// These bytes, as this content type: JSON (compared as JSON values), a form
    /// (compared as its decoded pairs, in order), raw bytes or a file's bytes.
    Bytes(Bytes, &'static str),
    /// A caller's stream, which only the client may read: its content type alone.
    Stream(&'static str),
    /// A `multipart/*` body: each part's name, file name, content type, headers
    /// and bytes, in order; the boundary is random, so not compared.
    Multipart(&'static str, Vec<ExpectedPart>),
}

#[derive(Debug, PartialEq)]
struct ExpectedPart {
    name: String,
    file_name: Option<String>,
    content_type: String,
    /// Names lower-cased, in order.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Expected {
    fn new<O: Operation>(
        label: &str,
        operation: &O,
        options: &RequestOptions,
    ) -> Result<Expected, super::Error> {
        let request = operation.request()?;
        // Through the URL parser, as the client's URL is, so both spell it alike.
        let path = Url::parse(&format!("http://mock{}", request.path()))
            .map(|url| url.path().to_owned())
            .unwrap_or_else(|_| request.path().to_owned());
        // Decoded as the server decodes the URL's, so both sides compare alike.
        let query = url::form_urlencoded::parse(request.query_string().as_bytes())
            .into_owned()
            .chain(options.query.iter().cloned())
            .collect();
        // The client's precedence: per-call headers replace header parameters.
        let extra = options.header_map()?;
        let mut headers = request.headers().clone();
        for name in extra.keys() {
            headers.remove(name);
        }
        for (name, value) in &extra {
            headers.append(name.clone(), value.clone());
        }
        let body = expected_body(&request)?;
        Ok(Expected {
            label: format!("{label} {} {}", request.method(), request.path()),
            method: request.method().clone(),
            path,
            query,
            headers,
            body,
        })
    }

    /// wiremock answers with the lowest priority number that matches: a mock that
    /// pins more inputs goes first. 1..=200, never the unmatched answer's 255.
    fn priority(&self) -> u8 {
        let names: std::collections::BTreeSet<&str> =
            self.query.iter().map(|(name, _)| name.as_str()).collect();
        let constraints = names.len() + self.headers.keys_len() + usize::from(self.body.is_some());
        u8::try_from(200_usize.saturating_sub(constraints).max(1)).unwrap_or(1)
    }

    /// Why `request` is not this call, or `None` when it is.
    fn mismatch(&self, request: &wiremock::Request) -> Option<String> {
        if request.method != self.method {
            return Some(format!("method is {}, not {}", request.method, self.method));
        }
        if request.url.path() != self.path {
            return Some(format!(
                "path is `{}`, not `{}`",
                request.url.path(),
                self.path
            ));
        }
        let received: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let mut names: Vec<&str> = Vec::new();
        for (name, _) in &self.query {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        for name in names {
            let want: Vec<&str> = values(&self.query, name);
            let got: Vec<&str> = values(&received, name);
            if want != got {
                return Some(format!(
                    "query parameter `{name}` is {}, not {}",
                    listed(&got),
                    listed(&want)
                ));
            }
        }
        for name in self.headers.keys() {
            let want: Vec<&HeaderValue> = self.headers.get_all(name).iter().collect();
            let got: Vec<&HeaderValue> = request.headers.get_all(name).iter().collect();
            if want != got {
                // Values are not shown: a header may carry a credential.
                return Some(format!("header `{name}` has other values"));
            }
        }
        match &self.body {
            None => None,
            Some(ExpectedBody::Bytes(bytes, content_type)) => {
                body_mismatch(bytes, content_type, request)
            }
            Some(ExpectedBody::Stream(content_type)) => {
                type_mismatch(content_type, received_type(request))
            }
            Some(ExpectedBody::Multipart(media_type, parts)) => {
                multipart_mismatch(media_type, parts, request)
            }
        }
    }
}

fn values<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, value)| value.as_str())
        .collect()
}

fn listed(values: &[&str]) -> String {
    match values {
        [] => "missing".to_owned(),
        values => values
            .iter()
            .map(|value| format!("`{value}`"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// What the mock of `request` expects of its body: a file's bytes are read now
/// (a test's file, which the client reads again when it sends).
fn expected_body(request: &super::Request) -> Result<Option<ExpectedBody>, super::Error> {
    if let Some(multipart) = request.multipart_body() {
        let parts = multipart
            .parts()
            .iter()
            .map(|part| {
                Ok(ExpectedPart {
                    name: part.name.to_string(),
                    file_name: part.file_name.clone(),
                    content_type: part.content_type.clone(),
                    headers: part
                        .headers
                        .iter()
                        .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
                        .collect(),
                    body: match &part.body {
                        super::UploadBody::Bytes(bytes) => bytes.to_vec(),
                        super::UploadBody::File(path) => read_file(path)?,
                    },
                })
            })
            .collect::<Result<Vec<_>, super::Error>>()?;
        return Ok(Some(ExpectedBody::Multipart(multipart.media_type(), parts)));
    }
    let Some((body, content_type)) = request.raw_body() else {
        return Ok(None);
    };
    Ok(Some(match (body.as_bytes(), body.file_path()) {
        (Some(bytes), _) => ExpectedBody::Bytes(bytes.clone(), content_type),
        (None, Some(path)) => ExpectedBody::Bytes(Bytes::from(read_file(path)?), content_type),
        (None, None) => ExpectedBody::Stream(content_type),
    }))
}

fn read_file(path: &std::path::Path) -> Result<Vec<u8>, super::Error> {
    std::fs::read(path).map_err(|error| super::TransferError::io(path, error).into())
}

fn received_type(request: &wiremock::Request) -> &str {
    request
        .headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

/// A media type without its parameters, lower-cased.
fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn type_mismatch(want: &str, received: &str) -> Option<String> {
    (essence(received) != essence(want))
        .then(|| format!("body is `{}`, not `{want}`", essence(received)))
}

/// JSON bodies compare as JSON values, so neither key order nor spacing matters;
/// form bodies as their decoded pairs, in order; other bodies byte for byte.
fn body_mismatch(want: &Bytes, content_type: &str, request: &wiremock::Request) -> Option<String> {
    if let Some(mismatch) = type_mismatch(content_type, received_type(request)) {
        return Some(mismatch);
    }
    let media = essence(content_type);
    let same = if media == "application/json" || media.ends_with("+json") {
        let parse = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).ok();
        match (parse(want), parse(&request.body)) {
            (Some(want), Some(got)) => want == got,
            _ => want.as_ref() == request.body.as_slice(),
        }
    } else if media == "application/x-www-form-urlencoded" {
        url::form_urlencoded::parse(want).eq(url::form_urlencoded::parse(&request.body))
    } else {
        want.as_ref() == request.body.as_slice()
    };
    (!same).then(|| format!("body is {}, not {}", preview(&request.body), preview(want)))
}

/// A multipart body compares part by part (name, file name, content type, the
/// part's other headers, bytes), whatever its boundary.
fn multipart_mismatch(
    media_type: &str,
    want: &[ExpectedPart],
    request: &wiremock::Request,
) -> Option<String> {
    let received = received_type(request);
    if let Some(mismatch) = type_mismatch(media_type, received) {
        return Some(mismatch);
    }
    let Some(got) = boundary(received).and_then(|b| parse_multipart(&request.body, &b)) else {
        return Some("body is not a multipart body with the boundary it declares".to_owned());
    };
    if got.len() != want.len() {
        return Some(format!("body has {} parts, not {}", got.len(), want.len()));
    }
    want.iter().zip(&got).find_map(|(want, got)| {
        let what = if want.name != got.name {
            "name"
        } else if want.file_name != got.file_name {
            "file name"
        } else if essence(&got.content_type) != essence(&want.content_type) {
            "content type"
        } else if want.headers != got.headers {
            // Values are not shown: a header may carry a credential.
            "headers"
        } else if want.body != got.body {
            "bytes"
        } else {
            return None;
        };
        Some(format!(
            "part `{}` has another {what} than part `{}`",
            got.name, want.name
        ))
    })
}

/// The `boundary` parameter of a `multipart/*` content type.
fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.trim().split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// The parts of a multipart body (RFC 2046 §5.1.1): `None` when it is not one.
fn parse_multipart(body: &[u8], boundary: &str) -> Option<Vec<ExpectedPart>> {
    let dash = format!("--{boundary}");
    let delimiter = format!("\r\n--{boundary}");
    let start = find(body, dash.as_bytes())?;
    let mut rest = body.get(start + dash.len()..)?;
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let end = find(rest, delimiter.as_bytes())?;
        let part = &rest[..end];
        let (head, content) = match part.strip_prefix(b"\r\n") {
            Some(content) => (&b""[..], content),
            None => {
                let head_end = find(part, b"\r\n\r\n")?;
                (&part[..head_end], &part[head_end + 4..])
            }
        };
        let mut expected = ExpectedPart {
            name: String::new(),
            file_name: None,
            content_type: String::new(),
            headers: Vec::new(),
            body: content.to_vec(),
        };
        for line in std::str::from_utf8(head).ok()?.split("\r\n") {
            let (name, value) = line.split_once(':')?;
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
            match name.as_str() {
                "content-disposition" => {
                    expected.name = disposition_param(value, "name")?;
                    expected.file_name = disposition_param(value, "filename");
                }
                "content-type" => expected.content_type = value.to_owned(),
                _ => expected.headers.push((name, value.to_owned())),
            }
        }
        parts.push(expected);
        rest = rest.get(end + delimiter.len()..)?;
    }
}

/// `key="value"` in a `Content-Disposition` value (as reqwest writes it).
fn disposition_param(value: &str, key: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|param| {
        let (k, v) = param.trim().split_once('=')?;
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.replace("\\\"", "\"").replace("\\\\", "\\"))
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The start of a body, as text where it is text.
fn preview(bytes: &[u8]) -> String {
    const LIMIT: usize = 200;
    match std::str::from_utf8(bytes) {
        Ok(text) if text.chars().count() > LIMIT => {
            format!("`{}…`", text.chars().take(LIMIT).collect::<String>())
        }
        Ok(text) => format!("`{text}`"),
        Err(_) => format!("{} bytes", bytes.len()),
    }
}

struct Matches(Arc<Expected>);

impl wiremock::Match for Matches {
    fn matches(&self, request: &wiremock::Request) -> bool {
        self.0.mismatch(request).is_none()
    }
}

/// Answers a request that no mock matched, saying why.
struct Unmatched {
    mounted: Arc<Mutex<Vec<Arc<Expected>>>>,
}

impl wiremock::Respond for Unmatched {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let mut text = format!("no mock matched {} {}", request.method, request.url.path());
        if let Some(query) = request.url.query() {
            let _ = write!(text, "?{query}");
        }
        let mounted = self.mounted.lock().unwrap_or_else(PoisonError::into_inner);
        if mounted.is_empty() {
            text.push_str("\nno mocks are mounted");
        }
        for expected in mounted.iter() {
            if let Some(reason) = expected.mismatch(request) {
                let _ = write!(text, "\n- {}: {reason}", expected.label);
            }
        }
        text.push('\n');
        wiremock::ResponseTemplate::new(UNMATCHED_STATUS)
            .set_body_raw(text.into_bytes(), "text/plain; charset=utf-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_bodies_parse_by_their_boundary_and_bad_ones_do_not() {
        let body = b"preamble\r\n--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\
            Content-Type: text/plain\r\nX-Lang: en\r\n\r\nhi\r\n--b\r\n\
            Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"q\\\".bin\"\r\n\
            Content-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--b--\r\n";
        let parts = parse_multipart(body, "b").expect("a multipart body");
        assert_eq!(
            parts,
            [
                ExpectedPart {
                    name: "note".to_owned(),
                    file_name: None,
                    content_type: "text/plain".to_owned(),
                    headers: vec![("x-lang".to_owned(), "en".to_owned())],
                    body: b"hi".to_vec(),
                },
                ExpectedPart {
                    name: "file".to_owned(),
                    file_name: Some("a \"q\".bin".to_owned()),
                    content_type: "application/octet-stream".to_owned(),
                    headers: Vec::new(),
                    body: vec![0, 1],
                },
            ]
        );
        assert_eq!(
            boundary("multipart/mixed; boundary=\"b\"").as_deref(),
            Some("b")
        );
        // Truncated, unterminated or a disposition without a name: not a multipart
        // body, and no panic.
        let bad: [&[u8]; 5] = [
            b"",
            b"--b",
            b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
            b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
            b"--b\r\nno header end\r\n--b--",
        ];
        for body in bad {
            assert_eq!(parse_multipart(body, "b"), None, "{body:?}");
        }
    }
}
