//! End to end against a loopback stand-in for the live iModels API
//! (`support/imodels_api.rs`): wrapped entities, pages capped below `$top` with
//! `_links.next` and continuation tokens, `Prefer`, `429` on the first Clone, creations
//! that finish later, and file links on another origin (a `StorageServer`).
//!
//! What must hold: every list returns every item exactly once; every single entity
//! arrives populated; downloads and uploads go to the links; the token reaches the API
//! on every request and never the storage.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::support::imodels_api::*;
use crate::support::{
    assert_no_credentials, fast_retries, file_byte, FirstDownload, StorageServer, IMODEL_ID,
    ITWIN_ID, TOKEN,
};
use generated_client::models::{
    AcquireBriefcase, BaselineFileSize, ChangesetGroupState, CheckpointState, CloneIModel,
    CreateChangeset, CreateChangesetExtendedData, CreateChangesetGroup, CreateIModel,
    CreateNamedVersion, ForkIModel, IModel, IModelCreationMode, IModelPermission, IModelState,
    IModelTemplate, LockLevel, LockedObjects, NamedVersionState, PreferReturn, ReleaseLocksChunk,
    UpdateChangeset, UpdateChangesetGroup, UpdateChangesetState, UpdateIModel, UpdateLocks,
    UpdateNamedVersion, User, UserResponse,
};
use generated_client::runtime::{Stream, StreamExt, WaitError};
use generated_client::{Client, Error, WaitPolicy};

/// A client as the README builds one, with only the base URL changed.
fn client(api: &wiremock::MockServer) -> Client {
    Client::builder()
        .base_url(api.uri())
        .bearer_token(TOKEN)
        .retry_policy(fast_retries())
        .build()
        .expect("valid settings")
}

/// The declared waits poll every second; the loopback API needs no such patience.
fn quick() -> WaitPolicy {
    WaitPolicy::new()
        .interval(Duration::from_millis(5))
        .timeout(Duration::from_secs(10))
}

/// A storage origin: serves a generated file of `size` bytes, takes uploads (201).
fn storage(size: u64) -> StorageServer {
    StorageServer::start(size, FirstDownload::Whole, vec![201])
}

async fn drain<T, S>(stream: S) -> Vec<T>
where
    S: Stream<Item = Result<T, Error>>,
{
    let mut stream = std::pin::pin!(stream);
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item.expect("every page decodes"));
    }
    items
}

/// Every item exactly once, in the server's order.
fn assert_once<T: ToString>(what: &str, got: Vec<T>, expected: impl IntoIterator<Item = T>) {
    let got: Vec<String> = got.iter().map(ToString::to_string).collect();
    let expected: Vec<String> = expected.into_iter().map(|e| e.to_string()).collect();
    let distinct: BTreeSet<&String> = got.iter().collect();
    assert_eq!(
        distinct.len(),
        got.len(),
        "{what}: an item came twice: {got:?}"
    );
    assert_eq!(got, expected, "{what}");
}

/// The pages of a list the API served at `path`: each after the first asked with the
/// token the previous page's next link carried, and the last one had none to give.
fn assert_paged(api: &ImodelsApi, path: &str, items: usize) {
    let pages = api.seen_at(path);
    assert_eq!(pages.len(), items.div_ceil(PAGE_CAP), "{path}: {pages:?}");
    for (n, page) in pages.iter().enumerate().skip(1) {
        let token = (
            "$continuationToken".to_owned(),
            format!("tok.{}", n * PAGE_CAP),
        );
        assert!(
            page.query.contains(&token),
            "{path} page {n}: {:?}",
            page.query
        );
    }
}

