//! Streams the items of a paged list operation, fetching pages lazily and holding one
//! page in memory at a time.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::stream::{self, Stream};

use super::{Error, Unparsed};

/// The stream `into_stream()` returns: boxed so it is `Unpin` (`.next().await` works
/// without pinning) and nameable (it can be stored in a struct).
pub type ItemStream<T, E = Unparsed> =
    Pin<Box<dyn Stream<Item = Result<T, Error<E>>> + Send + 'static>>;

/// How to walk the pages: page size, where to start, and an optional item limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    page_size: i64,
    start: i64,
    max_items: Option<u64>,
    linked: bool,
}

impl Paging {
    /// `page_size` is the caller's `$top` (or the operation's default), `start` their
    /// `$skip` (or 0). A page size below 1 is treated as 1.
    pub fn new(page_size: i64, start: i64) -> Self {
        Paging {
            page_size: page_size.max(1),
            start: start.max(0),
            max_items: None,
            linked: false,
        }
    }

    /// Whether the list's pages declare how to reach the next one (a next
    /// link or a continuation token; see
    /// [`PagedOperation::LINKED`](super::PagedOperation::LINKED)): then a page
    /// without one is the last page, however many items it has.
    pub fn linked(mut self, linked: bool) -> Self {
        self.linked = linked;
        self
    }

    /// Stops after `max_items` items; the last page asks only for what is still needed.
    pub fn max_items(mut self, max_items: Option<u64>) -> Self {
        self.max_items = max_items;
        self
    }
}

/// Which page to fetch next.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageCursor {
    /// `$top` / `$skip` counting.
    Offset {
        /// Items to ask for (`$top`).
        top: i64,
        /// Items to skip (`$skip`).
        skip: i64,
    },
    /// A next-page link the previous page gave: in its body
    /// (`_links.next.href`), or in an RFC 8288 `Link: <…>; rel="next"` header.
    Link(String),
    /// A continuation token the previous page gave, sent back in the
    /// operation's token parameter
    /// ([`PagedOperation::set_token`](super::PagedOperation::set_token)).
    Token(String),
}

impl fmt::Display for PageCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageCursor::Offset { top, skip } => write!(f, "$skip={skip}&$top={top}"),
            PageCursor::Link(link) => write!(f, "`{}`", shortened(link)),
            PageCursor::Token(token) => write!(f, "token `{}`", shortened(token)),
        }
    }
}

/// One fetched page: its items, and the next page's link or continuation
/// token if the server gave one.
#[derive(Debug)]
pub struct Page<T> {
    items: Vec<T>,
    next_link: Option<String>,
    token: Option<String>,
    digest: Option<u64>,
}

impl<T> Page<T> {
    /// A page of `items`, with the server's link to the next page if it gave one.
    pub fn new(items: Vec<T>, next_link: Option<String>) -> Self {
        Page {
            items,
            next_link,
            token: None,
            digest: None,
        }
    }

    /// The same page with the continuation token the server gave for the
    /// next page, if any. A next link, when the page has one too, wins.
    /// An empty token counts as none.
    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.token = token.filter(|token| !token.is_empty());
        self
    }

    /// Whether the page says where the next page is (a next link or a
    /// continuation token).
    pub fn has_next(&self) -> bool {
        self.next_link.is_some() || self.token.is_some()
    }

    /// Uses `link` as the next-page link when the page gives neither a link
    /// nor a token of its own (an RFC 8288 `Link` header's `rel="next"`).
    pub(crate) fn or_next_link(mut self, link: Option<String>) -> Self {
        if !self.has_next() {
            self.next_link = link;
        }
        self
    }

    /// Remembers a digest of the raw `body` the page was decoded from, so that
    /// [`paginate`] can tell when the server sends the very same page twice in
    /// a row (a server that ignores `$skip`) and stop with
    /// [`PaginationError::RepeatedPage`] instead of asking forever.
    pub fn with_body(mut self, body: &[u8]) -> Self {
        self.digest = Some(body_digest(body));
        self
    }
}

