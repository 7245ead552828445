//! Behaviour of the `response_headers` fixture's generated client (hand-written
//! test, copied into the fixture crate as `tests/behaviour.rs` and run by
//! `generator/tests/fixtures_compile.rs`): declared success headers are read typed
//! (integer, string, enum, list, date) with `headers_as`, a malformed or missing
//! required one is a `HeaderError` naming it while the call itself succeeds, an
//! absent optional one is `None`; an operation's own error bodies decode by status
//! from the `ApiError`, which keeps the status and the raw body, and an operation
//! whose errors are the crate-wide body still gets it from `error_body`. Answers
//! come from a loopback socket, exactly as written here.

mod support;

use fixture_response_headers::models::{CreatePetXStatusHeader, Pet};
use fixture_response_headers::operations::{CreatePetError, CreatePetHeaders, DeletePetError};
use fixture_response_headers::{Client, Error};
use support::Recorder;

const PET: &str = r#"{"name":"Rex"}"#;

/// A whole HTTP/1.1 answer with `status`, extra `headers` lines and a JSON `body`.
fn answer(status: &str, headers: &[&str], body: &str) -> String {
    let mut head = format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\n");
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    format!(
        "{head}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

async fn client_answering(response: String) -> (Recorder, Client) {
    let recorder = Recorder::answering(response).await;
    let client = Client::with_base_url(recorder.url(), "token").expect("a valid client");
    (recorder, client)
}

#[tokio::test]
async fn declared_headers_are_read_typed_and_an_absent_optional_one_is_none() {
    let headers = [
        "Location: http://localhost/pets/7",
        "X-Rate-Limit: 42",
        "X-Status: queued",
        "X-Tags: a, b",
        "X-Tags: c",
    ];
    let (_server, client) = client_answering(answer("201 Created", &headers, PET)).await;
    let created = client.create_pet(Pet::new("Rex")).send().await.expect("created");
    assert_eq!(created.name, "Rex");
    let typed: CreatePetHeaders = created.headers_as().expect("every header is well formed");
    assert_eq!(typed.location, "http://localhost/pets/7");
    assert_eq!(typed.x_rate_limit, Some(42));
    assert_eq!(typed.x_status, Some(CreatePetXStatusHeader::Queued));
    assert_eq!(
        typed.x_tags,
        Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()])
    );
    assert_eq!(typed.x_expires, None, "absent and optional");
}

#[tokio::test]
async fn a_date_and_an_unknown_enum_value_are_read_too() {
    let headers = [
        "Location: /pets/8",
        "X-Expires: 2030-01-02T03:04:05Z",
        "X-Status: archived",
    ];
    let (_server, client) = client_answering(answer("201 Created", &headers, PET)).await;
    let created = client.create_pet(Pet::new("Rex")).send().await.expect("created");
    let typed = created
        .headers_as::<CreatePetHeaders>()
        .expect("well formed");
    let expires = typed.x_expires.expect("present");
    assert_eq!(expires.to_rfc3339(), "2030-01-02T03:04:05+00:00");
    // Enums stay open, as in bodies.
    assert_eq!(
        typed.x_status,
        Some(CreatePetXStatusHeader::from("archived"))
    );
}

#[tokio::test]
async fn a_malformed_or_missing_required_header_is_an_error_naming_it_and_the_call_still_succeeds() {
    // (headers, the header named, its value as it came; None: missing)
    let cases: [(&[&str], &str, Option<&str>); 4] = [
        (&["Location: /p", "X-Rate-Limit: soon"], "X-Rate-Limit", Some("soon")),
        (&["Location: /p", "X-Rate-Limit: 1.5"], "X-Rate-Limit", Some("1.5")),
        (&["Location: /p", "X-Expires: tomorrow"], "X-Expires", Some("tomorrow")),
        (&["X-Rate-Limit: 3"], "Location", None),
    ];
    for (headers, name, value) in cases {
        let (_server, client) = client_answering(answer("201 Created", headers, PET)).await;
        let created = client
            .create_pet(Pet::new("Rex"))
            .send()
            .await
            .expect("the body decodes whatever the headers say");
        assert_eq!(created.name, "Rex");
        let error = created
            .headers_as::<CreatePetHeaders>()
            .expect_err("not silent");
        assert_eq!(error.name(), name, "{headers:?}");
        assert_eq!(error.value(), value, "{headers:?}");
        assert_eq!(error.is_missing(), value.is_none());
        assert!(error.to_string().contains(name), "{error}");
        // The raw map still has every header as it came.
        assert_eq!(created.headers().len(), headers.len() + 3, "{headers:?}");
    }
}