#[tokio::test]
async fn every_list_returns_every_item_exactly_once_across_capped_pages() {
    let files = storage(16);
    let (server, api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);
    let full = PreferReturn::ReturnRepresentation;

    // `$top` asks for more than the server's page cap: a short page is not the end.
    let imodels = drain(
        client
            .get_imodels(ITWIN_ID)
            .top(100)
            .prefer(full.clone())
            .into_stream(),
    )
    .await;
    assert_once(
        "iModels",
        imodels.iter().map(|m| m.id.expect("id")).collect(),
        (1..=IMODELS).map(imodel_id),
    );
    assert_paged(&api, "/", IMODELS);

    let changesets = drain(
        client
            .get_changesets(IMODEL_ID)
            .prefer(full.clone())
            .into_stream(),
    )
    .await;
    assert_once(
        "changesets",
        changesets
            .iter()
            .map(|c| c.id.clone().expect("id"))
            .collect(),
        (1..=CHANGESETS).map(changeset_id),
    );
    assert_paged(&api, &format!("/{IMODEL_ID}/changesets"), CHANGESETS);

    let versions = drain(
        client
            .get_named_versions(IMODEL_ID)
            .prefer(full.clone())
            .into_stream(),
    )
    .await;
    assert_once(
        "named versions",
        versions.iter().map(|v| v.id.expect("id")).collect(),
        (1..=NAMED_VERSIONS).map(named_version_id),
    );
    assert_paged(&api, &format!("/{IMODEL_ID}/namedversions"), NAMED_VERSIONS);

    let briefcases = drain(
        client
            .get_briefcases(IMODEL_ID)
            .prefer(full.clone())
            .into_stream(),
    )
    .await;
    assert_once(
        "briefcases",
        briefcases
            .iter()
            .map(|b| b.briefcase_id.expect("briefcaseId"))
            .collect(),
        (1..=BRIEFCASES as i64).collect::<Vec<_>>(),
    );
    assert_paged(&api, &format!("/{IMODEL_ID}/briefcases"), BRIEFCASES);

    let users = drain(
        client
            .get_imodel_users(IMODEL_ID)
            .prefer(full.clone())
            .into_stream(),
    )
    .await;
    assert_once(
        "users",
        users.iter().map(|u| u.id.clone().expect("id")).collect(),
        (1..=USERS).map(|i| user_id(i).to_string()),
    );
    assert_paged(&api, &format!("/{IMODEL_ID}/users"), USERS);

    let locks = drain(client.get_locks(IMODEL_ID).into_stream()).await;
    assert_once(
        "locks",
        locks
            .iter()
            .map(|l| l.briefcase_id.expect("briefcaseId"))
            .collect(),
        (1..=LOCKS as i64).collect::<Vec<_>>(),
    );
    assert_paged(&api, &format!("/{IMODEL_ID}/locks"), LOCKS);

    let groups = drain(client.get_changeset_groups(IMODEL_ID).into_stream()).await;
    assert_once(
        "changeset groups",
        groups.iter().map(|g| g.id.clone().expect("id")).collect(),
        (1..=CHANGESET_GROUPS).map(changeset_group_id),
    );
    assert_paged(
        &api,
        &format!("/{IMODEL_ID}/changesetgroups"),
        CHANGESET_GROUPS,
    );

    let data = drain(client.get_changesets_extended_data(IMODEL_ID).into_stream()).await;
    assert_once(
        "extended data",
        data.iter()
            .map(|d| d.changeset_index.expect("changesetIndex"))
            .collect(),
        (1..=EXTENDED_DATA as i64).collect::<Vec<_>>(),
    );
    assert_paged(
        &api,
        &format!("/{IMODEL_ID}/changesets/extendeddata"),
        EXTENDED_DATA,
    );

    let favorites = drain(
        client
            .get_favorite_imodels(ITWIN_ID)
            .prefer(full.clone())
            .into_stream(),
    )
    .await;
    assert_once(
        "favorites",
        favorites.iter().map(|m| m.id.expect("id")).collect(),
        (1..=FAVORITES).map(imodel_id),
    );
    assert_paged(&api, "/favorites", FAVORITES);

    let recents = drain(
        client
            .get_recent_imodels(ITWIN_ID)
            .prefer(full)
            .into_stream(),
    )
    .await;
    assert_once(
        "recents",
        recents.iter().map(|m| m.id.expect("id")).collect(),
        (1..=RECENTS).map(imodel_id),
    );
    assert_paged(&api, "/recents", RECENTS);

    // Every page of every list went to the API with the token, and nothing to storage.
    assert!(api
        .seen()
        .iter()
        .all(|s| s.authorization.as_deref() == Some(&*format!("Bearer {TOKEN}"))));
    assert!(files.heads().is_empty(), "{:?}", files.heads());
}

#[tokio::test]
async fn prefer_picks_minimal_or_full_entries_on_every_page() {
    let files = storage(16);
    let (server, api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);

    let minimal = drain(
        client
            .get_imodels(ITWIN_ID)
            .prefer(PreferReturn::ReturnMinimal)
            .into_stream(),
    )
    .await;
    assert_eq!(minimal.len(), IMODELS);
    for imodel in &minimal {
        assert!(
            imodel.id.is_some() && imodel.display_name.is_some(),
            "{imodel:?}"
        );
        assert!(
            imodel
                .links
                .as_ref()
                .and_then(|l| l.creator.as_ref())
                .is_some(),
            "{imodel:?}"
        );
        assert_eq!(
            (&imodel.name, &imodel.state),
            (&None, &None),
            "minimal: {imodel:?}"
        );
    }
    let full = drain(
        client
            .get_imodels(ITWIN_ID)
            .prefer(PreferReturn::ReturnRepresentation)
            .into_stream(),
    )
    .await;
    assert_eq!(full.len(), IMODELS);
    for imodel in &full {
        assert!(imodel.name.is_some(), "full: {imodel:?}");
        assert_eq!(imodel.state, Some(IModelState::Initialized));
        assert_eq!(imodel.itwin_id, Some(ITWIN_ID));
        assert!(imodel.created_date_time.is_some() && imodel.extent.is_some());
    }

    let pages: Vec<Option<String>> = api.seen_at("/").into_iter().map(|s| s.prefer).collect();
    let per_list = IMODELS.div_ceil(PAGE_CAP);
    assert_eq!(pages.len(), 2 * per_list);
    assert!(
        pages[..per_list]
            .iter()
            .all(|p| p.as_deref() == Some("return=minimal")),
        "{pages:?}"
    );
    assert!(
        pages[per_list..]
            .iter()
            .all(|p| p.as_deref() == Some("return=representation")),
        "{pages:?}"
    );
}