/// Why a paged list stopped before its end; see
/// [`Error::Pagination`](super::Error::Pagination). Pages are numbered from 1
/// in the order this stream fetched them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// A page linked to a next page whose link the server had already given
    /// (the page itself, or an earlier one): following it would walk the
    /// same pages forever.
    #[error("page {page} links to a page that was already fetched ({}): following it would repeat the pages forever", shortened(.link))]
    RepeatedLink {
        /// The page that gave the link.
        page: u64,
        /// The link, as the server sent it.
        link: String,
    },
    /// A page had exactly the bytes of the page before it although it was
    /// asked for with another cursor (a server that ignores `$skip`, or a
    /// next link to the page itself). Its items, copies of the previous
    /// page's, are not yielded.
    #[error("page {page} ({cursor}) is the same as the page before it: the server does not move on to the next page")]
    RepeatedPage {
        /// The repeated page.
        page: u64,
        /// What it was asked for with.
        cursor: PageCursor,
    },
    /// A page gave a continuation token the server had already given:
    /// sending it again would walk the same pages forever.
    #[error("page {page} gives a continuation token that was already used ({}): following it would repeat the pages forever", shortened(.token))]
    RepeatedToken {
        /// The page that gave the token.
        page: u64,
        /// The token, as the server sent it.
        token: String,
    },
    /// Too many pages in a row were empty yet pointed to a next page (a link
    /// or a continuation token).
    #[error(
        "{pages} pages in a row were empty but pointed to another page (the last to {cursor})"
    )]
    EmptyPages {
        /// How many empty pages came in a row.
        pages: u32,
        /// Where the last of them pointed.
        cursor: PageCursor,
    },
}

/// Empty pages with a next link or token that are followed in a row before giving up.
/// A server may skip over filtered-out data with a few; an endless run of them
/// yields nothing but requests.
const MAX_EMPTY_PAGES: u32 = 10;

