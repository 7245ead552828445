//! A loopback stand-in for the live iModels API, answering the way Bentley documents it
//! and its TypeScript clients read it (`@itwin/imodels-client-management` and
//! `-authoring`): single entities wrapped (`{"iModel": {...}}`), list pages capped at
//! [`PAGE_CAP`] items whatever `$top` asks, with `_links.next.href` carrying a
//! `$continuationToken` until the last page, `Prefer: return=minimal` (the default) or
//! `return=representation`, `429` + `Retry-After` on the first Clone, creations that
//! finish later (`operations/create`, `baselinefile` states), and file links
//! (`download`, `upload`) on another origin, the storage.
//!
//! Every request must carry the client's bearer token (or gets a `401`); every request
//! is kept, so a test can check what reached the API.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use uuid::Uuid;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::{IMODEL_ID, ITWIN_ID, TOKEN};

/// The most items a list page holds, whatever `$top` asks (the live API caps pages).
pub const PAGE_CAP: usize = 4;

/// The iModel that Clone creates.
pub const CLONE_ID: Uuid = Uuid::from_u128(0xc10e);
/// The iModel that Fork creates.
pub const FORK_ID: Uuid = Uuid::from_u128(0xf0c);
/// The fork of [`UNFORKABLE_ID`], whose creation fails.
pub const FAILED_FORK_ID: Uuid = Uuid::from_u128(0xbad0f0c);
/// An iModel whose elements lack FederationGuids: forking it fails.
pub const UNFORKABLE_ID: Uuid = Uuid::from_u128(0x0f0f);
/// The iModel that Create iModel creates (from a baseline file or a template).
pub const CREATED_ID: Uuid = Uuid::from_u128(0xc0ea7ed);
/// The user behind every `creator` link.
pub const USER_ID: Uuid = Uuid::from_u128(0x05e2);
/// The changeset that Create Changeset creates.
pub const PUSHED_CHANGESET: &str = "c0ffee00000000000000000000000000000000ff";

/// How many items each list holds (more than one page of [`PAGE_CAP`] each).
pub const IMODELS: usize = 9;
pub const CHANGESETS: usize = 7;
pub const NAMED_VERSIONS: usize = 5;
pub const BRIEFCASES: usize = 6;
pub const USERS: usize = 5;
pub const LOCKS: usize = 5;
pub const CHANGESET_GROUPS: usize = 5;
pub const EXTENDED_DATA: usize = 6;
pub const FAVORITES: usize = 5;
pub const RECENTS: usize = 5;

/// The id of the `i`-th iModel of the iTwin (1-based).
pub fn imodel_id(i: usize) -> Uuid {
    Uuid::from_u128(0x1000 + i as u128)
}

/// The id of the changeset with index `i` (1-based): 40 hex digits, like a hash.
pub fn changeset_id(i: usize) -> String {
    format!("{i:040x}")
}

pub fn named_version_id(i: usize) -> Uuid {
    Uuid::from_u128(0x2000 + i as u128)
}

pub fn user_id(i: usize) -> Uuid {
    Uuid::from_u128(0x3000 + i as u128)
}

pub fn changeset_group_id(i: usize) -> String {
    format!("group-{i}")
}

/// What the fake API was asked, in order: method, path and query, and the headers
/// that matter here.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// The query's pairs, decoded.
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub prefer: Option<String>,
    pub body: Vec<u8>,
}

#[derive(Default)]
struct State {
    seen: Vec<Seen>,
    /// How many times each `METHOD path` was asked.
    calls: HashMap<String, usize>,
}

/// The fake API, mounted on a wiremock server, with links into `storage`.
#[derive(Clone)]
pub struct ImodelsApi {
    base: String,
    storage: String,
    token: String,
    state: Arc<Mutex<State>>,
}

