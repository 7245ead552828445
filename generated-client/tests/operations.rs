//! One test per operation in `spec/imodels.yaml` (all 21): each checks the exact
//! method, path, query string, headers and JSON body that reach a loopback
//! server, and how the answer comes back (typed model, bytes, or raw response).
//! Where `spec/overlays/` gives an operation a body or an answer the seed leaves
//! out (briefcases, locks, users, baseline file, changeset push), the test follows
//! the overlaid operation.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use generated_client::models::{
    BaselineFileState, CloneIModel, CreateChangeset, CreateIModel, CreateNamedVersion, Extent,
    ForkIModel, IModel, IModelLinks, IModelState, Link, LockLevel, LockedObjects,
    NamedVersionState, Point, UpdateIModel, UpdateLocks,
};
use generated_client::runtime::StatusCode;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use common::{
    assert_headers, assert_no_body, json, only_request, start, ACCEPT_ANY, AUTHORIZATION,
    CREATOR_ID, IMODEL_ID, ITWIN_ID, NAMED_VERSION_ID, USER_ID,
};

const JSON: &str = "application/json";

fn utc(date: (i32, u32, u32), time: (u32, u32, u32), milli: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(date.0, date.1, date.2)
        .and_then(|day| day.and_hms_milli_opt(time.0, time.1, time.2, milli))
        .expect("a valid date and time")
        .and_utc()
}

/// An iModel as the service returns it, with its `_links` (typed by
/// `spec/overlays/51-links.yaml`) and seven fractional-second digits.
fn imodel_json() -> serde_json::Value {
    json!({
        "id": IMODEL_ID,
        "displayName": "Sun City Renewable-energy Plant",
        "name": "Sun City Renewable-energy Plant",
        "description": "Overall model of wind and solar farms in Sun City",
        "state": "initialized",
        "iTwinId": ITWIN_ID,
        "createdDateTime": "2020-10-20T10:51:33.1700000Z",
        "creatorId": CREATOR_ID,
        "dataCenterLocation": "East US",
        "_links": { "creator": { "href": "https://api.bentley.com/imodels/users/x" } }
    })
}

fn expected_imodel() -> IModel {
    IModel {
        id: Some(IMODEL_ID),
        display_name: Some("Sun City Renewable-energy Plant".to_owned()),
        name: Some("Sun City Renewable-energy Plant".to_owned()),
        description: Some("Overall model of wind and solar farms in Sun City".to_owned()),
        state: Some(IModelState::Initialized),
        itwin_id: Some(ITWIN_ID),
        created_date_time: Some(utc((2020, 10, 20), (10, 51, 33), 170)),
        creator_id: Some(CREATOR_ID),
        data_center_location: Some("East US".to_owned()),
        links: Some(IModelLinks {
            creator: Some(Link {
                href: Some("https://api.bentley.com/imodels/users/x".to_owned()),
            }),
            ..IModelLinks::default()
        }),
        ..IModel::default()
    }
}

fn imodel_path(suffix: &str) -> String {
    format!("/{IMODEL_ID}{suffix}")
}

// ---------------------------------------------------------------- iModels

#[tokio::test]
async fn get_imodels_sends_itwin_id_top_and_skip_and_decodes_the_list() {
    let (server, client) = start().await;
    Mock::given(method("GET"))
        .and(path("/"))
        .and(query_param("iTwinId", ITWIN_ID.to_string()))
        .and(query_param("$top", "5"))
        .and(query_param("$skip", "10"))
        .and(header("authorization", AUTHORIZATION))
        .and(header("accept", JSON))
        .respond_with(json(
            200,
            json!({
                "iModels": [
                    imodel_json(),
                    {
                        "id": NAMED_VERSION_ID,
                        "name": "Empty",
                        "state": "notInitialized",
                        "createdDateTime": "2024-05-01T12:00:00.250+02:00"
                    }
                ]
            }),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let success = client
        .get_imodels(ITWIN_ID)
        .top(5)
        .skip(10)
        .send()
        .await
        .expect("200");
    assert_eq!(success.status(), StatusCode::OK);
    assert_eq!(success.headers()["content-type"], JSON);
    let list = success.into_inner();
    let imodels = list.imodels;
    assert_eq!(imodels.len(), 2);
    assert_eq!(imodels[0], expected_imodel());
    assert_eq!(
        imodels[1],
        IModel {
            id: Some(NAMED_VERSION_ID),
            name: Some("Empty".to_owned()),
            state: Some(IModelState::NotInitialized),
            // The +02:00 offset is normalised to UTC.
            created_date_time: Some(utc((2024, 5, 1), (10, 0, 0), 250)),
            ..IModel::default()
        }
    );

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), "/");
    // Exactly these parameters, in this order, with `$` literal on the wire.
    assert_eq!(
        request.url.query(),
        Some(format!("iTwinId={ITWIN_ID}&$top=5&$skip=10").as_str())
    );
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

#[tokio::test]
async fn get_imodels_without_paging_sends_only_itwin_id() {
    let (server, client) = start().await;
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(json(200, json!({ "iModels": [] })))
        .expect(1)
        .mount(&server)
        .await;

    let list = client
        .get_imodels(ITWIN_ID)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert!(list.imodels.is_empty());

    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some(format!("iTwinId={ITWIN_ID}").as_str())
    );
}

