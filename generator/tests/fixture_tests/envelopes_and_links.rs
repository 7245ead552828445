//! Behaviour of the `envelopes_and_links` fixture's generated client on a loopback
//! server (hand-written test, copied into the fixture crate as `tests/behaviour.rs`
//! and run by `generator/tests/fixtures_compile.rs`): entities come out of their
//! envelopes and go back into them in mocks, the wrapper stays reachable, a header
//! enum sends its wire value, lists follow tokens, `Link` headers and body links to
//! the end, and links are called on the API's origin only.
#![cfg(feature = "mock")]

use fixture_envelopes_and_links::mock::MockServer;
use fixture_envelopes_and_links::models::{
    Link, ListByTokenResponse, ListEventsResponse, ListFeedResponse, ListFeedResponseLinks,
    ListThingsPrefer, OptionalLink, Thing, ThingPage, ThingResponse,
};
use fixture_envelopes_and_links::runtime::Nullable;
use fixture_envelopes_and_links::{Error};
use fixture_envelopes_and_links::runtime::StreamExt;

fn thing(id: &str) -> Thing {
    Thing {
        id: Some(id.to_owned()),
        name: Some(format!("thing {id}")),
        ..Thing::default()
    }
}

#[tokio::test]
async fn an_enveloped_entity_is_returned_and_its_wrapper_stays_reachable() {
    let server = MockServer::start().await;
    // The mock puts the entity into its envelope, as the server sends it.
    server.get_thing("t1").respond(&thing("t1")).expect(2).mount().await;
    let client = server.client();

    let entity = client.get_thing("t1").send().await.expect("the entity decodes");
    assert_eq!(*entity, thing("t1"));

    let raw = client.get_thing("t1").send_raw().await.expect("the raw answer");
    let wrapper: ThingResponse = raw.json().expect("the body is the envelope");
    assert_eq!(wrapper.thing, Some(thing("t1")));
    server.verify().await;
}

