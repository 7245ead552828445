//! Helpers of the runtime's integration tests: a client of the runtime's own (what
//! a generated crate's `Client` is, in a few lines), and loopback servers.
//!
//! Hand-written.

// Each test module uses a different subset.
#![allow(dead_code)]

mod servers;
pub use servers::*;

use std::time::Duration;

use openapi_client_runtime::{
    ApiClient, ClientBuilder, Download, Href, HttpClient, Jitter, RetryPolicy, Upload, UploadBody,
};

/// The token every test client sends.
pub const TOKEN: &str = "test-token";

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

/// Retries as the defaults do, minus the waiting, so tests stay fast and their
/// timing is predictable.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::new()
        .initial_backoff(Duration::from_millis(5))
        .jitter(Jitter::None)
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

/// Runs the test `name` (`module::test`, `#[ignore]`d so that only this runs it)
/// in a process of its own: this test binary again, filtered to that one test.
/// For what one process of many tests cannot hold to, such as a peak resident
/// set. Fails unless that one test ran and passed.
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
    eprint!("{stderr}");
}
