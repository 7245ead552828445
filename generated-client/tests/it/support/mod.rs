//! Helpers of the integration tests: a loopback `wiremock` server and a client
//! pointed at it (fast retries, a fixed token), fixed IDs, checks on what reached
//! the server, a server answering from a script, a token provider that counts, a
//! bare TCP server for failures `wiremock` cannot stage, and a storage server for
//! transfers (`imodels_api`: a stand-in for the live API).
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

// Each test module uses a different subset.
#![allow(dead_code)]

pub mod imodels_api;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use generated_client::runtime::{AccessToken, BoxError, Jitter, RetryPolicy};
use generated_client::{Client, ClientBuilder};
use serde_json::json;
use uuid::{uuid, Uuid};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

/// The token every test client sends.
pub const TOKEN: &str = "test-token";
/// The `Authorization` header the server must receive.
pub const AUTHORIZATION: &str = "Bearer test-token";
/// The User-Agent the client sends unless told otherwise.
pub const USER_AGENT: &str = concat!("generated-client/", env!("CARGO_PKG_VERSION"));
/// What `reqwest` sends as `Accept` when an operation declares no response
/// media type (the generated code then sets none).
pub const ACCEPT_ANY: &str = "*/*";

pub const ITWIN_ID: Uuid = uuid!("a1b2c3d4-0000-4000-8000-00000000000a");
pub const IMODEL_ID: Uuid = uuid!("5e19bee0-3aea-4355-a9f0-c6df9989ee7d");
pub const CREATOR_ID: Uuid = uuid!("0a6c44b9-7c53-4b43-9c2f-2d5a1b6f1e01");
pub const NAMED_VERSION_ID: Uuid = uuid!("7f4c1e2a-9d3b-4c5e-8f6a-1b2c3d4e5f60");
pub const USER_ID: Uuid = uuid!("c0ffee00-1234-4567-89ab-cdef01234567");

/// Retries as the defaults do, minus the waiting, so tests stay fast and their
/// timing is predictable.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::new()
        .initial_backoff(Duration::from_millis(5))
        .jitter(Jitter::None)
}

/// A builder for a client of `server` with a static token and [`fast_retries`].
pub fn builder_for(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry_policy(fast_retries())
}

/// A client of `server` with a static token and [`fast_retries`].
pub fn client_for(server: &MockServer) -> Client {
    builder_for(server).build().expect("valid settings")
}

/// A running mock server and a [`client_for`] it.
pub async fn start() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = client_for(&server);
    (server, client)
}

/// A response with a JSON body and `Content-Type: application/json`.
pub fn json(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// The one request the server received; fails if there were none or several.
pub async fn only_request(server: &MockServer) -> Request {
    let mut received = received(server).await;
    assert_eq!(
        received.len(),
        1,
        "expected exactly one request, got {received:#?}"
    );
    received.remove(0)
}

/// The headers every request carries, the `Accept` the operation asks for and
/// the `Content-Type` of its body (`None`: no body, so no `Content-Type`).
pub fn assert_headers(request: &Request, accept: &str, content_type: Option<&str>) {
    assert_eq!(header(request, "authorization"), Some(AUTHORIZATION));
    assert_eq!(header(request, "user-agent"), Some(USER_AGENT));
    assert_eq!(header(request, "accept"), Some(accept));
    assert_eq!(header(request, "content-type"), content_type);
    assert_eq!(
        request.headers.get_all("authorization").iter().count(),
        1,
        "a single Authorization header"
    );
}

/// Asserts that a request had no body at all.
pub fn assert_no_body(request: &Request) {
    assert!(
        request.body.is_empty(),
        "expected no body, got {:?}",
        String::from_utf8_lossy(&request.body)
    );
}

/// The request body parsed as JSON.
pub fn body_json(request: &Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).expect("the request body is JSON")
}

/// An iModel, the entity itself.
pub fn imodel_entity() -> serde_json::Value {
    json!({ "id": IMODEL_ID, "displayName": "Bridge", "state": "initialized" })
}

