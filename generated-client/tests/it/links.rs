//! Links the API returns: `runtime::get_link` calls one with the token only on
//! the API's own origin, and link objects (`Href`) go to `download`/`upload`
//! (hand-written test against two loopback servers: two ports are two
//! origins).

use crate::support::{client_for, header, received, TOKEN};
use generated_client::models::ErrorBody;
use generated_client::runtime::RequestOptions;
use generated_client::runtime::{get_link, ApiClient, Href};
use generated_client::Error;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A HAL link object, as generated models with an `href` property are.
struct Link {
    href: Option<String>,
}

impl Href for Link {
    fn href(&self) -> Option<&str> {
        self.href.as_deref()
    }
}

fn link(href: impl Into<String>) -> Link {
    Link {
        href: Some(href.into()),
    }
}

/// A server answering `GET /imodels/1/changesets/2` with a changeset.
async fn server_with_a_changeset() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/imodels/1/changesets/2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"changeset": {"index": 2}})))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_api_link_is_called_with_the_token_on_the_api_origin_only() {
    let api = server_with_a_changeset().await;
    let elsewhere = server_with_a_changeset().await;
    let client = client_for(&api);
    let http = client.http();

    // (case, link, whether the API answers it)
    let cases = [
        (
            "an absolute link on the API origin",
            link(format!("{}/imodels/1/changesets/2", api.uri())),
            true,
        ),
        (
            "a link relative to the base URL",
            link("/imodels/1/changesets/2"),
            true,
        ),
        (
            "a link to another origin (another port)",
            link(format!("{}/imodels/1/changesets/2", elsewhere.uri())),
            false,
        ),
        (
            "a protocol-relative link to another host",
            link("//127.0.0.2:9/imodels/1/changesets/2"),
            false,
        ),
    ];
    let mut answered = 0;
    for (case, link, on_api) in cases {
        let result =
            get_link::<serde_json::Value, ErrorBody>(http, &link, RequestOptions::new(), None)
                .await;
        if on_api {
            answered += 1;
            let value = result.unwrap_or_else(|e| panic!("{case}: {e}"));
            assert_eq!(value["changeset"]["index"], 2, "{case}");
        } else {
            let Err(Error::ForeignOrigin(error)) = result else {
                panic!("{case}: expected ForeignOrigin, got {result:?}");
            };
            assert_eq!(error.api_origin(), api.uri(), "{case}");
        }
    }
    let calls = received(&api).await;
    assert_eq!(calls.len(), answered);
    let bearer = format!("Bearer {TOKEN}");
    for call in &calls {
        assert_eq!(header(call, "authorization"), Some(bearer.as_str()));
    }
    assert!(
        received(&elsewhere).await.is_empty(),
        "nothing, and so no token, reached the other origin"
    );
}

#[tokio::test]
async fn a_link_without_a_url_sends_nothing() {
    let api = server_with_a_changeset().await;
    let client = client_for(&api);
    let missing = Link { href: None };

    let result = get_link::<serde_json::Value, ErrorBody>(
        client.http(),
        &missing,
        RequestOptions::new(),
        None,
    )
    .await;
    assert!(
        matches!(result, Err(Error::InvalidRequest(_))),
        "{result:?}"
    );

    let dir = tempfile::tempdir().expect("temporary directory");
    let download = client
        .http()
        .download::<ErrorBody>(&missing)
        .to_file(dir.path().join("x"))
        .await;
    assert!(
        matches!(download, Err(Error::InvalidRequest(_))),
        "{download:?}"
    );
    assert!(received(&api).await.is_empty());
}

#[tokio::test]
async fn a_link_object_is_downloaded_without_the_token() {
    let api = MockServer::start().await;
    let storage = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/blobs/2.cs"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"changeset".to_vec()))
        .mount(&storage)
        .await;
    let client = client_for(&api);

    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("2.cs");
    let written = client
        .http()
        .download::<ErrorBody>(Some(link(format!("{}/blobs/2.cs?sig=1", storage.uri()))))
        .to_file(&file)
        .await
        .expect("downloaded");

    assert_eq!(written, 9);
    assert_eq!(std::fs::read(&file).expect("written"), b"changeset");
    let calls = received(&storage).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(header(&calls[0], "authorization"), None);
    assert!(received(&api).await.is_empty());
}
