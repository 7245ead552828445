//! `into_stream()` on paged list operations, against a loopback server (hand-written).
//!
//! Get iModels is a linked list (`x-pagination` in `spec/overlays/53-list-paging.yaml`):
//! each page but the last carries `_links.next.href`, here with the `$skip`/`$top` of
//! the next page as the live API's `$skip` links do, and a page without one ends the
//! stream. Lists without links (the hand-written `Listing<false>` below) are counted
//! by offset until an empty page.

use crate::support::Execute;

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

/// `_links.next.href` support: the runtime follows a link under the base URL, and
/// refuses one elsewhere without sending anything (the token must not leave the API).
#[tokio::test]
async fn next_links_are_followed_only_under_the_base_url() {
    use generated_client::runtime::{Method, Request};

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/page2"))
        .and(query_param("$skip", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(imodels(2..3)))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    let mut request = Request::new("GetIModels", Method::GET, "/", "/".to_owned());
    request.query("iTwinId", ITWIN);
    request.follow_link(format!("{}/page2?$skip=2", server.uri()));
    let raw = client
        .execute(request)
        .await
        .expect("link under the base URL");
    let page: serde_json::Value = raw.json().unwrap();
    assert_eq!(page["iModels"][0]["displayName"], "m2");
    let seen = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        seen.url.query(),
        Some("$skip=2"),
        "the link's query replaces the operation's"
    );

    let mut request = Request::new("GetIModels", Method::GET, "/", "/".to_owned());
    request.follow_link("http://127.0.0.2:9/steal?$skip=2".to_owned());
    let error = client.execute(request).await.expect_err("another origin");
    assert!(
        matches!(&error, generated_client::Error::InvalidRequest(message) if message.contains("refusing to follow")),
        "{error:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

// ------------------------------------------------------- Pages that repeat

/// Every result of `stream`, failing the test if it does not end in time: a
/// stream that never ends is the bug these tests guard against.
async fn all<T>(stream: impl futures_util::Stream<Item = T>) -> Vec<T> {
    tokio::time::timeout(std::time::Duration::from_secs(10), stream.collect())
        .await
        .expect("the stream ends")
}

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

/// A list operation whose pages are `{"items": [..], "_links": {"next": {"href": ..}}}`,
/// as the iModels API's `_links.next` pages are.
#[derive(Clone)]
struct Linked;

impl generated_client::runtime::Operation for Linked {
    type Output = serde_json::Value;

    fn request(
        &self,
    ) -> Result<generated_client::runtime::Request, generated_client::runtime::Error> {
        use generated_client::runtime::{Method, Request};
        Ok(Request::new(
            "List",
            Method::GET,
            "/list",
            "/list".to_owned(),
        ))
    }

    fn decode(
        raw: generated_client::RawResponse,
    ) -> Result<serde_json::Value, generated_client::runtime::Error> {
        Ok(serde_json::from_slice(raw.body()).unwrap_or_default())
    }
}

impl generated_client::runtime::PagedOperation for Linked {
    type Item = serde_json::Value;
    const PAGE_SIZE: i64 = 2;

    fn page_start(&self) -> (Option<i64>, Option<i64>) {
        (None, None)
    }

    fn set_page(&mut self, _top: i64, _skip: i64) {}

    fn page(output: serde_json::Value) -> generated_client::runtime::Page<serde_json::Value> {
        let items = output["items"].as_array().cloned().unwrap_or_default();
        let next = output["_links"]["next"]["href"].as_str().map(str::to_owned);
        generated_client::runtime::Page::new(items, next)
    }
}

/// Answers every request with a page of `items` linking to `/list` itself;
/// with `counted`, each answer also says how many came before, so no two
/// bodies are the same.
struct SelfLinking {
    items: serde_json::Value,
    counted: bool,
    served: std::sync::atomic::AtomicUsize,
    base: String,
}

impl wiremock::Respond for SelfLinking {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        let served = self
            .served
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut body = json!({
            "items": self.items,
            "_links": { "next": { "href": format!("{}/list", self.base) } },
        });
        if self.counted {
            body["served"] = json!(served);
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

#[tokio::test]
async fn a_next_link_to_the_page_itself_ends_the_stream_with_an_error() {
    use generated_client::runtime::{PageCursor, PaginationError};

    // (case, the page's items, whether each answer differs)
    let cases = [
        ("the same page with items", json!([1, 2]), false),
        ("the same empty page", json!([]), false),
        (
            "a page with items that differs each time",
            json!([1, 2]),
            true,
        ),
        ("an empty page that differs each time", json!([]), true),
    ];
    for (case, items, counted) in cases {
        let server = MockServer::start().await;
        let link = format!("{}/list", server.uri());
        Mock::given(method("GET"))
            .and(path("/list"))
            .respond_with(SelfLinking {
                items: items.clone(),
                counted,
                served: Default::default(),
                base: server.uri(),
            })
            .mount(&server)
            .await;
        let http = generated_client::runtime::ApiClient::http(&client(&server)).clone();
        let stream = generated_client::runtime::stream::<_, serde_json::Value>(
            http,
            Linked,
            generated_client::runtime::RequestOptions::new(),
            None,
        );

        let mut results = all(stream).await;

        let error = results.pop().expect("an error").expect_err(case);
        let yielded: Vec<_> = results.into_iter().map(|r| r.expect(case)).collect();
        let generated_client::runtime::Error::Pagination(pagination) = &error else {
            panic!("{case}: expected Error::Pagination, got {error:?}");
        };
        let expected = if counted {
            // Each page's items are yielded once, then the loop is refused.
            let page_items = items.as_array().unwrap().len() * 2;
            assert_eq!(yielded.len(), page_items, "{case}");
            PaginationError::RepeatedLink { page: 2, link }
        } else {
            assert_eq!(yielded.len(), items.as_array().unwrap().len(), "{case}");
            PaginationError::RepeatedPage {
                page: 2,
                cursor: PageCursor::Link(link),
            }
        };
        assert_eq!(**pagination, expected, "{case}");
        assert_eq!(server.received_requests().await.unwrap().len(), 2, "{case}");
    }
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

/// A list operation with `$top`, `$skip` and `$continuationToken` query
/// parameters whose pages are `{"items": [..], "_links": {"next": {"href": ..}},
/// "continuationToken": ..}`; `LINKED` says whether its pages declare the way
/// on (as the generated code does when the spec declares a next link or a
/// token).
#[derive(Clone, Default)]
struct Listing<const LINKED: bool> {
    top: Option<i64>,
    skip: Option<i64>,
    token: Option<String>,
}

impl<const LINKED: bool> generated_client::runtime::Operation for Listing<LINKED> {
    type Output = serde_json::Value;

    fn request(
        &self,
    ) -> Result<generated_client::runtime::Request, generated_client::runtime::Error> {
        use generated_client::runtime::{Method, Request};
        let mut request = Request::new("List", Method::GET, "/list", "/list".to_owned());
        if let Some(top) = self.top {
            request.query("$top", &top);
        }
        if let Some(skip) = self.skip {
            request.query("$skip", &skip);
        }
        if let Some(token) = &self.token {
            request.query("$continuationToken", token);
        }
        Ok(request)
    }

    fn decode(
        raw: generated_client::RawResponse,
    ) -> Result<serde_json::Value, generated_client::runtime::Error> {
        Ok(raw.json()?)
    }
}

impl<const LINKED: bool> generated_client::runtime::PagedOperation for Listing<LINKED> {
    type Item = serde_json::Value;
    const PAGE_SIZE: i64 = 100;
    const LINKED: bool = LINKED;

    fn page_start(&self) -> (Option<i64>, Option<i64>) {
        (self.top, self.skip)
    }

    fn set_page(&mut self, top: i64, skip: i64) {
        (self.top, self.skip) = (Some(top), Some(skip));
    }

    fn set_token(&mut self, token: String) {
        self.token = Some(token);
    }

    fn page(output: serde_json::Value) -> generated_client::runtime::Page<serde_json::Value> {
        let items = output["items"].as_array().cloned().unwrap_or_default();
        let next = output["_links"]["next"]["href"].as_str().map(str::to_owned);
        let token = output["continuationToken"].as_str().map(str::to_owned);
        generated_client::runtime::Page::new(items, next).with_token(token)
    }
}

/// How [`Paged`] says where the next page is.
#[derive(Clone, Copy, Debug)]
enum Way {
    /// It does not: `$top`/`$skip` only.
    Offset,
    /// `_links.next.href`, an absolute URL.
    BodyLink,
    /// `continuationToken` in the body, sent back as `$continuationToken`.
    Token,
    /// An RFC 8288 `Link` header with a relative target, among other links.
    LinkHeader,
}

/// `total` numbered items, at most `cap` a page, with the way on while items
/// remain. A link or token carries the offset of the next page.
struct Paged {
    total: u64,
    cap: u64,
    way: Way,
    base: String,
}

impl wiremock::Respond for Paged {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let number = |name: &str| query(name).and_then(|v| v.parse::<u64>().ok());
        let skip = number("$continuationToken")
            .or_else(|| number("next"))
            .or_else(|| number("$skip"))
            .unwrap_or(0)
            .min(self.total);
        let top = number("$top").unwrap_or(self.cap).min(self.cap);
        let end = self.total.min(skip + top);
        let mut body = json!({ "items": (skip..end).collect::<Vec<_>>() });
        let mut answer = ResponseTemplate::new(200);
        if end < self.total {
            match self.way {
                Way::Offset => {}
                Way::BodyLink => {
                    body["_links"] = json!({"next": {"href": format!("{}/list?next={end}", self.base)}})
                }
                Way::Token => body["continuationToken"] = json!(end.to_string()),
                Way::LinkHeader => {
                    answer = answer.insert_header(
                        "link",
                        format!(r#"</list?skip=0>; rel="first", <list?next={end}>; title="a, b"; rel="next""#).as_str(),
                    )
                }
            }
        }
        answer.set_body_json(body)
    }
}

#[tokio::test]
async fn every_way_a_stream_ends_against_a_server() {
    // (case, linked, way, items, page cap, $top, max_items; items yielded,
    // requests made, the query of the last request)
    type Case = (
        &'static str,
        bool,
        Way,
        u64,
        u64,
        Option<i64>,
        Option<u64>,
        u64,
        usize,
        &'static str,
    );
    let cases: [Case; 9] = [
        (
            "short pages, then an empty one",
            false,
            Way::Offset,
            9,
            4,
            Some(100),
            None,
            9,
            4,
            "$top=100&$skip=9",
        ),
        (
            "an empty first page",
            false,
            Way::Offset,
            0,
            4,
            None,
            None,
            0,
            1,
            "$top=100&$skip=0",
        ),
        (
            "next links in the body, past short pages",
            true,
            Way::BodyLink,
            9,
            4,
            Some(100),
            None,
            9,
            3,
            "next=8",
        ),
        (
            "a full page without a link ends a linked list",
            true,
            Way::BodyLink,
            4,
            4,
            Some(4),
            None,
            4,
            1,
            "$top=4&$skip=0",
        ),
        (
            "continuation tokens",
            true,
            Way::Token,
            9,
            4,
            Some(100),
            None,
            9,
            3,
            "$top=100&$continuationToken=8",
        ),
        (
            "a Link header, relative to the page",
            false,
            Way::LinkHeader,
            9,
            4,
            Some(100),
            None,
            9,
            3,
            "next=8",
        ),
        (
            "a Link header on a linked list",
            true,
            Way::LinkHeader,
            9,
            4,
            Some(100),
            None,
            9,
            3,
            "next=8",
        ),
        (
            "max_items with links",
            true,
            Way::BodyLink,
            9,
            4,
            Some(100),
            Some(6),
            6,
            2,
            "next=4",
        ),
        (
            "max_items with offsets asks for what is needed",
            false,
            Way::Offset,
            9,
            4,
            Some(4),
            Some(6),
            6,
            2,
            "$top=2&$skip=4",
        ),
    ];
    for (case, linked, way, total, cap, top, max_items, yielded, requests, last_query) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/list"))
            .respond_with(Paged {
                total,
                cap,
                way,
                base: server.uri(),
            })
            .mount(&server)
            .await;
        let http = generated_client::runtime::ApiClient::http(&client(&server)).clone();
        let options = generated_client::runtime::RequestOptions::new();
        let stream = if linked {
            let operation = Listing::<true> {
                top,
                ..Listing::default()
            };
            generated_client::runtime::stream::<_, serde_json::Value>(
                http, operation, options, max_items,
            )
        } else {
            let operation = Listing::<false> {
                top,
                ..Listing::default()
            };
            generated_client::runtime::stream::<_, serde_json::Value>(
                http, operation, options, max_items,
            )
        };

        let items: Vec<u64> = all(stream)
            .await
            .into_iter()
            .map(|item| {
                item.unwrap_or_else(|e| panic!("{case}: {e}"))
                    .as_u64()
                    .unwrap()
            })
            .collect();

        assert_eq!(
            items,
            (0..yielded).collect::<Vec<_>>(),
            "{case}: every item, once"
        );
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), requests, "{case}");
        let last = received.last().unwrap();
        assert_eq!(last.url.query().unwrap_or_default(), last_query, "{case}");
        assert_eq!(last.url.path(), "/list", "{case}");
        assert!(
            received
                .iter()
                .all(|r| crate::support::header(r, "authorization") == Some("Bearer t")),
            "{case}: the token goes along on the API origin"
        );
    }
}

#[tokio::test]
async fn a_link_header_to_another_origin_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/list"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", r#"<http://127.0.0.2:9/steal?next=1>; rel="next""#)
                .set_body_json(json!({ "items": [0] })),
        )
        .mount(&server)
        .await;
    let http = generated_client::runtime::ApiClient::http(&client(&server)).clone();
    let stream = generated_client::runtime::stream::<_, serde_json::Value>(
        http,
        Listing::<false>::default(),
        generated_client::runtime::RequestOptions::new(),
        None,
    );

    let mut results = all(stream).await;

    let error = results.pop().expect("an error").expect_err("refused");
    assert!(
        matches!(&error, generated_client::runtime::Error::InvalidRequest(m) if m.contains("refusing to follow")),
        "{error:?}"
    );
    assert_eq!(results.len(), 1, "the page's item came first");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