impl ImodelsApi {
    /// Starts the API on a loopback port; `storage` is the origin (and path prefix)
    /// its file links point at, e.g. `http://127.0.0.1:4321`.
    pub async fn start(storage: &str) -> (MockServer, ImodelsApi) {
        Self::start_with_token(storage, TOKEN).await
    }

    /// [`Self::start`], accepting `Bearer <token>` instead of the support module's.
    pub async fn start_with_token(storage: &str, token: &str) -> (MockServer, ImodelsApi) {
        let server = MockServer::start().await;
        let api = ImodelsApi {
            base: server.uri(),
            storage: storage.trim_end_matches('/').to_owned(),
            token: format!("Bearer {token}"),
            state: Arc::default(),
        };
        Mock::given(any())
            .respond_with(api.clone())
            .mount(&server)
            .await;
        (server, api)
    }

    /// Every request the API received, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().expect("not poisoned").seen.clone()
    }

    /// The requests whose path is `path` (any query).
    pub fn seen_at(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }

    fn link(&self, path: &str) -> Value {
        json!({ "href": format!("{}{path}", self.base) })
    }

    fn storage_link(&self, path: &str) -> Value {
        json!({
            "href": format!("{}{path}?sv=2019-07-07&sig=s3cr3t&se=2030-01-01", self.storage),
            "storageType": "azure",
        })
    }

    fn imodel(&self, id: Uuid, name: &str, state: &str, full: bool) -> Value {
        let links = json!({
            "creator": self.link(&format!("/{id}/users/{USER_ID}")),
            "changesets": self.link(&format!("/{id}/changesets")),
            "namedVersions": self.link(&format!("/{id}/namedversions")),
        });
        if !full {
            return json!({ "id": id, "displayName": name, "_links": links });
        }
        json!({
            "id": id,
            "displayName": name,
            "name": name,
            "description": null,
            "state": state,
            "createdDateTime": "2024-03-01T10:00:00Z",
            "lastChangesetPushDateTime": null,
            "iTwinId": ITWIN_ID,
            "extent": {
                "southWest": { "latitude": 46.1, "longitude": 7.0 },
                "northEast": { "latitude": 46.2, "longitude": 7.1 }
            },
            "containersEnabled": 0,
            "dataCenterLocation": "East US",
            "_links": links,
        })
    }

    fn changeset(&self, index: usize, full: bool) -> Value {
        let id = changeset_id(index);
        let mut changeset = json!({
            "id": id,
            "displayName": index.to_string(),
            "description": format!("Changeset {index}"),
            "index": index,
            "parentId": if index > 1 { changeset_id(index - 1) } else { String::new() },
            "creatorId": USER_ID,
            "pushDateTime": "2024-03-02T10:00:00Z",
            "state": "fileUploaded",
            "containingChanges": 0,
            "fileSize": 4096 + index,
            "briefcaseId": 2,
            "groupId": null,
            "_links": {
                "self": self.link(&format!("/{IMODEL_ID}/changesets/{id}")),
                "creator": self.link(&format!("/{IMODEL_ID}/users/{USER_ID}")),
            },
        });
        if full {
            changeset["application"] = json!({ "id": "app-1", "name": "Connector" });
            changeset["synchronizationInfo"] = Value::Null;
            let links = &mut changeset["_links"];
            links["namedVersion"] = Value::Null;
            links["currentOrPrecedingCheckpoint"] =
                self.link(&format!("/{IMODEL_ID}/changesets/{index}/checkpoint"));
            links["download"] = self.storage_link(&format!("/changesets/{id}.cs"));
        }
        changeset
    }

    fn named_version(&self, i: usize, full: bool) -> Value {
        let id = named_version_id(i);
        if !full {
            return json!({ "id": id, "displayName": format!("v{i}"), "changesetId": changeset_id(i), "changesetIndex": i });
        }
        json!({
            "id": id,
            "displayName": format!("v{i}"),
            "name": format!("v{i}"),
            "description": null,
            "changesetId": changeset_id(i),
            "changesetIndex": i,
            "createdDateTime": "2024-03-03T10:00:00Z",
            "state": "visible",
            "application": null,
            "_links": {
                "creator": self.link(&format!("/{IMODEL_ID}/users/{USER_ID}")),
                "changeset": self.link(&format!("/{IMODEL_ID}/changesets/{}", changeset_id(i))),
            },
        })
    }

    fn briefcase(&self, i: usize, full: bool) -> Value {
        if !full {
            return json!({ "id": i.to_string(), "displayName": format!("Briefcase {i}") });
        }
        json!({
            "id": i.to_string(),
            "displayName": format!("Briefcase {i}"),
            "briefcaseId": i,
            "ownerId": USER_ID,
            "acquiredDateTime": "2024-03-04T10:00:00Z",
            "fileSize": 1024,
            "deviceName": null,
            "application": { "id": "app-1", "name": "Connector" },
            "_links": {
                "owner": self.link(&format!("/{IMODEL_ID}/users/{USER_ID}")),
                "checkpoint": self.link(&format!("/{IMODEL_ID}/briefcases/checkpoint")),
            },
        })
    }

    fn user(&self, id: Uuid, full: bool) -> Value {
        let links = json!({ "self": self.link(&format!("/{IMODEL_ID}/users/{id}")) });
        if !full {
            return json!({ "id": id, "displayName": format!("{id}@example.com"), "_links": links });
        }
        json!({
            "id": id,
            "displayName": format!("{id}@example.com"),
            "givenName": "Ada",
            "surname": "Lovelace",
            "email": format!("{id}@example.com"),
            "statistics": {
                "pushedChangesetsCount": 3,
                "lastChangesetPushDate": null,
                "createdVersionsCount": 1,
                "briefcasesCount": 2,
                "applications": [],
            },
            "_links": links,
        })
    }

    fn lock(&self, i: usize) -> Value {
        json!({
            "briefcaseId": i,
            "lockedObjects": [{ "lockLevel": "exclusive", "objectIds": [format!("0x{i:x}")] }],
        })
    }

    fn changeset_group(&self, i: usize) -> Value {
        json!({
            "id": changeset_group_id(i),
            "description": format!("Sync {i}"),
            "state": "completed",
            "creatorId": USER_ID,
            "createdDateTime": "2024-03-05T10:00:00Z",
            "_links": { "creator": self.link(&format!("/{IMODEL_ID}/users/{USER_ID}")) },
        })
    }

    fn extended_data(&self, i: usize) -> Value {
        json!({ "changesetId": changeset_id(i), "changesetIndex": i, "data": "eyJrIjoxfQ==" })
    }

    fn checkpoint(&self, index: usize) -> Value {
        json!({
            "changesetId": changeset_id(index),
            "changesetIndex": index,
            "size": 8192,
            "state": "successful",
            "dbName": format!("{}.bim", changeset_id(index)),
            "directoryAccessInfo": null,
            "_links": { "download": self.storage_link(&format!("/checkpoints/{index}.bim")) },
        })
    }

    fn baseline_file(&self, id: Uuid, state: &str) -> Value {
        json!({
            "id": id,
            "displayName": format!("{id}.bim"),
            "fileSize": 5000,
            "state": state,
            "_links": { "creator": self.link(&format!("/{id}/users/{USER_ID}")), "download": null },
        })
    }

    /// One page of `items` (built by `item(index, full)` for 1-based indexes), as the
    /// live API pages: `$top` (default 100) capped at [`PAGE_CAP`], the position in an
    /// opaque `$continuationToken` (or `$skip`), and a next link while items remain.
    fn page(
        &self,
        request: &Request,
        key: &str,
        count: usize,
        item: impl Fn(usize, bool) -> Value,
        prefer_applies: bool,
    ) -> ResponseTemplate {
        let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let top = query
            .get("$top")
            .and_then(|t| t.parse::<usize>().ok())
            .unwrap_or(100);
        let start = match query.get("$continuationToken").filter(|t| !t.is_empty()) {
            Some(token) => match token.strip_prefix("tok.").and_then(|t| t.parse().ok()) {
                Some(start) => start,
                None => return error(422, "InvalidValue", "Bad continuation token."),
            },
            None => query.get("$skip").and_then(|s| s.parse().ok()).unwrap_or(0),
        };
        let full = !prefer_applies
            || request.headers.get("prefer").and_then(|v| v.to_str().ok())
                == Some("return=representation");
        let end = count.min(start + top.min(PAGE_CAP));
        let items: Vec<Value> = (start..end).map(|i| item(i + 1, full)).collect();
        let path = request.url.path();
        let kept: Vec<String> = request
            .url
            .query_pairs()
            .filter(|(k, _)| k != "$continuationToken" && k != "$skip")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let with = |token: String| {
            let mut pairs = kept.clone();
            pairs.push(format!("$continuationToken={token}"));
            json!({ "href": format!("{}{path}?{}", self.base, pairs.join("&")) })
        };
        let next = if end < count {
            with(format!("tok.{end}"))
        } else {
            Value::Null
        };
        let mut page = serde_json::Map::new();
        page.insert(key.to_owned(), Value::Array(items));
        page.insert(
            "_links".to_owned(),
            json!({ "self": with(format!("tok.{start}")), "prev": null, "next": next }),
        );
        ok(Value::Object(page))
    }

    fn route(&self, request: &Request, calls: usize) -> ResponseTemplate {
        let method = request.method.as_str();
        let segments: Vec<&str> = request
            .url
            .path()
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        match (method, segments.as_slice()) {
            ("GET", []) => self.page(
                request,
                "iModels",
                IMODELS,
                |i, full| self.imodel(imodel_id(i), &format!("iModel {i}"), "initialized", full),
                true,
            ),
            ("GET", ["favorites"]) => self.page(
                request,
                "iModels",
                FAVORITES,
                |i, full| self.imodel(imodel_id(i), &format!("iModel {i}"), "initialized", full),
                true,
            ),
            ("GET", ["recents"]) => self.page(
                request,
                "iModels",
                RECENTS,
                |i, full| self.imodel(imodel_id(i), &format!("iModel {i}"), "initialized", full),
                true,
            ),
            ("POST", []) => {
                // Create iModel: from a baseline file (upload and complete links), or
                // from a template (created later, polled at operations/create).
                let mut imodel = self.imodel(CREATED_ID, "Created", "notInitialized", true);
                if body["creationMode"] == "fromBaseline" && body["baselineFile"]["size"].is_u64()
                {
                    imodel["_links"]["upload"] = self.storage_link(&format!("/baselines/{CREATED_ID}.bim"));
                    imodel["_links"]["complete"] = self.link(&format!("/{CREATED_ID}/baselinefile"));
                } else if body["template"]["iModelId"].is_null() {
                    return error(422, "InvalidiModelsRequest", "Expected a template or a baseline file.");
                }
                created(json!({ "iModel": imodel }))
            }
            ("GET", [id]) => match id.parse::<Uuid>() {
                Ok(id) if id == IMODEL_ID || id == CLONE_ID || id == FORK_ID || id == CREATED_ID => {
                    ok(json!({ "iModel": self.imodel(id, "Bridge", "initialized", true) }))
                }
                Ok(id) if (1..=IMODELS).any(|i| imodel_id(i) == id) => {
                    ok(json!({ "iModel": self.imodel(id, "Listed", "initialized", true) }))
                }
                _ => error(404, "iModelNotFound", "Requested iModel is not available."),
            },
            ("POST", [_, "clone"]) if calls == 1 => ResponseTemplate::new(429)
                .insert_header("Retry-After", "0")
                .set_body_json(json!({ "error": {
                    "code": "RateLimitExceeded",
                    "message": "The client sent more requests than allowed by this API for the current tier of the client."
                }})),
            ("POST", [_, verb @ ("clone" | "fork")]) => {
                if body["iTwinId"].is_null() {
                    return error(422, "MissingRequiredProperty", "iTwinId is required.");
                }
                let new = match (*verb, request.url.path().contains(&UNFORKABLE_ID.to_string())) {
                    ("fork", true) => FAILED_FORK_ID,
                    ("fork", false) => FORK_ID,
                    _ => CLONE_ID,
                };
                ResponseTemplate::new(202)
                    .insert_header("Location", format!("{}/{new}", self.base).as_str())
                    .insert_header(
                        "Create-iModel-Operation",
                        format!("{}/{new}/operations/create", self.base).as_str(),
                    )
            }
            ("GET", [id, "operations", "create"]) => {
                let state = match (calls < 3, *id == FAILED_FORK_ID.to_string()) {
                    (true, _) => "scheduled",
                    (false, true) => "mainIModelIsMissingFederationGuids",
                    (false, false) => "successful",
                };
                ok(json!({ "createOperation": { "state": state, "clonedFrom": null, "forkedFrom": null } }))
            }
            ("GET", [id, "baselinefile"]) => {
                let id = id.parse().unwrap_or(IMODEL_ID);
                let state = if calls < 2 { "initializationScheduled" } else { "initialized" };
                ok(json!({ "baselineFile": self.baseline_file(id, state) }))
            }
            ("POST", [id, "baselinefile"]) => {
                let id = id.parse().unwrap_or(IMODEL_ID);
                ok(json!({ "baselineFile": self.baseline_file(id, "initializationScheduled") }))
            }
            ("GET", [_, "changesets"]) => self.page(
                request,
                "changesets",
                CHANGESETS,
                |i, full| self.changeset(i, full),
                true,
            ),
            ("POST", [_, "changesets"]) => {
                if body["fileSize"].is_null() || body["briefcaseId"].is_null() {
                    return error(422, "MissingRequiredProperty", "fileSize and briefcaseId are required.");
                }
                let mut changeset = self.changeset(CHANGESETS + 1, true);
                changeset["id"] = json!(PUSHED_CHANGESET);
                changeset["state"] = json!("waitingForFile");
                changeset["_links"]["upload"] =
                    self.storage_link(&format!("/changesets/{PUSHED_CHANGESET}.cs"));
                changeset["_links"]["complete"] =
                    self.link(&format!("/{IMODEL_ID}/changesets/{PUSHED_CHANGESET}"));
                created(json!({ "changeset": changeset }))
            }
            ("GET", [_, "changesets", "extendeddata"]) => self.page(
                request,
                "extendedData",
                EXTENDED_DATA,
                |i, _| self.extended_data(i),
                false,
            ),
            ("GET", [_, "changesets", id_or_index]) => match changeset_index(id_or_index) {
                Some(index) => ok(json!({ "changeset": self.changeset(index, true) })),
                None => error(404, "ChangesetNotFound", "Requested Changeset is not available."),
            },
            ("PATCH", [_, "changesets", id]) if *id == PUSHED_CHANGESET => {
                if body["state"] != "fileUploaded" {
                    return error(422, "InvalidChange", "Expected state fileUploaded.");
                }
                let mut changeset = self.changeset(CHANGESETS + 1, true);
                changeset["id"] = json!(PUSHED_CHANGESET);
                ok(json!({ "changeset": changeset }))
            }
            ("GET", [_, "changesets", id_or_index, "checkpoint"]) => match changeset_index(id_or_index) {
                Some(index) => ok(json!({ "checkpoint": self.checkpoint(index) })),
                None => error(404, "CheckpointNotFound", "Requested Checkpoint is not available."),
            },
            ("GET", [_, "changesets", id_or_index, "extendeddata"]) => match changeset_index(id_or_index) {
                Some(index) => ok(json!({ "extendedData": self.extended_data(index) })),
                None => error(404, "ChangesetExtendedDataNotFound", "Not available."),
            },
            ("GET", [_, "namedversions"]) => self.page(
                request,
                "namedVersions",
                NAMED_VERSIONS,
                |i, full| self.named_version(i, full),
                true,
            ),
            ("GET", [_, "namedversions", id]) => {
                match (1..=NAMED_VERSIONS).find(|i| named_version_id(*i).to_string() == *id) {
                    Some(i) => ok(json!({ "namedVersion": self.named_version(i, true) })),
                    None => error(404, "NamedVersionNotFound", "Not available."),
                }
            }
            ("GET", [_, "namedversions", _, "checkpoint"]) => {
                ok(json!({ "checkpoint": self.checkpoint(2) }))
            }
            ("GET", [_, "briefcases"]) => self.page(
                request,
                "briefcases",
                BRIEFCASES,
                |i, full| self.briefcase(i, full),
                true,
            ),
            ("GET", [_, "briefcases", "checkpoint"]) => {
                ok(json!({ "checkpoint": self.checkpoint(CHANGESETS) }))
            }
            ("GET", [_, "briefcases", n]) => match n.parse::<usize>() {
                Ok(i) if (1..=BRIEFCASES).contains(&i) => {
                    ok(json!({ "briefcase": self.briefcase(i, true) }))
                }
                _ => error(404, "BriefcaseNotFound", "Not available."),
            },
            ("GET", [_, "users"]) => self.page(
                request,
                "users",
                USERS,
                |i, full| self.user(user_id(i), full),
                true,
            ),
            ("GET", [_, "users", id]) => match id.parse::<Uuid>() {
                Ok(id) => ok(json!({ "user": self.user(id, true) })),
                Err(_) => error(404, "UserNotFound", "Not available."),
            },
            ("GET", [_, "locks"]) => self.page(request, "locks", LOCKS, |i, _| self.lock(i), false),
            ("GET", [_, "changesetgroups"]) => self.page(
                request,
                "changesetGroups",
                CHANGESET_GROUPS,
                |i, _| self.changeset_group(i),
                false,
            ),
            ("GET", [_, "changesetgroups", id]) => {
                match (1..=CHANGESET_GROUPS).find(|i| changeset_group_id(*i) == *id) {
                    Some(i) => ok(json!({ "changesetGroup": self.changeset_group(i) })),
                    None => error(404, "ChangesetGroupNotFound", "Not available."),
                }
            }
            ("GET", [_, "permissions"]) => {
                ok(json!({ "permissions": ["imodels_webview", "imodels_read", "imodels_write"] }))
            }
            // The writes Bentley's clients make, answered as the live API does.
            ("PATCH", [id]) => match id.parse::<Uuid>() {
                Ok(id) => {
                    let mut imodel = self.imodel(id, "Bridge", "initialized", true);
                    if let Some(name) = body["name"].as_str() {
                        imodel["name"] = json!(name);
                        imodel["displayName"] = json!(name);
                    }
                    ok(json!({ "iModel": imodel }))
                }
                Err(_) => error(404, "iModelNotFound", "Requested iModel is not available."),
            },
            ("DELETE", [_]) => ResponseTemplate::new(204),
            ("PUT", [_, "thumbnail"]) => match header(request, "content-type").as_deref() {
                Some("image/png" | "image/jpeg") => ResponseTemplate::new(201),
                _ => error(422, "InvalidThumbnailFormat", "Use image/png or image/jpeg."),
            },
            ("PUT" | "DELETE", ["favorites", _]) | ("POST" | "DELETE", ["recents", _]) => {
                ResponseTemplate::new(204)
            }
            ("POST", [_, "briefcases"]) => {
                let mut briefcase = self.briefcase(BRIEFCASES + 1, true);
                briefcase["deviceName"] = body["deviceName"].clone();
                created(json!({ "briefcase": briefcase }))
            }
            ("DELETE", [_, "briefcases", _]) => ResponseTemplate::new(204),
            ("PATCH", [_, "locks"]) => ok(json!({ "lock": {
                "briefcaseId": body["briefcaseId"],
                "lockedObjects": body["lockedObjects"],
            }})),
            ("POST", [_, "locks", "release-chunk"]) => ok(json!({ "isLastChunk": calls > 1 })),
            ("GET", [_, "locks", "released-locks"]) => self.page(
                request,
                "releasedLocks",
                LOCKS,
                |i, _| json!({ "lockLevel": "shared", "objectIds": [format!("0x{i:x}")] }),
                false,
            ),
            ("POST", [_, "namedversions"]) => {
                let mut version = self.named_version(NAMED_VERSIONS + 1, true);
                version["name"] = body["name"].clone();
                created(json!({ "namedVersion": version }))
            }
            ("PATCH", [_, "namedversions", _]) => {
                let mut version = self.named_version(1, true);
                if let Some(state) = body["state"].as_str() {
                    version["state"] = json!(state);
                }
                ok(json!({ "namedVersion": version }))
            }
            ("PUT", [_, "namedversions", _, "checkpoint"]) => {
                let mut checkpoint = self.checkpoint(2);
                checkpoint["state"] = json!("scheduled");
                ok(json!({ "checkpoint": checkpoint }))
            }
            ("POST", [_, "changesetgroups"]) => {
                let mut group = self.changeset_group(CHANGESET_GROUPS + 1);
                group["state"] = json!("inProgress");
                group["description"] = body["description"].clone();
                created(json!({ "changesetGroup": group }))
            }
            ("PATCH", [_, "changesetgroups", _]) => {
                let mut group = self.changeset_group(1);
                group["state"] = body["state"].clone();
                ok(json!({ "changesetGroup": group }))
            }
            ("POST", [_, "changesets", id_or_index, "extendeddata"]) => {
                match changeset_index(id_or_index) {
                    Some(index) => {
                        let mut data = self.extended_data(index);
                        data["data"] = body["data"].clone();
                        created(json!({ "extendedData": data }))
                    }
                    None => error(404, "ChangesetNotFound", "Not available."),
                }
            }
            _ => error(404, "InvalidiModelsRequest", "No such operation in this fake API."),
        }
    }
}

