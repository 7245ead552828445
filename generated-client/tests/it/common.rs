//! Shared helpers for the integration tests: a loopback `wiremock` server, a
//! client pointed at it, fixed IDs, and checks on what reached the server.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

// Each test file compiles its own copy of this module and uses a different
// subset of it.
#![allow(dead_code)]

use generated_client::Client;
use uuid::{uuid, Uuid};
use wiremock::{MockServer, Request, ResponseTemplate};

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

/// A running mock server and a client whose base URL is the server's root.
pub async fn start() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = client_for(&server);
    (server, client)
}

/// A client for `server`, built the way the crate documents.
pub fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .build()
        .expect("a loopback base URL and a token are valid")
}

/// A response with a JSON body and `Content-Type: application/json`.
pub fn json(status: u16, body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// The one request the server received; fails if there were none or several.
pub async fn only_request(server: &MockServer) -> Request {
    let mut received = server
        .received_requests()
        .await
        .expect("request recording is on by default");
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

/// A request header as text, if present.
pub fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers
        .get(name)
        .map(|value| value.to_str().expect("ASCII header value"))
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