/// An iModel as the API returns it: wrapped, `{"iModel": {...}}`
/// (`spec/overlays/50-envelopes.yaml` declares it).
pub fn imodel_json() -> serde_json::Value {
    json!({ "iModel": imodel_entity() })
}

/// A `200` with an iModel as `application/json`.
pub fn imodel_ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(imodel_json())
}

/// A `status` with a small JSON error body naming `label`, so tests can tell
/// which attempt's answer they got.
pub fn failure(status: u16, label: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": { "code": "Unavailable", "message": label }
    }))
}

/// Answers with the scripted responses in order, then repeats the last one.
pub struct Script {
    responses: Vec<ResponseTemplate>,
    next: AtomicUsize,
}

/// See [`Script`].
pub fn script(responses: impl IntoIterator<Item = ResponseTemplate>) -> Script {
    let responses: Vec<_> = responses.into_iter().collect();
    assert!(!responses.is_empty(), "a script needs a response");
    Script {
        responses,
        next: AtomicUsize::new(0),
    }
}

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let index = self.next.fetch_add(1, Ordering::SeqCst);
        self.responses[index.min(self.responses.len() - 1)].clone()
    }
}

/// Every request the server received, in order.
pub async fn received(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on by default")
}

/// A request header as text, if present.
pub fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers
        .get(name)
        .map(|value| value.to_str().expect("ASCII header value"))
}

/// A token provider handing out `token-1`, `token-2`, … and counting calls,
/// as a refreshing provider would after each expiry.
#[derive(Clone, Default)]
pub struct CountingTokens {
    calls: Arc<AtomicUsize>,
}

impl CountingTokens {
    /// How many tokens were handed out.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// The provider as a closure, the way most callers write one.
    pub fn closure(
        &self,
    ) -> impl Fn() -> std::future::Ready<Result<AccessToken, BoxError>> + Send + Sync + 'static
    {
        let calls = Arc::clone(&self.calls);
        move || {
            let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
            std::future::ready(Ok(AccessToken::bearer(format!("token-{n}"))))
        }
    }
}

/// What the bare server does with each connection, in order of arrival.
#[derive(Clone, Copy, Debug)]
pub enum Connection {
    /// Read the request, then close without answering.
    Drop,
    /// Read the request and answer `200` with an iModel.
    Answer,
}

/// A blocking HTTP/1.1 server on a thread, for transport failures `wiremock`
/// cannot produce. The last behaviour repeats for later connections.
pub struct BareServer {
    address: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
}

impl BareServer {
    /// Starts listening on a free loopback port.
    pub fn start(script: Vec<Connection>) -> BareServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        BareServer::serve(listener, script, address)
    }

    /// Starts listening on `address` (which must be free) after `delay`, so
    /// that connections before then are refused.
    pub fn start_later(
        address: SocketAddr,
        delay: Duration,
        script: Vec<Connection>,
    ) -> BareServer {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&requests);
        thread::spawn(move || {
            thread::sleep(delay);
            let listener = TcpListener::bind(address).expect("rebind the reserved port");
            accept_loop(&listener, &script, &shared);
        });
        BareServer { address, requests }
    }

    fn serve(listener: TcpListener, script: Vec<Connection>, address: SocketAddr) -> BareServer {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&requests);
        thread::spawn(move || accept_loop(&listener, &script, &shared));
        BareServer { address, requests }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The raw requests (head and body) received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("not poisoned").clone()
    }
}

/// A loopback address nothing listens on (yet).
pub fn unused_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address")
}

fn accept_loop(listener: &TcpListener, script: &[Connection], requests: &Mutex<Vec<String>>) {
    for (index, stream) in listener.incoming().enumerate() {
        let Ok(mut stream) = stream else { return };
        let Some(request) = read_request(&mut stream) else {
            continue;
        };
        requests.lock().expect("not poisoned").push(request);
        match script[index.min(script.len() - 1)] {
            Connection::Drop => drop(stream),
            Connection::Answer => {
                let body = imodel_json().to_string();
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        }
    }
}

/// Reads one request: the head, then as many body bytes as `content-length` says.
fn read_request(stream: &mut TcpStream) -> Option<String> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let (head, mut body) = read_head(stream)?;
    read_to_length(stream, &mut body, content_length(&head))?;
    Some(format!("{head}\r\n\r\n{}", String::from_utf8_lossy(&body)))
}

