//! Behaviour of the `security` fixture's generated client on the wire (hand-written
//! test, copied into the fixture crate as `tests/behaviour.rs` and run by
//! `generator/tests/fixtures_compile.rs`): each operation sends exactly the
//! credentials its security requirement asks for, read from the raw request bytes
//! a loopback socket recorded, and none of the others.

mod support;

use fixture_security::{schemes, Client, ClientBuilder, Error};
use support::Recorder;

/// Every credential the tests configure, as it appears on the wire: none may show
/// up in a request unless its row expects it.
const SECRETS: &[&str] = &[
    "client-token",
    "oauth-token",
    "dXNlcjpwYXNz",
    "hk-secret",
    "qk%20secret",
    "ck%3Bsecret",
    "dgst-secret",
];

/// What `user:pass` is in base64 (RFC 7617's encoding of the basic credentials).
const BASIC: &str = "authorization: Basic dXNlcjpwYXNz";
const CLIENT_BEARER: &str = "authorization: Bearer client-token";
const HEADER_KEY: &str = "x-api-key: hk-secret";
/// `qk secret/&`, percent-encoded as a query value.
const QUERY_KEY: &str = "api_key=qk%20secret%2F%26";

/// A credential for every scheme: the client's token, a token of its own for
/// `oauth`, basic, the three API keys and a Digest credential.
fn everything(builder: ClientBuilder) -> ClientBuilder {
    builder
        .bearer_token("client-token")
        .scheme_token(schemes::OAUTH, "oauth-token")
        .basic_auth(schemes::BASIC, "user", "pass")
        .api_key(schemes::HEADER_KEY, "hk-secret")
        .api_key(schemes::QUERY_KEY, "qk secret/&")
        .api_key(schemes::COOKIE_KEY, "ck;secret")
        .http_credentials(schemes::DIGEST, "dgst-secret")
}

/// Sends the operation named `call` and gives back its raw request.
async fn send(client: &Client, recorder: &Recorder, call: &str) -> String {
    let sent = match call {
        "bearer_default" => client.bearer_default().send().await.map(drop),
        "basic_only" => client.basic_only().send().await.map(drop),
        "header_key" => client.header_key().send().await.map(drop),
        "query_key" => client.query_key().q("a b").send().await.map(drop),
        "cookie_key" => client.cookie_key().theme("dark").send().await.map(drop),
        "oauth_scoped" => client.oauth_scoped().send().await.map(drop),
        "open_id_connect" => client.open_id_connect().send().await.map(drop),
        "other_http_scheme" => client.other_http_scheme().send().await.map(drop),
        "public_info" => client.public_info().send().await.map(drop),
        "either_key_or_basic" => client.either_key_or_basic().send().await.map(drop),
        "both_keys" => client.both_keys().send().await.map(drop),
        "anonymous_allowed" => client.anonymous_allowed().send().await.map(drop),
        "undeclared_scheme" => client.undeclared_scheme().send().await.map(drop),
        "mutual_tls" => client.mutual_tls().send().await.map(drop),
        "mutual_tls_and_key" => client.mutual_tls_and_key().send().await.map(drop),
        "oauth_with_call_header" => client
            .oauth_scoped()
            .with_header("Authorization", "Bearer per-call")
            .send()
            .await
            .map(drop),
        other => panic!("no such call: {other}"),
    };
    sent.unwrap_or_else(|error| panic!("{call}: {error}"));
    recorder.take_one()
}

/// Asserts that `request` carries each of `expected` and no other credential.
fn assert_credentials(label: &str, request: &str, expected: &[&str]) {
    let head = request.to_ascii_lowercase();
    for line in expected {
        assert!(
            head.contains(&line.to_ascii_lowercase()),
            "{label}: `{line}` missing from\n{request}"
        );
    }
    for secret in SECRETS {
        let wanted = expected.iter().any(|line| line.contains(secret));
        assert!(
            wanted || !request.contains(secret),
            "{label}: `{secret}` sent though not declared:\n{request}"
        );
    }
}

#[tokio::test]
async fn each_operation_sends_exactly_what_its_requirement_asks() {
    let recorder = Recorder::start().await;
    let client = everything(Client::builder().base_url(recorder.url()))
        .build()
        .expect("valid");
    // (operation, what its request must carry; nothing else may be sent)
    let rows: &[(&str, &[&str])] = &[
        // The document's `security: [{bearer: []}]`.
        ("bearer_default", &[CLIENT_BEARER]),
        ("basic_only", &[BASIC]),
        ("header_key", &[HEADER_KEY]),
        (
            "query_key",
            &["GET /query-key?q=a%20b&api_key=qk%20secret%2F%26 HTTP/1.1"],
        ),
        // Joined with the cookie parameter in one header, the key percent-encoded.
        ("cookie_key", &["cookie: theme=dark; session=ck%3Bsecret"]),
        // The scheme's own token wins over the client's.
        ("oauth_scoped", &["authorization: Bearer oauth-token"]),
        ("open_id_connect", &[CLIENT_BEARER]),
        ("other_http_scheme", &["authorization: Digest dgst-secret"]),
        // `security: []`.
        ("public_info", &[]),
        // OR: the first alternative the client is configured for.
        ("either_key_or_basic", &[HEADER_KEY]),
        // AND: both.
        ("both_keys", &[HEADER_KEY, QUERY_KEY]),
        // `{}` first: anonymous allowed, nothing sent.
        ("anonymous_allowed", &[]),
        // The undeclared scheme's alternative is dropped (a warning at generation).
        ("undeclared_scheme", &[BASIC]),
        // A client certificate is the connection's: nothing in the request.
        ("mutual_tls", &[]),
        ("mutual_tls_and_key", &[HEADER_KEY]),
        // A per-call Authorization header replaces the scheme's.
        (
            "oauth_with_call_header",
            &["authorization: Bearer per-call"],
        ),
    ];
    for (call, expected) in rows {
        let request = send(&client, &recorder, call).await;
        assert_credentials(call, &request, expected);
        assert_eq!(
            request
                .to_ascii_lowercase()
                .matches("authorization:")
                .count(),
            usize::from(expected.iter().any(|e| e.starts_with("authorization"))),
            "{call}: one Authorization header at most:\n{request}"
        );
    }
}

