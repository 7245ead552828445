//! How 2xx answers come back: raw responses (`send_raw()`, and operations the spec
//! gives no schema), binary thumbnails, the `Location` / `Create-iModel-Operation`
//! headers of clone and fork, unknown enum values and extra fields, undeclared
//! 2xx statuses, path-parameter encoding, and base URLs with a path prefix.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

use generated_client::models::{CloneIModel, ForkIModel, IModel, IModelState, NamedVersionState};
use generated_client::runtime::StatusCode;
use generated_client::{Client, Error};
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{json, only_request, start, IMODEL_ID, ITWIN_ID, TOKEN, USER_ID};

/// A caller-defined type for a response, decoded from the raw answer.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BaselineFileResponse {
    baseline_file: BaselineFile,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BaselineFile {
    id: uuid::Uuid,
    display_name: String,
    size: u64,
    #[serde(rename = "_links")]
    links: Links,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Links {
    download: Link,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Link {
    href: String,
}

// ---------------------------------------------------------- Raw responses

#[tokio::test]
async fn raw_response_keeps_status_headers_and_body_and_decodes_into_a_caller_type() {
    let (server, client) = start().await;
    let body = json!({
        "baselineFile": {
            "id": IMODEL_ID,
            "displayName": "Sun City.bim",
            "size": 123456,
            "state": "initialized",
            "_links": { "download": { "href": "https://blob.example/baseline?sig=abc" } }
        }
    });
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}/baselinefile")))
        .respond_with(
            json(200, body.clone())
                .insert_header("x-correlation-id", "corr-42")
                .insert_header("cache-control", "no-store"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let raw = client
        .get_baseline_file(IMODEL_ID)
        .send_raw()
        .await
        .expect("200");
    assert_eq!(raw.status(), StatusCode::OK);
    assert_eq!(raw.headers()["x-correlation-id"], "corr-42");
    assert_eq!(raw.headers()["cache-control"], "no-store");
    assert_eq!(raw.headers()["content-type"], "application/json");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(raw.body()).expect("JSON"),
        body
    );
    assert_eq!(raw.text().expect("UTF-8"), body.to_string());

    // Extra fields (`state`) are ignored by the caller's own type.
    let decoded: BaselineFileResponse = raw.json().expect("matches the caller's type");
    assert_eq!(
        decoded,
        BaselineFileResponse {
            baseline_file: BaselineFile {
                id: IMODEL_ID,
                display_name: "Sun City.bim".to_owned(),
                size: 123456,
                links: Links {
                    download: Link {
                        href: "https://blob.example/baseline?sig=abc".to_owned()
                    }
                },
            }
        }
    );

    // A caller type that does not match gives a decode error naming the field.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        #[serde(rename = "baselineFile")]
        baseline_file: WrongFile,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct WrongFile {
        size: String,
    }
    match raw.json::<Wrong>() {
        Err(error) => {
            assert_eq!(error.path(), "baselineFile.size");
            assert_eq!(error.status(), StatusCode::OK);
            assert_eq!(error.body_text(), body.to_string());
        }
        other => panic!("expected a decode error, got {other:?}"),
    }

    // The body can be taken out without copying through text.
    let bytes = raw.into_body();
    assert_eq!(bytes.as_ref(), body.to_string().as_bytes());
}

#[tokio::test]
async fn raw_response_decodes_into_a_generated_model_too() {
    let (server, client) = start().await;
    Mock::given(method("PATCH"))
        .and(path(format!("/{IMODEL_ID}")))
        .respond_with(json(
            200,
            json!({ "iModel": { "id": IMODEL_ID, "name": "Renamed", "state": "initialized" } }),
        ))
        .mount(&server)
        .await;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Envelope {
        i_model: IModel,
    }
    // `send()` returns the iModel (spec/overlays/50-envelopes.yaml); the raw answer
    // is the whole envelope.
    let raw = client
        .update_imodel(IMODEL_ID, Default::default())
        .send_raw()
        .await
        .expect("200");
    let envelope: Envelope = raw.json().expect("JSON");
    assert_eq!(envelope.i_model.id, Some(IMODEL_ID));
    assert_eq!(envelope.i_model.name.as_deref(), Some("Renamed"));
    assert_eq!(envelope.i_model.state, Some(IModelState::Initialized));

    // An empty UpdateIModel serialises to `{}`, not to nulls.
    assert_eq!(only_request(&server).await.body, b"{}");
}

#[tokio::test]
async fn raw_response_with_an_empty_body_is_a_decode_error_only_when_json_is_asked_for() {
    let (server, client) = start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}/users/{USER_ID}")))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    let raw = client
        .get_imodel_user(IMODEL_ID, USER_ID)
        .send_raw()
        .await
        .expect("200 is fine without a body");
    assert!(raw.body().is_empty());
    assert_eq!(raw.text().expect("empty is valid UTF-8"), "");
    match raw.json::<serde_json::Value>() {
        Err(error) => {
            assert_eq!(error.path(), "");
            assert!(error.body().is_empty());
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn raw_operations_accept_any_2xx_even_one_the_spec_does_not_declare() {
    // DeleteIModel declares only 204; a raw operation has no Undeclared case,
    // so a 200 arrives as a plain RawResponse with its status to inspect.
    let (server, client) = start().await;
    Mock::given(method("DELETE"))
        .respond_with(json(200, json!({ "deleted": true })))
        .mount(&server)
        .await;
    let raw = client.delete_imodel(IMODEL_ID).send().await.expect("2xx");
    assert_eq!(raw.status(), StatusCode::OK);
    assert_eq!(
        raw.json::<serde_json::Value>().expect("JSON"),
        json!({ "deleted": true })
    );
}

// -------------------------------------------------------------- Thumbnail

#[tokio::test]
async fn thumbnail_bytes_are_returned_exactly() {
    let (server, client) = start().await;
    // A complete 1x1 transparent PNG.
    let png: Vec<u8> = vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00,
        0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}/thumbnail")))
        .and(header("accept", "image/png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(png.clone(), "image/png"))
        .expect(1)
        .mount(&server)
        .await;

    let value: generated_client::ResponseValue<generated_client::runtime::Bytes> =
        client.get_thumbnail(IMODEL_ID).send().await.expect("200");
    assert_eq!(value.status(), StatusCode::OK);
    assert_eq!(value.len(), png.len());
    assert_eq!(value.headers()["content-type"], "image/png");
    assert_eq!(value.headers()["content-length"], png.len().to_string());
    assert_eq!(value.into_inner().as_ref(), png.as_slice());
}

#[tokio::test]
async fn thumbnail_with_an_undeclared_2xx_keeps_the_raw_response() {
    let (server, client) = start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}/thumbnail")))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let error = client
        .get_thumbnail(IMODEL_ID)
        .send()
        .await
        .expect_err("undeclared");
    let Error::UndeclaredStatus(raw) = error else {
        panic!("204 is not declared for GetThumbnail: {error:?}")
    };
    assert_eq!(raw.status(), StatusCode::NO_CONTENT);
    assert!(raw.body().is_empty());
}

// ------------------------------------------------------ Clone and fork 202

#[tokio::test]
async fn clone_and_fork_expose_location_and_operation_headers() {
    let (server, client) = start().await;
    for (suffix, location, operation) in [
        (
            "clone",
            "https://api.bentley.com/imodels/11111111-1111-4111-8111-111111111111",
            "clone-op-1",
        ),
        (
            "fork",
            "https://api.bentley.com/imodels/22222222-2222-4222-8222-222222222222",
            "fork-op-2",
        ),
    ] {
        Mock::given(method("POST"))
            .and(path(format!("/{IMODEL_ID}/{suffix}")))
            .respond_with(
                ResponseTemplate::new(202)
                    .insert_header("Location", location)
                    .insert_header("Create-iModel-Operation", operation),
            )
            .expect(1)
            .mount(&server)
            .await;
    }

    let cloned = client
        .clone_imodel(IMODEL_ID, CloneIModel::new(ITWIN_ID, "Copy"))
        .send()
        .await
        .expect("202");
    assert_eq!(cloned.status(), StatusCode::ACCEPTED);
    // Header names are case-insensitive; the values are kept byte for byte.
    assert_eq!(
        cloned.headers()["location"],
        "https://api.bentley.com/imodels/11111111-1111-4111-8111-111111111111"
    );
    assert_eq!(
        cloned
            .headers()
            .get("Create-iModel-Operation")
            .and_then(|v| v.to_str().ok()),
        Some("clone-op-1")
    );
    assert!(cloned.body().is_empty());

    let forked = client
        .fork_imodel(IMODEL_ID, ForkIModel::new(ITWIN_ID, "Fork"))
        .send()
        .await
        .expect("202");
    assert_eq!(forked.status(), StatusCode::ACCEPTED);
    assert_eq!(
        forked.headers()["Location"],
        "https://api.bentley.com/imodels/22222222-2222-4222-8222-222222222222"
    );
    assert_eq!(forked.headers()["create-imodel-operation"], "fork-op-2");
}

// ------------------------------------------------ Enums and unknown fields

#[tokio::test]
async fn unknown_enum_value_is_kept_and_round_trips_and_extra_fields_are_ignored() {
    let (server, client) = start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}")))
        .respond_with(json(
            200,
            json!({ "iModel": {
                "id": IMODEL_ID,
                "name": "Archived one",
                "state": "archived",
                "description": null,
                "somethingNew": { "nested": [1, 2, 3] },
                "_links": { "creator": { "href": "x" }, "somethingElse": { "href": "y" } }
            }}),
        ))
        .mount(&server)
        .await;

    let imodel = client
        .get_imodel(IMODEL_ID)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert!(
        matches!(&imodel.state, Some(IModelState::Unknown(value)) if value.as_str() == "archived"),
        "{:?}",
        imodel.state
    );
    assert_eq!(
        imodel.state.as_ref().map(IModelState::as_str),
        Some("archived")
    );
    assert_eq!(imodel.description, None, "`null` is None");
    assert_eq!(imodel.name.as_deref(), Some("Archived one"));

    // Serialising writes the unknown value back as sent, drops the unknown
    // fields and skips the `None`s.
    let value = serde_json::to_value(&imodel).expect("serialises");
    assert_eq!(
        value,
        json!({
            "id": IMODEL_ID,
            "name": "Archived one",
            "state": "archived",
            "_links": { "creator": { "href": "x" } }
        })
    );
    let again: IModel = serde_json::from_value(value).expect("deserialises");
    assert_eq!(again, imodel);
}

#[test]
fn enum_values_convert_both_ways() {
    for (wire, state) in [
        ("initialized", IModelState::Initialized),
        ("notInitialized", IModelState::NotInitialized),
        ("archived", IModelState::from("archived")),
    ] {
        assert_eq!(IModelState::from(wire), state);
        assert_eq!(wire.parse::<IModelState>(), Ok(state.clone()));
        assert_eq!(state.to_string(), wire);
        assert_eq!(serde_json::to_value(&state).expect("serialises"), wire);
        assert_eq!(
            serde_json::from_value::<IModelState>(json!(wire)).expect("deserialises"),
            state
        );
    }
    // Matching is exact: a different case is a different, unknown value.
    assert!(matches!(
        IModelState::from("Initialized"),
        IModelState::Unknown(value) if value == "Initialized"
    ));
    assert_eq!(
        NamedVersionState::from(String::from("hidden")),
        NamedVersionState::Hidden
    );
    assert_eq!(
        serde_json::from_value::<NamedVersionState>(json!("deleted")).expect("deserialises"),
        NamedVersionState::from("deleted")
    );
}

/// A value the spec lists is its variant however it was made (decoded, parsed,
/// converted from `&str` or `String`): equal, and hashing alike, to the variant, as
/// on the wire. `Unknown` can only hold other values: its `UnknownValue` is made by
/// parsing alone.
#[test]
fn a_known_value_is_its_variant_however_made() {
    use std::collections::HashSet;
    let made = [
        IModelState::Initialized,
        IModelState::from("initialized"),
        IModelState::from(String::from("initialized")),
        "initialized".parse().expect("infallible"),
        serde_json::from_value(json!("initialized")).expect("deserialises"),
        serde_json::from_str(r#""initi\u0061lized""#).expect("deserialises"),
    ];
    for state in &made {
        assert_eq!(*state, IModelState::Initialized, "{state:?}");
        assert!(!matches!(state, IModelState::Unknown(_)));
    }
    let distinct: HashSet<IModelState> = made.into_iter().collect();
    assert_eq!(distinct.len(), 1);

    // An unknown value round-trips as sent and is equal to itself however made.
    let archived = IModelState::from("archived");
    let IModelState::Unknown(value) = &archived else {
        panic!("{archived:?}");
    };
    assert_eq!(value.as_str(), "archived");
    assert_eq!(archived, IModelState::from(String::from("archived")));
    assert_eq!(archived.as_str(), "archived");
    let wire = serde_json::to_string(&archived).expect("serialises");
    assert_eq!(wire, r#""archived""#);
    assert_eq!(
        serde_json::from_str::<IModelState>(&wire).expect("deserialises"),
        archived
    );
    let states: HashSet<IModelState> = ["archived", "initialized", "archived"]
        .into_iter()
        .map(IModelState::from)
        .collect();
    assert_eq!(states.len(), 2);
}

// ------------------------------------------------------ Undeclared 2xx

#[tokio::test]
async fn undeclared_2xx_is_an_error_that_keeps_the_raw_response() {
    for status in [203_u16, 206] {
        let (server, client) = start().await;
        Mock::given(method("GET"))
            .and(path(format!("/{IMODEL_ID}")))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("x-cache", "partial")
                    .set_body_string("not the IModel schema"),
            )
            .expect(1)
            .mount(&server)
            .await;

        let error = client
            .get_imodel(IMODEL_ID)
            .send()
            .await
            .expect_err("an undeclared 2xx has no typed value");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        let Error::UndeclaredStatus(raw) = error else {
            panic!("expected UndeclaredStatus, got {error:?}")
        };
        assert_eq!(raw.status().as_u16(), status);
        assert_eq!(raw.headers()["x-cache"], "partial");
        assert_eq!(raw.text().expect("UTF-8"), "not the IModel schema");
        assert_eq!(raw.body().as_ref(), b"not the IModel schema");
    }
}

#[tokio::test]
async fn a_success_status_other_than_the_declared_one_is_undeclared() {
    // CreateIModel declares 201; a 200 with a perfectly good body is still
    // undeclared.
    let (server, client) = start().await;
    Mock::given(method("POST"))
        .and(path("/"))
        .respond_with(json(200, json!({ "id": IMODEL_ID })))
        .mount(&server)
        .await;
    let error = client
        .create_imodel(generated_client::models::CreateIModel::new(ITWIN_ID, "x"))
        .send()
        .await
        .expect_err("undeclared");
    assert!(matches!(error, Error::UndeclaredStatus(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "response status 200 OK is not declared for this operation"
    );
}

// ------------------------------------------------ Path parameter encoding

#[tokio::test]
async fn path_parameters_are_encoded_and_cannot_change_the_path() {
    let (server, client) = start().await;
    Mock::given(method("GET"))
        .respond_with(json(200, json!({ "changeset": { "id": "echo" } })))
        .mount(&server)
        .await;

    let cases = [
        ("a/../b", "a%2F..%2Fb"),
        ("../../x", "..%2F..%2Fx"),
        ("a b?c=d#e", "a%20b%3Fc%3Dd%23e"),
        ("%2F", "%252F"),
        ("é", "%C3%A9"),
        ("AZaz09-._~", "AZaz09-._~"),
    ];
    for (id, _) in cases {
        let changeset = client
            .get_changeset(IMODEL_ID, id)
            .send()
            .await
            .expect("200")
            .into_inner();
        assert_eq!(changeset.id.as_deref(), Some("echo"));
    }

    let received = server.received_requests().await.expect("recording");
    assert_eq!(received.len(), cases.len());
    for (request, (id, encoded)) in received.iter().zip(cases) {
        assert_eq!(
            request.url.path(),
            format!("/{IMODEL_ID}/changesets/{encoded}"),
            "changeset id {id:?}"
        );
        assert_eq!(request.url.query(), None, "changeset id {id:?}");
        assert_eq!(request.url.fragment(), None, "changeset id {id:?}");
    }
}

#[tokio::test]
async fn slash_in_a_path_parameter_reaches_the_matching_route() {
    let (server, client) = start().await;
    let encoded = format!("/{IMODEL_ID}/changesets/a%2F..%2Fb");
    Mock::given(method("GET"))
        .and(path(encoded.as_str()))
        .respond_with(json(200, json!({ "changeset": { "id": "a/../b" } })))
        .expect(1)
        .mount(&server)
        .await;
    let changeset = client
        .get_changeset(IMODEL_ID, "a/../b")
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(changeset.id.as_deref(), Some("a/../b"));
    assert_eq!(only_request(&server).await.url.path(), encoded);
}

#[tokio::test]
async fn dot_and_empty_path_parameters_are_refused_before_sending() {
    let (server, client) = start().await;
    for id in ["..", ".", ""] {
        let error = client
            .get_changeset(IMODEL_ID, id)
            .send()
            .await
            .expect_err("refused");
        assert!(
            matches!(error, Error::InvalidRequest(_)),
            "{id:?}: {error:?}"
        );
        assert_eq!(error.status(), None);
    }
    assert!(server
        .received_requests()
        .await
        .expect("recording")
        .is_empty());
}

// --------------------------------------------------------------- Base URL

#[tokio::test]
async fn base_url_with_a_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/imodels/{IMODEL_ID}")))
        .respond_with(json(200, json!({ "iModel": {} })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(json(200, json!({ "iModels": [] })))
        .mount(&server)
        .await;
    // A trailing slash on the base URL is dropped, so paths do not double it.
    let client = Client::with_base_url(format!("{}/imodels/", server.uri()), TOKEN).expect("valid");
    assert_eq!(client.base_url(), format!("{}/imodels", server.uri()));

    client.get_imodel(IMODEL_ID).send().await.expect("200");
    client
        .get_imodels(ITWIN_ID)
        .top(1)
        .send()
        .await
        .expect("200");

    let received = server.received_requests().await.expect("recording");
    assert_eq!(received[0].url.path(), format!("/imodels/{IMODEL_ID}"));
    assert_eq!(received[1].url.path(), "/imodels/");
    assert_eq!(
        received[1].url.query(),
        Some(format!("iTwinId={ITWIN_ID}&$top=1").as_str())
    );
}

/// A binary body past `max_response_bytes`: the operation's `send` refuses it, its
/// `send_streaming` streams it.
#[tokio::test]
async fn binary_api_bodies_stream_past_the_response_limit() {
    use futures_util::TryStreamExt;

    let server = MockServer::start().await;
    let thumbnail: Vec<u8> = (0..256 * 1024).map(crate::support::file_byte).collect();
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}/thumbnail")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(thumbnail.clone(), "image/png"))
        .mount(&server)
        .await;
    let client = crate::support::builder_for(&server)
        .max_response_bytes(64 * 1024)
        .build()
        .expect("valid settings");

    let buffered = client.get_thumbnail(IMODEL_ID).send().await;
    assert!(
        matches!(buffered, Err(Error::ResponseTooLarge { .. })),
        "{buffered:?}"
    );

    let streamed = client
        .get_thumbnail(IMODEL_ID)
        .send_streaming()
        .await
        .expect("a 200 answer");
    assert_eq!(streamed.status(), 200);
    assert_eq!(
        streamed.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"image/png"[..])
    );
    let chunks: Vec<_> = streamed
        .into_body()
        .try_collect()
        .await
        .expect("the whole body");
    assert_eq!(chunks.concat(), thumbnail);
    let requests = crate::support::received(&server).await;
    assert_eq!(
        crate::support::header(&requests[1], "authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
}