/// The value of header `name` in a request head.
fn head_header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// The `content-length` of a request head, `0` when it has none.
fn content_length(head: &str) -> usize {
    head_header(head, "content-length")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

/// Reads from `stream` until `body` holds `length` bytes; `None` if it closes first.
fn read_to_length(stream: &mut TcpStream, body: &mut Vec<u8>, length: usize) -> Option<()> {
    let mut buffer = [0_u8; 65536];
    while body.len() < length {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return None,
            Ok(read) => body.extend_from_slice(&buffer[..read]),
        }
    }
    Some(())
}

/// Sends a hand-built `runtime::Request` the way generated operations do, for
/// tests of what the runtime does with requests no operation builds.
pub trait Execute {
    fn execute(
        &self,
        request: generated_client::runtime::Request,
    ) -> impl std::future::Future<
        Output = Result<generated_client::RawResponse, generated_client::Error>,
    > + Send;
}

impl Execute for Client {
    fn execute(
        &self,
        request: generated_client::runtime::Request,
    ) -> impl std::future::Future<
        Output = Result<generated_client::RawResponse, generated_client::Error>,
    > + Send {
        let http = generated_client::runtime::ApiClient::http(self).clone();
        async move {
            http.execute(request)
                .await
                .map_err(generated_client::runtime::Error::parse_body)
        }
    }
}

/// A client as a service would configure it for the API: a token and a default
/// header, neither of which may reach a storage host.
pub fn storage_client() -> Client {
    Client::builder()
        .bearer_token(TOKEN)
        .default_header("X-Tenant", "tenant-secret")
        .retry_policy(fast_retries())
        .build()
        .expect("valid settings")
}

/// Fails if any of the request `heads` carries the client's credentials.
pub fn assert_no_credentials(heads: &[String]) {
    for head in heads {
        let lower = head.to_ascii_lowercase();
        assert!(!lower.contains("authorization"), "{head}");
        assert!(!lower.contains(TOKEN), "{head}");
        assert!(!lower.contains("tenant-secret"), "{head}");
    }
}

/// The byte at `offset` of the files [`StorageServer`] serves: position-dependent,
/// so a resumed download that lost or repeated bytes is caught.
pub fn file_byte(offset: u64) -> u8 {
    (offset.wrapping_mul(31) ^ (offset >> 16)) as u8
}

/// What the storage server does to the first download it serves.
#[derive(Clone, Copy, Debug)]
pub enum FirstDownload {
    /// Serve it whole.
    Whole,
    /// Close the connection after this many body bytes.
    CutAfter(u64),
}

/// A blocking HTTP/1.1 server on loopback that behaves like a blob store behind
/// pre-signed URLs: `GET` serves a generated file of `size` bytes (with `ETag`,
/// honouring `Range: bytes=N-`), `PUT` takes a body and answers with the next
/// status of `upload_statuses` (the last one repeats). Every request head is
/// recorded; nothing is held in memory beyond one chunk.
pub struct StorageServer {
    address: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
    uploaded: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl StorageServer {
    pub fn start(size: u64, first: FirstDownload, upload_statuses: Vec<u16>) -> StorageServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let heads = Arc::new(Mutex::new(Vec::new()));
        let uploaded = Arc::new(Mutex::new(Vec::new()));
        let (shared_heads, shared_uploads) = (Arc::clone(&heads), Arc::clone(&uploaded));
        thread::spawn(move || {
            let downloads = Arc::new(AtomicUsize::new(0));
            let uploads = Arc::new(AtomicUsize::new(0));
            let statuses = Arc::new(upload_statuses);
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (heads, uploaded) = (Arc::clone(&shared_heads), Arc::clone(&shared_uploads));
                let (downloads, uploads, statuses) = (
                    Arc::clone(&downloads),
                    Arc::clone(&uploads),
                    Arc::clone(&statuses),
                );
                thread::spawn(move || {
                    storage_connection(
                        stream, size, first, &downloads, &uploads, &statuses, &heads, &uploaded,
                    )
                });
            }
        });
        StorageServer {
            address,
            heads,
            uploaded,
        }
    }

    /// `http://127.0.0.1:<port>`, the origin of this storage.
    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A pre-signed-looking URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}?sig=s3cr3t&se=2030-01-01", self.address)
    }

    /// The head (request line and headers) of every request, in order.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("not poisoned").clone()
    }

    /// The bodies of the uploads answered with a 2xx.
    pub fn uploaded(&self) -> Vec<Vec<u8>> {
        self.uploaded.lock().expect("not poisoned").clone()
    }
}

