//! Loopback servers for failures `wiremock` cannot stage, written byte by byte: a
//! blob store behind pre-signed URLs, a server answering
//! from a script, a bare server that drops connections or appears late; and the
//! memory high-water mark of this process.
//!
//! Shared by the runtime's tests and the generated client's (whose support module
//! includes this file), so that there is one copy. It needs a `TOKEN` in its parent.
//! Hand-written.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use super::TOKEN;

/// Reads one request: the head, then as many body bytes as `content-length` says.
pub fn read_request(stream: &mut TcpStream) -> Option<String> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let (head, mut body) = read_head(stream)?;
    read_to_length(stream, &mut body, content_length(&head))?;
    Some(format!("{head}\r\n\r\n{}", String::from_utf8_lossy(&body)))
}

/// The value of header `name` in a request head.
pub fn head_header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// The `content-length` of a request head, `0` when it has none.
pub fn content_length(head: &str) -> usize {
    head_header(head, "content-length")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

/// Reads from `stream` until `body` holds `length` bytes; `None` if it closes first.
pub fn read_to_length(stream: &mut TcpStream, body: &mut Vec<u8>, length: usize) -> Option<()> {
    let mut buffer = [0_u8; 65536];
    while body.len() < length {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return None,
            Ok(read) => body.extend_from_slice(&buffer[..read]),
        }
    }
    Some(())
}

/// Fails if any of the request `heads` carries the client's credentials.
pub fn assert_no_credentials(heads: &[String]) {
    for head in heads {
        let lower = head.to_ascii_lowercase();
        assert!(!lower.contains("authorization"), "{head}");
        assert!(!lower.contains(TOKEN), "{head}");
        assert!(!lower.contains("tenant-secret"), "{head}");
    }
}

/// The byte at `offset` of the files [`StorageServer`] serves: position-dependent,
/// so a resumed download that lost or repeated bytes is caught.
pub fn file_byte(offset: u64) -> u8 {
    (offset.wrapping_mul(31) ^ (offset >> 16)) as u8
}

/// What the storage server does to the first download it serves.
#[derive(Clone, Copy, Debug)]
pub enum FirstDownload {
    /// Serve it whole.
    Whole,
    /// Close the connection after this many body bytes.
    CutAfter(u64),
}

/// A blocking HTTP/1.1 server on loopback that behaves like a blob store behind
/// pre-signed URLs: `GET` serves a generated file of `size` bytes (with `ETag`,
/// honouring `Range: bytes=N-`), `PUT` takes a body and answers with the next
/// status of `upload_statuses` (the last one repeats). Every request head is
/// recorded; nothing is held in memory beyond one chunk.
pub struct StorageServer {
    address: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
    uploaded: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl StorageServer {
    pub fn start(size: u64, first: FirstDownload, upload_statuses: Vec<u16>) -> StorageServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let heads = Arc::new(Mutex::new(Vec::new()));
        let uploaded = Arc::new(Mutex::new(Vec::new()));
        let (shared_heads, shared_uploads) = (Arc::clone(&heads), Arc::clone(&uploaded));
        thread::spawn(move || {
            let downloads = Arc::new(AtomicUsize::new(0));
            let uploads = Arc::new(AtomicUsize::new(0));
            let statuses = Arc::new(upload_statuses);
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (heads, uploaded) = (Arc::clone(&shared_heads), Arc::clone(&shared_uploads));
                let (downloads, uploads, statuses) = (
                    Arc::clone(&downloads),
                    Arc::clone(&uploads),
                    Arc::clone(&statuses),
                );
                thread::spawn(move || {
                    storage_connection(
                        stream, size, first, &downloads, &uploads, &statuses, &heads, &uploaded,
                    )
                });
            }
        });
        StorageServer {
            address,
            heads,
            uploaded,
        }
    }

    /// `http://127.0.0.1:<port>`, the origin of this storage.
    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A pre-signed-looking URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}?sig=s3cr3t&se=2030-01-01", self.address)
    }

    /// The head (request line and headers) of every request, in order.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("not poisoned").clone()
    }

    /// The bodies of the uploads answered with a 2xx.
    pub fn uploaded(&self) -> Vec<Vec<u8>> {
        self.uploaded.lock().expect("not poisoned").clone()
    }
}

