//! The `Client` itself: it is `Clone + Send + Sync + 'static`, its request
//! futures are `Send`, its `Debug` output hides the token, clones share one
//! configuration, and its token, User-Agent and default headers reach the wire.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

use generated_client::{Client, DEFAULT_BASE_URL};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer};

use crate::support::{client_for, header, json, start, AUTHORIZATION, IMODEL_ID, ITWIN_ID, TOKEN};

const fn assert_client_bounds<T: Clone + Send + Sync + 'static>() {}
// Checked at compile time: the client can live in statics, `Arc`s and tasks.
const _: () = assert_client_bounds::<Client>();

const fn assert_error_bounds<T: std::error::Error + Send + Sync + 'static>() {}
// The error works with `?` into `Box<dyn Error + Send + Sync>` / `anyhow`.
const _: () = assert_error_bounds::<generated_client::Error>();
const _: () = assert_error_bounds::<generated_client::ApiError>();
const _: () = assert_error_bounds::<generated_client::runtime::DecodeError>();

fn assert_send<T: Send>(_: &T) {}

#[test]
fn request_builders_and_their_futures_are_send() {
    let client = Client::new(TOKEN).expect("valid");
    let builder = client.get_imodels(ITWIN_ID).top(1);
    assert_send(&builder);
    let future = builder.send();
    assert_send(&future);
    let future = client.get_thumbnail(IMODEL_ID).send();
    assert_send(&future);
}

#[test]
fn debug_output_never_contains_the_token() {
    let secret = "eyJhbGciOiJSUzI1NiJ9.super-secret";
    for token in [secret.to_owned(), format!("Bearer {secret}")] {
        let builder = Client::builder()
            .base_url("http://127.0.0.1:1")
            .bearer_token(token);
        let client = builder.clone().build().expect("valid");
        let request = client.get_imodel(IMODEL_ID);
        for text in [
            format!("{client:?}"),
            format!("{client:#?}"),
            format!("{builder:?}"),
            // Request builders hold a Client; their Debug must not leak either.
            format!("{request:?}"),
        ] {
            assert!(!text.contains(secret), "token leaked: {text}");
            assert!(!text.contains("super-secret"), "token leaked: {text}");
        }
        assert!(format!("{client:?}").contains("http://127.0.0.1:1"));
    }
    // The documented construction with the test token hides it as well.
    let client = Client::builder()
        .base_url("http://127.0.0.1:1")
        .bearer_token("test-token")
        .build()
        .expect("valid");
    assert!(!format!("{client:?}").contains("test-token"));
}

#[test]
fn default_base_url_is_the_specs_server() {
    let client = Client::new(TOKEN).expect("valid");
    assert_eq!(client.base_url(), DEFAULT_BASE_URL);
    assert_eq!(DEFAULT_BASE_URL, "https://api.bentley.com/imodels");
}

#[tokio::test]
async fn clones_share_configuration_across_tasks() {
    let (server, client) = start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, json!({ "iModels": [] })))
        .expect(4)
        .mount(&server)
        .await;

    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.get_imodels(ITWIN_ID).skip(i).send().await })
        })
        .collect();
    for task in tasks {
        let success = task.await.expect("joined").expect("200");
        assert_eq!(success.status().as_u16(), 200);
    }

    let received = server.received_requests().await.expect("recording");
    assert_eq!(received.len(), 4);
    let mut skips: Vec<String> = received
        .iter()
        .map(|request| {
            assert_eq!(header(request, "authorization"), Some(AUTHORIZATION));
            request
                .url
                .query_pairs()
                .find(|(name, _)| name == "$skip")
                .map(|(_, value)| value.into_owned())
                .expect("$skip sent")
        })
        .collect();
    skips.sort();
    assert_eq!(skips, ["0", "1", "2", "3"]);
}

#[tokio::test]
async fn token_prefix_user_agent_and_default_headers_reach_the_wire() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, json!({ "iModel": {} })))
        .mount(&server)
        .await;

    // A token that already carries the scheme is not prefixed twice.
    let prefixed = Client::with_base_url(server.uri(), "Bearer test-token").expect("valid");
    prefixed.get_imodel(IMODEL_ID).send().await.expect("200");

    let custom = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .user_agent("my-app/1.2")
        .default_header("X-Correlation-Id", "corr-7")
        // An operation's own Accept wins over a default one.
        .default_header("Accept", "text/plain")
        .build()
        .expect("valid");
    custom.get_imodel(IMODEL_ID).send().await.expect("200");

    // The token wins over an Authorization default header.
    let overridden = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .default_header("Authorization", "Basic c2VjcmV0")
        .build()
        .expect("valid");
    overridden.get_imodel(IMODEL_ID).send().await.expect("200");

    // Same server reached through the helper used everywhere else.
    client_for(&server)
        .get_imodel(IMODEL_ID)
        .send()
        .await
        .expect("200");

    let received = server.received_requests().await.expect("recording");
    assert_eq!(received.len(), 4);
    assert_eq!(header(&received[0], "authorization"), Some(AUTHORIZATION));
    assert_eq!(header(&received[1], "authorization"), Some(AUTHORIZATION));
    assert_eq!(header(&received[1], "user-agent"), Some("my-app/1.2"));
    assert_eq!(header(&received[1], "x-correlation-id"), Some("corr-7"));
    assert_eq!(header(&received[1], "accept"), Some("application/json"));
    assert_eq!(header(&received[2], "authorization"), Some(AUTHORIZATION));
    assert_eq!(
        received[2].headers.get_all("authorization").iter().count(),
        1
    );
    assert_eq!(
        header(&received[3], "user-agent"),
        Some(crate::support::USER_AGENT)
    );
}

#[tokio::test]
async fn a_client_without_a_token_sends_no_authorization() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, json!({ "iModel": {} })))
        .mount(&server)
        .await;
    let anonymous = Client::builder()
        .base_url(server.uri())
        .build()
        .expect("valid");
    anonymous.get_imodel(IMODEL_ID).send().await.expect("200");
    let received = server.received_requests().await.expect("recording");
    assert_eq!(header(&received[0], "authorization"), None);
}