#[allow(clippy::too_many_arguments)]
fn storage_connection(
    mut stream: TcpStream,
    size: u64,
    first: FirstDownload,
    downloads: &AtomicUsize,
    uploads: &AtomicUsize,
    statuses: &[u16],
    heads: &Mutex<Vec<String>>,
    uploaded: &Mutex<Vec<Vec<u8>>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some((head, mut rest)) = read_head(&mut stream) else {
        return;
    };
    heads.lock().expect("not poisoned").push(head.clone());
    if head.starts_with("PUT ") {
        if read_to_length(&mut stream, &mut rest, content_length(&head)).is_none() {
            return;
        }
        let index = uploads.fetch_add(1, Ordering::SeqCst);
        let status = statuses[index.min(statuses.len() - 1)];
        if (200..300).contains(&status) {
            uploaded.lock().expect("not poisoned").push(rest);
        }
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
        return;
    }
    let start: u64 = head_header(&head, "range")
        .and_then(|range| {
            range
                .strip_prefix("bytes=")?
                .trim_end_matches('-')
                .parse()
                .ok()
        })
        .unwrap_or(0);
    let serial = downloads.fetch_add(1, Ordering::SeqCst);
    let cut = match first {
        FirstDownload::CutAfter(bytes) if serial == 0 => Some(bytes),
        _ => None,
    };
    let status = if start > 0 {
        format!(
            "206 Partial Content\r\ncontent-range: bytes {start}-{}/{size}",
            size - 1
        )
    } else {
        "200 OK".to_owned()
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\netag: \"v1\"\r\naccept-ranges: bytes\r\nconnection: close\r\n\r\n",
        size - start
    );
    if stream.write_all(response.as_bytes()).is_err() {
        return;
    }
    let end = cut.map_or(size, |cut| (start + cut).min(size));
    let mut chunk = vec![0_u8; 65536];
    let mut offset = start;
    while offset < end {
        let length = (end - offset).min(chunk.len() as u64) as usize;
        for (index, byte) in chunk[..length].iter_mut().enumerate() {
            *byte = file_byte(offset + index as u64);
        }
        if stream.write_all(&chunk[..length]).is_err() {
            return;
        }
        offset += length as u64;
    }
    // A cut: close with the body unfinished.
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Reads a request head; returns it and whatever body bytes came with it.
fn read_head(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut data = Vec::new();
    let mut buffer = [0_u8; 4096];
    loop {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..read]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).into_owned();
            return Some((head, data[end + 4..].to_vec()));
        }
    }
}

/// This process's peak resident memory in KiB since the last [`reset_peak_memory`].
pub fn peak_memory_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Resets the peak that [`peak_memory_kib`] reports to the current resident size.
pub fn reset_peak_memory() {
    std::fs::write("/proc/self/clear_refs", "5").expect("Linux /proc/self/clear_refs");
}

pub mod capture {
    //! A minimal `tracing` subscriber that keeps this crate's spans and events
    //! as text, so tests can look at fields without a subscriber dependency.

    use std::collections::BTreeMap;
    use std::fmt::Debug;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    /// Fields by name, values as `Debug` text.
    pub type Fields = BTreeMap<String, String>;

    #[derive(Default)]
    pub struct Captured {
        pub spans: BTreeMap<u64, (String, Fields)>,
        pub events: Vec<Fields>,
    }

