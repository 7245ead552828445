//! Helpers of the runtime's integration tests: a client of the runtime's own (what
//! a generated crate's `Client` is, in a few lines), a few operations as a
//! generated crate writes them, `wiremock` helpers, loopback servers, and a
//! `tracing` subscriber that keeps what it is given.
//!
//! Hand-written.

// Each test module uses a different subset.
#![allow(dead_code)]

pub mod capture;
mod mocks;
mod operations;
mod servers;
pub use mocks::*;
pub use operations::*;
pub use servers::*;

use openapi_client_runtime::{
    ApiClient, ClientBuilder, Download, Href, HttpClient, Operation, RawResponse, Request,
    RequestOptions, Upload, UploadBody,
};
use wiremock::MockServer;

/// The error a [`TestClient`] returns: its error bodies are any JSON.
pub type Error = openapi_client_runtime::Error<serde_json::Value>;

/// A client as a generated crate defines one: a newtype of [`HttpClient`]
/// implementing [`ApiClient`].
#[derive(Clone, Debug)]
pub struct TestClient(HttpClient);

impl From<HttpClient> for TestClient {
    fn from(http: HttpClient) -> Self {
        TestClient(http)
    }
}

impl ApiClient for TestClient {
    type ErrorBody = serde_json::Value;
    // Nothing listens there: a test that forgets its base URL fails fast.
    const DEFAULT_BASE_URL: &'static str = "http://127.0.0.1:9";
    const USER_AGENT: &'static str = "runtime-tests/0";

    fn http(&self) -> &HttpClient {
        &self.0
    }
}

impl TestClient {
    pub fn builder() -> ClientBuilder<TestClient> {
        ClientBuilder::new()
    }

    /// Sends `operation` and decodes its answer, as a generated
    /// `Request::send` does.
    pub async fn send<O: Operation>(&self, operation: O) -> Result<O::Output, Error> {
        self.send_with(operation, RequestOptions::new()).await
    }

    /// [`Self::send`] with per-call options, as a generated `Request` gets them
    /// from `with_retry`, `with_timeout`, `with_header` and `with_query`.
    pub async fn send_with<O: Operation>(
        &self,
        operation: O,
        options: RequestOptions,
    ) -> Result<O::Output, Error> {
        openapi_client_runtime::send(&self.0, operation, options).await
    }

    /// Sends a hand-built request and returns the 2xx answer undecoded, for
    /// checks on bytes that no operation's decoding should get in the way of.
    pub async fn execute(&self, request: Request) -> Result<RawResponse, Error> {
        self.0
            .execute(request)
            .await
            .map_err(openapi_client_runtime::Error::parse_body)
    }

    /// As a generated `Client::download_from`.
    pub fn download_from(&self, link: impl Href) -> Download<serde_json::Value> {
        self.0.download(link)
    }

    /// As a generated `Client::upload_to`.
    pub fn upload_to(
        &self,
        link: impl Href,
        body: impl Into<UploadBody>,
    ) -> Upload<serde_json::Value> {
        self.0.upload(link, body)
    }
}

/// A builder for a client of `server` with a static token and [`fast_retries`].
pub fn builder_for(server: &MockServer) -> ClientBuilder<TestClient> {
    TestClient::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry_policy(fast_retries())
}

/// A client of `server` with a static token and [`fast_retries`].
pub fn client_for(server: &MockServer) -> TestClient {
    builder_for(server).build().expect("valid settings")
}

/// A client as a service would configure it for an API: a token and a default
/// header, neither of which may reach a storage host.
pub fn storage_client() -> TestClient {
    TestClient::builder()
        .bearer_token(TOKEN)
        .default_header("X-Tenant", "tenant-secret")
        .retry_policy(fast_retries())
        .build()
        .expect("valid settings")
}
