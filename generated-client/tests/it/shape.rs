//! A response of another shape than the spec declares would decode into an
//! all-optional struct as empty; instead the call fails with
//! `Error::UnexpectedShape`, which keeps the status, headers, body and the keys it
//! did not know (hand-written test). Single entities come wrapped
//! (`{"iModel": {...}}`, declared by `spec/overlays/50-envelopes.yaml`), so a
//! bare entity is the mismatch there, missing the envelope's property. A body
//! of the wrong types is `Error::Decode` naming the path of the fault in the
//! generated types (the runtime's `hostile.rs` has the bodies that are no JSON).

use crate::support::{client_for, imodel_entity, imodel_json, IMODEL_ID, ITWIN_ID};
use generated_client::Error;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_body_of_another_shape_is_an_error_that_keeps_the_response() {
    // (case, body, the unknown keys when it is a mismatch); a mismatch at the top
    // misses the envelope's `iModel`, one inside it has none of IModel's fields.
    let cases: [(&str, serde_json::Value, Option<&[&str]>); 6] = [
        (
            "a bare entity where the envelope is declared",
            imodel_entity(),
            Some(&["displayName", "id", "state"]),
        ),
        (
            "another envelope",
            json!({ "imodel": imodel_entity() }),
            Some(&["imodel"]),
        ),
        (
            "renamed fields inside the envelope",
            json!({ "iModel": { "ID": IMODEL_ID, "title": "Bridge" } }),
            Some(&["ID", "title"]),
        ),
        ("the declared shape", imodel_json(), None),
        (
            "one known field and a new one",
            json!({ "iModel": { "id": IMODEL_ID, "surprise": 1 } }),
            None,
        ),
        ("an empty entity", json!({ "iModel": {} }), None),
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
                // In the body's order, which `json!` gives sorted or as written
                // depending on serde_json's `preserve_order` (on in the workspace).
                let mut keys = error.unknown_keys().to_vec();
                keys.sort();
                assert_eq!(keys, unknown, "{case}");
                if body.get("iModel").is_some() {
                    assert_eq!(error.missing_property(), None, "{case}");
                    assert!(error.expected_fields().contains(&"displayName"), "{case}");
                } else {
                    assert_eq!(error.missing_property(), Some("iModel"), "{case}");
                }
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

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_decode_error_naming_the_path() {
    let cases = [
        // An array where the list object belongs: serde would otherwise fill the
        // struct from it by position, and `[]` would pass for an empty list.
        (
            "[]",
            "",
            "invalid type: sequence, expected struct IModelList",
        ),
        (
            r#"[{"id": "x"}]"#,
            "",
            "invalid type: sequence, expected struct IModelList",
        ),
        ("null", "", "invalid type: null"),
        (r#""iModels""#, "", "invalid type: string"),
        (r#"{"iModels": 5}"#, "iModels", "invalid type: integer `5`"),
        (r#"{"iModels": {}}"#, "iModels", "invalid type: map"),
        (
            r#"{"iModels": [5]}"#,
            "iModels[0]",
            "invalid type: integer `5`",
        ),
        (
            r#"{"iModels": [{"id": 5}]}"#,
            "iModels[0].id",
            "invalid type: integer `5`",
        ),
        (
            r#"{"iModels": [{"id": "5e19bee0-3aea-4355-a9f0-c6df9989ee7d", "state": []}]}"#,
            "iModels[0].state",
            "invalid type: sequence",
        ),
    ];
    for (body, path, message) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
        let client = client_for(&server);
        match client.get_imodels(ITWIN_ID).send().await {
            Err(Error::Decode(decode)) => {
                assert_eq!(decode.path(), path, "{body}");
                assert!(
                    decode.message().starts_with(message),
                    "{body}: {}",
                    decode.message()
                );
                assert_eq!(decode.body_text(), body);
                if !path.is_empty() {
                    assert!(
                        Error::Decode(decode.clone())
                            .to_string()
                            .contains(&format!(" at `{path}`: ")),
                        "{body}"
                    );
                }
            }
            other => panic!("expected Error::Decode for {body}, got {other:?}"),
        }
    }
}