#[tokio::test]
async fn alternatives_fall_back_and_incomplete_ones_send_nothing() {
    type Configure = fn(ClientBuilder) -> ClientBuilder;
    // (what the client is configured with, operation, what is sent)
    let rows: &[(&str, Configure, &str, &[&str])] = &[
        (
            "basic only",
            |b| b.basic_auth(schemes::BASIC, "user", "pass"),
            "either_key_or_basic",
            &[BASIC],
        ),
        (
            "header key only",
            |b| b.api_key(schemes::HEADER_KEY, "hk-secret"),
            "both_keys",
            &[],
        ),
        (
            "header key only",
            |b| b.api_key(schemes::HEADER_KEY, "hk-secret"),
            "anonymous_allowed",
            &[],
        ),
        (
            "client token only",
            |b| b.bearer_token("client-token"),
            "header_key",
            &[],
        ),
        (
            "client token only",
            |b| b.bearer_token("client-token"),
            "basic_only",
            &[],
        ),
        (
            "client token only",
            |b| b.bearer_token("client-token"),
            "oauth_scoped",
            &[CLIENT_BEARER],
        ),
        ("nothing", |b| b, "bearer_default", &[]),
        ("nothing", |b| b, "either_key_or_basic", &[]),
    ];
    for (configured, configure, call, expected) in rows {
        let recorder = Recorder::start().await;
        let client = configure(Client::builder().base_url(recorder.url()))
            .build()
            .expect("valid");
        let request = send(&client, &recorder, call).await;
        assert_credentials(&format!("{configured}, {call}"), &request, expected);
    }
}

#[tokio::test]
async fn a_redirect_to_another_origin_takes_no_credential_along() {
    let elsewhere = Recorder::start().await;
    let redirecting = Recorder::answering(format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: {}/stolen\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        elsewhere.url()
    ))
    .await;
    let client = everything(Client::builder().base_url(redirecting.url()))
        .build()
        .expect("valid");
    let answer = client.both_keys().send().await;
    assert!(matches!(answer, Err(Error::Api(_))), "{answer:?}");
    let request = redirecting.take_one();
    assert_credentials("redirecting", &request, &[HEADER_KEY, QUERY_KEY]);
    assert!(elsewhere.take().is_empty(), "the redirect was followed");
}

#[test]
fn bad_credentials_fail_the_build_without_quoting_them() {
    let cases: [(&str, ClientBuilder); 3] = [
        (
            "newline",
            Client::builder().api_key(schemes::HEADER_KEY, "a\nsecret"),
        ),
        ("empty", Client::builder().api_key(schemes::QUERY_KEY, "")),
        (
            "colon",
            Client::builder().basic_auth(schemes::BASIC, "us:er", "secret"),
        ),
    ];
    for (label, builder) in cases {
        let error = builder.build().expect_err(label);
        assert!(
            matches!(error, Error::InvalidRequest(_)),
            "{label}: {error:?}"
        );
        assert!(!error.to_string().contains("secret"), "{label}: {error}");
    }
}

#[test]
fn scheme_constants_name_their_keys() {
    assert_eq!(schemes::HEADER_KEY.key(), "header_key");
    assert_eq!(schemes::OAUTH.key(), "oauth");
    assert_eq!(schemes::BASIC.key(), "basic");
    assert_eq!(schemes::DIGEST.key(), "digest");
}

#[tokio::test]
async fn links_send_what_the_documents_requirement_asks() {
    let body = "{}";
    let recorder = Recorder::answering(format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ))
    .await;
    let client = everything(Client::builder().base_url(recorder.url()))
        .build()
        .expect("valid");
    let link = format!("{}/things/1", recorder.url());
    client
        .get_link::<fixture_security::serde_json::Value>(link.as_str())
        .await
        .expect("the link answers");
    let request = recorder.take_one();
    assert!(request.starts_with("GET /things/1 HTTP/1.1\r\n"), "{request}");
    // The document's `security: [{bearer: []}]`: the client's token, nothing else.
    assert_credentials("get_link", &request, &[CLIENT_BEARER]);
}
