//! Streams the items of a paged list operation, fetching pages lazily and holding one
//! page in memory at a time.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::pin::Pin;

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
}

impl Paging {
    /// `page_size` is the caller's `$top` (or the operation's default), `start` their
    /// `$skip` (or 0). A page size below 1 is treated as 1.
    pub fn new(page_size: i64, start: i64) -> Self {
        Paging {
            page_size: page_size.max(1),
            start: start.max(0),
            max_items: None,
        }
    }

    /// Stops after `max_items` items; the last page asks only for what is still needed.
    pub fn max_items(mut self, max_items: Option<u64>) -> Self {
        self.max_items = max_items;
        self
    }
}

/// Which page to fetch next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageCursor {
    /// `$top` / `$skip` counting.
    Offset {
        /// Items to ask for (`$top`).
        top: i64,
        /// Items to skip (`$skip`).
        skip: i64,
    },
    /// A next-page link the previous page gave (`_links.next.href`).
    Link(String),
}

impl fmt::Display for PageCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageCursor::Offset { top, skip } => write!(f, "$skip={skip}&$top={top}"),
            PageCursor::Link(link) => write!(f, "`{}`", shortened(link)),
        }
    }
}

/// One fetched page: its items, and the next page's link if the server gave one.
#[derive(Debug)]
pub struct Page<T> {
    items: Vec<T>,
    next_link: Option<String>,
    digest: Option<u64>,
}

impl<T> Page<T> {
    /// A page of `items`, with the server's link to the next page if it gave one.
    pub fn new(items: Vec<T>, next_link: Option<String>) -> Self {
        Page {
            items,
            next_link,
            digest: None,
        }
    }

