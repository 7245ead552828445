//! A response of another shape than the spec declares (the live API wraps single
//! entities, `{"iModel": {...}}`) would decode into an all-optional struct as
//! empty; instead the call fails with `Error::UnexpectedShape`, which keeps the
//! status, headers, body and the keys it did not know (hand-written test).

mod support;

use generated_client::Error;
use serde_json::json;
use support::{client_for, imodel_json, IMODEL_ID};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_body_of_another_shape_is_an_error_that_keeps_the_response() {
    // (case, body, the unknown keys when it is a mismatch)
    let cases: [(&str, serde_json::Value, Option<&[&str]>); 5] = [
        (
            "a wrapped entity",
            json!({ "iModel": imodel_json() }),
            Some(&["iModel"]),
        ),
        (
            "renamed fields",
            json!({ "ID": IMODEL_ID, "title": "Bridge" }),
            Some(&["ID", "title"]),
        ),
        ("the declared shape", imodel_json(), None),
        (
            "one known field and a new one",
            json!({ "id": IMODEL_ID, "surprise": 1 }),
            None,
        ),
        ("an empty object", json!({}), None),
    ];
    for (case, body, unknown) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("/{IMODEL_ID}")))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("x-correlation-id", "c-1")
                    .set_body_json(&body),
            )
            .mount(&server)
            .await;

        let result = client_for(&server).get_imodel(IMODEL_ID).send().await;

        match (unknown, result) {
            (None, Ok(_)) => {}
            (Some(unknown), Err(Error::UnexpectedShape(error))) => {
                assert_eq!(error.status(), 200, "{case}");
                assert_eq!(error.headers()["x-correlation-id"], "c-1", "{case}");
                assert_eq!(error.operation(), "GetIModel", "{case}");
                assert_eq!(error.unknown_keys(), unknown, "{case}");
                assert!(error.expected_fields().contains(&"displayName"), "{case}");
                let kept: serde_json::Value =
                    serde_json::from_slice(error.body()).expect("the body is kept");
                assert_eq!(kept, body, "{case}");
                let message = error.to_string();
                assert!(
                    message.contains("GetIModel") && message.contains(&format!("`{}`", unknown[0])),
                    "{case}: {message}"
                );
            }
            (expected, result) => panic!("{case}: expected {expected:?}, got {result:?}"),
        }
    }
}
