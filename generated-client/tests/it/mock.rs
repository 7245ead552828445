//! A test as a team using the client writes one for its own code: only the public
//! API and the `mock` feature (`cargo test --features mock`), no hand-made server.
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.
#![cfg(feature = "mock")]

use futures_util::FutureExt;
use generated_client::mock::MockServer;
use generated_client::models::{
    CollectionLinks, CreateIModel, ErrorBody, ErrorCode, ErrorInfo, IModel, IModelList, Link,
};
use generated_client::runtime::StreamExt;
use generated_client::uuid::{uuid, Uuid};
use generated_client::{Client, Error};

const ITWIN: Uuid = uuid!("a1b2c3d4-0000-4000-8000-00000000000a");
const BRIDGE: Uuid = uuid!("5e19bee0-3aea-4355-a9f0-c6df9989ee7d");
const TUNNEL: Uuid = uuid!("6f2a0c11-4bfb-4466-b0f1-d7e0a09aff8e");

/// The code under test: a service that reports on an iTwin's iModels.
mod service {
    use super::*;

    /// `name: state` for each of the first ten iModels, fetching each for its state.
    pub async fn report(client: &Client, itwin: Uuid) -> Result<Vec<String>, Error> {
        let page = client.get_imodels(itwin).top(10).send().await?;
        let mut lines = Vec::new();
        for listed in &page.imodels {
            let Some(id) = listed.id else { continue };
            let imodel = client.get_imodel(id).send().await?;
            let state = imodel
                .state
                .as_ref()
                .map_or("unknown".into(), |s| s.to_string());
            lines.push(format!(
                "{}: {state}",
                imodel.display_name.as_deref().unwrap_or("?")
            ));
        }
        Ok(lines)
    }