#[tokio::test]
async fn envelopes_are_read_from_the_wire_shape_and_a_missing_entity_is_an_error() {
    // (body as the server sends it, the entity's id, or None for a shape error)
    let cases = [
        (serde_json::json!({"thing": {"id": "a"}}), Some("a")),
        (serde_json::json!({"thing": {"id": "b"}, "extra": 1}), Some("b")),
        (serde_json::json!({"other": {"id": "c"}}), None),
        (serde_json::json!({"thing": null}), None),
    ];
    for (body, expected) in cases {
        let server = MockServer::start().await;
        server.get_thing("x").respond_json(200, &body).mount().await;
        let answer = server.client().get_thing("x").send().await;
        match (answer, expected) {
            (Ok(entity), Some(id)) => assert_eq!(entity.id.as_deref(), Some(id), "{body}"),
            (Err(Error::UnexpectedShape(_)), None) => {}
            (other, _) => panic!("{body}: unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_created_entity_comes_out_of_a_referenced_response_envelope() {
    let server = MockServer::start().await;
    server
        .create_thing(thing("new"))
        .respond(&thing("new"))
        .mount()
        .await;
    let created = server
        .client()
        .create_thing(thing("new"))
        .send()
        .await
        .expect("created");
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.id.as_deref(), Some("new"));
}

#[tokio::test]
async fn a_header_enum_sends_its_wire_value() {
    for (prefer, wire) in [
        (ListThingsPrefer::ReturnMinimal, "return=minimal"),
        (ListThingsPrefer::ReturnRepresentation, "return=representation"),
    ] {
        let server = MockServer::start().await;
        // Matched by the raw header, not by the typed setter, so a wrong wire value
        // finds no mock.
        server
            .list_things()
            .with_header("Prefer", wire)
            .respond(&ThingPage::default())
            .expect(1)
            .mount()
            .await;
        server
            .client()
            .list_things()
            .prefer(prefer)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{wire}: {e}"));
        server.verify().await;
    }
}

async fn collect<T: std::fmt::Debug>(
    stream: fixture_envelopes_and_links::ItemStream<T>,
) -> Vec<T> {
    stream
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|item| item.expect("every page arrives"))
        .collect()
}

#[tokio::test]
async fn a_token_list_follows_its_tokens_to_a_page_without_one() {
    let server = MockServer::start().await;
    let page = |tokens: &[&str], next: Option<&str>| ListByTokenResponse {
        tokens: tokens.iter().map(|t| t.to_string()).collect(),
        // The last page says `"continuationToken": null`.
        continuation_token: Nullable::from_option(next.map(str::to_owned)),
    };
    // The first request carries no token; the mock with the token is more specific.
    server
        .list_by_token()
        .respond(&page(&["a", "b"], Some("t2")))
        .expect(1)
        .mount()
        .await;
    server
        .list_by_token()
        .continuation_token("t2")
        .respond(&page(&["c"], Some("t3")))
        .expect(1)
        .mount()
        .await;
    server
        .list_by_token()
        .continuation_token("t3")
        .respond(&page(&["d"], None))
        .expect(1)
        .mount()
        .await;
    let items = collect(server.client().list_by_token().into_stream()).await;
    assert_eq!(items, ["a", "b", "c", "d"]);
    server.verify().await;
}

#[tokio::test]
async fn a_list_with_a_link_header_follows_it_past_short_pages() {
    let server = MockServer::start().await;
    let page = |events: &[&str]| ListEventsResponse {
        events: events.iter().map(|e| e.to_string()).collect(),
    };
    let next = format!("<{}/events?page=2>; rel=\"next\"", server.uri());
    server
        .list_events()
        .respond(&page(&["a"]))
        .respond_header("Link", next)
        .expect(1)
        .mount()
        .await;
    server
        .list_events()
        .with_query("page", "2")
        .respond(&page(&["b"]))
        .expect(1)
        .mount()
        .await;
    let items = collect(server.client().list_events().top(10).into_stream()).await;
    assert_eq!(items, ["a", "b"]);
    server.verify().await;
}

#[tokio::test]
async fn a_list_whose_body_is_the_array_follows_its_link_header() {
    let server = MockServer::start().await;
    let next = format!("<{}/commits?page=2>; rel=\"next\"", server.uri());
    server
        .list_commits()
        .respond(&vec!["a".to_owned(), "b".to_owned()])
        .respond_header("Link", next)
        .expect(1)
        .mount()
        .await;
    server
        .list_commits()
        .with_query("page", "2")
        .respond(&vec!["c".to_owned()])
        .expect(1)
        .mount()
        .await;
    let items = collect(server.client().list_commits().per_page(2).into_stream()).await;
    assert_eq!(items, ["a", "b", "c"]);
    server.verify().await;
}

#[tokio::test]
async fn a_list_with_body_links_and_no_top_or_skip_follows_them() {
    let server = MockServer::start().await;
    let page = |entries: &[&str], next: Option<String>| ListFeedResponse {
        entries: entries.iter().map(|e| e.to_string()).collect(),
        links: Some(ListFeedResponseLinks {
            next: next.map(|href| OptionalLink { href: href.into() }),
        }),
    };
    server
        .list_feed()
        .respond(&page(&["a", "b"], Some(format!("{}/feed?cursor=2", server.uri()))))
        .expect(1)
        .mount()
        .await;
    server
        .list_feed()
        .with_query("cursor", "2")
        .respond(&page(&["c"], None))
        .expect(1)
        .mount()
        .await;
    let items = collect(server.client().list_feed().into_stream()).await;
    assert_eq!(items, ["a", "b", "c"]);
    server.verify().await;
}

#[tokio::test]
async fn links_are_called_on_the_api_origin_only() {
    let server = MockServer::start().await;
    server.get_thing("t1").respond(&thing("t1")).expect(1).mount().await;
    let client = server.client();
    let link = Link {
        href: format!("{}/things/t1", server.uri()),
    };
    let wrapper = client
        .get_link::<ThingResponse>(&link)
        .await
        .expect("a link on the API's origin is followed");
    assert_eq!(wrapper.thing, Some(thing("t1")));

    let foreign = Link {
        href: "http://127.0.0.1:9/things/t1".to_owned(),
    };
    let refused = client.get_link::<ThingResponse>(foreign).await;
    assert!(matches!(refused, Err(Error::ForeignOrigin(_))), "{refused:?}");
    let missing = OptionalLink {
        href: Nullable::Null,
    };
    assert!(client.get_link::<ThingResponse>(missing).await.is_err());
    server.verify().await;
}