#[tokio::test]
async fn every_single_entity_arrives_populated() {
    let files = storage(16);
    let (server, _api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);

    let imodel = client.get_imodel(IMODEL_ID).send().await.expect("iModel");
    assert_eq!(imodel.id, Some(IMODEL_ID));
    assert_eq!(imodel.name.as_deref(), Some("Bridge"));
    assert_eq!(imodel.state, Some(IModelState::Initialized));
    assert!(imodel
        .links
        .as_ref()
        .and_then(|l| l.changesets.as_ref())
        .is_some());

    // A changeset by id and by index is the same changeset.
    let by_id = client
        .get_changeset(IMODEL_ID, changeset_id(3))
        .send()
        .await
        .expect("by id");
    let by_index = client
        .get_changeset(IMODEL_ID, "3")
        .send()
        .await
        .expect("by index");
    assert_eq!(*by_id, *by_index);
    assert_eq!(by_index.index, Some(3));
    assert_eq!(by_index.id.as_deref(), Some(&*changeset_id(3)));
    assert!(by_index.push_date_time.is_some() && by_index.file_size.is_some());
    let links = by_index.links.as_ref().expect("_links");
    assert!(links.download.is_some() && links.current_or_preceding_checkpoint.is_some());

    let version = client
        .get_named_version(IMODEL_ID, named_version_id(2))
        .send()
        .await
        .expect("named version");
    assert_eq!(version.id, Some(named_version_id(2)));
    assert_eq!(version.state, Some(NamedVersionState::Visible));
    assert_eq!(version.changeset_index, Some(2));

    let briefcase = client
        .get_briefcase(IMODEL_ID, 4)
        .send()
        .await
        .expect("briefcase");
    assert_eq!(briefcase.briefcase_id, Some(4));
    assert!(briefcase.acquired_date_time.is_some());

    let user = client
        .get_imodel_user(IMODEL_ID, USER_ID)
        .send()
        .await
        .expect("user");
    assert_eq!(user.given_name.as_deref(), Some("Ada"));
    assert_eq!(
        user.statistics.as_ref().and_then(|s| s.briefcases_count),
        Some(2)
    );

    let group = client
        .get_changeset_group(IMODEL_ID, changeset_group_id(1))
        .send()
        .await
        .expect("changeset group");
    assert_eq!(group.state, Some(ChangesetGroupState::Completed));

    for checkpoint in [
        client.get_changeset_checkpoint(IMODEL_ID, "5").send().await,
        client
            .get_changeset_checkpoint(IMODEL_ID, changeset_id(5))
            .send()
            .await,
        client
            .get_named_version_checkpoint(IMODEL_ID, named_version_id(2))
            .send()
            .await,
        client.get_latest_checkpoint(IMODEL_ID).send().await,
    ] {
        let checkpoint = checkpoint.expect("checkpoint");
        assert_eq!(checkpoint.state, Some(CheckpointState::Successful));
        assert!(checkpoint.changeset_index.is_some() && checkpoint.size.is_some());
        assert!(checkpoint
            .links
            .as_ref()
            .and_then(|l| l.download.as_ref())
            .is_some());
    }

    let data = client
        .get_changeset_extended_data(IMODEL_ID, "2")
        .send()
        .await
        .expect("extended data");
    assert_eq!(data.changeset_index, Some(2));
    assert!(data.data.is_some());

    let baseline = client
        .get_baseline_file(IMODEL_ID)
        .send()
        .await
        .expect("baseline file");
    assert_eq!(baseline.id, Some(IMODEL_ID));
    assert!(baseline.state.is_some() && baseline.file_size.is_some());

    let creation = client
        .get_create_imodel_operation_details(IMODEL_ID)
        .send()
        .await
        .expect("creation details");
    assert!(creation.state.is_some());

    let permissions = client
        .get_user_permissions(IMODEL_ID)
        .send()
        .await
        .expect("permissions");
    assert!(
        permissions
            .permissions
            .contains(&IModelPermission::IModelsWrite),
        "{permissions:?}"
    );
}

#[tokio::test]
async fn clone_retries_the_429_then_waits_for_the_new_imodel() {
    let files = storage(16);
    let (server, api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);

    let copy = client
        .clone_imodel(IMODEL_ID, CloneIModel::new(ITWIN_ID, "Copy"))
        .send_and_wait_with(quick())
        .await
        .expect("cloned");
    assert_eq!(copy.id, Some(CLONE_ID));
    assert_eq!(copy.state, Some(IModelState::Initialized));

    let posts = api.seen_at(&format!("/{IMODEL_ID}/clone"));
    assert_eq!(posts.len(), 2, "the 429 was retried once: {posts:?}");
    assert_eq!(
        posts[0].body, posts[1].body,
        "the retry sends the same body"
    );
    let polls = api.seen_at(&format!("/{CLONE_ID}/operations/create"));
    assert_eq!(polls.len(), 3, "scheduled, scheduled, successful");
    assert_eq!(api.seen_at(&format!("/{CLONE_ID}")).len(), 1);
}

#[tokio::test]
async fn fork_waits_for_the_new_imodel() {
    let files = storage(16);
    let (server, api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);

    let fork = client
        .fork_imodel(IMODEL_ID, ForkIModel::new(ITWIN_ID, "Fork"))
        .send_and_wait_with(quick())
        .await
        .expect("forked");
    assert_eq!(fork.id, Some(FORK_ID));
    assert!(fork.name.is_some() && fork.created_date_time.is_some());
    assert_eq!(
        api.seen_at(&format!("/{FORK_ID}/operations/create")).len(),
        3
    );
}

