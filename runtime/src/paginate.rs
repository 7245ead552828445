//! Streams the items of a paged list operation, fetching pages lazily and holding one
//! page in memory at a time.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::future::Future;
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

/// One fetched page: its items, and the next page's link if the server gave one.
#[derive(Debug)]
pub struct Page<T> {
    items: Vec<T>,
    next_link: Option<String>,
}

impl<T> Page<T> {
    /// A page of `items`, with the server's link to the next page if it gave one.
    pub fn new(items: Vec<T>, next_link: Option<String>) -> Self {
        Page { items, next_link }
    }
}

struct State<T, F> {
    fetch: F,
    next: Option<PageCursor>,
    page: std::vec::IntoIter<T>,
    remaining: Option<u64>,
    page_size: i64,
}

/// Turns a page fetcher into a stream of items.
///
/// The stream asks for the next page only when the current one is used up, and ends
/// after a page with no next link that is shorter than asked for (or empty), after
/// `max_items`, or after yielding the first error.
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
        next: (paging.max_items != Some(0)).then_some(first),
        page: Vec::new().into_iter(),
        remaining: paging.max_items,
        page_size: paging.page_size,
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
            let cursor = state.next.take()?;
            let page = match (state.fetch)(cursor.clone()).await {
                Ok(page) => page,
                // `next` is already cleared: the stream ends after reporting the error.
                Err(error) => return Some((Err(error), state)),
            };
            state.next = next_cursor(&cursor, &page, state.page_size, state.remaining);
            state.page = page.items.into_iter();
        }
    })
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
}
