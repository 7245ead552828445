//! Helpers for the runtime tests (`auth.rs`, `headers.rs`, `retry.rs`): a
//! loopback `wiremock` server answering from a script, a client with fast
//! retries, a token provider that counts, and a bare TCP server for failures
//! `wiremock` cannot stage.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

// Each test file compiles its own copy of this module and uses a different
// subset of it.
#![allow(dead_code)]

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

pub const IMODEL_ID: Uuid = uuid!("5e19bee0-3aea-4355-a9f0-c6df9989ee7d");
pub const ITWIN_ID: Uuid = uuid!("a1b2c3d4-0000-4000-8000-00000000000a");
pub const TOKEN: &str = "static-token";

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

/// An iModel as the API returns it.
pub fn imodel_json() -> serde_json::Value {
    json!({ "id": IMODEL_ID, "displayName": "Bridge", "state": "initialized" })
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
    let mut data = Vec::new();
    let mut buffer = [0_u8; 4096];
    loop {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&data);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())
                        .flatten()
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return Some(String::from_utf8_lossy(&data).into_owned());
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
