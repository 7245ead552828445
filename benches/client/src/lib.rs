//! What the client benchmarks share: a local HTTP server that answers `GET /` (the
//! iModels list) with a fixed `IModelList`, a hand-written `reqwest` + `serde_json`
//! baseline of the same call, and a constructor for the generated client.
//!
//! `benches/client.rs` (criterion, `cargo bench -p client-bench`) compares the two
//! clients; `src/bin/stream_memory.rs` (run by `cargo xtask bench`) measures the peak
//! memory of streaming a long list through `into_stream()`.

pub mod baseline;
pub mod server;
pub mod upload_probe;

/// The bearer token both clients send; the server does not check it.
pub const TOKEN: &str = "bench-token";

/// The `iTwinId` both clients ask for.
pub fn itwin_id() -> uuid::Uuid {
    uuid::Uuid::from_u128(0xb1a8b7f0_5c2b_4a56_9c5b_6f0c8a2e2d11)
}

/// The generated client, configured as its README shows, against `base_url`.
pub fn generated_client(base_url: &str) -> generated_client::Client {
    generated_client::Client::builder()
        .base_url(base_url)
        .bearer_token(TOKEN)
        .build()
        .expect("the generated client builds")
}

/// One `get_imodels` call of `size` items through the generated client, as the
/// README shows it; the counterpart of [`baseline::Baseline::get_imodels`].
pub async fn generated_list(
    client: &generated_client::Client,
    id: uuid::Uuid,
    size: i64,
) -> generated_client::models::IModelList {
    client
        .get_imodels(id)
        .top(size)
        .send()
        .await
        .expect("an IModelList")
        .into_inner()
}

/// Walks every item with `into_stream()` in pages of `page`, dropping each; the
/// counterpart of [`baseline::Baseline::stream_count`].
pub async fn generated_stream_count(
    client: &generated_client::Client,
    id: uuid::Uuid,
    page: i64,
) -> u64 {
    use futures_util::StreamExt;
    let mut stream = client.get_imodels(id).top(page).into_stream();
    let mut count = 0;
    while let Some(item) = stream.next().await {
        std::hint::black_box(item.expect("item"));
        count += 1;
    }
    count
}

/// The peak resident set size of this process (`VmHWM` in `/proc/self/status`), in
/// KiB; `None` where there is no such file (not Linux).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Reads one request (head and a `Content-Length` body) into a small buffer,
/// discarding it, and answers `204`; returns the body's length (the memory
/// probes' server: it holds no more than 64 KiB of the body at a time).
pub fn discard_one_request(listener: &std::net::TcpListener) -> std::io::Result<u64> {
    use std::io::{Read, Write};
    let (mut stream, _) = listener.accept()?;
    let mut buffer = vec![0_u8; 64 * 1024];
    let mut head = Vec::new();
    let (length, mut received) = loop {
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&buffer[..n]);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            let text = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
            let length = text
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<u64>().ok())
                .ok_or(std::io::ErrorKind::InvalidData)?;
            break (length, (head.len() - end - 4) as u64);
        }
    };
    while received < length {
        let n = stream.read(&mut buffer)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        received += n as u64;
    }
    stream
        .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")?;
    Ok(received)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    #[test]
    fn both_clients_read_the_same_list() {
        let server = server::Server::start(0);
        let generated = generated_client(&server.base_url());
        let raw = baseline::Baseline::new(server.base_url(), TOKEN);
        runtime().block_on(async {
            for size in [1, 100, 1_000] {
                let ours = generated_list(&generated, itwin_id(), size).await;
                let theirs = raw.get_imodels(itwin_id(), size).await.expect("raw");
                assert_eq!(ours.imodels.len(), size as usize);
                assert_eq!(theirs.imodels.len(), size as usize);
                let (a, b) = (&ours.imodels[0], &theirs.imodels[0]);
                assert_eq!(a.id, b.id);
                assert_eq!(a.display_name, b.display_name);
                assert_eq!(a.created_date_time, b.created_date_time);
                assert_eq!(a.itwin_id, Some(itwin_id()));
            }
        });
        assert_eq!(server.requests(), 6);
    }

    #[test]
    fn streams_page_by_page_to_the_end() {
        let server = server::Server::start(1_050);
        let generated = generated_client(&server.base_url());
        let raw = baseline::Baseline::new(server.base_url(), TOKEN);
        runtime().block_on(async {
            let count = generated_stream_count(&generated, itwin_id(), 100).await;
            assert_eq!(count, 1_050);
            assert_eq!(raw.stream_count(itwin_id(), 100).await.expect("raw"), 1_050);
        });
        // 10 full pages and a short one for each client: both follow each page's
        // next link and stop at the short last page, which links nowhere.
        assert_eq!(server.requests(), 22);
    }

    #[test]
    fn reads_its_own_peak_memory() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_kib().is_some_and(|kib| kib > 0));
        }
    }
}
