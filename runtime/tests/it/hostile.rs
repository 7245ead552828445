//! Hostile and broken servers: bodies that are not JSON, not the promised
//! shape, empty, cut short, reset, endless or far too large, and servers that
//! never answer. Each must end in a typed error that keeps what arrived: never
//! a panic, never a hang. Through the runtime's own API: a [`TestClient`] and
//! hand-written operations as a generated crate writes them (how a generated
//! type names the path of a decoding fault is the generated client's
//! `shape.rs`).
//!
//! The servers are real loopback servers: `wiremock` where it can stage the
//! answer, otherwise [`RawServer`], which writes raw HTTP bytes. Hand-written.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use openapi_client_runtime::{
    ClientBuilder, Jitter, Method, RawResponse, Request, RetryPolicy, StatusCode,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    builder_for, fast_retries, Error, GetImage, GetItem, ListItems, TestClient, ITEM_ID, TOKEN,
};

/// The limit a client has unless told otherwise.
const DEFAULT_LIMIT: u64 = 64 * 1024 * 1024;

// ------------------------------------------------------------ Raw server

/// A loopback server that reads each request's head and then hands the
/// connection to its answer, which writes whatever bytes it likes. It lives
/// as long as the test's runtime, so an answer may hold a connection open
/// forever; the runtime's shutdown at the end of the test closes it.
struct RawServer {
    address: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl RawServer {
    async fn start<F, Fut>(answer: F) -> RawServer
    where
        F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        let answer = Arc::new(answer);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let answer = Arc::clone(&answer);
                tokio::spawn(async move {
                    if read_head(&mut stream).await {
                        answer(stream).await;
                    }
                });
            }
        });
        RawServer {
            address,
            connections,
        }
    }

    /// A server that reads the request and never answers, holding the connection.
    async fn silent() -> RawServer {
        RawServer::start(|stream| async move {
            let _held = stream;
            std::future::pending::<()>().await;
        })
        .await
    }

    /// A server that writes `bytes` and closes the connection.
    async fn replying(bytes: impl Into<Vec<u8>>) -> RawServer {
        let bytes: Arc<[u8]> = bytes.into().into();
        RawServer::start(move |mut stream| {
            let bytes = Arc::clone(&bytes);
            async move {
                let _ = stream.write_all(&bytes).await;
                let _ = stream.shutdown().await;
            }
        })
        .await
    }

    fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Connections accepted so far: one per attempt.
    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// A client of this server: no retries, unless a test says otherwise, and
    /// a timeout long enough that a test finishing well before it proves the
    /// client did not wait for it.
    fn builder(&self) -> ClientBuilder<TestClient> {
        TestClient::builder()
            .base_url(self.uri())
            .bearer_token(TOKEN)
            .retry_policy(RetryPolicy::disabled())
            .timeout(Duration::from_secs(10))
    }
}

/// Reads up to the end of the request head (the requests here have no body).
async fn read_head(stream: &mut TcpStream) -> bool {
    let mut data = Vec::new();
    let mut buffer = [0_u8; 1024];
    while !data.windows(4).any(|window| window == b"\r\n\r\n") {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return false,
            Ok(read) => data.extend_from_slice(&buffer[..read]),
        }
        if data.len() > 64 * 1024 {
            return false;
        }
    }
    true
}