/// Bentley's client treats `mainIModelIsMissingFederationGuids` as a failed fork; so
/// does the declared wait, and the error keeps the new iModel's id for the clean-up.
#[tokio::test]
async fn a_fork_of_an_imodel_without_federation_guids_fails_with_the_new_id() {
    let files = storage(16);
    let (server, api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);

    let error = client
        .fork_imodel(UNFORKABLE_ID, ForkIModel::new(ITWIN_ID, "Fork"))
        .send_and_wait_with(quick())
        .await
        .expect_err("the fork fails");
    let Error::Wait(wait) = &error else {
        panic!("expected Error::Wait, got {error:?}")
    };
    assert!(
        matches!(&**wait, WaitError::Failed { state, .. } if state == "mainIModelIsMissingFederationGuids"),
        "{wait:?}"
    );
    assert_eq!(wait.id(), Some(&*FAILED_FORK_ID.to_string()));
    assert_eq!(
        api.seen_at(&format!("/{FAILED_FORK_ID}/operations/create"))
            .len(),
        3
    );
    assert!(
        api.seen_at(&format!("/{FAILED_FORK_ID}")).is_empty(),
        "no iModel to fetch"
    );
}

#[tokio::test]
async fn changeset_and_checkpoint_downloads_go_to_their_storage_links_without_the_token() {
    let size = 100_000;
    let files = storage(size);
    let (server, api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);
    let dir = tempfile::tempdir().expect("temporary directory");

    let changeset = client
        .get_changeset(IMODEL_ID, "4")
        .send()
        .await
        .expect("changeset");
    let links = changeset.links.clone().expect("_links");
    let download = links.download.expect("download link");
    let file = dir.path().join("4.cs");
    let written = client
        .download_from(&download)
        .to_file(&file)
        .await
        .expect("downloaded");
    assert_eq!(written, size);
    let bytes = std::fs::read(&file).expect("file");
    assert!(bytes
        .iter()
        .enumerate()
        .all(|(i, b)| *b == file_byte(i as u64)));

    // The checkpoint the changeset links to (an API link) and its file (storage).
    let checkpoint_link = links
        .current_or_preceding_checkpoint
        .expect("checkpoint link");
    let checkpoint = client
        .get_changeset_checkpoint(IMODEL_ID, "4")
        .send()
        .await
        .expect("checkpoint");
    assert!(checkpoint_link
        .href
        .as_deref()
        .unwrap_or_default()
        .ends_with("/changesets/4/checkpoint"));
    let checkpoint_file = dir.path().join("checkpoint.bim");
    client
        .download_from(
            checkpoint
                .links
                .as_ref()
                .and_then(|l| l.download.as_ref())
                .expect("download"),
        )
        .to_file(&checkpoint_file)
        .await
        .expect("checkpoint downloaded");

    let heads = files.heads();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(
        heads[0].starts_with(&format!("GET /changesets/{}.cs?", changeset_id(4))),
        "{}",
        heads[0]
    );
    assert!(
        heads[1].starts_with("GET /checkpoints/4.bim?"),
        "{}",
        heads[1]
    );
    assert_no_credentials(&heads);
    assert!(api
        .seen()
        .iter()
        .all(|s| !s.path.ends_with(".cs") && !s.path.ends_with(".bim")));
}

#[tokio::test]
async fn api_links_are_followed_with_the_token_and_storage_links_are_refused() {
    let files = storage(16);
    let (server, api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);

    let imodel = client.get_imodel(IMODEL_ID).send().await.expect("iModel");
    let creator = imodel
        .links
        .as_ref()
        .and_then(|l| l.creator.clone())
        .expect("creator link");
    // An API link answers as the API does, wrapped: the wrapper type decodes it
    // (the entity type alone is a shape error, not an empty user).
    let wrapped = client
        .get_link::<UserResponse>(&creator)
        .await
        .expect("the creator");
    let user = wrapped.into_inner().user.expect("`user`");
    assert_eq!(user.id.as_deref(), Some(&*USER_ID.to_string()));
    assert_eq!(user.given_name.as_deref(), Some("Ada"));
    let bare = client.get_link::<User>(&creator).await;
    assert!(matches!(bare, Err(Error::UnexpectedShape(_))), "{bare:?}");
    let followed = api.seen_at(&format!("/{IMODEL_ID}/users/{USER_ID}"));
    assert_eq!(followed.len(), 2);
    assert!(followed
        .iter()
        .all(|f| f.authorization.as_deref() == Some(&*format!("Bearer {TOKEN}"))));

    // A storage link is not an API link: nothing is sent, the token stays home.
    let changeset = client
        .get_changeset(IMODEL_ID, "1")
        .send()
        .await
        .expect("changeset");
    let download = changeset
        .links
        .as_ref()
        .and_then(|l| l.download.clone())
        .expect("download");
    let refused = client.get_link::<serde_json::Value>(&download).await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(files.heads().is_empty(), "{:?}", files.heads());
}

