//! Every operation in `spec/imodels.yaml` (all 21) as one table: each row makes one
//! call and gives the exact method, path, query string and JSON body that must reach
//! a loopback server (with the headers every request carries and the `Accept` the
//! operation asks for), the answer the server gives, and how it comes back (typed
//! model, bytes, or raw response). Where `spec/overlays/` gives an operation a body or
//! an answer the seed leaves out (briefcases, locks, users, baseline file, changeset
//! push), the row follows the overlaid operation. A failure names its row.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::future::BoxFuture;
use generated_client::models::{
    BaselineFileState, CloneIModel, CreateChangeset, CreateIModel, CreateNamedVersion, Extent,
    ForkIModel, IModel, IModelLinks, IModelState, Link, LockLevel, LockedObjects,
    NamedVersionState, Point, UpdateIModel, UpdateLocks,
};
use generated_client::runtime::StatusCode;
use generated_client::Client;
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::support::{
    assert_headers, assert_no_body, json, only_request, start, ACCEPT_ANY, CREATOR_ID, IMODEL_ID,
    ITWIN_ID, NAMED_VERSION_ID, USER_ID,
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

/// The body a request must carry.
enum Sent {
    /// None at all, and no `Content-Type`.
    Nothing,
    /// This JSON (compared as values), as `application/json`.
    Json(serde_json::Value),
    /// Exactly this text, as `application/json`: compact, no `null`s.
    Text(String),
}

/// One operation call and what must cross the wire for it.
struct Row {
    /// Names the row in failure messages.
    name: &'static str,
    method: &'static str,
    path: String,
    /// The query string, exactly, in order (`None`: no `?`).
    query: Option<String>,
    /// The `Accept` the operation sends.
    accept: &'static str,
    body: Sent,
    /// The server's answer: status, headers, body.
    answer: ResponseTemplate,
    /// Makes the call and checks what it returns.
    call: fn(Client) -> BoxFuture<'static, ()>,
}

fn rows() -> Vec<Row> {
    vec![
        // ---------------------------------------------------------- iModels
        Row {
            name: "get_imodels with $top and $skip",
            method: "GET",
            path: "/".to_owned(),
            // Exactly these parameters, in this order, with `$` literal on the wire.
            query: Some(format!("iTwinId={ITWIN_ID}&$top=5&$skip=10")),
            accept: JSON,
            body: Sent::Nothing,
            answer: json(
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
            ),
            call: |client| {
                Box::pin(async move {
                    let success = client
                        .get_imodels(ITWIN_ID)
                        .top(5)
                        .skip(10)
                        .send()
                        .await
                        .expect("200");
                    assert_eq!(success.status(), StatusCode::OK);
                    assert_eq!(success.headers()["content-type"], JSON);
                    let imodels = success.into_inner().imodels;
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
                })
            },
        },
        Row {
            name: "get_imodels without paging sends only iTwinId",
            method: "GET",
            path: "/".to_owned(),
            query: Some(format!("iTwinId={ITWIN_ID}")),
            accept: JSON,
            body: Sent::Nothing,
            answer: json(200, json!({ "iModels": [] })),
            call: |client| {
                Box::pin(async move {
                    let list = client.get_imodels(ITWIN_ID).send().await.expect("200");
                    assert!(list.into_inner().imodels.is_empty());
                })
            },
        },
        Row {
            name: "create_imodel with its nested extent",
            method: "POST",
            path: "/".to_owned(),
            query: None,
            accept: JSON,
            body: Sent::Json(json!({
                "iTwinId": ITWIN_ID,
                "name": "Sun City",
                "description": "Wind and solar",
                "extent": {
                    "southWest": { "latitude": 46.13267702834806, "longitude": 7.672120009938448 },
                    "northEast": { "latitude": 46.302763954781234, "longitude": 7.835541640797823 }
                }
            })),
            answer: json(
                201,
                json!({ "iModel": {
                    "id": IMODEL_ID,
                    "displayName": "Sun City",
                    "name": "Sun City",
                    "state": "notInitialized",
                    "iTwinId": ITWIN_ID,
                    "createdDateTime": "2024-02-29T23:59:59Z",
                }}),
            ),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
        Row {
            name: "create_imodel omits unset optional fields",
            method: "POST",
            path: "/".to_owned(),
            query: None,
            accept: JSON,
            // Compact JSON, no `null`s for the unset `description` and `extent`.
            body: Sent::Text(format!(r#"{{"iTwinId":"{ITWIN_ID}","name":"Bare"}}"#)),
            answer: json(201, json!({ "iModel": { "id": IMODEL_ID } })),
            call: |client| {
                Box::pin(async move {
                    let imodel = client
                        .create_imodel(CreateIModel::new(ITWIN_ID, "Bare"))
                        .send()
                        .await
                        .expect("201")
                        .into_inner();
                    assert_eq!(imodel.id, Some(IMODEL_ID));
                    assert_eq!(imodel.state, None);
                })
            },
        },
        Row {
            name: "get_imodel decodes every field",
            method: "GET",
            path: imodel_path(""),
            query: None,
            accept: JSON,
            body: Sent::Nothing,
            answer: json(200, json!({ "iModel": imodel_json() })).insert_header("etag", "\"v7\""),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
        Row {
            name: "update_imodel",
            method: "PATCH",
            path: imodel_path(""),
            query: None,
            accept: JSON,
            body: Sent::Json(json!({ "name": "Renamed", "description": "New description" })),
            answer: json(
                200,
                json!({ "iModel": { "id": IMODEL_ID, "name": "Renamed" } }),
            ),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
        Row {
            name: "update_imodel with only a name sends only the name",
            method: "PATCH",
            path: imodel_path(""),
            query: None,
            accept: JSON,
            body: Sent::Json(json!({ "name": "Only" })),
            answer: json(
                200,
                json!({ "iModel": { "id": IMODEL_ID, "name": "Only" } }),
            ),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
        Row {
            name: "delete_imodel returns the raw 204",
            method: "DELETE",
            path: imodel_path(""),
            query: None,
            accept: ACCEPT_ANY,
            body: Sent::Nothing,
            answer: ResponseTemplate::new(204),
            call: |client| {
                Box::pin(async move {
                    let raw = client.delete_imodel(IMODEL_ID).send().await.expect("204");
                    assert_eq!(raw.status(), StatusCode::NO_CONTENT);
                    assert!(raw.body().is_empty());
                })
            },
        },
        Row {
            name: "clone_imodel returns the raw 202",
            method: "POST",
            path: imodel_path("/clone"),
            query: None,
            accept: ACCEPT_ANY,
            body: Sent::Json(json!({
                "iTwinId": ITWIN_ID,
                "name": "Sun City (copy)",
                "changesetId": "4d0d3b3a0c6d8a1b2c3d4e5f60718293a4b5c6d7"
            })),
            answer: ResponseTemplate::new(202)
                .insert_header("location", "https://api.bentley.com/imodels/new-id")
                .insert_header("create-imodel-operation", "op-1"),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
        Row {
            name: "fork_imodel returns the raw 202",
            method: "POST",
            path: imodel_path("/fork"),
            query: None,
            accept: ACCEPT_ANY,
            body: Sent::Json(json!({ "iTwinId": ITWIN_ID, "name": "Sun City (fork)" })),
            answer: ResponseTemplate::new(202)
                .insert_header("location", "https://api.bentley.com/imodels/fork-id")
                .insert_header("create-imodel-operation", "op-2"),
            call: |client| {
                Box::pin(async move {
                    let raw = client
                        .fork_imodel(IMODEL_ID, ForkIModel::new(ITWIN_ID, "Sun City (fork)"))
                        .send()
                        .await
                        .expect("202");
                    assert_eq!(raw.status(), StatusCode::ACCEPTED);
                    assert_eq!(raw.headers()["create-imodel-operation"], "op-2");
                })
            },
        },
        // ------------------------------------------------------- Changesets
        Row {
            name: "get_changesets",
            method: "GET",
            path: imodel_path("/changesets"),
            query: None,
            accept: JSON,
            body: Sent::Nothing,
            answer: json(
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
            ),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
        Row {
            name: "create_changeset",
            method: "POST",
            path: imodel_path("/changesets"),
            query: None,
            accept: JSON,
            body: Sent::Json(json!({ "id": "9c1d2e3f", "briefcaseId": 2, "fileSize": 1024 })),
            answer: json(
                201,
                json!({ "changeset": { "id": "9c1d2e3f", "index": 3 } }),
            ),
            call: |client| {
                Box::pin(async move {
                    // 71-changeset-push.yaml: the body the live API needs, the changeset unwrapped.
                    let created = client
                        .create_changeset(IMODEL_ID, CreateChangeset::new("9c1d2e3f", 2, 1024))
                        .send()
                        .await
                        .expect("201");
                    assert_eq!(created.status(), StatusCode::CREATED);
                    assert_eq!(created.id.as_deref(), Some("9c1d2e3f"));
                    assert_eq!(created.index, Some(3));
                })
            },
        },
        Row {
            name: "get_changeset",
            method: "GET",
            path: imodel_path("/changesets/9c1d2e3f4a5b"),
            query: None,
            accept: JSON,
            body: Sent::Nothing,
            answer: json(
                200,
                json!({ "changeset": {
                    "id": "9c1d2e3f4a5b",
                    "index": 42,
                    "pushDateTime": "2021-06-01T08:30:00Z",
                    "creatorId": CREATOR_ID,
                    "state": "waitingForFile"
                }}),
            ),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
        // --------------------------------------------------- Named versions
        Row {
            name: "get_named_versions and their states",
            method: "GET",
            path: imodel_path("/namedversions"),
            query: None,
            accept: JSON,
            body: Sent::Nothing,
            answer: json(
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
            ),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
        Row {
            name: "create_named_version",
            method: "POST",
            path: imodel_path("/namedversions"),
            query: None,
            accept: JSON,
            body: Sent::Json(json!({
                "name": "Milestone 2",
                "description": "After review",
                "changesetId": "aa00bb11"
            })),
            answer: json(
                201,
                json!({ "namedVersion": { "id": NAMED_VERSION_ID, "state": "visible" } }),
            ),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
        Row {
            name: "get_named_version",
            method: "GET",
            path: imodel_path(&format!("/namedversions/{NAMED_VERSION_ID}")),
            query: None,
            accept: JSON,
            body: Sent::Nothing,
            answer: json(
                200,
                json!({ "namedVersion": {
                    "id": NAMED_VERSION_ID,
                    "name": "Milestone 1",
                    "changesetIndex": 12,
                    "createdDateTime": "2022-03-04T05:06:07Z",
                    "state": "hidden"
                }}),
            ),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
        // ------------------------------------------------------- Briefcases
        Row {
            name: "get_briefcases",
            method: "GET",
            path: imodel_path("/briefcases"),
            query: None,
            accept: JSON,
            body: Sent::Nothing,
            answer: json(
                200,
                json!({ "briefcases": [{ "briefcaseId": 2, "ownerId": USER_ID }] }),
            ),
            call: |client| {
                Box::pin(async move {
                    // 60-briefcases.yaml: the list's body.
                    let list = client.get_briefcases(IMODEL_ID).send().await.expect("200");
                    assert_eq!(list.status(), StatusCode::OK);
                    assert_eq!(list.briefcases.len(), 1);
                    assert_eq!(list.briefcases[0].briefcase_id, Some(2));
                    assert_eq!(
                        list.briefcases[0].owner_id.as_deref(),
                        Some(&*USER_ID.to_string())
                    );
                })
            },
        },
        Row {
            name: "acquire_briefcase without a body",
            method: "POST",
            path: imodel_path("/briefcases"),
            query: None,
            accept: JSON,
            body: Sent::Nothing,
            answer: json(201, json!({ "briefcase": { "briefcaseId": 3 } })),
            call: |client| {
                Box::pin(async move {
                    // 60-briefcases.yaml: the body (a device name) is optional; the answer unwrapped.
                    let briefcase = client
                        .acquire_briefcase(IMODEL_ID)
                        .send()
                        .await
                        .expect("201");
                    assert_eq!(briefcase.status(), StatusCode::CREATED);
                    assert_eq!(briefcase.briefcase_id, Some(3));
                })
            },
        },
        // ------------------------------------------------------------ Locks
        Row {
            name: "get_locks",
            method: "GET",
            path: imodel_path("/locks"),
            query: None,
            accept: JSON,
            body: Sent::Nothing,
            answer: json(
                200,
                json!({ "locks": [{ "briefcaseId": 2, "lockedObjects": [] }] }),
            ),
            call: |client| {
                Box::pin(async move {
                    // 61-locks.yaml: the list's body.
                    let list = client.get_locks(IMODEL_ID).send().await.expect("200");
                    assert_eq!(list.status(), StatusCode::OK);
                    assert_eq!(list.locks.len(), 1);
                    assert_eq!(list.locks[0].briefcase_id, Some(2));
                })
            },
        },
        Row {
            name: "update_locks",
            method: "PATCH",
            path: imodel_path("/locks"),
            query: None,
            accept: JSON,
            body: Sent::Json(json!({
                "briefcaseId": 2,
                "lockedObjects": [{ "lockLevel": "exclusive", "objectIds": ["0x20000000001"] }]
            })),
            answer: json(200, json!({ "lock": { "briefcaseId": 2 } })),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
        // ------------------------------------------------------------ Users
        Row {
            name: "get_imodel_users",
            method: "GET",
            path: imodel_path("/users"),
            query: None,
            accept: JSON,
            body: Sent::Nothing,
            answer: json(
                200,
                json!({ "users": [{ "id": USER_ID, "displayName": "Ada" }] }),
            ),
            call: |client| {
                Box::pin(async move {
                    // 62-users-permissions.yaml: the list's body.
                    let list = client
                        .get_imodel_users(IMODEL_ID)
                        .send()
                        .await
                        .expect("200");
                    assert_eq!(list.status(), StatusCode::OK);
                    assert_eq!(list.users.len(), 1);
                    assert_eq!(list.users[0].display_name.as_deref(), Some("Ada"));
                })
            },
        },
        Row {
            name: "get_imodel_user",
            method: "GET",
            path: imodel_path(&format!("/users/{USER_ID}")),
            query: None,
            accept: JSON,
            body: Sent::Nothing,
            answer: json(
                200,
                json!({ "user": { "id": USER_ID, "displayName": "Ada" } }),
            ),
            call: |client| {
                Box::pin(async move {
                    // 62-users-permissions.yaml: the user, unwrapped.
                    let user = client
                        .get_imodel_user(IMODEL_ID, USER_ID)
                        .send()
                        .await
                        .expect("200");
                    assert_eq!(user.status(), StatusCode::OK);
                    assert_eq!(user.id.as_deref(), Some(&*USER_ID.to_string()));
                    assert_eq!(user.display_name.as_deref(), Some("Ada"));
                })
            },
        },
        // ------------------------------------------ Thumbnails and baselines
        Row {
            name: "get_thumbnail asks for PNG and returns the bytes",
            method: "GET",
            path: imodel_path("/thumbnail"),
            query: None,
            accept: "image/png",
            body: Sent::Nothing,
            answer: ResponseTemplate::new(200).set_body_raw(PNG, "image/png"),
            call: |client| {
                Box::pin(async move {
                    let success = client.get_thumbnail(IMODEL_ID).send().await.expect("200");
                    assert_eq!(success.status(), 200);
                    assert_eq!(success.headers()["content-type"], "image/png");
                    assert_eq!(success.into_inner().as_ref(), PNG);
                })
            },
        },
        Row {
            name: "get_baseline_file",
            method: "GET",
            path: imodel_path("/baselinefile"),
            query: None,
            accept: JSON,
            body: Sent::Nothing,
            answer: json(
                200,
                json!({
                    "baselineFile": {
                        "id": IMODEL_ID,
                        "displayName": "Sun City.bim",
                        "fileSize": 123456,
                        "state": "initialized",
                        "_links": { "download": { "href": "https://blob.example/baseline?sig=abc" } }
                    }
                }),
            ),
            call: |client| {
                Box::pin(async move {
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
                })
            },
        },
    ]
}

/// PNG signature plus the start of an IHDR chunk, including bytes that are not valid
/// UTF-8 (0x89) and a NUL, so any text conversion would show.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01";

/// The driver: each row against a server of its own, the call first (its panic is
/// reported with the row's name), then exactly one request with the row's method,
/// path, query, headers and body.
#[tokio::test]
async fn every_operation_sends_what_its_row_says_and_decodes_the_answer() {
    for row in rows() {
        let name = row.name;
        let (server, client) = start().await;
        Mock::given(any())
            .respond_with(row.answer)
            .expect(1)
            .mount(&server)
            .await;
        if let Err(error) = tokio::spawn((row.call)(client)).await {
            let panic = error.into_panic();
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("a panic");
            panic!("{name}: the call: {message}");
        }
        let request = only_request(&server).await;
        assert_eq!(request.method.as_str(), row.method, "{name}: method");
        assert_eq!(request.url.path(), row.path, "{name}: path");
        assert_eq!(request.url.query(), row.query.as_deref(), "{name}: query");
        let content_type = match &row.body {
            Sent::Nothing => None,
            Sent::Json(_) | Sent::Text(_) => Some(JSON),
        };
        let headers = std::panic::AssertUnwindSafe(|| {
            assert_headers(&request, row.accept, content_type);
            match &row.body {
                Sent::Nothing => assert_no_body(&request),
                Sent::Json(expected) => {
                    assert_eq!(&crate::support::body_json(&request), expected)
                }
                Sent::Text(expected) => {
                    assert_eq!(String::from_utf8_lossy(&request.body), expected.as_str())
                }
            }
        });
        if std::panic::catch_unwind(headers).is_err() {
            panic!("{name}: the request's headers or body (above)");
        }
    }
}
