//! Clone and fork as the live API runs them: 202 with `Location`, then the creation
//! status polled until it is final, then the new iModel (declared by
//! `spec/overlays/40-long-running.yaml`; hand-written test against loopback servers).

use std::time::Duration;

use crate::support::{client_for, imodel_json, received, script, IMODEL_ID, ITWIN_ID};
use generated_client::models::{CloneIModel, ForkIModel};
use generated_client::runtime::WaitError;
use generated_client::{Error, WaitPolicy};
use serde_json::json;
use uuid::{uuid, Uuid};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NEW_ID: Uuid = uuid!("0c7a1e5f-7d7e-4f5e-9d6b-3d2f1a0b9c8e");

fn quick() -> WaitPolicy {
    WaitPolicy::new()
        .interval(Duration::from_millis(5))
        .timeout(Duration::from_secs(5))
}

fn state(state: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "createOperation": { "state": state } }))
}

/// A server that accepts `verb` on the source iModel with a `Location` of the new
/// one (unless `location` is `None`), reports `states` in turn, and serves the
/// new iModel.
async fn server(verb: &str, location: Option<&str>, states: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    let mut accepted = ResponseTemplate::new(202);
    if let Some(location) = location {
        accepted = accepted.insert_header("Location", location.replace("{base}", &server.uri()));
    }
    Mock::given(method("POST"))
        .and(path(format!("/{IMODEL_ID}/{verb}")))
        .respond_with(accepted)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/{NEW_ID}/operations/create")))
        .respond_with(script(states.iter().map(|s| state(s))))
        .mount(&server)
        .await;
    let mut new_imodel = imodel_json();
    new_imodel["iModel"]["id"] = json!(NEW_ID);
    Mock::given(method("GET"))
        .and(path(format!("/{NEW_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(new_imodel))
        .mount(&server)
        .await;
    server
}

fn paths(requests: &[wiremock::Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect()
}

#[tokio::test]
async fn clone_and_fork_wait_through_202_location_and_polls_to_the_new_imodel() {
    for verb in ["clone", "fork"] {
        let server = server(
            verb,
            Some(&format!("{{base}}/{NEW_ID}")),
            &["scheduled", "waitingForFile", "successful"],
        )
        .await;
        let client = client_for(&server);
        let imodel = match verb {
            "clone" => {
                client
                    .clone_imodel(IMODEL_ID, CloneIModel::new(ITWIN_ID, "Copy"))
                    .send_and_wait_with(quick())
                    .await
            }
            _ => {
                client
                    .fork_imodel(IMODEL_ID, ForkIModel::new(ITWIN_ID, "Fork"))
                    .send_and_wait_with(quick())
                    .await
            }
        }
        .expect("the new iModel");
        assert_eq!(imodel.id, Some(NEW_ID), "{verb}");
        assert_eq!(imodel.status(), 200);
        let operations = format!("GET /{NEW_ID}/operations/create");
        assert_eq!(
            paths(&received(&server).await),
            [
                format!("POST /{IMODEL_ID}/{verb}"),
                operations.clone(),
                operations.clone(),
                operations,
                format!("GET /{NEW_ID}"),
            ],
            "{verb}"
        );
    }
}

#[tokio::test]
async fn a_failed_creation_is_a_typed_error() {
    let server = server(
        "clone",
        Some(&format!("/imodels/{NEW_ID}?x=1")),
        &["scheduled", "failed"],
    )
    .await;
    let error = client_for(&server)
        .clone_imodel(IMODEL_ID, CloneIModel::new(ITWIN_ID, "Copy"))
        .send_and_wait_with(quick())
        .await
        .expect_err("failed");
    match error {
        Error::Wait(wait) => match *wait {
            WaitError::Failed {
                state,
                id,
                location,
                ..
            } => {
                assert_eq!(state, "failed");
                // The new iModel can still be found (and deleted).
                assert_eq!(id, Some(NEW_ID.to_string()));
                assert_eq!(location, Some(format!("/imodels/{NEW_ID}?x=1")));
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    assert_eq!(
        received(&server).await.len(),
        3,
        "no fetch of the new iModel"
    );
}

#[tokio::test]
async fn a_creation_that_never_ends_times_out_with_the_last_state() {
    let server = server(
        "clone",
        Some(&format!("{{base}}/{NEW_ID}")),
        &["waitingForFile"],
    )
    .await;
    let policy = WaitPolicy::new()
        .interval(Duration::from_millis(5))
        .timeout(Duration::from_millis(200));
    let error = client_for(&server)
        .clone_imodel(IMODEL_ID, CloneIModel::new(ITWIN_ID, "Copy"))
        .send_and_wait_with(policy)
        .await
        .expect_err("times out");
    let Error::Wait(wait) = &error else {
        panic!("{error:?}")
    };
    let WaitError::TimedOut {
        last_state, polls, ..
    } = wait.as_ref()
    else {
        panic!("{wait:?}")
    };
    assert_eq!(last_state.as_deref(), Some("waitingForFile"));
    assert!(*polls >= 1);
    assert!(
        error.to_string().contains("last state `waitingForFile`"),
        "{error}"
    );
}

#[tokio::test]
async fn an_answer_that_names_no_new_imodel_is_a_typed_error() {
    for (location, message) in [
        (None, "no readable `Location` header"),
        (
            Some("{base}/not-a-uuid"),
            "`not-a-uuid` is not a valid Uuid",
        ),
    ] {
        let server = server("clone", location, &["successful"]).await;
        let error = client_for(&server)
            .clone_imodel(IMODEL_ID, CloneIModel::new(ITWIN_ID, "Copy"))
            .send_and_wait_with(quick())
            .await
            .expect_err("no id");
        assert!(
            matches!(&error, Error::Wait(w) if matches!(**w, WaitError::NoId(_))),
            "{error:?}"
        );
        assert!(error.to_string().contains(message), "{error}");
        assert_eq!(received(&server).await.len(), 1, "nothing polled");
    }
}

#[tokio::test]
async fn a_poll_asking_to_wait_for_ever_ends_the_wait_at_once() {
    // Retry-After values no wait fits in: i64::MAX seconds once made
    // `Instant + Duration` overflow and panic; more than a u64 holds, and a
    // date in the year 9999, are as long.
    for retry_after in [
        "9223372036854775807",
        "99999999999999999999999",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("/{IMODEL_ID}/clone")))
            .respond_with(
                ResponseTemplate::new(202)
                    .insert_header("Location", format!("{}/{NEW_ID}", server.uri())),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("/{NEW_ID}/operations/create")))
            .respond_with(state("scheduled").insert_header("Retry-After", retry_after))
            .mount(&server)
            .await;
        let started = std::time::Instant::now();
        let waiting = client_for(&server)
            .clone_imodel(IMODEL_ID, CloneIModel::new(ITWIN_ID, "Copy"))
            .send_and_wait_with(quick());
        let error = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .expect("the wait ends")
            .expect_err("never done");
        let Error::Wait(wait) = &error else {
            panic!("{retry_after}: {error:?}")
        };
        assert!(
            matches!(**wait, WaitError::TimedOut { polls: 1, ref last_state, .. } if last_state.as_deref() == Some("scheduled")),
            "{retry_after}: {wait:?}"
        );
        // Given up at once, not at the 5 s deadline.
        assert!(started.elapsed() < Duration::from_secs(2), "{retry_after}");
        assert_eq!(
            received(&server).await.len(),
            2,
            "{retry_after}: start + one poll"
        );
    }
}