    #[derive(Clone, Default)]
    pub struct Capture {
        next_id: Arc<AtomicU64>,
        pub captured: Arc<Mutex<Captured>>,
    }

    struct Visitor<'a>(&'a mut Fields);

    impl Visit for Visitor<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
            self.0.insert(field.name().to_owned(), format!("{value:?}"));
        }

        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_owned(), value.to_owned());
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, metadata: &Metadata<'_>) -> bool {
            // Only this crate: hyper and friends have their own events.
            metadata.target().starts_with("openapi_client_runtime")
        }

        fn new_span(&self, attributes: &Attributes<'_>) -> Id {
            let id = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
            let mut fields = Fields::new();
            attributes.record(&mut Visitor(&mut fields));
            let name = attributes.metadata().name().to_owned();
            self.captured
                .lock()
                .expect("not poisoned")
                .spans
                .insert(id, (name, fields));
            Id::from_u64(id)
        }

        fn record(&self, span: &Id, values: &Record<'_>) {
            let mut captured = self.captured.lock().expect("not poisoned");
            if let Some((_, fields)) = captured.spans.get_mut(&span.into_u64()) {
                values.record(&mut Visitor(fields));
            }
        }

        fn record_follows_from(&self, _: &Id, _: &Id) {}

        fn event(&self, event: &Event<'_>) {
            let mut fields = Fields::new();
            event.record(&mut Visitor(&mut fields));
            self.captured
                .lock()
                .expect("not poisoned")
                .events
                .push(fields);
        }

        fn enter(&self, _: &Id) {}

        fn exit(&self, _: &Id) {}
    }
}

/// What a [`ScriptedServer`] does with one connection, once it has read the
/// request head.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Write these bytes and close the connection.
    Close(Vec<u8>),
    /// Write these bytes and keep the connection open without another byte,
    /// as a server that stalls mid-body does.
    Hold(Vec<u8>),
}

/// A loopback server writing raw HTTP bytes from a script: the n-th connection
/// gets the n-th [`Reply`] (the last one repeats). Every request head is
/// recorded, so a test can read exactly what reached this origin. It lives as
/// long as the test's runtime.
pub struct ScriptedServer {
    address: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

impl ScriptedServer {
    /// Starts listening on a free loopback port.
    pub async fn start(script: Vec<Reply>) -> ScriptedServer {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        assert!(!script.is_empty(), "a script needs a reply");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let heads = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&heads);
        tokio::spawn(async move {
            let mut index = 0;
            while let Ok((mut stream, _)) = listener.accept().await {
                let reply = script[index.min(script.len() - 1)].clone();
                index += 1;
                let heads = Arc::clone(&shared);
                tokio::spawn(async move {
                    let mut data = Vec::new();
                    let mut buffer = [0_u8; 4096];
                    while !data.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => data.extend_from_slice(&buffer[..read]),
                        }
                    }
                    let end = data
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .unwrap_or(data.len());
                    let head = String::from_utf8_lossy(&data[..end]).into_owned();
                    heads.lock().expect("not poisoned").push(head);
                    match reply {
                        Reply::Close(bytes) => {
                            let _ = stream.write_all(&bytes).await;
                            let _ = stream.shutdown().await;
                        }
                        Reply::Hold(bytes) => {
                            let _ = stream.write_all(&bytes).await;
                            let _ = stream.flush().await;
                            std::future::pending::<()>().await;
                        }
                    }
                });
            }
        });
        ScriptedServer { address, heads }
    }

    /// `http://127.0.0.1:<port>` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The head (request line and headers) of every request, in order.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("not poisoned").clone()
    }
}

/// The value of header `name` in a raw request head.
pub fn request_header(head: &str, name: &str) -> Option<String> {
    head_header(head, name)
}

/// A raw HTTP/1.1 answer: status line, `headers` (each without its CRLF), a
/// `content-length` of `length` (the length the body should have, which the
/// bytes written may fall short of), and `body`.
pub fn raw_answer(status: &str, headers: &[&str], length: usize, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for line in headers {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(&format!(
        "content-length: {length}\r\nconnection: close\r\n\r\n"
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}