impl Respond for ImodelsApi {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let seen = Seen {
            method: request.method.to_string(),
            path: request.url.path().to_owned(),
            query: request.url.query_pairs().into_owned().collect(),
            authorization: header("authorization"),
            prefer: header("prefer"),
            body: request.body.clone(),
        };
        let calls = {
            let mut state = self.state.lock().expect("not poisoned");
            state.seen.push(seen.clone());
            let calls = state
                .calls
                .entry(format!("{} {}", seen.method, seen.path))
                .or_default();
            *calls += 1;
            *calls
        };
        if seen.authorization.as_deref() != Some(self.token.as_str()) {
            return error(
                401,
                "HeaderNotFound",
                "Header Authorization was not found in the request. Access denied.",
            );
        }
        self.route(request, calls)
    }
}

fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The highest changeset index the single-changeset routes answer (the list holds
/// the first [`CHANGESETS`] only, to keep its pages few).
pub const LAST_CHANGESET: usize = 100;

/// A changeset's index from an id or an index (digits), as the live API takes either.
fn changeset_index(id_or_index: &str) -> Option<usize> {
    let index = if id_or_index.len() < 40 && id_or_index.bytes().all(|b| b.is_ascii_digit()) {
        id_or_index.parse().ok()?
    } else {
        (1..=LAST_CHANGESET).find(|i| changeset_id(*i) == id_or_index)?
    };
    (1..=LAST_CHANGESET).contains(&index).then_some(index)
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn created(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(body)
}

fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({ "error": { "code": code, "message": message } }))
}
