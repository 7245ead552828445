//! Helpers of the integration tests: a loopback `wiremock` server and a client
//! pointed at it (fast retries, a fixed token), fixed IDs, checks on what reached
//! the server, a server answering from a script, a token provider that counts,
//! loopback servers for failures `wiremock` cannot stage (`imodels_api`: a
//! stand-in for the live API). What is not about this API is shared with the
//! runtime's tests, included from `runtime/tests/it/support`.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

// Each test module uses a different subset.
#![allow(dead_code)]

pub mod imodels_api;
/// `wiremock` helpers, the token, fast retries, shared with the runtime's tests.
#[path = "../../../../runtime/tests/it/support/mocks.rs"]
mod mocks;
pub use mocks::*;
/// The loopback servers, shared with the runtime's tests.
#[path = "../../../../runtime/tests/it/support/servers.rs"]
mod servers;
pub use servers::*;

use generated_client::{Client, ClientBuilder};
use serde_json::json;
use uuid::{uuid, Uuid};
use wiremock::{MockServer, Request, ResponseTemplate};

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
