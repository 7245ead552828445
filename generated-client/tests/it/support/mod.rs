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
/// The loopback servers, shared with the runtime's tests.
#[path = "../../../../runtime/tests/it/support/servers.rs"]
mod servers;
pub use servers::*;

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
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

/// Runs the test `name` (`module::test`, `#[ignore]`d so that only this runs it)
/// in a process of its own: this test binary again, filtered to that one test.
/// For what one process of many tests cannot share: its working directory, its
/// environment. Fails unless that one test ran and passed.
pub fn run_alone(name: &str) {
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            name,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("running 1 test"),
        "`{name}` alone: {}\n{stdout}\n{stderr}",
        output.status
    );
}
