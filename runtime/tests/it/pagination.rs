//! The paging engine (`openapi_client_runtime::stream`) against a loopback
//! server, with hand-written paged operations as a generated crate writes them:
//! lists by offset until an empty page, next links in the body or in a `Link`
//! header, continuation tokens, `max_items`, pages that repeat, links to another
//! origin. How the generated list operations page is tested in the generated
//! client's `pagination.rs`. Hand-written.

use openapi_client_runtime::{
    ApiClient, Error, Method, Operation, Page, PageCursor, PagedOperation, PaginationError,
    RawResponse, Request, RequestOptions,
};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{all, TestClient};

fn client(server: &MockServer) -> TestClient {
    TestClient::builder()
        .base_url(server.uri())
        .bearer_token("t")
        .build()
        .unwrap()
}

/// `_links.next.href` support: the runtime follows a link under the base URL, and
/// refuses one elsewhere without sending anything (the token must not leave the API).
#[tokio::test]
async fn next_links_are_followed_only_under_the_base_url() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/page2"))
        .and(query_param("$skip", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "items": ["m2"] })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    let mut request = Request::new("List", Method::GET, "/list", "/list".to_owned());
    request.query("owner", "a1b2c3d4");
    request.follow_link(format!("{}/page2?$skip=2", server.uri()));
    let raw = client
        .execute(request)
        .await
        .expect("link under the base URL");
    let page: serde_json::Value = raw.json().unwrap();
    assert_eq!(page["items"][0], "m2");
    let seen = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        seen.url.query(),
        Some("$skip=2"),
        "the link's query replaces the operation's"
    );

    let mut request = Request::new("List", Method::GET, "/list", "/list".to_owned());
    request.follow_link("http://127.0.0.2:9/steal?$skip=2".to_owned());
    let error = client.execute(request).await.expect_err("another origin");
    assert!(
        matches!(&error, Error::InvalidRequest(message) if message.contains("refusing to follow")),
        "{error:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// A list operation whose pages are `{"items": [..], "_links": {"next": {"href": ..}}}`,
/// as the iModels API's `_links.next` pages are.
#[derive(Clone)]
struct Linked;

impl Operation for Linked {
    type Output = serde_json::Value;

    fn request(&self) -> Result<Request, Error> {
        Ok(Request::new(
            "List",
            Method::GET,
            "/list",
            "/list".to_owned(),
        ))
    }

    fn decode(raw: RawResponse) -> Result<serde_json::Value, Error> {
        Ok(serde_json::from_slice(raw.body()).unwrap_or_default())
    }
}

impl PagedOperation for Linked {
    type Item = serde_json::Value;
    const PAGE_SIZE: i64 = 2;

    fn page_start(&self) -> (Option<i64>, Option<i64>) {
        (None, None)
    }

    fn set_page(&mut self, _top: i64, _skip: i64) {}

    fn page(output: serde_json::Value) -> Page<serde_json::Value> {
        let items = output["items"].as_array().cloned().unwrap_or_default();
        let next = output["_links"]["next"]["href"].as_str().map(str::to_owned);
        Page::new(items, next)
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
        let http = ApiClient::http(&client(&server)).clone();
        let stream = openapi_client_runtime::stream::<_, serde_json::Value>(
            http,
            Linked,
            RequestOptions::new(),
            None,
        );

        let mut results = all(stream).await;

        let error = results.pop().expect("an error").expect_err(case);
        let yielded: Vec<_> = results.into_iter().map(|r| r.expect(case)).collect();
        let Error::Pagination(pagination) = &error else {
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

impl<const LINKED: bool> Operation for Listing<LINKED> {
    type Output = serde_json::Value;

    fn request(&self) -> Result<Request, Error> {
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

    fn decode(raw: RawResponse) -> Result<serde_json::Value, Error> {
        Ok(raw.json()?)
    }
}

impl<const LINKED: bool> PagedOperation for Listing<LINKED> {
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

    fn page(output: serde_json::Value) -> Page<serde_json::Value> {
        let items = output["items"].as_array().cloned().unwrap_or_default();
        let next = output["_links"]["next"]["href"].as_str().map(str::to_owned);
        let token = output["continuationToken"].as_str().map(str::to_owned);
        Page::new(items, next).with_token(token)
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
        let http = ApiClient::http(&client(&server)).clone();
        let options = RequestOptions::new();
        let stream = if linked {
            let operation = Listing::<true> {
                top,
                ..Listing::default()
            };
            openapi_client_runtime::stream::<_, serde_json::Value>(
                http, operation, options, max_items,
            )
        } else {
            let operation = Listing::<false> {
                top,
                ..Listing::default()
            };
            openapi_client_runtime::stream::<_, serde_json::Value>(
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
    let http = ApiClient::http(&client(&server)).clone();
    let stream = openapi_client_runtime::stream::<_, serde_json::Value>(
        http,
        Listing::<false>::default(),
        RequestOptions::new(),
        None,
    );

    let mut results = all(stream).await;

    let error = results.pop().expect("an error").expect_err("refused");
    assert!(
        matches!(&error, Error::InvalidRequest(m) if m.contains("refusing to follow")),
        "{error:?}"
    );
    assert_eq!(results.len(), 1, "the page's item came first");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