#[tokio::test]
async fn create_imodel_posts_the_body_with_its_nested_extent_and_decodes_201() {
    let (server, client) = start().await;
    let expected_body = json!({
        "iTwinId": ITWIN_ID,
        "name": "Sun City",
        "description": "Wind and solar",
        "extent": {
            "southWest": { "latitude": 46.13267702834806, "longitude": 7.672120009938448 },
            "northEast": { "latitude": 46.302763954781234, "longitude": 7.835541640797823 }
        }
    });
    Mock::given(method("POST"))
        .and(path("/"))
        .and(header("authorization", AUTHORIZATION))
        .and(header("content-type", JSON))
        .and(header("accept", JSON))
        .and(body_json(&expected_body))
        .respond_with(json(
            201,
            json!({ "iModel": {
                "id": IMODEL_ID,
                "displayName": "Sun City",
                "name": "Sun City",
                "state": "notInitialized",
                "iTwinId": ITWIN_ID,
                "createdDateTime": "2024-02-29T23:59:59Z",
            }}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let body = CreateIModel {
        description: Some("Wind and solar".to_owned()),
        extent: Some(Extent {
            south_west: Some(Point {
                latitude: Some(46.13267702834806),
                longitude: Some(7.672120009938448),
            }),
            north_east: Some(Point {
                latitude: Some(46.302763954781234),
                longitude: Some(7.835541640797823),
            }),
        }),
        ..CreateIModel::new(ITWIN_ID, "Sun City")
    };
    let value = client.create_imodel(body).send().await.expect("201");
    assert_eq!(value.status(), StatusCode::CREATED);
    assert_eq!(
        value.into_inner(),
        IModel {
            id: Some(IMODEL_ID),
            display_name: Some("Sun City".to_owned()),
            name: Some("Sun City".to_owned()),
            state: Some(IModelState::NotInitialized),
            itwin_id: Some(ITWIN_ID),
            created_date_time: Some(utc((2024, 2, 29), (23, 59, 59), 0)),
            ..IModel::default()
        }
    );

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), "/");
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, Some(JSON));
    assert_eq!(common::body_json(&request), expected_body);
}

#[tokio::test]
async fn create_imodel_omits_unset_optional_fields() {
    let (server, client) = start().await;
    Mock::given(method("POST"))
        .and(path("/"))
        .and(body_json(json!({ "iTwinId": ITWIN_ID, "name": "Bare" })))
        .respond_with(json(201, json!({ "iModel": { "id": IMODEL_ID } })))
        .expect(1)
        .mount(&server)
        .await;

    let imodel = client
        .create_imodel(CreateIModel::new(ITWIN_ID, "Bare"))
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_eq!(imodel.id, Some(IMODEL_ID));
    assert_eq!(imodel.state, None);

    let request = only_request(&server).await;
    // Compact JSON, no `null`s for the unset `description` and `extent`.
    assert_eq!(
        String::from_utf8(request.body).expect("UTF-8"),
        format!(r#"{{"iTwinId":"{ITWIN_ID}","name":"Bare"}}"#)
    );
}

#[tokio::test]
async fn get_imodel_gets_by_id_and_decodes_every_field() {
    let (server, client) = start().await;
    Mock::given(method("GET"))
        .and(path(imodel_path("")))
        .and(header("authorization", AUTHORIZATION))
        .and(header("accept", JSON))
        .respond_with(json(200, json!({ "iModel": imodel_json() })).insert_header("etag", "\"v7\""))
        .expect(1)
        .mount(&server)
        .await;

    let success = client.get_imodel(IMODEL_ID).send().await.expect("200");
    assert_eq!(*success, expected_imodel());
    let (status, headers, imodel) = success.into_parts();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["etag"], "\"v7\"");
    assert_eq!(imodel.state, Some(IModelState::Initialized));
    assert_eq!(
        imodel.created_date_time.map(|t| t.to_rfc3339()),
        Some("2020-10-20T10:51:33.170+00:00".to_owned())
    );

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), imodel_path(""));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

