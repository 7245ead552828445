//! Headers and content negotiation: the client-wide `Accept` override, JSON
//! decoding of vendor `+json` media types, default and per-call headers and
//! their precedence, and the User-Agent.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

use generated_client::runtime::{Method, Request, RequestOptions};
use generated_client::{Client, Error, RetryPolicy};
use wiremock::matchers::{header as has_header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::Execute;
use crate::support::{
    builder_for, client_for, header, imodel_json, imodel_ok, received, IMODEL_ID,
};

const V2: &str = "application/vnd.bentley.itwin-platform.v2+json";

/// A hand-built `GetIModel` request, the way generated builders make one, so
/// per-call options can be applied before the builders expose them.
fn get_imodel_request() -> Request {
    let mut request = Request::new(
        "GetIModel",
        Method::GET,
        "/{iModelId}",
        format!("/{IMODEL_ID}"),
    );
    request.accept("application/json");
    request
}

async fn serve_imodel(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}")))
        .respond_with(response)
        .mount(server)
        .await;
}

#[tokio::test]
async fn accept_override_is_sent_and_vendor_json_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}")))
        .and(has_header("accept", V2))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(imodel_json().to_string(), &format!("{V2}; charset=utf-8")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder_for(&server).accept(V2).build().expect("valid");

    let imodel = client
        .get_imodel(IMODEL_ID)
        .send()
        .await
        .expect("200")
        .into_inner();

    assert_eq!(imodel.id, Some(IMODEL_ID));
    assert_eq!(imodel.display_name.as_deref(), Some("Bridge"));
    let requests = received(&server).await;
    assert_eq!(requests[0].headers.get_all("accept").iter().count(), 1);
}

#[tokio::test]
async fn accept_override_applies_to_every_operation() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("png", "image/png"))
        .mount(&server)
        .await;
    let client = builder_for(&server).accept(V2).build().expect("valid");

    client.get_thumbnail(IMODEL_ID).send().await.expect("200");

    let requests = received(&server).await;
    assert_eq!(header(&requests[0], "accept"), Some(V2));
}

#[tokio::test]
async fn without_an_override_each_operation_sends_its_own_accept() {
    let server = MockServer::start().await;
    serve_imodel(&server, imodel_ok()).await;
    let client = client_for(&server);

    client.get_imodel(IMODEL_ID).send().await.expect("200");

    let requests = received(&server).await;
    assert_eq!(header(&requests[0], "accept"), Some("application/json"));
}

#[tokio::test]
async fn problem_json_and_missing_content_type_still_decode() {
    for response in [
        ResponseTemplate::new(200)
            .set_body_raw(imodel_json().to_string(), "application/problem+json"),
        // No content type at all: JSON is still attempted.
        ResponseTemplate::new(200).set_body_bytes(imodel_json().to_string()),
    ] {
        let server = MockServer::start().await;
        serve_imodel(&server, response).await;
        let client = client_for(&server);

        let imodel = client
            .get_imodel(IMODEL_ID)
            .send()
            .await
            .expect("200")
            .into_inner();

        assert_eq!(imodel.id, Some(IMODEL_ID));
    }
}

#[tokio::test]
async fn a_non_json_answer_names_its_content_type() {
    let server = MockServer::start().await;
    serve_imodel(
        &server,
        ResponseTemplate::new(200).set_body_raw("<html>sign in</html>", "text/html"),
    )
    .await;
    let client = client_for(&server);

    let error = client.get_imodel(IMODEL_ID).send().await.expect_err("HTML");

    let Error::Decode(decode) = &error else {
        panic!("expected Error::Decode, got {error:?}");
    };
    assert!(
        decode
            .message()
            .contains("content type is `text/html`, not JSON"),
        "{error}"
    );
}

