//! `into_stream()` on the generated paged list operations, against a loopback
//! server (hand-written). The paging engine itself (lists by offset, next links
//! in the body or a `Link` header, continuation tokens, pages that repeat, links
//! to another origin) is tested in the runtime's `pagination.rs`.
//!
//! Get iModels is a linked list (`x-pagination` in `spec/overlays/53-list-paging.yaml`):
//! each page but the last carries `_links.next.href`, here with the `$skip`/`$top` of
//! the next page as the live API's `$skip` links do, and a page without one ends the
//! stream.

use crate::support::all;

use futures_util::StreamExt;
use generated_client::Client;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ITWIN: &str = "6f0c8a2e-2d11-4a56-9c5b-b1a8b7f05c2b";

fn imodels(range: std::ops::Range<u32>) -> serde_json::Value {
    let items: Vec<_> = range
        .map(|i| json!({ "displayName": format!("m{i}") }))
        .collect();
    json!({ "iModels": items })
}

/// A page of `range` whose next link asks for `$skip=next_skip&$top=top`.
fn linked(
    server: &MockServer,
    range: std::ops::Range<u32>,
    next_skip: u32,
    top: u32,
) -> serde_json::Value {
    let mut page = imodels(range);
    page["_links"] = json!({
        "next": { "href": format!("{}/?iTwinId={ITWIN}&$skip={next_skip}&$top={top}", server.uri()) }
    });
    page
}

async fn mount_page(server: &MockServer, skip: u32, top: u32, body: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path("/"))
        .and(query_param("$skip", skip.to_string()))
        .and(query_param("$top", top.to_string()))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .bearer_token("t")
        .build()
        .unwrap()
}

/// `(skip, top)` of every request the server saw, in order.
async fn page_requests(server: &MockServer) -> Vec<(String, String)> {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .map(|r| {
            let find = |name: &str| {
                r.url
                    .query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            (find("$skip"), find("$top"))
        })
        .collect()
}

fn names(
    items: Vec<Result<generated_client::models::IModel, generated_client::Error>>,
) -> Vec<String> {
    items
        .into_iter()
        .map(|r| r.expect("item").display_name.expect("name"))
        .collect()
}

#[tokio::test]
async fn three_pages_follow_next_links_with_the_exact_skip_top_sequence() {
    let server = MockServer::start().await;
    mount_page(&server, 0, 2, linked(&server, 0..2, 2, 2)).await;
    mount_page(&server, 2, 2, linked(&server, 2..4, 4, 2)).await;
    mount_page(&server, 4, 2, imodels(4..5)).await;

    let itwin = ITWIN.parse().unwrap();
    let items: Vec<_> = client(&server)
        .get_imodels(itwin)
        .top(2)
        .into_stream()
        .collect()
        .await;

    assert_eq!(names(items), ["m0", "m1", "m2", "m3", "m4"]);
    let expected = [("0", "2"), ("2", "2"), ("4", "2")].map(|(s, t)| (s.to_owned(), t.to_owned()));
    assert_eq!(page_requests(&server).await, expected);
    for request in server.received_requests().await.unwrap() {
        assert!(request
            .url
            .query()
            .unwrap()
            .contains(&format!("iTwinId={ITWIN}")));
    }
}

/// A full page without a next link is the last one: the live API links every
/// page but the last, so no request goes out for a page that is not there.
#[tokio::test]
async fn a_full_page_without_a_next_link_ends_the_stream() {
    let server = MockServer::start().await;
    mount_page(&server, 0, 2, imodels(0..2)).await;

    let itwin = ITWIN.parse().unwrap();
    let items: Vec<_> = client(&server)
        .get_imodels(itwin)
        .top(2)
        .into_stream()
        .collect()
        .await;

    assert_eq!(names(items), ["m0", "m1"]);
    assert_eq!(page_requests(&server).await.len(), 1);
}

#[tokio::test]
async fn an_item_limit_stops_early_and_asks_only_for_what_is_needed() {
    // The first page asks for what is needed; a next link is requested as the server
    // gave it, and the stream stops at the limit inside that page.
    let server = MockServer::start().await;
    mount_page(&server, 10, 3, linked(&server, 10..13, 13, 3)).await;
    mount_page(&server, 13, 3, linked(&server, 13..16, 16, 3)).await;

    let itwin = ITWIN.parse().unwrap();
    let stream = client(&server)
        .get_imodels(itwin)
        .top(3)
        .skip(10)
        .max_items(4)
        .into_stream();
    let items: Vec<_> = stream.collect().await;

    assert_eq!(names(items), ["m10", "m11", "m12", "m13"]);
    let expected = [("10", "3"), ("13", "3")].map(|(s, t)| (s.to_owned(), t.to_owned()));
    assert_eq!(page_requests(&server).await, expected);
}

#[tokio::test]
async fn pages_are_fetched_lazily() {
    let server = MockServer::start().await;
    mount_page(&server, 0, 2, linked(&server, 0..2, 2, 2)).await;
    Mock::given(method("GET"))
        .and(query_param("$skip", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(imodels(2..4)))
        .expect(0)
        .mount(&server)
        .await;

    let itwin = ITWIN.parse().unwrap();
    let stream = client(&server).get_imodels(itwin).top(2).into_stream();
    let first_two: Vec<_> = stream.take(2).collect().await;
    assert_eq!(names(first_two), ["m0", "m1"]);
    assert_eq!(
        page_requests(&server).await.len(),
        1,
        "the second page was never needed"
    );
}

#[tokio::test]
async fn an_error_ends_the_stream_after_being_yielded() {
    let server = MockServer::start().await;
    mount_page(&server, 0, 100, linked(&server, 0..100, 100, 100)).await;
    Mock::given(method("GET"))
        .and(query_param("$skip", "100"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"error": {"code": "iTwinNotFound"}})),
        )
        .mount(&server)
        .await;

    let itwin = ITWIN.parse().unwrap();
    let results: Vec<_> = client(&server)
        .get_imodels(itwin)
        .into_stream()
        .collect()
        .await;

    assert_eq!(results.len(), 101, "100 items, then the error");
    let error = results.last().unwrap().as_ref().unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(
        page_requests(&server).await[0].1,
        "100",
        "default page size"
    );
}

