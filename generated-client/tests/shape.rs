//! A response of another shape than the spec declares (the live API wraps single
//! entities, `{"iModel": {...}}`) decodes into an all-optional struct as empty;
//! the client says so and keeps the body (hand-written test).

mod support;

use serde_json::json;
use support::capture::Capture;
use support::{client_for, imodel_json, IMODEL_ID};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_wrapped_entity_is_reported_and_its_body_kept() {
    let cases = [
        // (body, warned unknown keys)
        (json!({ "iModel": imodel_json() }), Some(r#"["iModel"]"#)),
        (imodel_json(), None),
        (json!({ "id": IMODEL_ID, "surprise": 1 }), None),
        (json!({}), None),
    ];
    for (body, warned) in cases {
        let capture = Capture::default();
        let _guard = tracing::subscriber::set_default(capture.clone());
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("/{IMODEL_ID}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(&body))
            .mount(&server)
            .await;

        let imodel = client_for(&server)
            .get_imodel(IMODEL_ID)
            .send()
            .await
            .expect("decodes");

        let captured = capture.captured.lock().expect("not poisoned");
        let warnings: Vec<_> = captured
            .events
            .iter()
            .filter(|event| event.contains_key("unknown_keys"))
            .collect();
        match warned {
            Some(keys) => {
                assert_eq!(warnings.len(), 1, "{body}: {:?}", captured.events);
                assert_eq!(warnings[0]["operation"], "GetIModel");
                assert_eq!(warnings[0]["unknown_keys"], keys);
                assert!(imodel.id.is_none(), "nothing was decoded");
                let kept = imodel.unmatched_body().expect("the body is kept");
                assert_eq!(
                    serde_json::from_slice::<serde_json::Value>(kept).ok(),
                    Some(body)
                );
            }
            None => {
                assert!(warnings.is_empty(), "{body}: {warnings:?}");
                assert!(imodel.unmatched_body().is_none(), "{body}");
            }
        }
    }
}