#[tokio::test]
async fn an_operations_own_error_bodies_decode_by_status_and_the_raw_body_is_kept() {
    // (status line, body, what the operation's enum gives)
    let bad_request = r#"{"field":"name","reason":"empty"}"#;
    let no_owner = r#"{"owner":"ann"}"#;
    let other = r#"{"message":"down"}"#;
    let cases = [
        ("400 Bad Request", bad_request, "bad request name empty"),
        ("404 Not Found", no_owner, "not found ann"),
        ("409 Conflict", "{}", "conflict"),
        ("503 Service Unavailable", other, "default down"),
    ];
    for (status, body, expected) in cases {
        let (_server, client) = client_answering(answer(status, &[], body)).await;
        let Err(Error::Api(error)) = client.create_pet(Pet::new("Rex")).send().await else {
            panic!("{status}: an API error");
        };
        assert_eq!(error.status().as_str(), &status[..3]);
        assert_eq!(error.body().as_ref(), body.as_bytes(), "the raw body is kept");
        let decoded = match CreatePetError::from_api_error(&error).expect("declared body") {
            CreatePetError::BadRequest(b) => format!(
                "bad request {} {}",
                b.field.unwrap_or_default(),
                b.reason.unwrap_or_default()
            ),
            CreatePetError::NotFound(n) => format!("not found {}", n.owner.unwrap_or_default()),
            CreatePetError::Conflict => "conflict".to_owned(),
            CreatePetError::Default(e) => format!("default {}", e.message.unwrap_or_default()),
        };
        assert_eq!(decoded, expected, "{status}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_the_declared_type_is_a_decode_error_and_an_undeclared_status_says_so() {
    let (_server, client) =
        client_answering(answer("400 Bad Request", &[], r#"{"field": 3}"#)).await;
    let Err(Error::Api(error)) = client.create_pet(Pet::new("Rex")).send().await else {
        panic!("an API error");
    };
    let decode = CreatePetError::from_api_error(&error).expect_err("field is not a string");
    assert_eq!(decode.path(), "field");

    // `4XX` covers 403; 500 is declared by nothing (no `default`).
    let cases = [
        ("403 Forbidden", r#"{"title":"no"}"#, Some("no")),
        ("500 Internal Server Error", "oops", None),
    ];
    for (status, body, title) in cases {
        let (_server, client) = client_answering(answer(status, &[], body)).await;
        let Err(Error::Api(error)) = client.delete_pet("7").send().await else {
            panic!("{status}: an API error");
        };
        match (DeletePetError::from_api_error(&error).expect("decodes"), title) {
            (DeletePetError::ClientError(problem), Some(title)) => {
                assert_eq!(problem.title.as_deref(), Some(title))
            }
            (DeletePetError::Undeclared, None) => assert_eq!(error.body().as_ref(), b"oops"),
            (other, _) => panic!("{status}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_operation_whose_errors_are_the_crate_wide_body_still_gets_it() {
    let (_server, client) = client_answering(answer(
        "500 Internal Server Error",
        &[],
        r#"{"message":"boom"}"#,
    ))
    .await;
    let Err(Error::Api(error)) = client.get_pet("7").send().await else {
        panic!("an API error");
    };
    let body = error.error_body().expect("the crate-wide error body");
    assert_eq!(body.message.as_deref(), Some("boom"));
    assert_eq!(error.body().as_ref(), br#"{"message":"boom"}"#);
    // The typed header of this operation, absent: `None`.
    let (_server, client) = client_answering(answer("200 OK", &["ETag: \"v1\""], PET)).await;
    let pet = client.get_pet("7").send().await.expect("the pet");
    let typed = pet
        .headers_as::<fixture_response_headers::operations::GetPetHeaders>()
        .expect("well formed");
    assert_eq!(typed.e_tag.as_deref(), Some("\"v1\""));
}