#[tokio::test]
async fn an_imodel_from_a_baseline_file_is_created_uploaded_completed_and_awaited() {
    let files = storage(16);
    let (server, api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);
    let baseline: Vec<u8> = (0..5000_u32).map(|i| (i % 251) as u8).collect();

    let body = CreateIModel {
        creation_mode: Some(IModelCreationMode::FromBaseline),
        baseline_file: Some(BaselineFileSize::new(baseline.len() as i64)),
        ..CreateIModel::new(ITWIN_ID, "From a baseline")
    };
    let created = client.create_imodel(body).send().await.expect("created");
    assert_eq!(created.id, Some(CREATED_ID));
    assert_eq!(created.state, Some(IModelState::NotInitialized));
    let links = created.links.clone().expect("_links");
    let upload = links.upload.expect("upload link");
    assert_eq!(upload.storage_type.as_deref(), Some("azure"));
    client
        .upload_to(&upload, baseline.clone())
        .send()
        .await
        .expect("uploaded");
    assert_eq!(files.uploaded(), vec![baseline]);
    let complete = links.complete.expect("complete link");
    assert!(complete
        .href
        .as_deref()
        .unwrap_or_default()
        .ends_with(&format!("/{CREATED_ID}/baselinefile")));

    let imodel: IModel = client
        .complete_baseline_file_upload(CREATED_ID)
        .send_and_wait_with(quick())
        .await
        .expect("initialized")
        .into_inner();
    assert_eq!(imodel.id, Some(CREATED_ID));
    assert_eq!(imodel.state, Some(IModelState::Initialized));

    assert_eq!(
        api.seen_at(&format!("/{CREATED_ID}/baselinefile"))
            .iter()
            .filter(|s| s.method == "POST")
            .count(),
        1
    );
    let polls: Vec<_> = api
        .seen_at(&format!("/{CREATED_ID}/baselinefile"))
        .into_iter()
        .filter(|s| s.method == "GET")
        .collect();
    assert_eq!(polls.len(), 2, "initializationScheduled, then initialized");
    assert_no_credentials(&files.heads());
}

#[tokio::test]
async fn an_imodel_from_a_template_is_awaited() {
    let files = storage(16);
    let (server, api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);

    let body = CreateIModel {
        creation_mode: Some(IModelCreationMode::FromIModelVersion),
        template: Some(IModelTemplate::new(IMODEL_ID)),
        ..CreateIModel::new(ITWIN_ID, "From a template")
    };
    let imodel = client
        .create_imodel(body)
        .send_and_wait_with(quick())
        .await
        .expect("created and initialized");
    assert_eq!(imodel.id, Some(CREATED_ID));
    assert_eq!(imodel.state, Some(IModelState::Initialized));
    assert_eq!(
        api.seen_at(&format!("/{CREATED_ID}/operations/create"))
            .len(),
        3
    );
}

#[tokio::test]
async fn a_changeset_push_creates_uploads_to_the_link_and_completes() {
    let files = storage(16);
    let (server, api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);
    let file: Vec<u8> = b"changeset bytes".repeat(100);

    let created = client
        .create_changeset(
            IMODEL_ID,
            CreateChangeset {
                parent_id: Some(changeset_id(CHANGESETS)),
                ..CreateChangeset::new(PUSHED_CHANGESET, 2, file.len() as i64)
            },
        )
        .send()
        .await
        .expect("created");
    let links = created.links.clone().expect("_links");
    client
        .upload_to(links.upload.as_ref().expect("upload link"), file.clone())
        .send()
        .await
        .expect("uploaded");
    assert_eq!(files.uploaded(), vec![file]);
    assert!(links
        .complete
        .as_ref()
        .and_then(|l| l.href.as_deref())
        .unwrap_or_default()
        .ends_with(&format!("/changesets/{PUSHED_CHANGESET}")));

    let pushed = client
        .update_changeset(
            IMODEL_ID,
            PUSHED_CHANGESET,
            UpdateChangeset::new(UpdateChangesetState::FileUploaded, 2),
        )
        .send()
        .await
        .expect("completed");
    assert_eq!(pushed.id.as_deref(), Some(PUSHED_CHANGESET));
    assert!(pushed.index.is_some() && pushed.state.is_some());

    assert_no_credentials(&files.heads());
    let patch = api.seen_at(&format!("/{IMODEL_ID}/changesets/{PUSHED_CHANGESET}"));
    assert_eq!(patch.len(), 1);
    assert_eq!(patch[0].method, "PATCH");
}

