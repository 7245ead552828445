//! Failures: non-2xx answers with and without the spec's Error body, success
//! bodies that do not decode, refused connections, timeouts and invalid
//! client settings, each checked for the `Error` variant and what it keeps.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

use std::time::{Duration, Instant};

use generated_client::models::{ErrorBody, ErrorCode, ErrorDetail, ErrorInfo};
use generated_client::runtime::StatusCode;
use generated_client::{Client, Error};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{json, start, IMODEL_ID, ITWIN_ID, TOKEN};

// ------------------------------------------------------------ API errors

#[tokio::test]
async fn not_found_is_an_api_error_with_the_parsed_error_body() {
    let (server, client) = start().await;
    let body = json!({
        "error": {
            "code": "iModelNotFound",
            "message": "Requested iModel is not available.",
            "details": [{ "code": "x", "message": "y" }]
        }
    });
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}")))
        .respond_with(json(404, body.clone()).insert_header("x-correlation-id", "corr-404"))
        .expect(1)
        .mount(&server)
        .await;

    let error = client.get_imodel(IMODEL_ID).send().await.expect_err("404");
    assert_eq!(error.status(), Some(StatusCode::NOT_FOUND));
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert_eq!(api.headers()["x-correlation-id"], "corr-404");
    assert_eq!(api.headers()["content-type"], "application/json");
    assert_eq!(api.body_text(), body.to_string());
    assert_eq!(api.body().as_ref(), body.to_string().as_bytes());

    let parsed: &ErrorBody = api.error_body().expect("the spec's Error schema");
    let inner = parsed.error.as_ref().expect("`error` present");
    assert_eq!(inner.code, Some(ErrorCode::IModelNotFound));
    assert_eq!(
        inner.code.as_ref().map(ErrorCode::as_str),
        Some("iModelNotFound")
    );
    assert_eq!(
        inner.message.as_deref(),
        Some("Requested iModel is not available.")
    );
    assert_eq!(
        parsed,
        &ErrorBody {
            error: Some(ErrorInfo {
                code: Some(ErrorCode::IModelNotFound),
                message: Some("Requested iModel is not available.".to_owned()),
                details: vec![ErrorDetail {
                    // A code the API adds later is kept as sent.
                    code: Some(ErrorCode::from("x")),
                    message: Some("y".to_owned()),
                    target: None,
                    inner_error: None,
                }],
            }),
        }
    );

    let shown = error.to_string();
    assert!(
        shown.starts_with(r#"API returned 404 Not Found: {"error""#),
        "{shown}"
    );

    let Error::Api(api) = error else {
        unreachable!()
    };
    let raw = api.into_response();
    assert_eq!(raw.status(), StatusCode::NOT_FOUND);
    assert_eq!(raw.headers()["x-correlation-id"], "corr-404");
    assert_eq!(raw.json::<serde_json::Value>().expect("JSON"), body);
}

#[tokio::test]
async fn server_error_with_an_html_body_keeps_the_text_and_parses_nothing() {
    let (server, client) = start().await;
    let html = "<html>\n  <body><h1>502 Bad Gateway</h1>\n  upstream  exploded</body>\n</html>";
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_raw(html, "text/html")
                .insert_header("retry-after", "3"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let error = client.get_imodels(ITWIN_ID).send().await.expect_err("500");
    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.error_body(), None);
    assert_eq!(api.body_text(), html);
    assert_eq!(api.headers()["content-type"], "text/html");
    assert_eq!(api.headers()["retry-after"], "3");
    // The message quotes the body on one line.
    assert_eq!(
        error.to_string(),
        "API returned 500 Internal Server Error: <html> <body><h1>502 Bad Gateway</h1> upstream exploded</body> </html>"
    );
}

#[tokio::test]
async fn json_error_that_is_not_the_error_schema_is_kept_unparsed() {
    let (server, client) = start().await;
    // `error` is a string here, not the spec's object.
    let body = r#"{"error":"unauthorized"}"#;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_raw(body, "application/json")
                .insert_header("www-authenticate", "Bearer error=\"invalid_token\""),
        )
        .mount(&server)
        .await;

    let error = client
        .get_changesets(IMODEL_ID)
        .send()
        .await
        .expect_err("401");
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.error_body(), None);
    assert_eq!(api.body_text(), body);
    assert_eq!(
        api.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
}

