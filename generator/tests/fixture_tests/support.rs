//! Helpers shared by the fixtures' behaviour tests (hand-written; copied into each
//! fixture crate that has behaviour tests as `tests/support/mod.rs`): a loopback
//! server on a raw TCP socket that records every request exactly as it arrived.
#![allow(dead_code)] // each behaviour test uses a different subset

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// `204 No Content`, closing the connection, so each request comes on a new one.
pub const NO_CONTENT: &str =
    "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// A server on loopback that answers every request with one fixed response and
/// keeps each request's raw bytes (head and body) in arrival order.
pub struct Recorder {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    /// Starts on a free port, answering [`NO_CONTENT`].
    pub async fn start() -> Recorder {
        Recorder::answering(NO_CONTENT.to_owned()).await
    }

    /// Starts on a free port, answering `response` (a whole HTTP/1.1 response).
    pub async fn answering(response: String) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        Recorder::serve(listener, response)
    }

    /// Starts on `address` (for specs that name a fixed port), answering [`NO_CONTENT`].
    pub async fn at(address: &str) -> Recorder {
        let listener = TcpListener::bind(address).await.expect("the port is free");
        Recorder::serve(listener, NO_CONTENT.to_owned())
    }

    fn serve(listener: TcpListener, response: String) -> Recorder {
        let url = format!("http://{}", listener.local_addr().expect("bound"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let recorded = Arc::clone(&recorded);
                let response = response.clone();
                tokio::spawn(async move {
                    if let Some(request) = read_request(stream, &response).await {
                        recorded.lock().expect("not poisoned").push(request);
                    }
                });
            }
        });
        Recorder { url, requests }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port")
    }

    /// The requests received since the last call, raw.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.requests.lock().expect("not poisoned"))
    }

    /// The one request received since the last call.
    pub fn take_one(&self) -> String {
        let mut requests = self.take();
        assert_eq!(requests.len(), 1, "expected one request: {requests:#?}");
        requests.remove(0)
    }
}

/// Reads one request (its head, and a body as long as its `Content-Length`), then
/// answers `response`.
async fn read_request(mut stream: TcpStream, response: &str) -> Option<String> {
    let mut bytes = Vec::new();
    let mut buffer = [0_u8; 8192];
    loop {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            break;
        }
        bytes.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&bytes);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                break;
            }
        }
    }
    stream.write_all(response.as_bytes()).await.ok()?;
    let _ = stream.shutdown().await;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}