    /// The iModel, or `None` when the API says `iModelNotFound`.
    pub async fn find(client: &Client, id: Uuid) -> Result<Option<IModel>, Error> {
        match client.get_imodel(id).send().await {
            Ok(imodel) => Ok(Some(imodel.into_inner())),
            Err(Error::Api(error))
                if error
                    .error_body()
                    .and_then(|body| body.error.as_ref()?.code.as_ref())
                    == Some(&ErrorCode::IModelNotFound) =>
            {
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// Every iModel's name, page by page.
    pub async fn all_names(client: &Client, itwin: Uuid) -> Result<Vec<String>, Error> {
        let mut names = Vec::new();
        let mut stream = client.get_imodels(itwin).top(2).into_stream();
        while let Some(imodel) = stream.next().await {
            names.push(imodel?.name.unwrap_or_default());
        }
        Ok(names)
    }

    /// Creates an iModel named `name` and returns its id.
    pub async fn create(client: &Client, itwin: Uuid, name: &str) -> Result<Option<Uuid>, Error> {
        let created = client
            .create_imodel(CreateIModel::new(itwin, name))
            .send()
            .await?;
        Ok(created.id)
    }
}

fn imodel(id: Uuid, name: &str, state: &str) -> IModel {
    IModel {
        id: Some(id),
        display_name: Some(name.to_owned()),
        name: Some(name.to_owned()),
        state: Some(state.into()),
        ..IModel::default()
    }
}

fn listed(ids: &[(Uuid, &str)]) -> IModelList {
    IModelList {
        imodels: ids
            .iter()
            .map(|(id, name)| IModel {
                id: Some(*id),
                name: Some((*name).to_owned()),
                ..IModel::default()
            })
            .collect(),
        links: None,
    }
}

#[tokio::test]
async fn lists_and_fetches_imodels() {
    let server = MockServer::start().await;
    server
        .get_imodels(ITWIN)
        .top(10)
        .respond(&listed(&[(BRIDGE, "bridge"), (TUNNEL, "tunnel")]))
        .respond_header("etag", "\"v1\"")
        // Once by the report, once by the check of the answer below.
        .expect(2)
        .mount()
        .await;
    for (id, name, state) in [
        (BRIDGE, "Bridge", "initialized"),
        (TUNNEL, "Tunnel", "notInitialized"),
    ] {
        server
            .get_imodel(id)
            .respond(&imodel(id, name, state))
            .expect(1)
            .mount()
            .await;
    }

    let report = service::report(&server.client(), ITWIN)
        .await
        .expect("report");
    assert_eq!(report, ["Bridge: initialized", "Tunnel: notInitialized"]);

    // The typed answer carries the status and headers it was given.
    let page = server
        .client()
        .get_imodels(ITWIN)
        .top(10)
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["etag"], "\"v1\"");
    server.verify().await;
}

#[tokio::test]
async fn an_error_answer_has_the_specs_error_body() {
    let server = MockServer::start().await;
    let not_found = ErrorBody {
        error: Some(ErrorInfo {
            code: Some(ErrorCode::IModelNotFound),
            message: Some("Requested iModel is not available.".to_owned()),
            ..ErrorInfo::default()
        }),
    };
    server
        .get_imodel(TUNNEL)
        .respond_error(404, &not_found)
        .expect(1)
        .mount()
        .await;
    server
        .get_imodel(BRIDGE)
        .respond_status(503)
        .expect(1)
        .mount()
        .await;

    let client = server.client();
    assert_eq!(
        service::find(&client, TUNNEL).await.expect("no error"),
        None
    );
    // Retries are off on the mock's client: one call, one request.
    match service::find(&client, BRIDGE).await {
        Err(Error::Api(error)) => assert_eq!(error.status(), 503),
        other => panic!("expected the 503, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unmatched_request_fails_and_says_why() {
    let server = MockServer::start().await;
    server
        .get_imodel(BRIDGE)
        .respond(&imodel(BRIDGE, "Bridge", "initialized"))
        .mount()
        .await;

    // Not a 404 that `find` would read as "no such iModel": the call fails.
    let error = service::find(&server.client(), TUNNEL)
        .await
        .expect_err("no mock for this iModel");
    let Error::Api(error) = error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(error.status(), 501);
    let text = error.body_text();
    assert!(
        text.contains(&format!("no mock matched GET /{TUNNEL}")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "get_imodel GET /{BRIDGE}: path is `/{TUNNEL}`, not `/{BRIDGE}`"
        )),
        "{text}"
    );
}

#[tokio::test]
async fn call_counts_are_verified() {
    let server = MockServer::start().await;
    server
        .get_imodel(BRIDGE)
        .respond(&imodel(BRIDGE, "Bridge", "initialized"))
        .expect(1)
        .mount()
        .await;

    let unmet = std::panic::AssertUnwindSafe(server.verify())
        .catch_unwind()
        .await
        .expect_err("the expected call has not happened yet");
    let message = unmet
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or_default();
    assert!(
        message.contains(&format!("get_imodel GET /{BRIDGE}")),
        "{message}"
    );

    // Once made, the call satisfies the expectation (also checked on drop).
    service::find(&server.client(), BRIDGE)
        .await
        .expect("found");
    server.verify().await;
}

#[tokio::test]
async fn optional_inputs_and_bodies_are_matched() {
    let server = MockServer::start().await;
    // `into_stream` asks for `$top=2`, then follows the first page's next link
    // (`$skip=2`), as the live API links its pages: one mock per page.
    let mut first = listed(&[(BRIDGE, "bridge"), (TUNNEL, "tunnel")]);
    first.links = Some(CollectionLinks {
        next: Some(Link {
            href: Some(format!("{}/?iTwinId={ITWIN}&$top=2&$skip=2", server.uri())),
        }),
        ..CollectionLinks::default()
    });
    server
        .get_imodels(ITWIN)
        .top(2)
        .respond(&first)
        .expect(1)
        .mount()
        .await;
    server
        .get_imodels(ITWIN)
        .top(2)
        .skip(2)
        .respond(&listed(&[(Uuid::nil(), "viaduct")]))
        .expect(1)
        .mount()
        .await;
    // Only a create with exactly this body is answered (201, the declared status).
    server
        .create_imodel(CreateIModel::new(ITWIN, "viaduct"))
        .respond(&imodel(Uuid::nil(), "viaduct", "notInitialized"))
        .expect(1)
        .mount()
        .await;

    let client = server.client();
    let names = service::all_names(&client, ITWIN).await.expect("pages");
    assert_eq!(names, ["bridge", "tunnel", "viaduct"]);
    let created = service::create(&client, ITWIN, "viaduct")
        .await
        .expect("created");
    assert_eq!(created, Some(Uuid::nil()));

    let Err(Error::Api(error)) = service::create(&client, ITWIN, "aqueduct").await else {
        panic!("a create with another name has no mock");
    };
    assert_eq!(error.status(), 501);
    let text = error.body_text();
    assert!(text.contains("create_imodel POST /: body is `"), "{text}");
    assert!(text.contains("aqueduct"), "{text}");
    server.verify().await;
}
