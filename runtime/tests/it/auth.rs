//! Authentication: a static token or a provider asked before every attempt
//! (so retries use a refreshed token), provider failures as `Error::Auth`,
//! and tokens kept out of `Debug` output.
//!
//! Through the runtime's own API: a `TestClient` and the hand-written `GetItem`
//! operation, as a generated crate writes it, on a loopback server. Hand-written.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use openapi_client_runtime::{AccessToken, TokenFuture, TokenProvider};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::support::{
    failure, fast_retries, header, item_ok, received, script, CountingTokens, Error, GetItem,
    TestClient as Client,
};

async fn serve(server: &MockServer, responder: impl wiremock::Respond + 'static) {
    Mock::given(method("GET"))
        .and(path(GetItem::path()))
        .respond_with(responder)
        .mount(server)
        .await;
}

#[tokio::test]
async fn provider_is_asked_for_every_request() {
    let server = MockServer::start().await;
    serve(&server, item_ok()).await;
    let tokens = CountingTokens::default();
    let client = Client::builder()
        .base_url(server.uri())
        .token_provider(tokens.closure())
        .build()
        .expect("valid");

    client.send(GetItem::new()).await.expect("first");
    client.send(GetItem::new()).await.expect("second");

    let requests = received(&server).await;
    let sent: Vec<_> = requests
        .iter()
        .map(|r| header(r, "authorization"))
        .collect();
    assert_eq!(sent, [Some("Bearer token-1"), Some("Bearer token-2")]);
    assert_eq!(tokens.calls(), 2);
}

#[tokio::test]
async fn a_retried_attempt_uses_a_fresh_token() {
    let server = MockServer::start().await;
    serve(&server, script([failure(503, "busy"), item_ok()])).await;
    let tokens = CountingTokens::default();
    let client = Client::builder()
        .base_url(server.uri())
        .token_provider(tokens.closure())
        .retry_policy(fast_retries())
        .build()
        .expect("valid");

    client
        .send(GetItem::new())
        .await
        .expect("second attempt succeeds");

    let requests = received(&server).await;
    let sent: Vec<_> = requests
        .iter()
        .map(|r| header(r, "authorization"))
        .collect();
    assert_eq!(sent, [Some("Bearer token-1"), Some("Bearer token-2")]);
}

#[tokio::test]
async fn token_fn_accepts_an_async_closure_with_question_marks() {
    let server = MockServer::start().await;
    serve(&server, item_ok()).await;
    let client = Client::builder()
        .base_url(server.uri())
        // The shape of a real provider: await something fallible, then wrap it.
        .token_fn(|| async {
            let raw: String = "Bearer from-closure".parse()?;
            Ok(AccessToken::bearer(raw))
        })
        .build()
        .expect("valid");

    client.send(GetItem::new()).await.expect("ok");

    let requests = received(&server).await;
    assert_eq!(
        header(&requests[0], "authorization"),
        Some("Bearer from-closure")
    );
}

/// A provider with its own state, as an SDK's auth client would be.
struct Rotating {
    calls: AtomicUsize,
}

impl TokenProvider for Rotating {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            Ok(AccessToken::new("Bearer", format!("rotated-{n}")))
        })
    }
}

#[tokio::test]
async fn a_trait_object_provider_can_be_shared_between_clients() {
    let server = MockServer::start().await;
    serve(&server, item_ok()).await;
    let provider = Arc::new(Rotating {
        calls: AtomicUsize::new(0),
    });
    let first = Client::builder()
        .base_url(server.uri())
        .token_provider(Arc::clone(&provider))
        .build()
        .expect("valid");
    let second = Client::builder()
        .base_url(server.uri())
        .token_provider(Arc::clone(&provider))
        .build()
        .expect("valid");

    first.send(GetItem::new()).await.expect("ok");
    second.send(GetItem::new()).await.expect("ok");

    let requests = received(&server).await;
    let sent: Vec<_> = requests
        .iter()
        .map(|r| header(r, "authorization"))
        .collect();
    assert_eq!(sent, [Some("Bearer rotated-0"), Some("Bearer rotated-1")]);
}

