//! A 200 MiB download through a pre-signed URL, cut off part-way: it resumes, and
//! the process's peak memory stays flat (measured with the kernel's high-water
//! mark, so the test runs alone in a process of its own; hand-written test).

use crate::support::{
    assert_no_credentials, file_byte, peak_memory_kib, reset_peak_memory, run_alone,
    storage_client, FirstDownload, StorageServer,
};
use futures_util::TryStreamExt;
use std::sync::{Arc, Mutex};

const MIB: u64 = 1024 * 1024;

#[test]
fn a_large_download_streams_in_flat_memory_and_resumes_after_a_cut() {
    run_alone("transfer_memory::alone");
}

/// The test itself: the process's other tests would raise its peak memory.
#[tokio::test]
#[ignore = "measures its process's peak memory: run alone by a_large_download_streams_in_flat_memory_and_resumes_after_a_cut"]
async fn alone() {
    let size = 200 * MIB;
    let cut = 70 * MIB + 12_345;
    let storage = StorageServer::start(size, FirstDownload::CutAfter(cut), vec![201]);
    let last_progress = Arc::new(Mutex::new(None));
    let record = Arc::clone(&last_progress);

    reset_peak_memory();
    let before = peak_memory_kib();
    let mut body = storage_client()
        .download_from(storage.url("/changesets/1.cs"))
        .on_progress(move |progress| *record.lock().expect("not poisoned") = Some(progress))
        .into_stream();
    let mut offset = 0_u64;
    while let Some(chunk) = body.try_next().await.expect("the download completes") {
        for (index, byte) in chunk.iter().enumerate() {
            assert_eq!(
                *byte,
                file_byte(offset + index as u64),
                "byte {}",
                offset + index as u64
            );
        }
        offset += chunk.len() as u64;
    }
    let growth_mib = peak_memory_kib().saturating_sub(before) / 1024;
    eprintln!(
        "peak memory grew by {growth_mib} MiB while streaming {} MiB",
        size / MIB
    );

    assert_eq!(offset, size, "every byte, once");
    assert!(
        growth_mib < 32,
        "peak memory grew by {growth_mib} MiB for a {} MiB file",
        size / MIB
    );
    let progress = last_progress
        .lock()
        .expect("not poisoned")
        .expect("progress reported");
    assert_eq!((progress.transferred, progress.total), (size, Some(size)));
    let heads = storage.heads();
    assert_eq!(heads.len(), 2, "{heads:#?}");
    assert!(
        heads[0].starts_with("GET /changesets/1.cs?sig=s3cr3t"),
        "{}",
        heads[0]
    );
    let resumed = heads[1].to_ascii_lowercase();
    assert!(
        resumed.contains(&format!("range: bytes={cut}-")),
        "{resumed}"
    );
    assert!(resumed.contains("if-range: \"v1\""), "{resumed}");
    assert_no_credentials(&heads);
}
