//! Behaviour of the `multipart` fixture's generated client on the wire
//! (hand-written test, copied into the fixture crate as `tests/behaviour.rs` and
//! run by `generator/tests/fixtures_compile.rs`): a loopback socket records the
//! raw request, its multipart body is parsed by RFC 7578/2046's rules, and each
//! part's name, file name, `Content-Type`, headers and bytes are compared with
//! what the spec's schema and `encoding` declare. A file part comes from disk.

use fixture_multipart::models::{Meta, Stored};
use fixture_multipart::operations::{SendBundleBody, UploadDocumentBody};
use fixture_multipart::runtime::FilePart;
use fixture_multipart::{Client, Jitter, RetryPolicy};

use wire::{Answer, Part};

/// One expected part: (name, file name, Content-Type, other headers, bytes).
type Expected<'a> = (
    &'a str,
    Option<&'a str>,
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a [u8],
);

fn assert_parts(parts: &[Part], expected: &[Expected<'_>]) {
    let got: Vec<Expected<'_>> = parts
        .iter()
        .map(|part| {
            (
                part.name(),
                part.file_name(),
                part.header("content-type").unwrap_or(""),
                &[][..],
                part.body.as_slice(),
            )
        })
        .collect();
    let want: Vec<Expected<'_>> = expected
        .iter()
        .map(|(name, file, content_type, _, bytes)| (*name, *file, *content_type, &[][..], *bytes))
        .collect();
    assert_eq!(got, want);
    for (part, (name, _, _, headers, _)) in parts.iter().zip(expected) {
        for (header, value) in *headers {
            assert_eq!(
                part.header(header),
                Some(*value),
                "part `{name}`, header {header}"
            );
        }
        // Only what the part declares: disposition, type, and its own headers.
        assert_eq!(
            part.headers.len(),
            2 + headers.len(),
            "part `{name}`: {:?}",
            part.headers
        );
    }
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .bearer_token("t")
        .retry_policy(
            RetryPolicy::new()
                .initial_backoff(std::time::Duration::from_millis(1))
                .jitter(Jitter::None),
        )
        .build()
        .expect("valid settings")
}

fn document(file: FilePart) -> UploadDocumentBody {
    UploadDocumentBody {
        title: "Q3 report".to_owned(),
        count: Some(42),
        tags: vec!["a".to_owned(), "b c".to_owned()],
        meta: Meta {
            zeta: Some(1),
            alpha: Some("x".to_owned()),
        },
        file,
        preview: Some(
            FilePart::bytes(&b"\x89PNG"[..])
                .file_name("p.png")
                .header("X-Checksum", "abc"),
        ),
        attachments: vec![
            FilePart::bytes(&b"one"[..]).file_name("1.txt"),
            FilePart::bytes(&b"two"[..])
                .file_name("2.csv")
                .content_type("text/csv"),
        ],
    }
}

#[tokio::test]
async fn every_part_is_sent_as_the_schema_and_encoding_declare() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("report.pdf");
    let contents: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &contents).expect("written");

    let server = wire::serve(vec![Answer::created(r#"{"id":"d1"}"#)]).await;
    let stored: Stored = client(&server.base_url)
        .upload_document(document(FilePart::path(&path)))
        .send()
        .await
        .expect("stored")
        .into_inner();
    assert_eq!(stored.id.as_deref(), Some("d1"));

    let requests = server.requests().await;
    let [request] = requests.as_slice() else {
        panic!("one request, not {}", requests.len());
    };
    assert_eq!(request.request_line, "POST /documents HTTP/1.1");
    // Only what the client decodes, JSON first: not the XML the 201 also offers.
    assert_eq!(
        request.header("accept"),
        Some("application/json, application/problem+json")
    );
    let boundary = request.boundary("multipart/form-data");
    // Sent with its length, the file streamed into it.
    assert_eq!(
        request.header("content-length"),
        Some(request.body.len().to_string().as_str())
    );
    let parts = wire::parse_multipart(&request.body, &boundary);
    let expected: &[Expected<'_>] = &[
        ("title", None, "text/plain", &[], b"Q3 report"),
        ("count", None, "text/x-count", &[], b"42"),
        ("tags", None, "text/plain", &[], b"a"),
        ("tags", None, "text/plain", &[], b"b c"),
        (
            "meta",
            None,
            "application/vnd.acme.meta+json",
            &[],
            br#"{"zeta":1,"alpha":"x"}"#,
        ),
        (
            "file",
            Some("report.pdf"),
            "application/octet-stream",
            &[],
            &contents,
        ),
        (
            "preview",
            Some("p.png"),
            "image/png",
            &[("x-checksum", "abc")],
            b"\x89PNG",
        ),
        (
            "attachments",
            Some("1.txt"),
            "application/octet-stream",
            &[],
            b"one",
        ),
        ("attachments", Some("2.csv"), "text/csv", &[], b"two"),
    ];
    assert_parts(&parts, expected);
}

#[tokio::test]
async fn absent_optional_parts_are_left_out() {
    let server = wire::serve(vec![Answer::created(r#"{"id":"d2"}"#)]).await;
    let body = UploadDocumentBody {
        count: None,
        tags: Vec::new(),
        preview: None,
        attachments: Vec::new(),
        meta: Meta::default(),
        ..document(FilePart::bytes(&b"%PDF"[..]).file_name("a.pdf"))
    };
    client(&server.base_url)
        .upload_document(body)
        .send()
        .await
        .expect("stored");
    let requests = server.requests().await;
    let parts = wire::parse_multipart(
        &requests[0].body,
        &requests[0].boundary("multipart/form-data"),
    );
    let names: Vec<&str> = parts.iter().map(Part::name).collect();
    assert_eq!(names, ["title", "meta", "file"]);
    assert_eq!(parts[1].body, b"{}");
}

#[tokio::test]
async fn a_retry_sends_the_whole_body_again_and_rereads_the_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("data.bin");
    std::fs::write(&path, b"file bytes").expect("written");

    let server = wire::serve(vec![
        Answer::too_many_requests(),
        Answer::created(r#"{"id":"d3"}"#),
    ])
    .await;
    client(&server.base_url)
        .upload_document(document(FilePart::path(&path)))
        .send()
        .await
        .expect("stored on the second attempt");
    let requests = server.requests().await;
    assert_eq!(requests.len(), 2);
    let bodies: Vec<Vec<Part>> = requests
        .iter()
        .map(|r| wire::parse_multipart(&r.body, &r.boundary("multipart/form-data")))
        .collect();
    assert_eq!(bodies[0], bodies[1]);
    let file = bodies[1]
        .iter()
        .find(|p| p.name() == "file")
        .expect("a file part");
    assert_eq!(file.body, b"file bytes");
}

#[tokio::test]
async fn a_mixed_body_says_multipart_mixed_with_its_boundary() {
    let server = wire::serve(vec![Answer::no_content()]).await;
    client(&server.base_url)
        .send_bundle()
        .body(SendBundleBody {
            note: Some("hello".to_owned()),
            data: Some(FilePart::bytes(vec![0_u8, 1, 2])),
        })
        .send()
        .await
        .expect("sent");
    let requests = server.requests().await;
    let boundary = requests[0].boundary("multipart/mixed");
    assert_eq!(
        requests[0].header("content-length"),
        Some(requests[0].body.len().to_string().as_str())
    );
    let parts = wire::parse_multipart(&requests[0].body, &boundary);
    assert_parts(
        &parts,
        &[
            ("note", None, "text/plain", &[], b"hello"),
            ("data", None, "application/octet-stream", &[], &[0, 1, 2]),
        ],
    );
}

#[tokio::test]
async fn a_missing_file_is_an_error_before_anything_is_sent() {
    let server = wire::serve(vec![Answer::created("{}")]).await;
    let error = client(&server.base_url)
        .upload_document(document(FilePart::path("/nonexistent/report.pdf")))
        .send()
        .await
        .expect_err("no such file");
    assert!(error.to_string().contains("report.pdf"), "{error}");
    assert!(server.requests().await.is_empty());
}

/// A loopback HTTP/1.1 server that records each request's raw bytes and
/// answers from a script, and a parser of multipart bodies (RFC 2046 §5.1.1).
mod wire {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    /// A scripted answer; each closes its connection, so every attempt is a new one.
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