#[tokio::test]
async fn other_schemes_are_sent_as_given() {
    let server = MockServer::start().await;
    serve(&server, item_ok()).await;
    let client = Client::builder()
        .base_url(server.uri())
        .token_fn(|| async { Ok(AccessToken::new("Basic", "dXNlcjpwYXNz")) })
        .build()
        .expect("valid");

    client.send(GetItem::new()).await.expect("ok");

    let requests = received(&server).await;
    assert_eq!(
        header(&requests[0], "authorization"),
        Some("Basic dXNlcjpwYXNz")
    );
}

#[tokio::test]
async fn a_static_token_is_sent_on_every_attempt() {
    let server = MockServer::start().await;
    serve(&server, script([failure(502, "gateway"), item_ok()])).await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token("Bearer fixed")
        .retry_policy(fast_retries())
        .build()
        .expect("valid");

    client.send(GetItem::new()).await.expect("ok");

    let requests = received(&server).await;
    let sent: Vec<_> = requests
        .iter()
        .map(|r| header(r, "authorization"))
        .collect();
    assert_eq!(sent, [Some("Bearer fixed"), Some("Bearer fixed")]);
}

#[tokio::test]
async fn provider_failure_is_an_auth_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    serve(&server, item_ok()).await;
    let client = Client::builder()
        .base_url(server.uri())
        .token_fn(|| async { Err("refresh token expired".into()) })
        .retry_policy(fast_retries())
        .build()
        .expect("valid");

    let error = client.send(GetItem::new()).await.expect_err("no token");

    let Error::Auth(source) = &error else {
        panic!("expected Error::Auth, got {error:?}");
    };
    assert_eq!(source.to_string(), "refresh token expired");
    assert_eq!(error.to_string(), "could not obtain an access token");
    assert_eq!(
        std::error::Error::source(&error).map(ToString::to_string),
        Some("refresh token expired".to_owned())
    );
    assert_eq!(error.status(), None);
    assert!(received(&server).await.is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn an_unusable_token_from_a_provider_is_an_auth_error() {
    let server = MockServer::start().await;
    serve(&server, item_ok()).await;
    for token in [
        AccessToken::bearer("  "),
        AccessToken::bearer("secret\r\nX-Injected: 1"),
        AccessToken::new("Bad Scheme", "secret"),
    ] {
        let client = Client::builder()
            .base_url(server.uri())
            .token_fn(move || std::future::ready(Ok(token.clone())))
            .build()
            .expect("valid");

        let error = client.send(GetItem::new()).await.expect_err("unusable");

        assert!(matches!(error, Error::Auth(_)), "{error:?}");
        let chain = format!("{error} / {:?}", std::error::Error::source(&error));
        assert!(!chain.contains("secret"), "the token leaked: {chain}");
    }
    assert!(received(&server).await.is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn the_provider_is_not_asked_for_invalid_requests() {
    let tokens = CountingTokens::default();
    let client = Client::builder()
        .base_url("http://127.0.0.1:1")
        .token_provider(tokens.closure())
        .build()
        .expect("valid");

    let error = client
        .send(GetItem { id: String::new() })
        .await
        .expect_err("empty id");

    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert_eq!(tokens.calls(), 0);
}

#[test]
fn debug_output_never_contains_a_token() {
    let token = AccessToken::bearer("eyJ-provider-secret");
    assert_eq!(token.scheme(), "Bearer");
    assert_eq!(token.token(), "eyJ-provider-secret");
    let provided = token.clone();
    let builder = Client::builder().token_fn(move || std::future::ready(Ok(provided.clone())));
    let client = builder.clone().build().expect("valid");
    let static_builder = Client::builder().bearer_token("eyJ-static-secret");
    let static_client = static_builder.clone().build().expect("valid");
    for text in [
        format!("{token:?}"),
        format!("{builder:?}"),
        format!("{client:#?}"),
        format!("{static_builder:?}"),
        format!("{static_client:?}"),
    ] {
        assert!(!text.contains("secret"), "token leaked: {text}");
    }
}
