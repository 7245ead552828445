//! The operations and parameters `spec/overlays/` adds to the seed, against a loopback
//! server: the request that arrives and how the answer decodes.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

use generated_client::models::{
    CreateIModelOperationDetails, CreateIModelOperationState, IModelState,
};
use generated_client::runtime::StatusCode;
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::support::{
    assert_headers, assert_no_body, json, only_request, start, AUTHORIZATION, IMODEL_ID, ITWIN_ID,
};

const JSON: &str = "application/json";

/// 10-create-operation.yaml: the creation status, as the live API wraps it.
#[tokio::test]
async fn get_create_imodel_operation_details_gets_the_state_of_the_creation() {
    let (server, client) = start().await;
    let status_path = format!("/{IMODEL_ID}/operations/create");
    Mock::given(method("GET"))
        .and(path(status_path.as_str()))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(json(
            200,
            json!({ "createOperation": { "state": "waitingForFile" } }),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let success = client
        .get_create_imodel_operation_details(IMODEL_ID)
        .send()
        .await
        .expect("200");
    let (status, _, details) = success.into_parts();
    assert_eq!(status, StatusCode::OK);
    // 50-envelopes.yaml: the method returns what `createOperation` holds.
    assert_eq!(
        details,
        CreateIModelOperationDetails {
            state: Some(CreateIModelOperationState::WaitingForFile),
            ..Default::default()
        }
    );

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), status_path);
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

/// Every state Bentley's client knows decodes, and states nobody lists yet are kept.
#[tokio::test]
async fn every_creation_state_decodes_and_unknown_ones_are_kept() {
    let (server, client) = start().await;
    let states = [
        ("scheduled", CreateIModelOperationState::Scheduled),
        ("waitingForFile", CreateIModelOperationState::WaitingForFile),
        ("successful", CreateIModelOperationState::Successful),
        ("failed", CreateIModelOperationState::Failed),
        (
            "mainIModelIsMissingFederationGuids",
            CreateIModelOperationState::MainIModelIsMissingFederationGuids,
        ),
        (
            "someStateAddedLater",
            CreateIModelOperationState::from("someStateAddedLater"),
        ),
    ];
    for (wire, expected) in states {
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(json(200, json!({ "createOperation": { "state": wire } })))
            .mount(&server)
            .await;
        let details = client
            .get_create_imodel_operation_details(IMODEL_ID)
            .send()
            .await
            .expect("200")
            .into_inner();
        let state = details.state;
        assert_eq!(state, Some(expected), "{wire}");
    }
}

/// 30-imodel-list-filters.yaml: Get iModels' filters and ordering are setters.
#[tokio::test]
async fn get_imodels_sends_the_filters_and_order_the_overlay_adds() {
    let (server, client) = start().await;
    Mock::given(method("GET"))
        .and(path("/"))
        .and(query_param("iTwinId", ITWIN_ID.to_string()))
        .and(query_param("$search", "plant"))
        .and(query_param("name", "Sun City"))
        .and(query_param("state", "initialized"))
        .and(query_param("$orderBy", "name desc"))
        .respond_with(json(200, json!({ "iModels": [] })))
        .expect(1)
        .mount(&server)
        .await;

    let list = client
        .get_imodels(ITWIN_ID)
        .search("plant")
        .name("Sun City")
        .state(IModelState::Initialized)
        .order_by("name desc")
        .send()
        .await
        .expect("200")
        .into_inner();
    assert!(list.imodels.is_empty());

    // Unset, they are not sent.
    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    client.get_imodels(ITWIN_ID).send().await.expect("200");
    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some(format!("iTwinId={ITWIN_ID}").as_str())
    );
}