// ------------------------------------------------------- Pages that repeat
#[tokio::test]
async fn a_server_that_ignores_skip_ends_the_stream_with_an_error() {
    use generated_client::runtime::{PageCursor, PaginationError};

    let server = MockServer::start().await;
    // The first page again, whatever `$skip` says, with its next link.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(linked(&server, 0..2, 2, 2)))
        .mount(&server)
        .await;

    let itwin = ITWIN.parse().unwrap();
    let mut results = all(client(&server).get_imodels(itwin).top(2).into_stream()).await;

    let error = results
        .pop()
        .expect("an error")
        .expect_err("the last is the error");
    assert_eq!(names(results), ["m0", "m1"], "the copies are not yielded");
    let generated_client::Error::Pagination(pagination) = &error else {
        panic!("expected Error::Pagination, got {error:?}");
    };
    assert_eq!(
        **pagination,
        PaginationError::RepeatedPage {
            page: 2,
            cursor: PageCursor::Link(format!("{}/?iTwinId={ITWIN}&$skip=2&$top=2", server.uri()))
        }
    );
    assert_eq!(page_requests(&server).await.len(), 2);
}

// ------------------------------------------------- Every way a stream ends

/// A server whose pages are capped below the `$top` asked for, as Bentley's
/// and GitHub's are: the README's `top(100).max_items(1_000)` used to return
/// the first page only, without an error.
struct Capped {
    total: u32,
    cap: u32,
    base: String,
}

impl wiremock::Respond for Capped {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse::<u32>().ok())
        };
        let skip = query("$skip").unwrap_or(0).min(self.total);
        let asked = query("$top").unwrap_or(self.cap);
        let end = self.total.min(skip + asked.min(self.cap));
        let mut page = imodels(skip..end);
        if end < self.total {
            // Get iModels is linked (spec/overlays/53-list-paging.yaml), as the live
            // API's pages are: the next page's `$skip`, the `$top` asked for.
            page["_links"] = json!({ "next": { "href": format!(
                "{}/?iTwinId={ITWIN}&$top={asked}&$skip={end}",
                self.base
            ) } });
        }
        ResponseTemplate::new(200).set_body_json(page)
    }
}

#[tokio::test]
async fn a_capped_page_is_not_the_end_of_the_list() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Capped {
            total: 9,
            cap: 4,
            base: server.uri(),
        })
        .mount(&server)
        .await;

    let itwin = ITWIN.parse().unwrap();
    let stream = client(&server)
        .get_imodels(itwin)
        .top(100)
        .max_items(1_000)
        .into_stream();
    let items = all(stream).await;

    let expected: Vec<_> = (0..9).map(|i| format!("m{i}")).collect();
    assert_eq!(names(items), expected, "every item, once");
    // The last page gives no next link: nothing more is asked.
    let expected =
        [("0", "100"), ("4", "100"), ("8", "100")].map(|(s, t)| (s.to_owned(), t.to_owned()));
    assert_eq!(page_requests(&server).await, expected);
}
