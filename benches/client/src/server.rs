//! A small HTTP/1.1 server on 127.0.0.1, on its own thread with a single-threaded
//! runtime, so that the client under test has the other core to itself.
//!
//! `GET /?iTwinId=..&$top=N` answers an `IModelList` of N items (a fixed list: the
//! body is built once per size and then served from memory). With `$skip` as well it
//! is one page of a list of `total` items (what `into_stream()` walks): `$top` items
//! from `$skip`, fewer at the end, none past it, built for each request; every page
//! but the last links to the next with `_links.next.href`, as the live API does.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The largest list one response holds; larger `$top` values are cut to this.
pub const MAX_PAGE: usize = 100_000;
/// The page size when a request gives `$skip` without `$top`.
const DEFAULT_PAGE: usize = 100;

/// The running server; dropping it stops it.
pub struct Server {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct State {
    /// `http://127.0.0.1:PORT`, for the next-page links.
    base_url: String,
    /// The length of the paged list.
    total: usize,
    /// Response bodies by item count, built on first use.
    bodies: Mutex<HashMap<usize, Bytes>>,
    requests: AtomicU64,
}

impl Server {
    /// Starts the server on a free loopback port; `total` is the length of the list
    /// that requests with `$skip` page through.
    pub fn start(total: usize) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("listener address");
        let state = Arc::new(State {
            base_url: format!("http://{addr}"),
            total,
            bodies: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
        });
        let (shutdown, stop) = tokio::sync::oneshot::channel();
        let served = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("bench-server".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("server runtime");
                runtime.block_on(serve(listener, served, stop));
            })
            .expect("spawn the server thread");
        Server {
            addr,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`, the base URL for either client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Requests answered so far.
    pub fn requests(&self) -> u64 {
        self.state.requests.load(Ordering::Relaxed)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    state: Arc<State>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut stop => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let response = respond(&state, &request);
                async move { Ok::<_, std::convert::Infallible>(response) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn respond<B>(state: &State, request: &Request<B>) -> Response<Full<Bytes>> {
    state.requests.fetch_add(1, Ordering::Relaxed);
    if request.method() != Method::GET || request.uri().path() != "/" {
        return status(StatusCode::NOT_FOUND);
    }
    let (mut itwin_id, mut top, mut skip) = (None, None, None);
    let query = request.uri().query().unwrap_or_default();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match &*name {
            "iTwinId" => itwin_id = Some(value.into_owned()),
            "$top" => top = value.parse::<usize>().ok(),
            "$skip" => skip = value.parse::<usize>().ok(),
            _ => {}
        }
    }
    let Some(itwin_id) = itwin_id else {
        return status(StatusCode::BAD_REQUEST);
    };
    let count = match skip {
        None => top.unwrap_or(DEFAULT_PAGE),
        Some(skip) => top
            .unwrap_or(DEFAULT_PAGE)
            .min(state.total.saturating_sub(skip)),
    }
    .min(MAX_PAGE);
    let body = match skip {
        // A page of the paged list holds the items from `$skip` on: each page is
        // another page (a client ends a list whose pages repeat). Built per request,
        // so that walking a long list does not keep every page here.
        Some(skip) => {
            let mut page = imodel_list_from(skip, count);
            let next = skip.saturating_add(count);
            if count > 0 && next < state.total {
                page.pop(); // the closing brace
                let _ = write!(
                    page,
                    r#","_links":{{"next":{{"href":"{}/?iTwinId={itwin_id}&$top={}&$skip={next}"}}}}}}"#,
                    state.base_url,
                    top.unwrap_or(DEFAULT_PAGE),
                );
            }
            Bytes::from(page)
        }
        None => {
            let mut bodies = state.bodies.lock().unwrap_or_else(|e| e.into_inner());
            bodies
                .entry(count)
                .or_insert_with(|| Bytes::from(imodel_list(count)))
                .clone()
        }
    };
    let mut response = Response::new(Full::new(body));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = code;
    response
}

/// `{"iModels":[...]}` with `count` distinct iModels, every field of the schema set.
pub fn imodel_list(count: usize) -> String {
    imodel_list_from(0, count)
}

/// `{"iModels":[...]}` with the `count` iModels of the whole list from `first` on.
fn imodel_list_from(first: usize, count: usize) -> String {
    let mut json = String::with_capacity(64 + count * 400);
    json.push_str(r#"{"iModels":["#);
    for index in first..first.saturating_add(count) {
        if index > first {
            json.push(',');
        }
        let _ = write!(
            json,
            concat!(
                r#"{{"id":"{:08x}-5c2b-4a56-9c5b-{:012x}","displayName":"Bridge {index}","#,
                r#""name":"bridge-{index}","description":"Benchmark iModel number {index}, "#,
                r#"a bridge design with its changesets and named versions","#,
                r#""state":"initialized","iTwinId":"b1a8b7f0-5c2b-4a56-9c5b-6f0c8a2e2d11","#,
                r#""createdDateTime":"2024-05-01T12:34:56.789Z","#,
                r#""creatorId":"5c2b4a56-9c5b-4f0c-8a2e-2d11b1a8b7f0","#,
                r#""dataCenterLocation":"East US"}}"#
            ),
            index,
            index,
            index = index
        );
    }
    json.push_str("]}");
    json
}