/// The writes Bentley's clients make, each checked where it lands: method, path and
/// body on the API (with the token), and what comes back.
#[tokio::test]
async fn every_write_reaches_its_path_with_its_body_and_decodes() {
    let files = storage(16);
    let (server, api) = ImodelsApi::start(&files.origin()).await;
    let client = client(&server);
    let nv = named_version_id(1);

    let updated = client
        .update_imodel(
            IMODEL_ID,
            UpdateIModel {
                name: Some("Renamed".into()),
                ..Default::default()
            },
        )
        .send()
        .await
        .expect("update iModel");
    assert_eq!(updated.name.as_deref(), Some("Renamed"));
    let thumbnail = client
        .upload_thumbnail(IMODEL_ID, b"\x89PNG\r\n".to_vec())
        .send()
        .await
        .expect("upload thumbnail");
    assert_eq!(thumbnail.status(), 201);
    client
        .add_imodel_to_favorites(IMODEL_ID)
        .send()
        .await
        .expect("add favorite");
    client
        .remove_imodel_from_favorites(IMODEL_ID)
        .send()
        .await
        .expect("remove favorite");
    client
        .add_imodel_to_recents(IMODEL_ID)
        .send()
        .await
        .expect("add recent");
    client
        .remove_imodel_from_recents(IMODEL_ID)
        .send()
        .await
        .expect("remove recent");
    let briefcase = client
        .acquire_briefcase(IMODEL_ID)
        .body(AcquireBriefcase {
            device_name: Some("laptop".into()),
        })
        .send()
        .await
        .expect("acquire briefcase");
    assert_eq!(briefcase.device_name.as_deref(), Some("laptop"));
    let acquired = briefcase.briefcase_id.expect("briefcaseId");
    let locked = LockedObjects {
        lock_level: Some(LockLevel::Exclusive),
        object_ids: vec!["0x20000000001".into()],
    };
    let lock = client
        .update_locks(IMODEL_ID, UpdateLocks::new(acquired, vec![locked.clone()]))
        .send()
        .await
        .expect("update locks");
    assert_eq!(lock.locked_objects, vec![locked]);
    // Release in chunks until the API says the last one went.
    let mut chunks = 0;
    loop {
        chunks += 1;
        let chunk = client
            .release_locks_chunk(IMODEL_ID, ReleaseLocksChunk::new(acquired))
            .send()
            .await
            .expect("release chunk");
        if chunk.is_last_chunk == Some(true) {
            break;
        }
    }
    assert_eq!(chunks, 2);
    client
        .release_briefcase(IMODEL_ID, acquired)
        .send()
        .await
        .expect("release briefcase");
    let released = drain(client.get_released_locks(IMODEL_ID, 3).into_stream()).await;
    assert_eq!(released.len(), LOCKS);
    let version = client
        .create_named_version(
            IMODEL_ID,
            CreateNamedVersion::new("Milestone", changeset_id(3)),
        )
        .send()
        .await
        .expect("create named version");
    assert_eq!(version.name.as_deref(), Some("Milestone"));
    let hidden = client
        .update_named_version(
            IMODEL_ID,
            nv,
            UpdateNamedVersion {
                state: Some(NamedVersionState::Hidden),
                ..Default::default()
            },
        )
        .send()
        .await
        .expect("update named version");
    assert_eq!(hidden.state, Some(NamedVersionState::Hidden));
    let regenerating = client
        .update_named_version_checkpoint(IMODEL_ID, nv)
        .send()
        .await
        .expect("update checkpoint");
    assert_eq!(regenerating.state, Some(CheckpointState::Scheduled));
    let group = client
        .create_changeset_group(IMODEL_ID, CreateChangesetGroup::new("Sync"))
        .send()
        .await
        .expect("create group");
    assert_eq!(group.state, Some(ChangesetGroupState::InProgress));
    let closed = client
        .update_changeset_group(
            IMODEL_ID,
            group.id.clone().expect("id"),
            UpdateChangesetGroup {
                state: Some(ChangesetGroupState::Completed),
            },
        )
        .send()
        .await
        .expect("update group");
    assert_eq!(closed.state, Some(ChangesetGroupState::Completed));
    let data = client
        .create_changeset_extended_data(
            IMODEL_ID,
            "2",
            CreateChangesetExtendedData::new("eyJhIjoxfQ=="),
        )
        .send()
        .await
        .expect("create extended data");
    assert_eq!(data.data.as_deref(), Some("eyJhIjoxfQ=="));
    client
        .delete_imodel(IMODEL_ID)
        .send()
        .await
        .expect("delete iModel");

    // What landed, in order: (method, path, body).
    let base = format!("/{IMODEL_ID}");
    let group_id = group.id.clone().expect("id");
    let expected: Vec<(&str, String, serde_json::Value)> = vec![
        (
            "PATCH",
            base.clone(),
            serde_json::json!({ "name": "Renamed" }),
        ),
        ("PUT", format!("{base}/thumbnail"), serde_json::Value::Null),
        (
            "PUT",
            format!("/favorites/{IMODEL_ID}"),
            serde_json::Value::Null,
        ),
        (
            "DELETE",
            format!("/favorites/{IMODEL_ID}"),
            serde_json::Value::Null,
        ),
        (
            "POST",
            format!("/recents/{IMODEL_ID}"),
            serde_json::Value::Null,
        ),
        (
            "DELETE",
            format!("/recents/{IMODEL_ID}"),
            serde_json::Value::Null,
        ),
        (
            "POST",
            format!("{base}/briefcases"),
            serde_json::json!({ "deviceName": "laptop" }),
        ),
        (
            "PATCH",
            format!("{base}/locks"),
            serde_json::json!({
                "briefcaseId": acquired,
                "lockedObjects": [{ "lockLevel": "exclusive", "objectIds": ["0x20000000001"] }]
            }),
        ),
        (
            "POST",
            format!("{base}/locks/release-chunk"),
            serde_json::json!({ "briefcaseId": acquired }),
        ),
        (
            "POST",
            format!("{base}/locks/release-chunk"),
            serde_json::json!({ "briefcaseId": acquired }),
        ),
        (
            "DELETE",
            format!("{base}/briefcases/{acquired}"),
            serde_json::Value::Null,
        ),
        (
            "GET",
            format!("{base}/locks/released-locks"),
            serde_json::Value::Null,
        ),
        (
            "GET",
            format!("{base}/locks/released-locks"),
            serde_json::Value::Null,
        ),
        (
            "POST",
            format!("{base}/namedversions"),
            serde_json::json!({ "name": "Milestone", "changesetId": changeset_id(3) }),
        ),
        (
            "PATCH",
            format!("{base}/namedversions/{nv}"),
            serde_json::json!({ "state": "hidden" }),
        ),
        (
            "PUT",
            format!("{base}/namedversions/{nv}/checkpoint"),
            serde_json::Value::Null,
        ),
        (
            "POST",
            format!("{base}/changesetgroups"),
            serde_json::json!({ "description": "Sync" }),
        ),
        (
            "PATCH",
            format!("{base}/changesetgroups/{group_id}"),
            serde_json::json!({ "state": "completed" }),
        ),
        (
            "POST",
            format!("{base}/changesets/2/extendeddata"),
            serde_json::json!({ "data": "eyJhIjoxfQ==" }),
        ),
        ("DELETE", base.clone(), serde_json::Value::Null),
    ];
    let seen = api.seen();
    let landed: Vec<(&str, String, serde_json::Value)> = seen
        .iter()
        .map(|s| {
            let body = if s.path.ends_with("/thumbnail") {
                serde_json::Value::Null
            } else {
                serde_json::from_slice(&s.body).unwrap_or(serde_json::Value::Null)
            };
            (s.method.as_str(), s.path.clone(), body)
        })
        .collect();
    assert_eq!(landed, expected);
    let thumbnail = seen
        .iter()
        .find(|s| s.path.ends_with("/thumbnail"))
        .expect("upload");
    assert_eq!(thumbnail.body, b"\x89PNG\r\n");
    assert!(seen
        .iter()
        .all(|s| s.authorization.as_deref() == Some(&*format!("Bearer {TOKEN}"))));
    assert!(files.heads().is_empty());
}