#[tokio::test]
async fn raw_and_binary_operations_report_non_2xx_as_api_errors_too() {
    let (server, client) = start().await;
    let body = json!({ "error": { "code": "InsufficientPermissions", "message": "no" } });
    Mock::given(method("DELETE"))
        .respond_with(json(403, body.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}/thumbnail")))
        .respond_with(ResponseTemplate::new(404).set_body_string("no thumbnail"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/{IMODEL_ID}/clone")))
        .respond_with(json(409, json!({ "error": { "code": "iModelExists" } })))
        .mount(&server)
        .await;

    match client.delete_imodel(IMODEL_ID).send().await {
        Err(Error::Api(api)) => {
            assert_eq!(api.status(), StatusCode::FORBIDDEN);
            let code = api
                .error_body()
                .and_then(|parsed| parsed.error.as_ref())
                .and_then(|inner| inner.code.clone());
            assert_eq!(code, Some(ErrorCode::InsufficientPermissions));
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    match client.get_thumbnail(IMODEL_ID).send().await {
        Err(Error::Api(api)) => {
            assert_eq!(api.status(), StatusCode::NOT_FOUND);
            assert_eq!(api.body_text(), "no thumbnail");
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    let clone = generated_client::models::CloneIModel::new(ITWIN_ID, "Copy");
    match client.clone_imodel(IMODEL_ID, clone).send().await {
        Err(error @ Error::Api(_)) => assert_eq!(error.status(), Some(StatusCode::CONFLICT)),
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

// --------------------------------------------------------- Decode errors

#[tokio::test]
async fn undecodable_date_time_is_a_decode_error_naming_the_field() {
    let (server, client) = start().await;
    let body = format!(r#"{{"iModels":[{{"id":"{IMODEL_ID}","createdDateTime":"yesterday"}}]}}"#);
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
        .mount(&server)
        .await;

    let error = client
        .get_imodels(ITWIN_ID)
        .send()
        .await
        .expect_err("bad date");
    assert_eq!(error.status(), Some(StatusCode::OK));
    let Error::Decode(decode) = &error else {
        panic!("expected Error::Decode, got {error:?}")
    };
    assert_eq!(decode.path(), "iModels[0].createdDateTime");
    assert_eq!(decode.status(), StatusCode::OK);
    assert_eq!(decode.body_text(), body);
    assert_eq!(decode.body().as_ref(), body.as_bytes());
    assert!(!decode.message().is_empty());
    let shown = error.to_string();
    assert!(
        shown.starts_with(
            "could not decode the 200 OK response body at `iModels[0].createdDateTime`: "
        ),
        "{shown}"
    );
}

#[tokio::test]
async fn decode_errors_name_uuid_enum_and_integer_fields() {
    let cases = [
        (json!({ "id": "not-a-uuid" }), "id"),
        (json!({ "state": 5 }), "state"),
        (json!({ "iTwinId": ITWIN_ID, "creatorId": [] }), "creatorId"),
    ];
    for (body, field) in cases {
        let (server, client) = start().await;
        // The iModel comes wrapped (spec/overlays/50-envelopes.yaml).
        let body = json!({ "iModel": body });
        Mock::given(method("GET"))
            .respond_with(json(200, body.clone()))
            .mount(&server)
            .await;
        match client.get_imodel(IMODEL_ID).send().await {
            Err(Error::Decode(decode)) => {
                assert_eq!(decode.path(), format!("iModel.{field}"), "body {body}");
                assert_eq!(decode.body_text(), body.to_string());
            }
            other => panic!("expected Error::Decode for {body}, got {other:?}"),
        }
    }

    let (server, client) = start().await;
    Mock::given(method("GET"))
        .respond_with(json(
            200,
            json!({ "changesets": [{ "index": 1 }, { "index": "two" }] }),
        ))
        .mount(&server)
        .await;
    match client.get_changesets(IMODEL_ID).send().await {
        Err(Error::Decode(decode)) => assert_eq!(decode.path(), "changesets[1].index"),
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn empty_or_non_json_declared_body_is_a_decode_error_without_a_path() {
    for body in ["", "<html>oops</html>", r#"{"id":null} trailing"#] {
        let (server, client) = start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
        match client.get_imodel(IMODEL_ID).send().await {
            Err(Error::Decode(decode)) => {
                assert_eq!(decode.path(), "", "body {body:?}");
                assert_eq!(decode.body_text(), body);
            }
            other => panic!("expected Error::Decode for {body:?}, got {other:?}"),
        }
    }
}

// ------------------------------------------------- Transport and timeout

#[tokio::test]
async fn closed_port_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}"))
        .bearer_token(TOKEN)
        // Retries of refused connections are covered in the runtime's retry.rs.
        .retry_policy(generated_client::RetryPolicy::disabled())
        .build()
        .expect("valid");

    let error = client
        .get_imodel(IMODEL_ID)
        .send()
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(error.status(), None);
    assert_eq!(error.to_string(), "HTTP transport error: could not connect");
    assert!(std::error::Error::source(&error).is_some());
}

#[tokio::test]
async fn slow_server_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, json!({})).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .timeout(Duration::from_millis(200))
        // Retries of timed-out calls are covered in the runtime's retry.rs.
        .retry_policy(generated_client::RetryPolicy::disabled())
        .build()
        .expect("valid");

    let started = Instant::now();
    let error = client
        .get_imodel(IMODEL_ID)
        .send()
        .await
        .expect_err("timed out");
    let elapsed = started.elapsed();
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert_eq!(error.status(), None);
    assert_eq!(error.to_string(), "request timed out");
    assert!(
        elapsed >= Duration::from_millis(150) && elapsed < Duration::from_secs(2),
        "gave up after {elapsed:?}"
    );
}

// -------------------------------------------------------- Invalid requests

#[test]
fn invalid_client_settings_are_invalid_request_errors() {
    let bad_base = Client::builder()
        .base_url("not a url")
        .bearer_token(TOKEN)
        .build();
    assert!(
        matches!(bad_base, Err(Error::InvalidRequest(_))),
        "{bad_base:?}"
    );

    let ftp = Client::with_base_url("ftp://example.com", TOKEN);
    assert!(matches!(ftp, Err(Error::InvalidRequest(_))), "{ftp:?}");

    let empty_token = Client::builder().bearer_token("  ").build();
    assert!(
        matches!(empty_token, Err(Error::InvalidRequest(_))),
        "{empty_token:?}"
    );

    let newline_token = Client::builder().bearer_token("abc\ndef").build();
    match newline_token {
        Err(error @ Error::InvalidRequest(_)) => {
            assert!(!error.to_string().contains("abc"), "{error}");
            assert_eq!(error.status(), None);
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}