#[tokio::test]
async fn default_and_per_call_headers_both_arrive_with_the_user_agent() {
    let server = MockServer::start().await;
    serve_imodel(&server, imodel_ok()).await;
    let client = builder_for(&server)
        .default_header("X-Client-Tag", "from-client")
        .build()
        .expect("valid");
    let mut request = get_imodel_request();
    request.options(
        RequestOptions::new()
            .header("X-Correlation-Id", "job-42")
            .header("X-Multi", "a")
            .header("X-Multi", "b"),
    );

    client.execute(request).await.expect("200");

    let requests = received(&server).await;
    let sent = &requests[0];
    assert_eq!(header(sent, "x-client-tag"), Some("from-client"));
    assert_eq!(header(sent, "x-correlation-id"), Some("job-42"));
    let multi: Vec<_> = sent.headers.get_all("x-multi").iter().collect();
    assert_eq!(multi, ["a", "b"]);
    let user_agent = format!("generated-client/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(header(sent, "user-agent"), Some(user_agent.as_str()));
    assert_eq!(
        header(sent, "authorization"),
        Some(crate::support::AUTHORIZATION)
    );
}

#[tokio::test]
async fn per_call_headers_win_over_defaults_and_the_operations_accept() {
    let server = MockServer::start().await;
    serve_imodel(&server, imodel_ok()).await;
    let client = builder_for(&server)
        .default_header("X-Tenant", "default")
        .accept(V2)
        .build()
        .expect("valid");
    let mut request = get_imodel_request();
    request.options(
        RequestOptions::new()
            .header("x-tenant", "per-call")
            .header("Accept", "application/json"),
    );

    client.execute(request).await.expect("200");

    let requests = received(&server).await;
    let sent = &requests[0];
    let tenants: Vec<_> = sent.headers.get_all("x-tenant").iter().collect();
    assert_eq!(tenants, ["per-call"]);
    let accepts: Vec<_> = sent.headers.get_all("accept").iter().collect();
    assert_eq!(accepts, ["application/json"]);
}

#[tokio::test]
async fn a_per_call_authorization_replaces_the_token_provider() {
    let server = MockServer::start().await;
    serve_imodel(&server, imodel_ok()).await;
    let tokens = crate::support::CountingTokens::default();
    let client = Client::builder()
        .base_url(server.uri())
        .token_provider(tokens.closure())
        .build()
        .expect("valid");
    let mut request = get_imodel_request();
    request.options(RequestOptions::new().header("Authorization", "Bearer on-behalf-of"));

    client.execute(request).await.expect("200");

    let requests = received(&server).await;
    let sent: Vec<_> = requests[0]
        .headers
        .get_all("authorization")
        .iter()
        .collect();
    assert_eq!(sent, ["Bearer on-behalf-of"]);
    assert_eq!(tokens.calls(), 0, "the provider is not asked");
}

#[tokio::test]
async fn the_token_wins_over_a_default_authorization_header() {
    let server = MockServer::start().await;
    serve_imodel(&server, imodel_ok()).await;
    let client = builder_for(&server)
        .default_header("Authorization", "Bearer stale")
        .build()
        .expect("valid");

    client.get_imodel(IMODEL_ID).send().await.expect("200");

    let requests = received(&server).await;
    let sent: Vec<_> = requests[0]
        .headers
        .get_all("authorization")
        .iter()
        .collect();
    assert_eq!(sent, [crate::support::AUTHORIZATION]);
}

#[tokio::test]
async fn an_invalid_per_call_header_is_an_invalid_request_and_nothing_is_sent() {
    let server = MockServer::start().await;
    serve_imodel(&server, imodel_ok()).await;
    let client = client_for(&server);

    for options in [
        RequestOptions::new().header("bad name", "x"),
        RequestOptions::new().header("X-Key", "line\r\nX-Injected: 1"),
    ] {
        let mut request = get_imodel_request();
        request.options(options);
        let error = client.execute(request).await.expect_err("invalid header");
        assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
        assert!(!error.to_string().contains("X-Injected"), "{error}");
    }
    assert!(received(&server).await.is_empty(), "nothing may be sent");
}

#[test]
fn debug_output_hides_per_call_header_values() {
    let mut request = get_imodel_request();
    request.options(RequestOptions::new().header("X-Api-Key", "very-secret"));
    let text = format!("{request:?}");
    assert!(text.contains("X-Api-Key"), "{text}");
    assert!(!text.contains("very-secret"), "{text}");
}

/// `with_header`, `with_query`, `with_timeout` and `with_retry` exist once, on every
/// operation's `Request`, and reach the wire.
#[tokio::test]
async fn per_call_options_of_the_generic_request_reach_the_server() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}")))
        .respond_with(crate::support::failure(503, "busy"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    serve_imodel(&server, imodel_ok()).await;
    let client = client_for(&server);

    let imodel = client
        .get_imodel(IMODEL_ID)
        .with_header("Prefer", "return=minimal")
        .with_query("$select", "id,display name")
        .with_query("$select", "state")
        .with_timeout(std::time::Duration::from_secs(5))
        .with_retry(RetryPolicy::disabled())
        .send()
        .await;
    // No retry for this call: the 503 is the answer.
    assert!(
        matches!(&imodel, Err(Error::Api(e)) if e.status() == 503),
        "{imodel:?}"
    );
    let imodel = client
        .get_imodel(IMODEL_ID)
        .with_query("$select", "id")
        .send()
        .await
        .expect("200");
    assert_eq!(imodel.display_name.as_deref(), Some("Bridge"));

    let requests = received(&server).await;
    assert_eq!(requests.len(), 2, "the first call was not retried");
    assert_eq!(header(&requests[0], "prefer"), Some("return=minimal"));
    assert_eq!(
        requests[0].url.query(),
        Some("$select=id%2Cdisplay%20name&$select=state")
    );
    // Per-call options belong to their call only.
    assert_eq!(header(&requests[1], "prefer"), None);
    assert_eq!(requests[1].url.query(), Some("$select=id"));
}
