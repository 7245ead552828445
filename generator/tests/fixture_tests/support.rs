//! Helpers shared by the fixtures' behaviour tests (hand-written; copied into each
//! fixture crate that has behaviour tests as `tests/support/mod.rs`): a loopback
//! server on a raw TCP socket that records every request exactly as it arrived.
#![allow(dead_code)] // each behaviour test uses a different subset

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// `204 No Content`, closing the connection, so each request comes on a new one.
pub const NO_CONTENT: &str =
    "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// A server on loopback that answers every request with one fixed response and
/// keeps each request's raw bytes (head and body) in arrival order.
pub struct Recorder {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    /// Starts on a free port, answering [`NO_CONTENT`].
    pub async fn start() -> Recorder {
        Recorder::answering(NO_CONTENT.to_owned()).await
    }

    /// Starts on a free port, answering `response` (a whole HTTP/1.1 response).
    pub async fn answering(response: String) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        Recorder::serve(listener, response)
    }

    /// Starts on `address` (for specs that name a fixed port), answering [`NO_CONTENT`].
    pub async fn at(address: &str) -> Recorder {
        let listener = TcpListener::bind(address).await.expect("the port is free");
        Recorder::serve(listener, NO_CONTENT.to_owned())
    }

    fn serve(listener: TcpListener, response: String) -> Recorder {
        let url = format!("http://{}", listener.local_addr().expect("bound"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let recorded = Arc::clone(&recorded);
                let response = response.clone();
                tokio::spawn(async move {
                    if let Some(request) = read_request(stream, &response).await {
                        recorded.lock().expect("not poisoned").push(request);
                    }
                });
            }
        });
        Recorder { url, requests }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port")
    }

    /// The requests received since the last call, raw.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.requests.lock().expect("not poisoned"))
    }

    /// The one request received since the last call.
    pub fn take_one(&self) -> String {
        let mut requests = self.take();
        assert_eq!(requests.len(), 1, "expected one request: {requests:#?}");
        requests.remove(0)
    }
}

/// Reads one request (its head, and a body as long as its `Content-Length`), then
/// answers `response`.
async fn read_request(mut stream: TcpStream, response: &str) -> Option<String> {
    let mut bytes = Vec::new();
    let mut buffer = [0_u8; 8192];
    loop {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            break;
        }
        bytes.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&bytes);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                break;
            }
        }
    }
    stream.write_all(response.as_bytes()).await.ok()?;
    let _ = stream.shutdown().await;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// A loopback HTTP/1.1 server that records each request's raw bytes and
/// answers from a script, and a parser of multipart bodies (RFC 2046 §5.1.1).
/// A recorded request's target: `GET /form?color=blue HTTP/1.1` -> `/form?color=blue`.
pub fn target(request: &str) -> &str {
    request
        .lines()
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or_default()
}