#[allow(clippy::too_many_arguments)]
fn storage_connection(
    mut stream: TcpStream,
    size: u64,
    first: FirstDownload,
    downloads: &AtomicUsize,
    uploads: &AtomicUsize,
    statuses: &[u16],
    heads: &Mutex<Vec<String>>,
    uploaded: &Mutex<Vec<Vec<u8>>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some((head, mut rest)) = read_head(&mut stream) else {
        return;
    };
    heads.lock().expect("not poisoned").push(head.clone());
    if head.starts_with("PUT ") {
        if read_to_length(&mut stream, &mut rest, content_length(&head)).is_none() {
            return;
        }
        let index = uploads.fetch_add(1, Ordering::SeqCst);
        let status = statuses[index.min(statuses.len() - 1)];
        if (200..300).contains(&status) {
            uploaded.lock().expect("not poisoned").push(rest);
        }
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
        return;
    }
    let start: u64 = head_header(&head, "range")
        .and_then(|range| {
            range
                .strip_prefix("bytes=")?
                .trim_end_matches('-')
                .parse()
                .ok()
        })
        .unwrap_or(0);
    let serial = downloads.fetch_add(1, Ordering::SeqCst);
    let cut = match first {
        FirstDownload::CutAfter(bytes) if serial == 0 => Some(bytes),
        _ => None,
    };
    let status = if start > 0 {
        format!(
            "206 Partial Content\r\ncontent-range: bytes {start}-{}/{size}",
            size - 1
        )
    } else {
        "200 OK".to_owned()
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\netag: \"v1\"\r\naccept-ranges: bytes\r\nconnection: close\r\n\r\n",
        size - start
    );
    if stream.write_all(response.as_bytes()).is_err() {
        return;
    }
    let end = cut.map_or(size, |cut| (start + cut).min(size));
    let mut chunk = vec![0_u8; 65536];
    let mut offset = start;
    while offset < end {
        let length = (end - offset).min(chunk.len() as u64) as usize;
        for (index, byte) in chunk[..length].iter_mut().enumerate() {
            *byte = file_byte(offset + index as u64);
        }
        if stream.write_all(&chunk[..length]).is_err() {
            return;
        }
        offset += length as u64;
    }
    // A cut: close with the body unfinished.
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Reads a request head; returns it and whatever body bytes came with it.
pub fn read_head(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut data = Vec::new();
    let mut buffer = [0_u8; 4096];
    loop {
        let read = stream.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..read]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).into_owned();
            return Some((head, data[end + 4..].to_vec()));
        }
    }
}

/// This process's peak resident memory in KiB since the last [`reset_peak_memory`].
pub fn peak_memory_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Resets the peak that [`peak_memory_kib`] reports to the current resident size.
pub fn reset_peak_memory() {
    std::fs::write("/proc/self/clear_refs", "5").expect("Linux /proc/self/clear_refs");
}

/// What a [`ScriptedServer`] does with one connection, once it has read the
/// request head.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Write these bytes and close the connection.
    Close(Vec<u8>),
    /// Write these bytes and keep the connection open without another byte,
    /// as a server that stalls mid-body does.
    Hold(Vec<u8>),
}