    /// Remembers a digest of the raw `body` the page was decoded from, so that
    /// [`paginate`] can tell when the server sends the very same page twice in
    /// a row (a server that ignores `$skip`) and stop with
    /// [`PaginationError::RepeatedPage`] instead of asking forever.
    pub fn with_body(mut self, body: &[u8]) -> Self {
        self.digest = Some(digest(body));
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
    /// Too many pages in a row were empty yet linked to a next page.
    #[error("{pages} pages in a row were empty but linked to another page (the last to {})", shortened(.link))]
    EmptyPages {
        /// How many empty pages came in a row.
        pages: u32,
        /// The last of their links.
        link: String,
    },
}

/// Empty pages with a next link that are followed in a row before giving up.
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

/// A 64-bit digest of a page body or a link: what the loop checks compare, so
/// that they hold no copies of server data.
fn digest(value: impl Hash) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Finds a next-page link the stream was given before, in constant memory
/// (Brent's cycle detection over digests of the links): a server's links are
/// walked one after the other, so a repeated link means a loop, and the loop
/// is found within twice its length and lead-in, whatever their size.
#[derive(Debug, Default)]
struct LinkLoop {
    /// The link the following ones are compared with.
    marker: Option<u64>,
    /// Links since the marker was set, and when it moves next.
    since_marker: u64,
    next_move: u64,
}

impl LinkLoop {
    /// Records `link`; `true` when it closes a loop.
    fn repeats(&mut self, link: &str) -> bool {
        let digest = digest(link);
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

struct State<T, F> {
    fetch: F,
    next: Option<Next>,
    page: std::vec::IntoIter<T>,
    remaining: Option<u64>,
    page_size: i64,
    pages: u64,
    previous_digest: Option<u64>,
    empty_run: u32,
    links: LinkLoop,
}

/// Turns a page fetcher into a stream of items.
///
/// The stream asks for the next page only when the current one is used up, and ends
/// after a page with no next link that is shorter than asked for (or empty), after
/// `max_items`, or after yielding the first error.
///
/// It never asks forever: a next-page link seen before (a page linking to
/// itself, or a loop of pages), a page whose raw body (see [`Page::with_body`])
/// is the previous page's again while a next page would be fetched, and more
/// than ten empty pages in a row that still link on end it with
/// [`Error::Pagination`].
pub fn paginate<T, F, Fut>(paging: Paging, fetch: F) -> impl Stream<Item = Result<T, Error>>
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
        page: Vec::new().into_iter(),
        remaining: paging.max_items,
        page_size: paging.page_size,
        pages: 0,
        previous_digest: None,
        empty_run: 0,
        links: LinkLoop::default(),
    };
    stream::unfold(state, |mut state| async move {
        loop {
            if state.remaining == Some(0) {
                return None;
            }
            if let Some(item) = state.page.next() {
                state.remaining = state.remaining.map(|n| n.saturating_sub(1));
                return Some((Ok(item), state));
            }
            // `next` is cleared here: after an error the stream ends.
            let cursor = match state.next.take()? {
                Next::Fetch(cursor) => cursor,
                Next::Fail(error) => return Some((Err(error.into()), state)),
            };
            let page = match (state.fetch)(cursor.clone()).await {
                Ok(page) => page,
                Err(error) => return Some((Err(error), state)),
            };
            state.pages = state.pages.saturating_add(1);
            let next = next_cursor(&cursor, &page, state.page_size, state.remaining);
            let repeated = page.digest.is_some() && page.digest == state.previous_digest;
            state.previous_digest = page.digest;
            if repeated && next.is_some() {
                // The same bytes for another cursor: copies, and no way forward.
                let page = state.pages;
                return Some((
                    Err(PaginationError::RepeatedPage { page, cursor }.into()),
                    state,
                ));
            }
            state.next = next.map(|next| state.check(next, page.items.is_empty()));
            state.page = page.items.into_iter();
        }
    })
}

impl<T, F> State<T, F> {
    /// Whether following `next` after the page just fetched (`empty` or not)
    /// makes progress; if not, the error to end with once the page's items
    /// are yielded.
    fn check(&mut self, next: PageCursor, empty: bool) -> Next {
        self.empty_run = if empty {
            self.empty_run.saturating_add(1)
        } else {
            0
        };
        let PageCursor::Link(link) = &next else {
            return Next::Fetch(next);
        };
        if self.links.repeats(link) {
            return Next::Fail(PaginationError::RepeatedLink {
                page: self.pages,
                link: link.clone(),
            });
        }
        if self.empty_run > MAX_EMPTY_PAGES {
            return Next::Fail(PaginationError::EmptyPages {
                pages: self.empty_run,
                link: link.clone(),
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

fn next_cursor<T>(
    cursor: &PageCursor,
    page: &Page<T>,
    page_size: i64,
    remaining: Option<u64>,
) -> Option<PageCursor> {
    if let Some(link) = &page.next_link {
        return Some(PageCursor::Link(link.clone()));
    }
    let PageCursor::Offset { top, skip } = cursor else {
        // A linked page without a further link is the last one.
        return None;
    };
    let received = i64::try_from(page.items.len()).unwrap_or(i64::MAX);
    if received == 0 || received < *top {
        return None;
    }
    let remaining = remaining.map(|n| n.saturating_sub(page.items.len() as u64));
    (remaining != Some(0)).then(|| PageCursor::Offset {
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
                return std::future::ready(Err(Error::InvalidRequest("link".into())));
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
    fn walks_pages_until_a_short_one() {
        let (items, cursors) = collect(Paging::new(2, 0), 5);
        assert_eq!(items, vec![0, 1, 2, 3, 4]);
        assert_eq!(cursors, vec![offset(2, 0), offset(2, 2), offset(2, 4)]);
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
                PageCursor::Link(link) => Err(Error::InvalidRequest(link)),
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
                    PageCursor::Link(link) => Page::new(items, next(link)),
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
            let items = if n == 1 { vec![1, 2] } else { vec![3] };
            Page::new(items, None).with_body(b"same")
        });
        assert_eq!(
            (items(&results), calls, results.len()),
            (vec![1, 2, 3], 2, 3)
        );
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
            PaginationError::EmptyPages { pages: 11, link } if link == "page-11"
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
    fn long_links_are_shortened_in_messages() {
        let error = PaginationError::RepeatedLink {
            page: 3,
            link: "x".repeat(10_000),
        };
        let text = error.to_string();
        assert!(text.len() < 400 && text.contains('…'), "{text}");
    }
}