#[tokio::test]
async fn update_imodel_patches_json_and_decodes_the_updated_imodel() {
    let (server, client) = start().await;
    let expected_body = json!({ "name": "Renamed", "description": "New description" });
    Mock::given(method("PATCH"))
        .and(path(imodel_path("")))
        .and(header("authorization", AUTHORIZATION))
        .and(header("content-type", JSON))
        .and(body_json(&expected_body))
        .respond_with(json(
            200,
            json!({ "iModel": { "id": IMODEL_ID, "name": "Renamed" } }),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let body = UpdateIModel {
        name: Some("Renamed".to_owned()),
        description: Some("New description".to_owned()),
    };
    // 50-envelopes.yaml: the answer is the updated iModel, unwrapped.
    let updated = client
        .update_imodel(IMODEL_ID, body)
        .send()
        .await
        .expect("200");
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(updated.id, Some(IMODEL_ID));
    assert_eq!(updated.name.as_deref(), Some("Renamed"));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "PATCH");
    assert_eq!(request.url.path(), imodel_path(""));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, Some(JSON));
    assert_eq!(common::body_json(&request), expected_body);
}

#[tokio::test]
async fn update_imodel_with_only_a_name_sends_only_the_name() {
    let (server, client) = start().await;
    Mock::given(method("PATCH"))
        .and(body_json(json!({ "name": "Only" })))
        .respond_with(json(
            200,
            json!({ "iModel": { "id": IMODEL_ID, "name": "Only" } }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let body = UpdateIModel {
        name: Some("Only".to_owned()),
        ..UpdateIModel::default()
    };
    let updated = client
        .update_imodel(IMODEL_ID, body)
        .send()
        .await
        .expect("200");
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(updated.name.as_deref(), Some("Only"));
}

#[tokio::test]
async fn delete_imodel_sends_delete_and_returns_the_raw_204() {
    let (server, client) = start().await;
    Mock::given(method("DELETE"))
        .and(path(imodel_path("")))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let raw = client.delete_imodel(IMODEL_ID).send().await.expect("204");
    assert_eq!(raw.status(), StatusCode::NO_CONTENT);
    assert!(raw.body().is_empty());

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "DELETE");
    assert_eq!(request.url.path(), imodel_path(""));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, ACCEPT_ANY, None);
    assert_no_body(&request);
}

#[tokio::test]
async fn clone_imodel_posts_json_and_returns_the_raw_202() {
    let (server, client) = start().await;
    let expected_body = json!({
        "iTwinId": ITWIN_ID,
        "name": "Sun City (copy)",
        "changesetId": "4d0d3b3a0c6d8a1b2c3d4e5f60718293a4b5c6d7"
    });
    Mock::given(method("POST"))
        .and(path(imodel_path("/clone")))
        .and(header("authorization", AUTHORIZATION))
        .and(header("content-type", JSON))
        .and(body_json(&expected_body))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("location", "https://api.bentley.com/imodels/new-id")
                .insert_header("create-imodel-operation", "op-1"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let body = CloneIModel {
        changeset_id: Some("4d0d3b3a0c6d8a1b2c3d4e5f60718293a4b5c6d7".to_owned()),
        ..CloneIModel::new(ITWIN_ID, "Sun City (copy)")
    };
    let raw = client
        .clone_imodel(IMODEL_ID, body)
        .send()
        .await
        .expect("202");
    assert_eq!(raw.status(), StatusCode::ACCEPTED);
    assert_eq!(
        raw.headers()["location"],
        "https://api.bentley.com/imodels/new-id"
    );

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), imodel_path("/clone"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, ACCEPT_ANY, Some(JSON));
    assert_eq!(common::body_json(&request), expected_body);
}

#[tokio::test]
async fn fork_imodel_posts_json_and_returns_the_raw_202() {
    let (server, client) = start().await;
    let expected_body = json!({ "iTwinId": ITWIN_ID, "name": "Sun City (fork)" });
    Mock::given(method("POST"))
        .and(path(imodel_path("/fork")))
        .and(header("authorization", AUTHORIZATION))
        .and(header("content-type", JSON))
        .and(body_json(&expected_body))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("location", "https://api.bentley.com/imodels/fork-id")
                .insert_header("create-imodel-operation", "op-2"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let raw = client
        .fork_imodel(IMODEL_ID, ForkIModel::new(ITWIN_ID, "Sun City (fork)"))
        .send()
        .await
        .expect("202");
    assert_eq!(raw.status(), StatusCode::ACCEPTED);
    assert_eq!(raw.headers()["create-imodel-operation"], "op-2");

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), imodel_path("/fork"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, ACCEPT_ANY, Some(JSON));
    assert_eq!(common::body_json(&request), expected_body);
}

// ------------------------------------------------------------- Changesets

#[tokio::test]
async fn get_changesets_decodes_the_list() {
    let (server, client) = start().await;
    Mock::given(method("GET"))
        .and(path(imodel_path("/changesets")))
        .and(header("authorization", AUTHORIZATION))
        .and(header("accept", JSON))
        .respond_with(json(
            200,
            json!({
                "changesets": [
                    {
                        "id": "9c1d2e3f",
                        "displayName": "1",
                        "description": "Initial import",
                        "index": 1,
                        "parentId": "",
                        "creatorId": CREATOR_ID,
                        "pushDateTime": "2023-12-31T23:59:59.999Z",
                        "state": "fileUploaded",
                        "containingChanges": 0,
                        "fileSize": 5_000_000_000_i64,
                        "briefcaseId": 2
                    },
                    { "id": "aa00bb11", "index": 2, "parentId": "9c1d2e3f" }
                ]
            }),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let list = client
        .get_changesets(IMODEL_ID)
        .send()
        .await
        .expect("200")
        .into_inner();
    let changesets = list.changesets;
    assert_eq!(changesets.len(), 2);
    let first = &changesets[0];
    assert_eq!(first.id.as_deref(), Some("9c1d2e3f"));
    assert_eq!(first.display_name.as_deref(), Some("1"));
    assert_eq!(first.description.as_deref(), Some("Initial import"));
    assert_eq!(first.index, Some(1));
    assert_eq!(first.parent_id.as_deref(), Some(""));
    assert_eq!(first.creator_id, Some(CREATOR_ID));
    assert_eq!(
        first.push_date_time,
        Some(utc((2023, 12, 31), (23, 59, 59), 999))
    );
    assert_eq!(first.state.as_deref(), Some("fileUploaded"));
    assert_eq!(first.containing_changes, Some(0));
    // Larger than u32: fileSize is int64.
    assert_eq!(first.file_size, Some(5_000_000_000));
    assert_eq!(first.briefcase_id, Some(2));
    assert_eq!(changesets[1].index, Some(2));
    assert_eq!(changesets[1].parent_id.as_deref(), Some("9c1d2e3f"));
    assert_eq!(changesets[1].push_date_time, None);

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), imodel_path("/changesets"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

#[tokio::test]
async fn create_changeset_posts_its_body_and_decodes_the_changeset() {
    let (server, client) = start().await;
    let expected_body = json!({ "id": "9c1d2e3f", "briefcaseId": 2, "fileSize": 1024 });
    Mock::given(method("POST"))
        .and(path(imodel_path("/changesets")))
        .and(header("authorization", AUTHORIZATION))
        .and(body_json(&expected_body))
        .respond_with(json(
            201,
            json!({ "changeset": { "id": "9c1d2e3f", "index": 3 } }),
        ))
        .expect(1)
        .mount(&server)
        .await;

    // 71-changeset-push.yaml: the body the live API needs, the changeset unwrapped.
    let created = client
        .create_changeset(IMODEL_ID, CreateChangeset::new("9c1d2e3f", 2, 1024))
        .send()
        .await
        .expect("201");
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.id.as_deref(), Some("9c1d2e3f"));
    assert_eq!(created.index, Some(3));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), imodel_path("/changesets"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, Some(JSON));
    assert_eq!(common::body_json(&request), expected_body);
}

#[tokio::test]
async fn get_changeset_gets_by_id_and_decodes() {
    let (server, client) = start().await;
    let changeset_path = imodel_path("/changesets/9c1d2e3f4a5b");
    Mock::given(method("GET"))
        .and(path(changeset_path.as_str()))
        .and(header("authorization", AUTHORIZATION))
        .and(header("accept", JSON))
        .respond_with(json(
            200,
            json!({ "changeset": {
                "id": "9c1d2e3f4a5b",
                "index": 42,
                "pushDateTime": "2021-06-01T08:30:00Z",
                "creatorId": CREATOR_ID,
                "state": "waitingForFile"
            }}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let changeset = client
        .get_changeset(IMODEL_ID, "9c1d2e3f4a5b")
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(changeset.id.as_deref(), Some("9c1d2e3f4a5b"));
    assert_eq!(changeset.index, Some(42));
    assert_eq!(
        changeset.push_date_time,
        Some(utc((2021, 6, 1), (8, 30, 0), 0))
    );
    assert_eq!(changeset.creator_id, Some(CREATOR_ID));
    assert_eq!(changeset.state.as_deref(), Some("waitingForFile"));
    assert_eq!(changeset.file_size, None);

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), changeset_path);
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

// --------------------------------------------------------- Named versions

#[tokio::test]
async fn get_named_versions_decodes_the_list_and_its_states() {
    let (server, client) = start().await;
    Mock::given(method("GET"))
        .and(path(imodel_path("/namedversions")))
        .and(header("authorization", AUTHORIZATION))
        .and(header("accept", JSON))
        .respond_with(json(
            200,
            json!({
                "namedVersions": [
                    {
                        "id": NAMED_VERSION_ID,
                        "displayName": "Milestone 1",
                        "name": "Milestone 1",
                        "description": "Design review",
                        "changesetId": "9c1d2e3f",
                        "changesetIndex": 12,
                        "createdDateTime": "2022-03-04T05:06:07.089Z",
                        "state": "visible"
                    },
                    { "name": "Old", "state": "hidden" }
                ]
            }),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let list = client
        .get_named_versions(IMODEL_ID)
        .send()
        .await
        .expect("200")
        .into_inner();
    let versions = list.named_versions;
    assert_eq!(versions.len(), 2);
    let first = &versions[0];
    assert_eq!(first.id, Some(NAMED_VERSION_ID));
    assert_eq!(first.display_name.as_deref(), Some("Milestone 1"));
    assert_eq!(first.name.as_deref(), Some("Milestone 1"));
    assert_eq!(first.description.as_deref(), Some("Design review"));
    assert_eq!(first.changeset_id.as_deref(), Some("9c1d2e3f"));
    assert_eq!(first.changeset_index, Some(12));
    assert_eq!(
        first.created_date_time,
        Some(utc((2022, 3, 4), (5, 6, 7), 89))
    );
    assert_eq!(first.state, Some(NamedVersionState::Visible));
    assert_eq!(versions[1].state, Some(NamedVersionState::Hidden));
    assert_eq!(versions[1].id, None);

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), imodel_path("/namedversions"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

#[tokio::test]
async fn create_named_version_posts_json_and_returns_the_raw_201() {
    let (server, client) = start().await;
    let expected_body = json!({
        "name": "Milestone 2",
        "description": "After review",
        "changesetId": "aa00bb11"
    });
    Mock::given(method("POST"))
        .and(path(imodel_path("/namedversions")))
        .and(header("authorization", AUTHORIZATION))
        .and(header("content-type", JSON))
        .and(body_json(&expected_body))
        .respond_with(json(
            201,
            json!({ "namedVersion": { "id": NAMED_VERSION_ID, "state": "visible" } }),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let body = CreateNamedVersion {
        description: Some("After review".to_owned()),
        ..CreateNamedVersion::new("Milestone 2", "aa00bb11")
    };
    // 50-envelopes.yaml: the new named version, unwrapped.
    let created = client
        .create_named_version(IMODEL_ID, body)
        .send()
        .await
        .expect("201");
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.id, Some(NAMED_VERSION_ID));
    assert_eq!(created.state, Some(NamedVersionState::Visible));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), imodel_path("/namedversions"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, Some(JSON));
    assert_eq!(common::body_json(&request), expected_body);
}

#[tokio::test]
async fn get_named_version_gets_by_id_and_decodes() {
    let (server, client) = start().await;
    let version_path = imodel_path(&format!("/namedversions/{NAMED_VERSION_ID}"));
    Mock::given(method("GET"))
        .and(path(version_path.as_str()))
        .and(header("authorization", AUTHORIZATION))
        .and(header("accept", JSON))
        .respond_with(json(
            200,
            json!({ "namedVersion": {
                "id": NAMED_VERSION_ID,
                "name": "Milestone 1",
                "changesetIndex": 12,
                "createdDateTime": "2022-03-04T05:06:07Z",
                "state": "hidden"
            }}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let version = client
        .get_named_version(IMODEL_ID, NAMED_VERSION_ID)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(version.id, Some(NAMED_VERSION_ID));
    assert_eq!(version.name.as_deref(), Some("Milestone 1"));
    assert_eq!(version.changeset_index, Some(12));
    assert_eq!(
        version.created_date_time,
        Some(utc((2022, 3, 4), (5, 6, 7), 0))
    );
    assert_eq!(version.state, Some(NamedVersionState::Hidden));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), version_path);
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

// ------------------------------------------------------------- Briefcases

#[tokio::test]
async fn get_briefcases_decodes_the_list() {
    let (server, client) = start().await;
    let body = json!({ "briefcases": [{ "briefcaseId": 2, "ownerId": USER_ID }] });
    Mock::given(method("GET"))
        .and(path(imodel_path("/briefcases")))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(json(200, body.clone()))
        .expect(1)
        .mount(&server)
        .await;

    // 60-briefcases.yaml: the list's body.
    let list = client.get_briefcases(IMODEL_ID).send().await.expect("200");
    assert_eq!(list.status(), StatusCode::OK);
    assert_eq!(list.briefcases.len(), 1);
    assert_eq!(list.briefcases[0].briefcase_id, Some(2));
    assert_eq!(
        list.briefcases[0].owner_id.as_deref(),
        Some(&*USER_ID.to_string())
    );

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), imodel_path("/briefcases"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

#[tokio::test]
async fn acquire_briefcase_posts_without_a_body_and_decodes_the_briefcase() {
    let (server, client) = start().await;
    Mock::given(method("POST"))
        .and(path(imodel_path("/briefcases")))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(json(201, json!({ "briefcase": { "briefcaseId": 3 } })))
        .expect(1)
        .mount(&server)
        .await;

    // 60-briefcases.yaml: the body (a device name) is optional; the answer unwrapped.
    let briefcase = client
        .acquire_briefcase(IMODEL_ID)
        .send()
        .await
        .expect("201");
    assert_eq!(briefcase.status(), StatusCode::CREATED);
    assert_eq!(briefcase.briefcase_id, Some(3));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(request.url.path(), imodel_path("/briefcases"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

// ------------------------------------------------------------------ Locks

#[tokio::test]
async fn get_locks_decodes_the_list() {
    let (server, client) = start().await;
    let body = json!({ "locks": [{ "briefcaseId": 2, "lockedObjects": [] }] });
    Mock::given(method("GET"))
        .and(path(imodel_path("/locks")))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(json(200, body.clone()))
        .expect(1)
        .mount(&server)
        .await;

    // 61-locks.yaml: the list's body.
    let list = client.get_locks(IMODEL_ID).send().await.expect("200");
    assert_eq!(list.status(), StatusCode::OK);
    assert_eq!(list.locks.len(), 1);
    assert_eq!(list.locks[0].briefcase_id, Some(2));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), imodel_path("/locks"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

#[tokio::test]
async fn update_locks_patches_the_locks_and_decodes_the_answer() {
    let (server, client) = start().await;
    let expected_body = json!({
        "briefcaseId": 2,
        "lockedObjects": [{ "lockLevel": "exclusive", "objectIds": ["0x20000000001"] }]
    });
    Mock::given(method("PATCH"))
        .and(path(imodel_path("/locks")))
        .and(header("authorization", AUTHORIZATION))
        .and(body_json(&expected_body))
        .respond_with(json(200, json!({ "lock": { "briefcaseId": 2 } })))
        .expect(1)
        .mount(&server)
        .await;

    // 61-locks.yaml: the body Bentley's client sends, the lock unwrapped.
    let body = UpdateLocks::new(
        2,
        vec![LockedObjects {
            lock_level: Some(LockLevel::Exclusive),
            object_ids: vec!["0x20000000001".to_owned()],
        }],
    );
    let lock = client
        .update_locks(IMODEL_ID, body)
        .send()
        .await
        .expect("200");
    assert_eq!(lock.status(), StatusCode::OK);
    assert_eq!(lock.briefcase_id, Some(2));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "PATCH");
    assert_eq!(request.url.path(), imodel_path("/locks"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, Some(JSON));
    assert_eq!(common::body_json(&request), expected_body);
}

// ------------------------------------------------------------------ Users

#[tokio::test]
async fn get_imodel_users_decodes_the_list() {
    let (server, client) = start().await;
    let body = json!({ "users": [{ "id": USER_ID, "displayName": "Ada" }] });
    Mock::given(method("GET"))
        .and(path(imodel_path("/users")))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(json(200, body.clone()))
        .expect(1)
        .mount(&server)
        .await;

    // 62-users-permissions.yaml: the list's body.
    let list = client
        .get_imodel_users(IMODEL_ID)
        .send()
        .await
        .expect("200");
    assert_eq!(list.status(), StatusCode::OK);
    assert_eq!(list.users.len(), 1);
    assert_eq!(list.users[0].display_name.as_deref(), Some("Ada"));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), imodel_path("/users"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

#[tokio::test]
async fn get_imodel_user_gets_by_id_and_decodes_the_user() {
    let (server, client) = start().await;
    let user_path = imodel_path(&format!("/users/{USER_ID}"));
    let body = json!({ "user": { "id": USER_ID, "displayName": "Ada" } });
    Mock::given(method("GET"))
        .and(path(user_path.as_str()))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(json(200, body.clone()))
        .expect(1)
        .mount(&server)
        .await;

    // 62-users-permissions.yaml: the user, unwrapped.
    let user = client
        .get_imodel_user(IMODEL_ID, USER_ID)
        .send()
        .await
        .expect("200");
    assert_eq!(user.status(), StatusCode::OK);
    assert_eq!(user.id.as_deref(), Some(&*USER_ID.to_string()));
    assert_eq!(user.display_name.as_deref(), Some("Ada"));

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), user_path);
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}

// ------------------------------------------------- Thumbnails and baselines

#[tokio::test]
async fn get_thumbnail_asks_for_png_and_returns_the_bytes() {
    let (server, client) = start().await;
    // PNG signature plus the start of an IHDR chunk, including bytes that are
    // not valid UTF-8 (0x89) and a NUL, so any text conversion would show.
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01";
    Mock::given(method("GET"))
        .and(path(imodel_path("/thumbnail")))
        .and(header("authorization", AUTHORIZATION))
        .and(header("accept", "image/png"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(png, "image/png"))
        .expect(1)
        .mount(&server)
        .await;

    let success = client.get_thumbnail(IMODEL_ID).send().await.expect("200");
    assert_eq!(success.status(), 200);
    assert_eq!(success.headers()["content-type"], "image/png");
    let bytes = success.into_inner();
    assert_eq!(bytes.as_ref(), png);

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), imodel_path("/thumbnail"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, "image/png", None);
    assert_no_body(&request);
}

#[tokio::test]
async fn get_baseline_file_decodes_the_baseline_file() {
    let (server, client) = start().await;
    let body = json!({
        "baselineFile": {
            "id": IMODEL_ID,
            "displayName": "Sun City.bim",
            "fileSize": 123456,
            "state": "initialized",
            "_links": { "download": { "href": "https://blob.example/baseline?sig=abc" } }
        }
    });
    Mock::given(method("GET"))
        .and(path(imodel_path("/baselinefile")))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(json(200, body.clone()))
        .expect(1)
        .mount(&server)
        .await;

    // 70-imodel-creation.yaml: the baseline file, unwrapped, with its download link.
    let baseline = client
        .get_baseline_file(IMODEL_ID)
        .send()
        .await
        .expect("200");
    assert_eq!(baseline.status(), StatusCode::OK);
    assert_eq!(baseline.id, Some(IMODEL_ID));
    assert_eq!(baseline.file_size, Some(123456));
    assert_eq!(baseline.state, Some(BaselineFileState::Initialized));
    let download = baseline.links.as_ref().and_then(|l| l.download.as_ref());
    assert_eq!(
        download.and_then(|d| d.href.as_deref()),
        Some("https://blob.example/baseline?sig=abc")
    );

    let request = only_request(&server).await;
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), imodel_path("/baselinefile"));
    assert_eq!(request.url.query(), None);
    assert_headers(&request, JSON, None);
    assert_no_body(&request);
}