/// A loopback server writing raw HTTP bytes from a script: the n-th connection
/// gets the n-th [`Reply`] (the last one repeats). Every request head is
/// recorded, so a test can read exactly what reached this origin. It lives as
/// long as the test's runtime.
pub struct ScriptedServer {
    address: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

impl ScriptedServer {
    /// Starts listening on a free loopback port.
    pub async fn start(script: Vec<Reply>) -> ScriptedServer {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        assert!(!script.is_empty(), "a script needs a reply");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let heads = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&heads);
        tokio::spawn(async move {
            let mut index = 0;
            while let Ok((mut stream, _)) = listener.accept().await {
                let reply = script[index.min(script.len() - 1)].clone();
                index += 1;
                let heads = Arc::clone(&shared);
                tokio::spawn(async move {
                    let mut data = Vec::new();
                    let mut buffer = [0_u8; 4096];
                    while !data.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => data.extend_from_slice(&buffer[..read]),
                        }
                    }
                    let end = data
                        .windows(4)
                        .position(|w| w == b"\r\n\r\n")
                        .unwrap_or(data.len());
                    let head = String::from_utf8_lossy(&data[..end]).into_owned();
                    heads.lock().expect("not poisoned").push(head);
                    match reply {
                        Reply::Close(bytes) => {
                            let _ = stream.write_all(&bytes).await;
                            let _ = stream.shutdown().await;
                        }
                        Reply::Hold(bytes) => {
                            let _ = stream.write_all(&bytes).await;
                            let _ = stream.flush().await;
                            std::future::pending::<()>().await;
                        }
                    }
                });
            }
        });
        ScriptedServer { address, heads }
    }

    /// `http://127.0.0.1:<port>` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The head (request line and headers) of every request, in order.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().expect("not poisoned").clone()
    }
}

/// The value of header `name` in a raw request head.
pub fn request_header(head: &str, name: &str) -> Option<String> {
    head_header(head, name)
}

/// A raw HTTP/1.1 answer: status line, `headers` (each without its CRLF), a
/// `content-length` of `length` (the length the body should have, which the
/// bytes written may fall short of), and `body`.
pub fn raw_answer(status: &str, headers: &[&str], length: usize, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for line in headers {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(&format!(
        "content-length: {length}\r\nconnection: close\r\n\r\n"
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// What the bare server does with each connection, in order of arrival.
#[derive(Clone, Copy, Debug)]
pub enum Connection {
    /// Read the request, then close without answering.
    Drop,
    /// Read the request and answer `200` with [`BARE_ANSWER`].
    Answer,
}

/// The JSON body of a [`BareServer`]'s `200`: an item in its envelope.
pub const BARE_ANSWER: &str = r#"{"item":{"id":"bare","name":"from the bare server"}}"#;

/// A blocking HTTP/1.1 server on a thread, for transport failures `wiremock`
/// cannot produce. The last behaviour repeats for later connections.
pub struct BareServer {
    address: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
}

impl BareServer {
    /// Starts listening on a free loopback port.
    pub fn start(script: Vec<Connection>) -> BareServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&requests);
        thread::spawn(move || accept_loop(&listener, &script, &shared));
        BareServer { address, requests }
    }

    /// Starts listening on `address` (which must be free) after `delay`, so
    /// that connections before then are refused.
    pub fn start_later(
        address: SocketAddr,
        delay: Duration,
        script: Vec<Connection>,
    ) -> BareServer {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&requests);
        thread::spawn(move || {
            thread::sleep(delay);
            let listener = TcpListener::bind(address).expect("rebind the reserved port");
            accept_loop(&listener, &script, &shared);
        });
        BareServer { address, requests }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The raw requests (head and body) received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("not poisoned").clone()
    }
}

/// A loopback address nothing listens on (yet).
pub fn unused_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address")
}

fn accept_loop(listener: &TcpListener, script: &[Connection], requests: &Mutex<Vec<String>>) {
    for (index, stream) in listener.incoming().enumerate() {
        let Ok(mut stream) = stream else { return };
        let Some(request) = read_request(&mut stream) else {
            continue;
        };
        requests.lock().expect("not poisoned").push(request);
        match script[index.min(script.len() - 1)] {
            Connection::Drop => drop(stream),
            Connection::Answer => {
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{BARE_ANSWER}",
                    BARE_ANSWER.len()
                );
                let _ = stream.write_all(response.as_bytes());
            }
        }
    }
}