/// A `200` head with `headers` (each line without its CRLF) added.
fn head(status: &str, headers: &[&str]) -> String {
    let mut head = format!("HTTP/1.1 {status}\r\n");
    for line in headers {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

/// One chunk of a chunked body.
fn chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// A request for `/` that returns the raw response, for checks on bytes that
/// no operation's decoding should get in the way of.
fn probe() -> Request {
    Request::new("Probe", Method::GET, "/", "/".to_owned())
}

/// Runs `call`, failing the test if it takes longer than `limit`: a hang is a
/// failure, not a stuck test run.
async fn within<T>(limit: Duration, call: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let result = tokio::time::timeout(limit, call)
        .await
        .unwrap_or_else(|_| panic!("no answer within {limit:?}: the client hung"));
    (result, started.elapsed())
}

// ----------------------------------------------------- Undecodable bodies

#[tokio::test]
async fn invalid_json_is_a_decode_error_that_keeps_the_body() {
    let bodies: [&[u8]; 5] = [
        br#"{"items": ["#,
        br#"{"items": [{"id": }]}"#,
        br#"{"items": []} {"items": []}"#,
        b"{\"items\": [{\"name\": \"\xff\xfe\"}]}",
        b"\x00\x01binary",
    ];
    for body in bodies {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
        let client = builder_for(&server).build().expect("valid");
        let shown = String::from_utf8_lossy(body);
        match client.send(ListItems::new()).await {
            Err(error @ Error::Decode(_)) => {
                assert_eq!(error.status(), Some(StatusCode::OK), "{shown}");
                let Error::Decode(decode) = &error else {
                    unreachable!()
                };
                assert_eq!(
                    decode.body().as_ref(),
                    body,
                    "the body is kept byte for byte"
                );
                assert!(!decode.message().is_empty(), "{shown}");
                assert!(
                    error
                        .to_string()
                        .starts_with("could not decode the 200 OK response body"),
                    "{error}"
                );
            }
            other => panic!("expected Error::Decode for {shown:?}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn empty_body_where_json_was_promised_is_a_decode_error() {
    for content_type in ["content-type: application/json", "x-no-content-type: 1"] {
        let server =
            RawServer::replying(head("200 OK", &[content_type, "content-length: 0"])).await;
        let client = server.builder().build().expect("valid");
        let (result, _) = within(Duration::from_secs(5), client.send(GetItem::new())).await;
        match result {
            Err(Error::Decode(decode)) => {
                assert_eq!(decode.status(), StatusCode::OK);
                assert_eq!(decode.path(), "");
                assert_eq!(decode.message(), "empty body where JSON was expected");
                assert!(decode.body().is_empty());
            }
            other => panic!("expected Error::Decode ({content_type}), got {other:?}"),
        }
    }
}

#[tokio::test]
async fn html_page_with_200_is_a_decode_error_naming_the_content_type() {
    let server = MockServer::start().await;
    let html = "<!DOCTYPE html>\n<html><body><form action=\"/login\">Sign in to the proxy</form></body></html>";
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(html, "text/html; charset=utf-8"))
        .mount(&server)
        .await;
    let client = builder_for(&server).build().expect("valid");

    let error = client
        .send(GetItem::new())
        .await
        .expect_err("HTML is not an item");
    let Error::Decode(decode) = &error else {
        panic!("expected Error::Decode, got {error:?}")
    };
    assert!(
        decode
            .message()
            .ends_with("(the response content type is `text/html; charset=utf-8`, not JSON)"),
        "{}",
        decode.message()
    );
    assert!(
        error.to_string().contains("`text/html; charset=utf-8`"),
        "{error}"
    );
    assert_eq!(decode.body_text(), html);
}

// ------------------------------------------- Cut-off and stalled bodies

#[tokio::test]
async fn truncated_body_is_a_transport_error() {
    let mut bytes = head(
        "200 OK",
        &["content-type: application/json", "content-length: 100"],
    )
    .into_bytes();
    bytes.extend_from_slice(br#"{"items": [{"id": "x"#);
    assert_eq!(
        bytes.len() - bytes.iter().position(|&b| b == b'{').unwrap(),
        20
    );
    let server = RawServer::replying(bytes).await;
    let client = server.builder().build().expect("valid");

    let (result, elapsed) = within(Duration::from_secs(5), client.send(ListItems::new())).await;
    let error = result.expect_err("20 of 100 bytes");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "HTTP transport error: reading the response body failed"
    );
    assert!(std::error::Error::source(&error).is_some());
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
}

#[tokio::test]
async fn body_that_stops_arriving_is_a_timeout() {
    let server = RawServer::start(|mut stream| async move {
        let mut bytes = head("200 OK", &["content-length: 100"]).into_bytes();
        bytes.extend_from_slice(&[b'x'; 20]);
        let _ = stream.write_all(&bytes).await;
        // Keep the connection open and say nothing more.
        std::future::pending::<()>().await;
    })
    .await;
    let client = server
        .builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("valid");

    let (result, elapsed) = within(Duration::from_secs(5), client.execute(probe())).await;
    let error = result.expect_err("stalled");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(
        elapsed >= Duration::from_millis(250) && elapsed < Duration::from_secs(3),
        "gave up after {elapsed:?}"
    );
}

#[tokio::test]
async fn server_that_accepts_and_never_answers_is_a_timeout() {
    let server = RawServer::silent().await;
    let client = server
        .builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("valid");

    let (result, elapsed) = within(Duration::from_secs(5), client.send(GetItem::new())).await;
    let error = result.expect_err("silent server");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert_eq!(error.to_string(), "request timed out");
    assert_eq!(error.status(), None);
    assert_eq!(server.connections(), 1, "retries are disabled");
    assert!(
        elapsed >= Duration::from_millis(250) && elapsed < Duration::from_secs(3),
        "gave up after {elapsed:?}"
    );
}

#[tokio::test]
async fn connection_closed_or_reset_mid_body_is_a_transport_error() {
    for reset in [false, true] {
        let server = RawServer::start(move |mut stream| async move {
            let mut bytes = head(
                "200 OK",
                &[
                    "content-type: application/json",
                    "transfer-encoding: chunked",
                ],
            )
            .into_bytes();
            bytes.extend(chunk(br#"{"items": [{"id": "5e19bee0-"#));
            let _ = stream.write_all(&bytes).await;
            let _ = stream.flush().await;
            // Let the client read the head and the first chunk first.
            tokio::time::sleep(Duration::from_millis(100)).await;
            if reset {
                // An abortive close: the peer sees RST, not FIN.
                stream.set_zero_linger().expect("SO_LINGER");
            }
            drop(stream);
        })
        .await;
        let client = server.builder().build().expect("valid");

        let (result, elapsed) = within(Duration::from_secs(5), client.send(ListItems::new())).await;
        let error = result.expect_err("cut off");
        assert!(
            matches!(error, Error::Transport(_)),
            "reset {reset}: {error:?}"
        );
        assert_eq!(
            error.to_string(),
            "HTTP transport error: reading the response body failed",
            "reset {reset}"
        );
        assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    }
}

#[tokio::test]
async fn malformed_responses_are_transport_errors() {
    let bad_chunk = {
        let mut bytes = head("200 OK", &["transfer-encoding: chunked"]).into_bytes();
        bytes.extend_from_slice(b"zz\r\nnot a chunk size\r\n0\r\n\r\n");
        bytes
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("not HTTP at all", b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec()),
        (
            "a status that is not a number",
            head("2OO OK", &[]).into_bytes(),
        ),
        (
            "two different Content-Lengths",
            head("200 OK", &["content-length: 2", "content-length: 3"]).into_bytes(),
        ),
        ("a bad chunk size", bad_chunk),
        ("nothing at all", Vec::new()),
    ];
    for (case, bytes) in cases {
        let server = RawServer::replying(bytes).await;
        let client = server.builder().build().expect("valid");
        let (result, _) = within(Duration::from_secs(5), client.execute(probe())).await;
        match result {
            Err(Error::Transport(_)) => {}
            other => panic!("{case}: expected Error::Transport, got {other:?}"),
        }
    }
}

// ------------------------------------------------------ Response size cap

#[tokio::test]
async fn content_length_over_the_default_limit_fails_before_reading() {
    // The head announces one byte more than the default limit, then nothing
    // comes: only a client that refuses without reading answers quickly.
    let server = RawServer::start(|mut stream| async move {
        let length = format!("content-length: {}", DEFAULT_LIMIT + 1);
        let _ = stream
            .write_all(head("200 OK", &["content-type: image/png", &length]).as_bytes())
            .await;
        std::future::pending::<()>().await;
    })
    .await;
    let client = server.builder().build().expect("valid");

    let (result, elapsed) = within(Duration::from_secs(5), client.send(GetImage::new())).await;
    let error = result.expect_err("too large");
    match error {
        Error::ResponseTooLarge { status, limit } => {
            assert_eq!(status, StatusCode::OK);
            assert_eq!(limit, DEFAULT_LIMIT);
        }
        ref other => panic!("expected Error::ResponseTooLarge, got {other:?}"),
    }
    assert_eq!(error.status(), Some(StatusCode::OK));
    assert_eq!(
        error.to_string(),
        "the 200 OK response body is larger than the limit of 67108864 bytes"
    );
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
}

/// How a test body is framed on the wire.
#[derive(Clone, Copy, Debug)]
enum Framing {
    /// `Content-Length`.
    Length,
    /// `Transfer-Encoding: chunked`, 100 bytes a chunk.
    Chunked,
    /// Neither: the body ends when the server closes the connection.
    UntilClose,
}

fn framed(body: &[u8], framing: Framing) -> Vec<u8> {
    let mut bytes = match framing {
        Framing::Length => {
            head("200 OK", &[&format!("content-length: {}", body.len())]).into_bytes()
        }
        Framing::Chunked => head("200 OK", &["transfer-encoding: chunked"]).into_bytes(),
        Framing::UntilClose => head("200 OK", &["connection: close"]).into_bytes(),
    };
    match framing {
        Framing::Chunked => {
            for part in body.chunks(100) {
                bytes.extend(chunk(part));
            }
            bytes.extend_from_slice(b"0\r\n\r\n");
        }
        Framing::Length | Framing::UntilClose => bytes.extend_from_slice(body),
    }
    bytes
}

#[tokio::test]
async fn body_at_the_limit_is_read_and_one_byte_over_is_refused_however_it_is_framed() {
    let body: Vec<u8> = (0..1000_u32).map(|i| (i % 251) as u8).collect();
    for framing in [Framing::Length, Framing::Chunked, Framing::UntilClose] {
        let server = RawServer::replying(framed(&body, framing)).await;

        let at_limit = server
            .builder()
            .max_response_bytes(1000)
            .build()
            .expect("valid");
        let (result, _) = within(Duration::from_secs(5), at_limit.execute(probe())).await;
        let response: RawResponse = result.unwrap_or_else(|error| panic!("{framing:?}: {error:?}"));
        assert_eq!(response.body().as_ref(), body.as_slice(), "{framing:?}");

        let below = server
            .builder()
            .max_response_bytes(999)
            .build()
            .expect("valid");
        let (result, _) = within(Duration::from_secs(5), below.execute(probe())).await;
        match result {
            Err(Error::ResponseTooLarge { status, limit }) => {
                assert_eq!((status, limit), (StatusCode::OK, 999), "{framing:?}");
            }
            other => panic!("{framing:?}: expected Error::ResponseTooLarge, got {other:?}"),
        }
    }
}

/// A server streaming a chunked body of up to `cap` bytes (an endless body, as
/// far as the client can tell), recording how much it got to send.
struct Firehose {
    server: RawServer,
    sent: Arc<AtomicU64>,
    finished: Arc<AtomicBool>,
}

const FIREHOSE_CAP: u64 = 512 * 1024 * 1024;

impl Firehose {
    async fn start(status: &'static str) -> Firehose {
        let sent = Arc::new(AtomicU64::new(0));
        let finished = Arc::new(AtomicBool::new(false));
        let (sent_by_server, finished_by_server) = (Arc::clone(&sent), Arc::clone(&finished));
        let server = RawServer::start(move |mut stream| {
            let sent = Arc::clone(&sent_by_server);
            let finished = Arc::clone(&finished_by_server);
            async move {
                let head = head(
                    status,
                    &[
                        "content-type: application/json",
                        "transfer-encoding: chunked",
                    ],
                );
                let piece = chunk(&[b' '; 16 * 1024]);
                if stream.write_all(head.as_bytes()).await.is_ok() {
                    // Whitespace is valid JSON padding, so only the size can stop it.
                    while sent.load(Ordering::SeqCst) < FIREHOSE_CAP {
                        if stream.write_all(&piece).await.is_err() {
                            break;
                        }
                        sent.fetch_add(16 * 1024, Ordering::SeqCst);
                    }
                }
                finished.store(true, Ordering::SeqCst);
            }
        })
        .await;
        Firehose {
            server,
            sent,
            finished,
        }
    }

    /// Waits (boundedly) for the server to notice the client hung up, and
    /// returns how much it sent.
    async fn sent_when_cut_off(&self) -> u64 {
        for _ in 0..200 {
            if self.finished.load(Ordering::SeqCst) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            self.finished.load(Ordering::SeqCst),
            "the server was never cut off"
        );
        self.sent.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn endless_chunked_body_is_cut_off_at_the_limit() {
    let firehose = Firehose::start("200 OK").await;
    let limit = 1024 * 1024;
    let client = firehose
        .server
        .builder()
        .max_response_bytes(limit)
        .build()
        .expect("valid");

    let (result, elapsed) = within(Duration::from_secs(10), client.send(ListItems::new())).await;
    match result {
        Err(Error::ResponseTooLarge {
            status,
            limit: reported,
        }) => {
            assert_eq!(status, StatusCode::OK);
            assert_eq!(reported, limit);
        }
        other => panic!("expected Error::ResponseTooLarge, got {other:?}"),
    }
    let sent = firehose.sent_when_cut_off().await;
    // The client stopped reading at the limit and hung up; what the server got
    // out beyond it sat in socket buffers.
    assert!(
        sent < 64 * limit,
        "the server sent {sent} bytes before it was cut off"
    );
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
}

#[tokio::test]
async fn error_status_with_a_huge_body_is_response_too_large_and_not_retried() {
    // A retryable status, and retries on: the size still ends the call at once.
    let firehose = Firehose::start("503 Service Unavailable").await;
    let client = firehose
        .server
        .builder()
        .retry_policy(fast_retries())
        .max_response_bytes(64 * 1024)
        .build()
        .expect("valid");
    let (result, _) = within(Duration::from_secs(10), client.send(GetItem::new())).await;
    let error = result.expect_err("too large");
    assert!(
        matches!(
            error,
            Error::ResponseTooLarge {
                status: StatusCode::SERVICE_UNAVAILABLE,
                limit: 65536
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(firehose.server.connections(), 1, "not retried");
    firehose.sent_when_cut_off().await;

    // An error body announced as too large is refused without reading it.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_string("e".repeat(5000)))
        .mount(&server)
        .await;
    let client = builder_for(&server)
        .max_response_bytes(4999)
        .build()
        .expect("valid");
    match client.send(GetItem::new()).await {
        Err(Error::ResponseTooLarge { status, limit }) => {
            assert_eq!((status, limit), (StatusCode::INTERNAL_SERVER_ERROR, 4999));
        }
        other => panic!("expected Error::ResponseTooLarge, got {other:?}"),
    }

    // Within the limit, an error body is kept whole as before.
    let client = builder_for(&server)
        .max_response_bytes(5000)
        .build()
        .expect("valid");
    match client.send(GetItem::new()).await {
        Err(Error::Api(api)) => assert_eq!(api.body().len(), 5000),
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

// ------------------------------------------- Deadlines and silent servers

#[tokio::test]
async fn a_slow_drip_with_retries_ends_at_the_calls_deadline() {
    // A byte every 50 ms: never silent long enough for the read timeout, never
    // done before the 400 ms attempt timeout. Attempts start at about 0, 405
    // and 810 ms; the third is cut off by the 1 s deadline.
    let server = RawServer::start(|mut stream| async move {
        let head = head(
            "200 OK",
            &["content-type: application/json", "content-length: 100000"],
        );
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        while stream.write_all(b" ").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let policy = RetryPolicy::new()
        .max_attempts(10)
        .initial_backoff(Duration::from_millis(5))
        .multiplier(1.0)
        .jitter(Jitter::None)
        .deadline(Duration::from_secs(1));
    let client = server
        .builder()
        .timeout(Duration::from_millis(400))
        .retry_policy(policy)
        .build()
        .expect("valid");

    let (result, elapsed) = within(Duration::from_secs(10), client.send(GetItem::new())).await;
    let error = result.expect_err("never finished");
    let Error::Deadline(deadline) = &error else {
        panic!("expected Error::Deadline, got {error:?}");
    };
    assert_eq!(deadline.attempts(), 3, "{error}");
    assert_eq!(server.connections(), 3);
    assert!(
        matches!(deadline.last_error(), Some(Error::Timeout(_))),
        "the second attempt timed out: {error:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(950) && elapsed < Duration::from_millis(1500),
        "ended after {elapsed:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("the call did not finish within its deadline of 1s (3 attempts; the last finished one ended with: request timed out"),
        "{error}"
    );
}

#[tokio::test]
async fn a_server_that_goes_silent_is_a_read_timeout_and_a_steady_trickle_is_not() {
    // (case, bytes before going silent or `None` for a trickle that finishes)
    let body = serde_json::json!({ "item": { "id": ITEM_ID, "name": "Bridge" } }).to_string();
    let head = head(
        "200 OK",
        &[
            "content-type: application/json",
            &format!("content-length: {}", body.len()),
        ],
    );
    // (case, whether the head is sent, body bytes sent, whether they trickle
    // in 16-byte pieces every 100 ms)
    let cases: [(&str, bool, usize, bool); 3] = [
        ("silent before the head", false, 0, false),
        (
            "silent part-way through the body",
            true,
            body.len() - 10,
            false,
        ),
        ("a steady trickle of the whole body", true, body.len(), true),
    ];
    for (case, send_head, sent, trickle) in cases {
        let completes = sent == body.len();
        let (head, body) = (head.clone(), body.clone());
        let server = RawServer::start(move |mut stream| {
            let (head, body) = (head.clone(), body.clone());
            async move {
                if send_head && stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for piece in body.as_bytes()[..sent].chunks(16) {
                    if stream.write_all(piece).await.is_err() {
                        return;
                    }
                    if trickle {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
                std::future::pending::<()>().await;
            }
        })
        .await;
        let client = server
            .builder()
            .read_timeout(Duration::from_millis(300))
            .build()
            .expect("valid");

        let (result, elapsed) = within(Duration::from_secs(20), client.send(GetItem::new())).await;
        if completes {
            let item = result.unwrap_or_else(|error| panic!("{case}: {error:?}"));
            assert_eq!(item.name, "Bridge", "{case}");
            assert!(elapsed > Duration::from_millis(300), "{case}: {elapsed:?}");
            continue;
        }
        let error = result.expect_err(case);
        assert!(matches!(error, Error::ReadTimeout(_)), "{case}: {error:?}");
        assert_eq!(
            error.to_string(),
            "the server sent nothing for longer than the read timeout"
        );
        assert_eq!(server.connections(), 1, "{case}: retries are disabled");
        assert!(
            elapsed >= Duration::from_millis(250) && elapsed < Duration::from_secs(3),
            "{case}: gave up after {elapsed:?}"
        );
    }
}

#[tokio::test]
async fn a_read_timeout_is_retried_like_a_timeout() {
    let server = RawServer::silent().await;
    let client = server
        .builder()
        .retry_policy(fast_retries().max_attempts(2))
        .read_timeout(Duration::from_millis(200))
        .build()
        .expect("valid");
    let (result, _) = within(Duration::from_secs(5), client.send(GetItem::new())).await;
    assert!(matches!(result, Err(Error::ReadTimeout(_))), "{result:?}");
    assert_eq!(server.connections(), 2);
}

// ------------------------------------------------------ Oversized headers

#[tokio::test]
async fn response_headers_too_large_are_named_as_such_and_not_retried() {
    let kib = |n: usize| "a".repeat(n * 1024);
    let many_small: Vec<String> = (0..90).map(|i| format!("x-pad-{i}: {}", kib(1))).collect();
    let too_many: Vec<String> = (0..200).map(|i| format!("x-h{i}: v")).collect();
    // (case, status line, header lines, the status the error keeps)
    let cases: Vec<(&str, &str, Vec<String>, Option<StatusCode>)> = vec![
        (
            "one 100 KiB header",
            "200 OK",
            vec![format!("x-padding: {}", kib(100))],
            Some(StatusCode::OK),
        ),
        (
            "90 headers of 1 KiB on a 503",
            "503 Service Unavailable",
            many_small,
            Some(StatusCode::SERVICE_UNAVAILABLE),
        ),
        (
            "a 1 MiB header, refused by the parser",
            "200 OK",
            vec![format!("x-padding: {}", kib(1024))],
            None,
        ),
        (
            "200 headers, refused by the parser",
            "200 OK",
            too_many,
            None,
        ),
    ];
    for (case, status, lines, kept) in cases {
        let mut lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        lines.push("content-length: 2");
        let mut bytes = head(status, &lines).into_bytes();
        bytes.extend_from_slice(b"{}");
        let server = RawServer::replying(bytes).await;
        let client = server
            .builder()
            .retry_policy(fast_retries())
            .build()
            .expect("valid");

        let (result, _) = within(Duration::from_secs(5), client.send(GetItem::new())).await;
        let error = result.expect_err(case);
        let Error::ResponseHeadersTooLarge { status, source } = &error else {
            panic!("{case}: expected Error::ResponseHeadersTooLarge, got {error:?}");
        };
        assert_eq!(*status, kept, "{case}");
        assert_eq!(error.status(), kept, "{case}");
        assert_eq!(
            source.is_some(),
            kept.is_none(),
            "{case}: the parser's error"
        );
        let expected = match kept {
            Some(status) => format!("the response headers are too large (status {status})"),
            None => "the response headers are too large".to_owned(),
        };
        assert_eq!(error.to_string(), expected, "{case}");
        assert_eq!(server.connections(), 1, "{case}: not retried");
    }
}
