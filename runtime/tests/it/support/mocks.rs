//! Helpers around a `wiremock` server and a client's settings: the test token,
//! fast retries, error answers, answers from a script, what reached the server,
//! a token provider that counts; collecting a stream within a time limit; and
//! running one test alone in its process.
//!
//! Shared by the runtime's tests and the generated client's (whose support module
//! includes this file), so that there is one copy. Hand-written.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use openapi_client_runtime::{AccessToken, BoxError, Jitter, RetryPolicy};
use serde_json::json;
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

/// The token every test client sends.
pub const TOKEN: &str = "test-token";

/// Retries as the defaults do, minus the waiting, so tests stay fast and their
/// timing is predictable.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::new()
        .initial_backoff(Duration::from_millis(5))
        .jitter(Jitter::None)
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

/// Every result of `stream`, failing the test if it does not end in time: a
/// stream that never ends is the bug paging tests guard against.
pub async fn all<T>(stream: impl futures_util::Stream<Item = T>) -> Vec<T> {
    use futures_util::StreamExt;
    tokio::time::timeout(Duration::from_secs(10), stream.collect())
        .await
        .expect("the stream ends")
}

/// Runs the test `name` (`module::test`, `#[ignore]`d so that only this runs it)
/// in a process of its own: this test binary again, filtered to that one test.
/// For what one process of many tests cannot share or hold to: its working
/// directory, its environment, a peak resident set. Fails unless that one test
/// ran and passed; its standard error is passed on.
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