// ------------------------------------------------------------- The README

/// The README's first example (README.md, "Using the client", as i19-d wrote it),
/// word for word but for the base URL.
async fn readme_example(base_url: &str) -> Result<(), generated_client::Error> {
    use generated_client::models::CloneIModel;
    use generated_client::runtime::StreamExt;
    use generated_client::uuid::Uuid;
    use generated_client::{AccessToken, Client, RetryPolicy};

    let client = Client::builder() // talks to https://api.bentley.com/imodels by default
        .base_url(base_url) // <- the only change
        // A fresh token per request from your OAuth2 flow (or `.bearer_token("...")`).
        .token_fn(|| async { Ok(AccessToken::bearer(std::env::var("TOKEN")?)) })
        .accept("application/vnd.bentley.itwin-platform.v2+json")
        .retry_policy(RetryPolicy::new().max_attempts(5))
        .build()?;

    let itwin_id: Uuid = "b1a8b7f0-5c2b-4a56-9c5b-6f0c8a2e2d11".parse().unwrap();
    let imodel_id: Uuid = "5c2b4a56-9c5b-4f0c-8a2e-2d11b1a8b7f0".parse().unwrap();

    // Required inputs are arguments; optional ones are setters on the request. One `?`
    // gives the typed body, which the response derefs to, with its status and headers.
    let page = client.get_imodels(itwin_id).top(10).send().await?;
    println!("{} {:?}", page.status(), page.headers().get("etag"));
    for imodel in &page.imodels {
        println!("{:?} {:?}", imodel.id, imodel.display_name);
    }

    // Every iModel, page by page (the next link or continuation token the server gives,
    // else $skip), one page in memory at a time; a short page is not the end.
    let mut all = client
        .get_imodels(itwin_id)
        .top(100)
        .max_items(1_000)
        .into_stream();
    while let Some(imodel) = all.next().await {
        println!("{:?}", imodel?.display_name);
    }

    // Per-call headers, query parameters the spec does not declare, timeout and retries.
    let users = client
        .get_imodel_users(imodel_id)
        .with_header("Prefer", "return=representation")
        .with_query("$orderBy", "displayName")
        .with_retry(RetryPolicy::disabled())
        .send()
        .await?;

    // Clone answers 202 and creates the copy later: wait for it (polls the creation status
    // every second, up to five minutes; `send_and_wait_with` takes another WaitPolicy).
    let copy = client
        .clone_imodel(imodel_id, CloneIModel::new(itwin_id, "Bridge (copy)"))
        .send_and_wait()
        .await?;
    println!("cloned into {:?}", copy.id);

    // A non-2xx answer keeps its status, headers and body, and parses the spec's Error body;
    // a 2xx the spec does not declare keeps the raw response.
    match client.get_imodel(imodel_id).send().await {
        Ok(imodel) => println!("{:?}", imodel.display_name),
        Err(generated_client::Error::Api(error)) => {
            let code = error
                .error_body()
                .and_then(|e| e.error.as_ref()?.code.clone());
            eprintln!("{} {:?}: {}", error.status(), code, error.body_text());
        }
        Err(generated_client::Error::UndeclaredStatus(raw)) => println!("{}", raw.status()),
        Err(other) => return Err(other),
    }
    let _ = users;
    Ok(())
}

/// The README's file example (a changeset's download, an iModel from a baseline
/// file), word for word but for the base URL.
async fn readme_files_example(base_url: &str) -> Result<(), Box<dyn std::error::Error>> {
    use generated_client::models::{BaselineFileSize, CreateIModel, IModelCreationMode};
    use generated_client::uuid::Uuid;
    use generated_client::Client;
    use std::path::Path;

    let client = Client::with_base_url(base_url, "token")?; // was `Client::new("token")?`
    let (itwin_id, imodel_id) = (Uuid::nil(), Uuid::nil());
    // A changeset's file, from its `_links.download` (an optional link: one the server
    // left out is an error, and nothing is sent).
    let changeset = client.get_changeset(imodel_id, "42").send().await?;
    let link = changeset
        .links
        .as_ref()
        .and_then(|links| links.download.as_ref());
    let bytes = client
        .download_from(link)
        .on_progress(|p| eprintln!("{} of {:?} bytes", p.transferred, p.total))
        .to_file("changeset-42.cs")
        .await?;
    println!("downloaded {bytes} bytes");

    // A new iModel from a baseline file: create it with the file's size, upload the file
    // to the iModel's `_links.upload`, then complete and wait until it is initialized.
    let file = Path::new("bridge.bim");
    let mut body = CreateIModel::new(itwin_id, "Bridge");
    body.creation_mode = Some(IModelCreationMode::FromBaseline);
    body.baseline_file = Some(BaselineFileSize::new(std::fs::metadata(file)?.len() as i64));
    let imodel = client.create_imodel(body).send().await?;
    let upload = imodel
        .links
        .as_ref()
        .and_then(|links| links.upload.as_ref());
    client.upload_to(upload, file).send().await?;
    let id = imodel.id.ok_or("the new iModel has no id")?;
    let ready = client
        .complete_baseline_file_upload(id)
        .send_and_wait()
        .await?;
    println!("{:?} is {:?}", ready.id, ready.state);
    Ok(())
}

