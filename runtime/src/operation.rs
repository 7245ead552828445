//! What a generated operation supplies, and the one place every operation is sent
//! and paged.
//!
//! A generated crate holds, per operation, only what that operation knows: its
//! inputs, how they become a [`Request`] (path, query, headers, body, media types)
//! and how a 2xx answer is decoded. Per-call options, sending, retrying, error
//! parsing and paging are here, once.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::future::Future;

use futures_util::future::{Either, FutureExt};
use serde::de::DeserializeOwned;

use super::paginate::{pages, Items, Page, PageCursor, Paging};
use super::{
    Error, HttpClient, ItemStream, RawResponse, Request, RequestOptions, StreamingResponse,
};

/// One operation of the spec with its inputs filled in.
pub trait Operation: Clone + Send + Sync + 'static {
    /// What a successful call returns.
    type Output: Send + 'static;

    /// The request these inputs make: method, path, query, headers, body, `Accept`.
    fn request(&self) -> Result<Request, Error>;

    /// The answer to a 2xx response.
    fn decode(raw: RawResponse) -> Result<Self::Output, Error>;
}

/// A paged list operation (`$top`/`$skip`, and perhaps a next-page link or a
/// continuation token). See [`paginate`](super::paginate) for when its stream
/// ends.
pub trait PagedOperation: Operation {
    /// One item of a page.
    type Item: Send + 'static;

    /// The page size asked for when the caller sets none.
    const PAGE_SIZE: i64;

    /// Whether the list's pages declare where the next page is (a next link
    /// or a continuation token in the body): then a page without one is the
    /// last page, even a full one. Otherwise (an offset list) only an empty
    /// page ends the list, since a server may cap its pages below `$top`.
    const LINKED: bool = false;

    /// The page size and offset the caller set, if any.
    fn page_start(&self) -> (Option<i64>, Option<i64>);

    /// Asks for `top` items after the first `skip`.
    fn set_page(&mut self, top: i64, skip: i64);

    /// Puts a continuation token a page gave into the request for the next
    /// page. Lists without a token parameter keep the default, which does
    /// nothing.
    fn set_token(&mut self, _token: String) {}

    /// A page's items, and the server's link to the next page (or its
    /// continuation token, [`Page::with_token`]) if it gave one.
    fn page(output: Self::Output) -> Page<Self::Item>;
}

/// Sends `operation` with the per-call `options` and decodes the answer; a non-2xx
/// body is parsed as `E`, the generated crate's error schema.
///
/// Combinators rather than nested `async fn`s: every async layer keeps its
/// child's state again, and a call's future is moved through each of them.
pub fn send<O: Operation, E: DeserializeOwned>(
    client: &HttpClient,
    operation: O,
    options: RequestOptions,
) -> impl Future<Output = Result<O::Output, Error<E>>> + Send + '_ {
    send_raw(client, &operation, options, None)
        .map(|raw| raw.and_then(O::decode).map_err(Error::parse_body))
}

/// Sends `operation` like [`send`], but returns a 2xx answer with its body unread.
pub async fn send_streaming<O: Operation, E: DeserializeOwned + Send + 'static>(
    client: &HttpClient,
    operation: O,
    options: RequestOptions,
) -> Result<StreamingResponse<E>, Error<E>> {
    let streamed = async {
        let mut request = operation.request()?;
        request.options(options);
        client.execute_streaming(request).await
    };
    match streamed.await {
        Ok(response) => Ok(response.parse_errors()),
        Err(error) => Err(error.parse_body()),
    }
}

/// Sends `operation` (or follows `link` with its options) and returns the answer
/// undecoded. The request is built now; nothing is sent until the future is polled.
fn send_raw<'a, O: Operation>(
    client: &'a HttpClient,
    operation: &O,
    options: RequestOptions,
    link: Option<String>,
) -> impl Future<Output = Result<RawResponse, Error>> + Send + 'a {
    let request = operation.request().map(|mut request| {
        request.options(options);
        if let Some(link) = link {
            request.follow_link(link);
        }
        request
    });
    match request {
        Ok(request) => Either::Left(client.execute(request)),
        Err(error) => Either::Right(std::future::ready(Err(error))),
    }
}

/// The items of every page of `operation`, fetched lazily, one page in memory at a
/// time; see [`paginate`](super::paginate) for when the stream ends.
pub fn stream<O, E>(
    client: HttpClient,
    operation: O,
    options: RequestOptions,
    max_items: Option<u64>,
) -> ItemStream<O::Item, E>
where
    O: PagedOperation,
    E: DeserializeOwned + Send + 'static,
{
    let (top, skip) = operation.page_start();
    let paging = Paging::new(top.unwrap_or(O::PAGE_SIZE), skip.unwrap_or(0))
        .max_items(max_items)
        .linked(O::LINKED);
    let pages = pages(paging, move |cursor| {
        let client = client.clone();
        let mut operation = operation.clone();
        let options = options.clone();
        async move {
            let link = match cursor {
                PageCursor::Offset { top, skip } => {
                    operation.set_page(top, skip);
                    None
                }
                PageCursor::Link(link) => Some(link),
                // The caller's own `$top`/`$skip` (if any) stay as they were
                // set: a token continues from where the server left off.
                PageCursor::Token(token) => {
                    operation.set_token(token);
                    None
                }
            };
            let raw = send_raw(&client, &operation, options, link).await?;
            // The body's digest lets `paginate` notice the same page twice.
            let body = raw.body().clone();
            let header_link = super::link_header::next_link(&raw);
            Ok(O::page(O::decode(raw)?)
                .with_body(&body)
                .or_next_link(header_link))
        }
    });
    Box::pin(Items::new(pages, Error::parse_body))
}