/// The value of a recorded request's header `name` (any case), if sent.
pub fn header<'a>(request: &'a str, name: &str) -> Option<&'a str> {
    let head = request.split("\r\n\r\n").next().unwrap_or_default();
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// A recorded request's body, as text.
pub fn body(request: &str) -> &str {
    request.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

pub mod wire {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    /// A scripted answer; each closes its connection, so every attempt is a new one.
    #[derive(Clone)]
    pub struct Answer(&'static str, String);

    impl Answer {
        pub fn created(json: &str) -> Answer {
            Answer("201 Created", json.to_owned())
        }

        pub fn no_content() -> Answer {
            Answer("204 No Content", String::new())
        }

        pub fn too_many_requests() -> Answer {
            Answer("429 Too Many Requests", String::new())
        }

        pub fn service_unavailable() -> Answer {
            Answer("503 Service Unavailable", String::new())
        }

        fn bytes(&self) -> Vec<u8> {
            let type_header = if self.1.is_empty() {
                ""
            } else {
                "Content-Type: application/json\r\n"
            };
            format!(
                "HTTP/1.1 {}\r\n{type_header}Retry-After: 0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                self.0,
                self.1.len(),
                self.1
            )
            .into_bytes()
        }
    }

    /// A request as it arrived.
    #[derive(Debug)]
    pub struct Recorded {
        pub request_line: String,
        /// Names lower-cased, in arrival order.
        pub headers: Vec<(String, String)>,
        /// The body, de-chunked if it came chunked.
        pub body: Vec<u8>,
    }

    impl Recorded {
        pub fn header(&self, name: &str) -> Option<&str> {
            header(&self.headers, name)
        }

        /// The boundary of a `Content-Type: <media_type>; boundary=...`, checked
        /// to be the only `Content-Type`.
        pub fn boundary(&self, media_type: &str) -> String {
            let types: Vec<&str> = self
                .headers
                .iter()
                .filter(|(n, _)| n == "content-type")
                .map(|(_, v)| v.as_str())
                .collect();
            let [content_type] = types.as_slice() else {
                panic!("one Content-Type, not {types:?}");
            };
            let (essence, params) = content_type.split_once(';').expect("parameters");
            assert_eq!(essence.trim(), media_type);
            param(params, "boundary").expect("a boundary")
        }
    }

    pub struct Server {
        pub base_url: String,
        requests: Arc<Mutex<Vec<Recorded>>>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Server {
        /// The requests received so far, once the server stops.
        pub async fn requests(self) -> Vec<Recorded> {
            self.task.abort();
            let _ = self.task.await;
            std::mem::take(&mut *self.requests.lock().expect("not poisoned"))
        }
    }

    pub async fn serve(script: Vec<Answer>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            for answer in script {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let request = read_request(&mut stream).await;
                recorded.lock().expect("not poisoned").push(request);
                let _ = stream.write_all(&answer.bytes()).await;
                let _ = stream.shutdown().await;
            }
        });
        Server {
            base_url,
            requests,
            task,
        }
    }

    async fn read_request(stream: &mut TcpStream) -> Recorded {
        let mut raw = Vec::new();
        let mut chunk = [0_u8; 64 * 1024];
        let head_end = loop {
            if let Some(end) = find(&raw, b"\r\n\r\n") {
                break end;
            }
            let n = stream.read(&mut chunk).await.expect("readable");
            assert!(n > 0, "the connection closed inside the head");
            raw.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8(raw[..head_end].to_vec()).expect("an ASCII head");
        let mut lines = head.split("\r\n");
        let request_line = lines.next().expect("a request line").to_owned();
        let headers: Vec<(String, String)> = lines
            .map(|line| {
                let (name, value) = line.split_once(':').expect("name: value");
                (name.to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect();
        let mut body = raw[head_end + 4..].to_vec();
        let chunked = header(&headers, "transfer-encoding") == Some("chunked");
        let length =
            header(&headers, "content-length").map(|l| l.parse::<usize>().expect("a length"));
        loop {
            let complete = match length {
                Some(length) => body.len() >= length,
                None if chunked => find(&body, b"0\r\n\r\n").is_some(),
                None => true,
            };
            if complete {
                break;
            }
            let n = stream.read(&mut chunk).await.expect("readable");
            assert!(n > 0, "the connection closed inside the body");
            body.extend_from_slice(&chunk[..n]);
        }
        if chunked {
            body = dechunk(&body);
        }
        Recorded {
            request_line,
            headers,
            body,
        }
    }

    fn dechunk(mut raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let line_end = find(raw, b"\r\n").expect("a chunk size");
            let size = std::str::from_utf8(&raw[..line_end]).expect("ASCII");
            let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
                .expect("a hex size");
            if size == 0 {
                return out;
            }
            let start = line_end + 2;
            out.extend_from_slice(&raw[start..start + size]);
            raw = &raw[start + size + 2..];
        }
    }

    /// One part of a multipart body.
    #[derive(Debug, PartialEq)]
    pub struct Part {
        /// Names lower-cased, in order.
        pub headers: Vec<(String, String)>,
        pub body: Vec<u8>,
    }

    impl Part {
        pub fn header(&self, name: &str) -> Option<&str> {
            header(&self.headers, name)
        }

        fn disposition(&self, key: &str) -> Option<String> {
            let value = self.header("content-disposition")?;
            let (kind, params) = value.split_once(';')?;
            assert_eq!(kind.trim(), "form-data");
            param(params, key)
        }

        pub fn name(&self) -> &str {
            let name = self.disposition("name").expect("a part name");
            // Leaked: a test's handful of short names, so they compare as `&str`.
            Box::leak(name.into_boxed_str())
        }

        pub fn file_name(&self) -> Option<&str> {
            let name = self.disposition("filename")?;
            Some(Box::leak(name.into_boxed_str()))
        }
    }

    /// Splits `body` at `--boundary` delimiters: the preamble before the first and
    /// the epilogue after the close delimiter are ignored, each part's headers end at
    /// the first empty line, and the CRLF before a delimiter belongs to it.
    pub fn parse_multipart(body: &[u8], boundary: &str) -> Vec<Part> {
        let dash = format!("--{boundary}");
        let delimiter = format!("\r\n--{boundary}");
        let start = find(body, dash.as_bytes()).expect("a first delimiter");
        let mut rest = &body[start + dash.len()..];
        let mut parts = Vec::new();
        loop {
            if rest.starts_with(b"--") {
                return parts;
            }
            rest = rest.strip_prefix(b"\r\n").expect("CRLF after a delimiter");
            let end = find(rest, delimiter.as_bytes()).expect("a closing delimiter");
            let part = &rest[..end];
            let (head, content) = if part.starts_with(b"\r\n") {
                (&b""[..], &part[2..])
            } else {
                let head_end = find(part, b"\r\n\r\n").expect("the end of the part's headers");
                (&part[..head_end], &part[head_end + 4..])
            };
            let headers = std::str::from_utf8(head)
                .expect("ASCII part headers")
                .split("\r\n")
                .filter(|line| !line.is_empty())
                .map(|line| {
                    let (name, value) = line.split_once(':').expect("name: value");
                    (name.to_ascii_lowercase(), value.trim().to_owned())
                })
                .collect();
            parts.push(Part {
                headers,
                body: content.to_vec(),
            });
            rest = &rest[end + delimiter.len()..];
        }
    }

    fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `key="value"` (or unquoted) among `; `-separated parameters.
    fn param(params: &str, key: &str) -> Option<String> {
        params.split(';').find_map(|param| {
            let (k, v) = param.trim().split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case(key)
                .then(|| v.trim().trim_matches('"').to_owned())
        })
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }
}