/// The README's examples run against the stand-in with only the base URL changed
/// (they wait as declared, a second per poll: a few seconds in all).
#[test]
fn the_readme_examples_run_against_it_with_only_the_base_url_changed() {
    crate::support::run_alone("live_api::readme_examples_alone");
}

/// The test itself, in a process of its own: it changes the working directory and
/// the environment, which the process's other tests share.
#[tokio::test]
#[ignore = "changes the process's working directory and environment: run alone by the_readme_examples_run_against_it_with_only_the_base_url_changed"]
async fn readme_examples_alone() {
    let size = 20_000;
    let files = storage(size);
    let (server, api) = ImodelsApi::start_with_token(&files.origin(), "token").await;
    // What the examples take from their environment: a token, and a baseline file in
    // the working directory (where the changeset lands too).
    let dir = tempfile::tempdir().expect("temporary directory");
    std::env::set_current_dir(dir.path()).expect("cd");
    std::env::set_var("TOKEN", "token");
    let baseline: Vec<u8> = (0..3000_u32).map(|i| (i % 7) as u8).collect();
    std::fs::write(dir.path().join("bridge.bim"), &baseline).expect("baseline file");

    readme_example(&server.uri())
        .await
        .expect("the first example");
    readme_files_example(&server.uri())
        .await
        .expect("the files example");

    // One page, then the stream over every capped page.
    let lists: Vec<_> = api
        .seen_at("/")
        .into_iter()
        .filter(|s| s.method == "GET")
        .collect();
    assert_eq!(lists.len(), 1 + IMODELS.div_ceil(PAGE_CAP));
    // The clone's first POST met a 429 and was sent again; the wait found the copy.
    assert_eq!(
        api.seen_at("/5c2b4a56-9c5b-4f0c-8a2e-2d11b1a8b7f0/clone")
            .len(),
        2
    );
    assert_eq!(api.seen_at(&format!("/{CLONE_ID}")).len(), 1);
    // The changeset's file and the baseline went to storage, without the token.
    let written = std::fs::read(dir.path().join("changeset-42.cs")).expect("downloaded");
    assert_eq!(written.len() as u64, size);
    assert_eq!(files.uploaded(), vec![baseline]);
    assert_no_credentials(&files.heads());
    assert_eq!(
        api.seen_at(&format!("/{CREATED_ID}")).len(),
        1,
        "the initialized iModel"
    );
}

/// The two functions above are the README's examples: a change to either side fails
/// here. Compared without whitespace (rustfmt wraps the copies differently); the
/// README's hidden `#` lines and the lines that change the base URL are left out.
#[test]
fn the_readme_examples_are_the_ones_run_here() {
    fn compact(lines: &[&str]) -> String {
        lines
            .iter()
            .flat_map(|line| line.chars())
            .filter(|c| !c.is_whitespace())
            .collect()
    }
    let readme = include_str!("../../../README.md");
    let mut blocks = Vec::new();
    let mut block: Option<Vec<&str>> = None;
    for line in readme.lines() {
        match (&mut block, line.trim()) {
            (None, "```rust,no_run") => block = Some(Vec::new()),
            (Some(lines), "```") => {
                blocks.push(compact(lines));
                block = None;
            }
            (Some(lines), trimmed) if !(trimmed == "#" || trimmed.starts_with("# ")) => {
                lines.push(line)
            }
            _ => {}
        }
    }
    let this = include_str!("live_api.rs");
    let copy = |signature: &str| {
        let start = this.find(signature).expect("the copy is in this file");
        let body = &this[start..];
        let body = &body[body.find('\n').expect("a body") + 1..];
        let end = body.find("\n    Ok(())\n}").expect("the copy's end");
        let kept: Vec<&str> = body[..end]
            .lines()
            .filter(|line| {
                ![
                    "<- the only change",
                    "// was `Client::new",
                    "let _ = users;",
                    "let (itwin_id, imodel_id)",
                ]
                .iter()
                .any(|changed| line.contains(changed))
            })
            .collect();
        compact(&kept)
    };
    let uses = |block: &String| block.contains("letclient=Client::builder()");
    let first = blocks
        .iter()
        .find(|b| uses(b))
        .expect("README's first example");
    assert_eq!(&copy("async fn readme_example("), first);
    let files = blocks
        .iter()
        .find(|b| b.contains(".download_from(link)"))
        .expect("README's file example");
    assert_eq!(&copy("async fn readme_files_example("), files);
}