/// A link quoted in a message: server data, so its length is bounded.
fn shortened(link: &str) -> String {
    const MAX_CHARS: usize = 200;
    let mut chars = link.chars();
    let mut out: String = chars.by_ref().take(MAX_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// A 64-bit digest of a link or token: what the loop checks compare, so
/// that they hold no copies of server data.
fn digest(value: impl Hash) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// A 64-bit digest of a page body, so that the check for a repeated page holds
/// no copy of it. Every body byte goes through it, so it is XXH3 (the
/// `xxhash-rust` crate), not `DefaultHasher`: SipHash resists hash flooding,
/// which does not apply here, and cost 7% of streaming a list; a hand-written
/// multiply-xorshift still cost 2.5%. A collision of two different consecutive
/// pages is as unlikely as any 64-bit one, and would end a stream with
/// [`PaginationError::RepeatedPage`], not lose items silently.
fn body_digest(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Finds a next-page link or continuation token the stream was given before,
/// in constant memory (Brent's cycle detection over digests of the cursors): a
/// server's links are walked one after the other, so a repeated one means a
/// loop, and the loop is found within twice its length and lead-in, whatever
/// their size.
#[derive(Debug, Default)]
struct LinkLoop {
    /// The link the following ones are compared with.
    marker: Option<u64>,
    /// Links since the marker was set, and when it moves next.
    since_marker: u64,
    next_move: u64,
}

impl LinkLoop {
    /// Records `cursor`; `true` when it closes a loop.
    fn repeats(&mut self, cursor: &PageCursor) -> bool {
        let digest = digest(cursor);
        if self.marker == Some(digest) {
            return true;
        }
        self.since_marker += 1;
        if self.since_marker >= self.next_move {
            self.marker = Some(digest);
            self.since_marker = 0;
            self.next_move = self.next_move.saturating_mul(2).max(1);
        }
        false
    }
}

/// What the stream does once the current page is used up.
enum Next {
    Fetch(PageCursor),
    Fail(PaginationError),
}

struct State<F> {
    fetch: F,
    next: Option<Next>,
    remaining: Option<u64>,
    page_size: i64,
    linked: bool,
    pages: u64,
    previous_digest: Option<u64>,
    empty_run: u32,
    links: LinkLoop,
}

/// What one fetch adds to the stream: a page's items, then perhaps the
/// error that ends the stream.
pub(crate) struct Batch<T> {
    items: std::vec::IntoIter<T>,
    error: Option<Error>,
}

impl<T> Batch<T> {
    fn items(items: Vec<T>) -> Self {
        Batch {
            items: items.into_iter(),
            error: None,
        }
    }

    fn error(error: Error) -> Self {
        Batch {
            items: Vec::new().into_iter(),
            error: Some(error),
        }
    }
}

/// The items of a stream of pages, one at a time, then the error that ended
/// it, converted by `convert` (the runtime's untyped error into the crate's).
///
/// Written out rather than `flat_map` + `map_err`: an item is large (a
/// generated model is hundreds of bytes), and every adapter layer moved it
/// once more; here it goes from the page's vector to the caller in one move.
pub(crate) struct Items<T, P, E = Unparsed> {
    /// `None` once the stream has ended.
    pages: Option<Pin<Box<P>>>,
    current: std::vec::IntoIter<T>,
    error: Option<Error>,
    convert: fn(Error) -> Error<E>,
}

// No field is pinned structurally: the page stream is boxed and the items
// are only moved out of their vector.
impl<T, P, E> Unpin for Items<T, P, E> {}

impl<T, P, E> Items<T, P, E> {
    pub(crate) fn new(pages: P, convert: fn(Error) -> Error<E>) -> Self {
        Items {
            pages: Some(Box::pin(pages)),
            current: Vec::new().into_iter(),
            error: None,
            convert,
        }
    }
}

impl<T, P, E> Stream for Items<T, P, E>
where
    P: Stream<Item = Batch<T>>,
{
    type Item = Result<T, Error<E>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            // The used-up page's buffer goes before the next page is fetched,
            // so that its memory is free for decoding that page.
            this.current = Vec::new().into_iter();
            if let Some(error) = this.error.take() {
                this.pages = None;
                return Poll::Ready(Some(Err((this.convert)(error))));
            }
            let Some(pages) = this.pages.as_mut() else {
                return Poll::Ready(None);
            };
            match std::task::ready!(pages.as_mut().poll_next(cx)) {
                Some(batch) => {
                    this.current = batch.items;
                    this.error = batch.error;
                }
                None => {
                    this.pages = None;
                    return Poll::Ready(None);
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let ended = self.pages.is_none();
        let pending = self.current.len() + usize::from(self.error.is_some());
        (pending, ended.then_some(pending))
    }
}

/// Turns a page fetcher into a stream of items.
///
/// The stream asks for the next page only when the current one is used up.
/// A page that says where the next one is (a next link, from the body or an
/// RFC 8288 `Link` header, or a continuation token) is followed there. A page
/// that does not is followed by asking for the items after it (`$skip` plus
/// the items received), unless the list is [`linked`](Paging::linked) or the
/// page was itself reached through a link or token.
///
/// The stream ends only:
/// - at an empty page that points nowhere further,
/// - at a page without a next link or token, when the list is
///   [`linked`](Paging::linked) or the page was reached through a link or
///   token,
/// - after `max_items` items, or
/// - after yielding the first error.
///
/// A page shorter than asked for is **not** the end: servers cap their page
/// size below the `$top` they are sent (and say nothing), so an offset list
/// asks again after it, and only an empty page ends it.
///
/// It never asks forever: a next-page link or token seen before (a page
/// linking to itself, or a loop of pages), a page whose raw body (see
/// [`Page::with_body`]) is the previous page's again while a next page would
/// be fetched (a server that ignores `$skip`), and more than ten empty pages
/// in a row that still point on end it with [`Error::Pagination`].
pub fn paginate<T, F, Fut>(paging: Paging, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(PageCursor) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    Items::new(pages(paging, fetch), std::convert::identity)
}

/// The pages [`paginate`] walks, each as its items and perhaps the error that
/// ends the stream.
pub(crate) fn pages<T, F, Fut>(paging: Paging, fetch: F) -> impl Stream<Item = Batch<T>>
where
    F: FnMut(PageCursor) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    let first = PageCursor::Offset {
        top: page_request_size(paging.page_size, paging.max_items),
        skip: paging.start,
    };
    let state = State {
        fetch,
        next: (paging.max_items != Some(0)).then_some(Next::Fetch(first)),
        remaining: paging.max_items,
        page_size: paging.page_size,
        linked: paging.linked,
        pages: 0,
        previous_digest: None,
        empty_run: 0,
        links: LinkLoop::default(),
    };
    // One future per page, not per item: the fetch future (a whole HTTP
    // exchange) is large, and a stream that made a new one for every item
    // moved it in memory for each item. Items come from the page's vector
    // through `Items`.
    stream::unfold(state, |mut state| async move {
        if state.remaining == Some(0) {
            return None;
        }
        // `next` is cleared here: after an error the stream ends.
        let cursor = match state.next.take()? {
            Next::Fetch(cursor) => cursor,
            Next::Fail(error) => return Some((Batch::error(error.into()), state)),
        };
        let page = match (state.fetch)(cursor.clone()).await {
            Ok(page) => page,
            Err(error) => return Some((Batch::error(error), state)),
        };
        state.pages = state.pages.saturating_add(1);
        let next = next_cursor(
            &cursor,
            &page,
            state.page_size,
            state.linked,
            state.remaining,
        );
        let repeated = page.digest.is_some() && page.digest == state.previous_digest;
        state.previous_digest = page.digest;
        if repeated && next.is_some() {
            // The same bytes for another cursor: copies, and no way forward.
            let page = state.pages;
            let error = PaginationError::RepeatedPage { page, cursor };
            return Some((Batch::error(error.into()), state));
        }
        state.next = next.map(|next| state.check(next, page.items.is_empty()));
        let mut items = page.items;
        if let Some(remaining) = state.remaining {
            items.truncate(usize::try_from(remaining).unwrap_or(usize::MAX));
            state.remaining = Some(remaining.saturating_sub(items.len() as u64));
        }
        Some((Batch::items(items), state))
    })
}

impl<F> State<F> {
    /// Whether following `next` after the page just fetched (`empty` or not)
    /// makes progress; if not, the error to end with once the page's items
    /// are yielded.
    fn check(&mut self, next: PageCursor, empty: bool) -> Next {
        self.empty_run = if empty {
            self.empty_run.saturating_add(1)
        } else {
            0
        };
        if matches!(next, PageCursor::Offset { .. }) {
            return Next::Fetch(next);
        }
        if self.links.repeats(&next) {
            let page = self.pages;
            return Next::Fail(match next {
                PageCursor::Token(token) => PaginationError::RepeatedToken { page, token },
                PageCursor::Link(link) => PaginationError::RepeatedLink { page, link },
                PageCursor::Offset { .. } => unreachable!("offsets are not links"),
            });
        }
        if self.empty_run > MAX_EMPTY_PAGES {
            return Next::Fail(PaginationError::EmptyPages {
                pages: self.empty_run,
                cursor: next,
            });
        }
        Next::Fetch(next)
    }
}

/// `$top` for a page: the page size, or less when fewer items are still wanted.
fn page_request_size(page_size: i64, remaining: Option<u64>) -> i64 {
    match remaining {
        Some(n) => page_size.min(i64::try_from(n).unwrap_or(i64::MAX)).max(1),
        None => page_size,
    }
}

/// Where the page after `page` (fetched with `cursor`) is, or `None` when
/// `page` is the last; see [`paginate`] for the rules.
fn next_cursor<T>(
    cursor: &PageCursor,
    page: &Page<T>,
    page_size: i64,
    linked: bool,
    remaining: Option<u64>,
) -> Option<PageCursor> {
    let received = page.items.len();
    let remaining = remaining.map(|n| n.saturating_sub(received as u64));
    if remaining == Some(0) {
        return None;
    }
    if let Some(link) = &page.next_link {
        return Some(PageCursor::Link(link.clone()));
    }
    if let Some(token) = &page.token {
        return Some(PageCursor::Token(token.clone()));
    }
    let PageCursor::Offset { skip, .. } = cursor else {
        // A page reached through a link or token, without a further one, is
        // the last: there is no offset to go on from.
        return None;
    };
    if linked || received == 0 {
        return None;
    }
    // A short page is not the end: the server may cap its pages below `$top`.
    let received = i64::try_from(received).unwrap_or(i64::MAX);
    Some(PageCursor::Offset {
        top: page_request_size(page_size, remaining),
        skip: skip.saturating_add(received),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::sync::{Arc, Mutex};

    /// A fake server with `total` items; records every cursor it is asked for.
    fn fetcher(
        total: i64,
        seen: Arc<Mutex<Vec<PageCursor>>>,
    ) -> impl FnMut(PageCursor) -> std::future::Ready<Result<Page<i64>, Error>> {
        move |cursor| {
            seen.lock().unwrap().push(cursor.clone());
            let PageCursor::Offset { top, skip } = cursor else {
                return std::future::ready(Err(Error::InvalidRequest("a link or token".into())));
            };
            let items = (skip..total.min(skip + top)).collect();
            std::future::ready(Ok(Page::new(items, None)))
        }
    }

    fn collect(paging: Paging, total: i64) -> (Vec<i64>, Vec<PageCursor>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stream = paginate(paging, fetcher(total, seen.clone()));
        let items = futures_executor_lite(stream.map(|r| r.unwrap()).collect::<Vec<_>>());
        let cursors = seen.lock().unwrap().clone();
        (items, cursors)
    }

    /// Polls a future that never waits (every fetcher here is ready at once).
    fn futures_executor_lite<F: Future>(future: F) -> F::Output {
        let waker = futures_util::task::noop_waker();
        let mut context = std::task::Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
        }
    }

    fn offset(top: i64, skip: i64) -> PageCursor {
        PageCursor::Offset { top, skip }
    }

    #[test]
    fn a_short_page_is_not_the_end_of_an_offset_list() {
        let (items, cursors) = collect(Paging::new(2, 0), 5);
        assert_eq!(items, vec![0, 1, 2, 3, 4]);
        assert_eq!(
            cursors,
            vec![offset(2, 0), offset(2, 2), offset(2, 4), offset(2, 5)]
        );
    }

    /// How the fake server of [`every_way_a_stream_ends`] says where the next
    /// page is.
    #[derive(Clone, Copy, Debug)]
    enum Next {
        /// Nothing: `$top`/`$skip` only.
        Offset,
        /// A next link, `"@<skip>"`, while items remain.
        Link,
        /// A continuation token, `"<skip>"`, while items remain.
        Token,
        /// A next link on every page that has items, so the last full page
        /// links to an empty one.
        LinkToEmpty,
    }

    /// A fake server with `total` items that answers at most `cap` per page.
    fn server(
        total: i64,
        cap: i64,
        next: Next,
        seen: Arc<Mutex<Vec<PageCursor>>>,
    ) -> impl FnMut(PageCursor) -> std::future::Ready<Result<Page<i64>, Error>> {
        move |cursor| {
            seen.lock().unwrap().push(cursor.clone());
            assert!(seen.lock().unwrap().len() <= 100, "still fetching");
            let (top, skip) = match &cursor {
                PageCursor::Offset { top, skip } => (*top, *skip),
                PageCursor::Link(link) => (cap, link[1..].parse().unwrap()),
                PageCursor::Token(token) => (cap, token.parse().unwrap()),
            };
            let end = total.min(skip + top.min(cap));
            let items: Vec<i64> = (skip.min(end)..end).collect();
            let more = end < total;
            let page = match next {
                Next::Offset => Page::new(items, None),
                Next::Link => Page::new(items, more.then(|| format!("@{end}"))),
                Next::LinkToEmpty => {
                    let next = (!items.is_empty()).then(|| format!("@{end}"));
                    Page::new(items, next)
                }
                Next::Token => Page::new(items, None).with_token(more.then(|| end.to_string())),
            };
            std::future::ready(Ok(page))
        }
    }

    /// (case, paging, server: items, page cap, next; items yielded, pages asked for)
    type Case = (
        &'static str,
        Paging,
        (i64, i64, Next),
        std::ops::Range<i64>,
        Vec<PageCursor>,
    );

    #[test]
    fn every_way_a_stream_ends() {
        let link = |skip: i64| PageCursor::Link(format!("@{skip}"));
        let token = |skip: i64| PageCursor::Token(skip.to_string());
        let cases: Vec<Case> = vec![
            (
                "a short page (the server caps pages below $top) is not the end",
                Paging::new(3, 0),
                (5, 2, Next::Offset),
                0..5,
                vec![offset(3, 0), offset(3, 2), offset(3, 4), offset(3, 5)],
            ),
            (
                "an empty page ends an offset list",
                Paging::new(2, 0),
                (4, 100, Next::Offset),
                0..4,
                vec![offset(2, 0), offset(2, 2), offset(2, 4)],
            ),
            (
                "an empty first page ends at once",
                Paging::new(2, 0),
                (0, 100, Next::Offset),
                0..0,
                vec![offset(2, 0)],
            ),
            (
                "a page without a link ends a linked list, even a full one",
                Paging::new(2, 0).linked(true),
                (4, 100, Next::Link),
                0..4,
                vec![offset(2, 0), link(2)],
            ),
            (
                "a full first page without a link ends a linked list",
                Paging::new(2, 0).linked(true),
                (2, 100, Next::Link),
                0..2,
                vec![offset(2, 0)],
            ),
            (
                "a page reached through a link, without one, ends any list",
                Paging::new(2, 0),
                (4, 100, Next::Link),
                0..4,
                vec![offset(2, 0), link(2)],
            ),
            (
                "links are followed past short pages",
                Paging::new(3, 0).linked(true),
                (5, 2, Next::Link),
                0..5,
                vec![offset(3, 0), link(2), link(4)],
            ),
            (
                "a linked page without a link after a short page ends the list",
                Paging::new(3, 0).linked(true),
                (2, 2, Next::Link),
                0..2,
                vec![offset(3, 0)],
            ),
            (
                "an empty page reached through a link ends the list",
                Paging::new(2, 0).linked(true),
                (4, 2, Next::LinkToEmpty),
                0..4,
                vec![offset(2, 0), link(2), link(4)],
            ),
            (
                "continuation tokens are followed until a page has none",
                Paging::new(2, 0).linked(true),
                (5, 2, Next::Token),
                0..5,
                vec![offset(2, 0), token(2), token(4)],
            ),
            (
                "max_items ends a stream at once, with no further page",
                Paging::new(2, 0).max_items(Some(4)),
                (100, 100, Next::Link),
                0..4,
                vec![offset(2, 0), link(2)],
            ),
            (
                "max_items asks only for what is needed",
                Paging::new(4, 1).max_items(Some(6)),
                (100, 100, Next::Offset),
                1..7,
                vec![offset(4, 1), offset(2, 5)],
            ),
            (
                "max_items beyond the list ends on the empty page",
                Paging::new(2, 0).max_items(Some(10)),
                (3, 100, Next::Offset),
                0..3,
                vec![offset(2, 0), offset(2, 2), offset(2, 3)],
            ),
        ];
        for (case, paging, (total, cap, next), expected, cursors) in cases {
            let seen = Arc::new(Mutex::new(Vec::new()));
            let stream = paginate(paging, server(total, cap, next, seen.clone()));
            let results = futures_executor_lite(stream.collect::<Vec<_>>());
            let items: Vec<i64> = results
                .into_iter()
                .map(|r| r.unwrap_or_else(|e| panic!("{case}: {e}")))
                .collect();
            assert_eq!(items, expected.collect::<Vec<_>>(), "{case}");
            assert_eq!(*seen.lock().unwrap(), cursors, "{case}");
        }
    }

    #[test]
    fn an_exact_multiple_ends_on_an_empty_page() {
        let (items, cursors) = collect(Paging::new(2, 0), 4);
        assert_eq!(items, vec![0, 1, 2, 3]);
        assert_eq!(cursors, vec![offset(2, 0), offset(2, 2), offset(2, 4)]);
    }

    #[test]
    fn max_items_stops_early_and_asks_only_for_what_is_needed() {
        let (items, cursors) = collect(Paging::new(4, 1).max_items(Some(6)), 100);
        assert_eq!(items, vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(cursors, vec![offset(4, 1), offset(2, 5)]);
        let (items, cursors) = collect(Paging::new(100, 0).max_items(Some(0)), 100);
        assert!(items.is_empty() && cursors.is_empty());
    }

    #[test]
    fn follows_next_links_and_stops_after_an_error() {
        let calls = Arc::new(Mutex::new(0));
        let counter = calls.clone();
        let stream = paginate(Paging::new(1, 0), move |cursor| {
            *counter.lock().unwrap() += 1;
            std::future::ready(match cursor {
                PageCursor::Offset { .. } => Ok(Page::new(vec![1], Some("next".to_owned()))),
                PageCursor::Link(link) | PageCursor::Token(link) => {
                    Err(Error::InvalidRequest(link))
                }
            })
        });
        let results = futures_executor_lite(stream.collect::<Vec<_>>());
        assert_eq!(results.len(), 2);
        assert!(matches!(&results[0], Ok(1)));
        assert!(matches!(&results[1], Err(Error::InvalidRequest(link)) if link == "next"));
        assert_eq!(*calls.lock().unwrap(), 2);
    }

    /// Every result of a stream whose pages come from `answer`, which gets the
    /// cursor and the number of the fetch (from 1); and how many fetches.
    fn run(answer: impl Fn(&PageCursor, usize) -> Page<i64>) -> (Vec<Result<i64, Error>>, usize) {
        let calls = Arc::new(Mutex::new(0));
        let counter = calls.clone();
        let stream = paginate(Paging::new(2, 0), move |cursor| {
            let mut calls = counter.lock().unwrap();
            *calls += 1;
            // A runaway stream fails the test instead of looping forever.
            assert!(*calls <= 100, "still fetching");
            std::future::ready(Ok(answer(&cursor, *calls)))
        });
        let results = futures_executor_lite(stream.collect::<Vec<_>>());
        let calls = *calls.lock().unwrap();
        (results, calls)
    }

    fn items(results: &[Result<i64, Error>]) -> Vec<i64> {
        results
            .iter()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect()
    }

    fn pagination_error(results: &[Result<i64, Error>]) -> &PaginationError {
        match results.last() {
            Some(Err(Error::Pagination(error))) => error,
            other => panic!("expected a pagination error at the end, got {other:?}"),
        }
    }

    #[test]
    fn a_link_seen_before_ends_the_stream_with_an_error() {
        /// The next link a linked page gives, from the link it was fetched with.
        type NextOf = fn(&str) -> Option<String>;
        // (case, next links, fetches made, the repeated link); the first page
        // links to `a`.
        let cases: [(&str, NextOf, usize, &str); 3] = [
            ("a page linking to itself", |_| Some("a".to_owned()), 2, "a"),
            (
                "a loop of two",
                |link| Some(if link == "a" { "b" } else { "a" }.to_owned()),
                4,
                "b",
            ),
            (
                "an empty page linking to itself",
                |_| Some("a".to_owned()),
                2,
                "a",
            ),
        ];
        for (case, next, fetches, repeated) in cases {
            let empty = case.starts_with("an empty");
            let (results, calls) = run(|cursor, n| {
                let items = if empty { vec![] } else { vec![n as i64] };
                match cursor {
                    PageCursor::Offset { .. } => Page::new(items, Some("a".to_owned())),
                    PageCursor::Link(link) | PageCursor::Token(link) => {
                        Page::new(items, next(link))
                    }
                }
            });
            assert_eq!(calls, fetches, "{case}");
            let expected: Vec<i64> = if empty {
                vec![]
            } else {
                (1..=fetches as i64).collect()
            };
            assert_eq!(items(&results), expected, "{case}: each page's items once");
            match pagination_error(&results) {
                PaginationError::RepeatedLink { page, link } => {
                    assert_eq!((*page, link.as_str()), (fetches as u64, repeated), "{case}")
                }
                other => panic!("{case}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_same_page_again_ends_the_stream_without_its_copies() {
        // A server that ignores `$skip`: every full page has the same bytes.
        let (results, calls) = run(|_, _| Page::new(vec![1, 2], None).with_body(b"[1,2]"));
        assert_eq!(calls, 2);
        assert_eq!(items(&results), [1, 2]);
        let error = pagination_error(&results);
        assert_eq!(
            *error,
            PaginationError::RepeatedPage {
                page: 2,
                cursor: offset(2, 2)
            }
        );
        assert_eq!(
            error.to_string(),
            "page 2 ($skip=2&$top=2) is the same as the page before it: the server does not \
             move on to the next page"
        );
        // The same bytes on a last page (nothing more to fetch) are no loop.
        let (results, calls) = run(|_, n| {
            let items = if n == 1 { vec![1, 2] } else { vec![] };
            Page::new(items, None).with_body(b"same")
        });
        assert_eq!((items(&results), calls, results.len()), (vec![1, 2], 2, 2));
        // A short page that comes back for the next offset is a server that
        // ignores `$skip`, not the end of the list.
        let (results, calls) = run(|_, _| Page::new(vec![1], None).with_body(b"[1]"));
        assert_eq!((items(&results), calls), (vec![1], 2));
        assert!(matches!(
            pagination_error(&results),
            PaginationError::RepeatedPage { page: 2, .. }
        ));
    }

    #[test]
    fn endless_empty_pages_end_the_stream() {
        let (results, calls) = run(|_, n| {
            Page::new(Vec::new(), Some(format!("page-{n}"))).with_body(n.to_string().as_bytes())
        });
        assert_eq!(calls, MAX_EMPTY_PAGES as usize + 1);
        assert_eq!(results.len(), 1);
        assert!(matches!(
            pagination_error(&results),
            PaginationError::EmptyPages { pages: 11, cursor: PageCursor::Link(link) }
                if link == "page-11"
        ));
        // A few empty pages between full ones are fine.
        let (results, calls) = run(|_, n| match n {
            1..=4 => Page::new(Vec::new(), Some(format!("page-{n}"))),
            5 => Page::new(vec![5], Some("page-5".to_owned())),
            _ => Page::new(vec![6], None),
        });
        assert_eq!((items(&results), calls, results.len()), (vec![5, 6], 6, 2));
    }

    #[test]
    fn a_token_seen_before_ends_the_stream_with_an_error() {
        // Tokens `t1`, `t2`, `t1`, `t2`: a loop of two, found within twice
        // its length.
        let (results, calls) = run(|cursor, n| {
            let token = match cursor {
                PageCursor::Token(token) if token == "t2" => "t1",
                PageCursor::Token(_) => "t2",
                _ => "t1",
            };
            Page::new(vec![n as i64], None).with_token(Some(token.to_owned()))
        });
        assert_eq!((items(&results), calls), (vec![1, 2, 3, 4], 4));
        assert_eq!(
            *pagination_error(&results),
            PaginationError::RepeatedToken {
                page: 4,
                token: "t2".to_owned()
            }
        );
        // A link and a token with the same text are not the same cursor.
        let (results, calls) = run(|cursor, n| match (cursor, n) {
            (PageCursor::Offset { .. }, _) => Page::new(vec![1], Some("x".to_owned())),
            (PageCursor::Link(_), _) => Page::new(vec![2], None).with_token(Some("x".to_owned())),
            _ => Page::new(vec![3], None),
        });
        assert_eq!(
            (items(&results), calls, results.len()),
            (vec![1, 2, 3], 3, 3)
        );
    }

    #[test]
    fn empty_tokens_are_none() {
        let page = Page::new(vec![1], None).with_token(Some(String::new()));
        assert!(!page.has_next());
        assert!(Page::new(vec![1], None)
            .with_token(Some("t".into()))
            .has_next());
    }

    #[test]
    fn page_digests_tell_bodies_apart() {
        let page = |n: usize| format!(r#"{{"items":[{n}],"next":"?skip={n}"}}"#).into_bytes();
        let mut seen = std::collections::HashSet::new();
        for n in 0..10_000 {
            assert!(seen.insert(body_digest(&page(n))), "page {n}");
        }
        // Lengths across the lanes and the tail, one byte changed anywhere.
        let base: Vec<u8> = (0..100u8).collect();
        for len in 0..base.len() {
            let digest = body_digest(&base[..len]);
            assert_eq!(digest, body_digest(&base[..len]), "deterministic");
            for at in 0..len {
                let mut changed = base[..len].to_vec();
                changed[at] ^= 1;
                assert_ne!(digest, body_digest(&changed), "len {len}, byte {at}");
            }
            assert_ne!(digest, body_digest(&base[..len + 1]), "len {len}");
        }
        // Trailing zero bytes are not the same body.
        assert_ne!(body_digest(b"ab"), body_digest(b"ab\0"));
    }

    #[test]
    fn long_links_are_shortened_in_messages() {
        let error = PaginationError::RepeatedLink {
            page: 3,
            link: "x".repeat(10_000),
        };
        let text = error.to_string();
        assert!(text.len() < 400 && text.contains('…'), "{text}");
    }
}
