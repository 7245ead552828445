//! Files through pre-signed storage URLs, and API bodies too large to hold: the
//! client's credentials never reach the storage host, nor the caller's headers
//! another origin; downloads resume after a cut onto the same version of the
//! file only, reach their file only when complete, and end when the server
//! stalls; uploads are retried from the start (hand-written test against
//! loopback servers). The memory of a large download is measured in
//! `transfer_memory.rs`, alone in its process; an operation's binary body too
//! large to hold, in the generated client's `responses.rs`.

use crate::support::{
    assert_no_credentials, fast_retries, file_byte, raw_answer, request_header, storage_client,
    Error, FirstDownload, Reply, ScriptedServer, StorageServer, TestClient as Client,
};
use futures_util::{StreamExt, TryStreamExt};
use openapi_client_runtime::TransferError;
use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MIB: u64 = 1024 * 1024;

#[tokio::test]
async fn a_download_is_written_to_a_file() {
    let size = MIB + 7;
    let storage = StorageServer::start(size, FirstDownload::CutAfter(300_000), vec![201]);
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("baseline.bim");
    let written = storage_client()
        .download_from(storage.url("/baseline.bim"))
        .to_file(&file)
        .await
        .expect("downloaded");
    assert_eq!(written, size);
    let bytes = std::fs::read(&file).expect("file written");
    assert!(bytes
        .iter()
        .enumerate()
        .all(|(i, b)| *b == file_byte(i as u64)));
    assert_eq!(storage.heads().len(), 2, "resumed once");
    assert_no_credentials(&storage.heads());
}

#[tokio::test]
async fn progress_goes_to_a_closure_that_keeps_its_own_count() {
    let size = 3 * MIB + 5;
    let storage = StorageServer::start(size, FirstDownload::Whole, vec![201]);
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("baseline.bim");
    // `FnMut`: a plain counter and the last value seen, no atomics, no lock.
    let (report, reports) = std::sync::mpsc::channel();
    let mut calls: u64 = 0;
    let mut last: u64 = 0;
    storage_client()
        .download_from(storage.url("/baseline.bim"))
        .on_progress(move |progress| {
            calls += 1;
            assert!(progress.transferred >= last, "progress only grows");
            last = progress.transferred;
            report
                .send((calls, progress.transferred, progress.total))
                .expect("the test is listening");
        })
        .to_file(&file)
        .await
        .expect("downloaded");
    let reports: Vec<_> = reports.try_iter().collect();
    assert!(reports.len() > 1, "one report per chunk: {reports:?}");
    let counts: Vec<u64> = reports.iter().map(|(calls, _, _)| *calls).collect();
    assert_eq!(counts, (1..=reports.len() as u64).collect::<Vec<_>>());
    assert_eq!(reports.last().map(|r| (r.1, r.2)), Some((size, Some(size))));
}

#[tokio::test]
async fn uploads_are_retried_after_server_errors_and_carry_only_their_own_headers() {
    let storage = StorageServer::start(0, FirstDownload::Whole, vec![500, 503, 201]);
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("changeset.cs");
    let contents: Vec<u8> = (0..3 * MIB).map(file_byte).collect();
    std::fs::write(&file, &contents).expect("file written");

    let sent = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&sent);
    let response = storage_client()
        .upload_to(storage.url("/changesets/2.cs"), file.as_path())
        .header("x-ms-blob-type", "BlockBlob")
        .on_progress(move |progress| {
            record
                .lock()
                .expect("not poisoned")
                .push(progress.transferred)
        })
        .send()
        .await
        .expect("third attempt succeeds");

    assert_eq!(response.status(), 201);
    assert_eq!(storage.uploaded(), [contents]);
    let heads = storage.heads();
    assert_eq!(heads.len(), 3, "500 and 503 are retried");
    for head in &heads {
        let lower = head.to_ascii_lowercase();
        assert!(
            lower.starts_with("put /changesets/2.cs?sig=s3cr3t"),
            "{head}"
        );
        assert!(
            lower.contains(&format!("content-length: {}", 3 * MIB)),
            "{head}"
        );
        assert!(lower.contains("x-ms-blob-type: blockblob"), "{head}");
    }
    assert_no_credentials(&heads);
    assert_eq!(sent.lock().expect("not poisoned").last(), Some(&(3 * MIB)));
}

#[tokio::test]
async fn a_refused_upload_is_an_api_error_with_its_status() {
    let storage = StorageServer::start(0, FirstDownload::Whole, vec![403]);
    let error = storage_client()
        .upload_to(storage.url("/expired"), b"data".to_vec())
        .send()
        .await
        .expect_err("403 is final");
    assert!(
        matches!(&error, Error::Api(api) if api.status() == 403),
        "{error:?}"
    );
    assert_eq!(storage.heads().len(), 1, "not retried");
}

#[tokio::test]
async fn bad_transfer_urls_are_invalid_requests() {
    for url in ["not a url", "ftp://files.example/x"] {
        let error = storage_client()
            .download_from(url)
            .to_file("/nonexistent/x")
            .await
            .expect_err(url);
        assert!(
            matches!(error, Error::InvalidRequest(_)),
            "{url}: {error:?}"
        );
    }
}

// ------------------------------------------------ Hostile storage servers

/// Version 1 and version 2 of a file on the scripted servers.
const V1: &[u8] = b"0123456789";
const V2: &[u8] = b"abcdefghij";
/// What the destination held before the download.
const OLD: &[u8] = b"the old, good file";
const SECRET: &str = "caller-secret";

/// Fails the test instead of hanging it when `call` does not end within 10 s.
async fn within<T>(call: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the transfer hung")
}

/// A `200` for [`V1`] with `headers` that closes after its first four bytes.
fn cut_v1(headers: &[&str]) -> Reply {
    Reply::Close(raw_answer("200 OK", headers, V1.len(), &V1[..4]))
}

/// A whole `200` answer.
fn whole(headers: &[&str], body: &[u8]) -> Reply {
    Reply::Close(raw_answer("200 OK", headers, body.len(), body))
}

/// A `206` with `headers` for `body`, the bytes from 4 on of a 10-byte file.
fn rest(headers: &[&str], body: &[u8]) -> Reply {
    let mut headers = headers.to_vec();
    headers.push("content-range: bytes 4-9/10");
    Reply::Close(raw_answer(
        "206 Partial Content",
        &headers,
        body.len(),
        body,
    ))
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("readable directory")
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// What a download to a file over an existing one left behind.
struct Landed {
    result: Result<u64, Error>,
    /// The destination's bytes afterwards.
    contents: Vec<u8>,
    /// Every name in the destination's directory afterwards.
    files: Vec<String>,
    heads: Vec<String>,
}

/// Downloads from a server answering with `script` to `model.bim`, which held
/// [`OLD`], with `client` and an idle timeout of 200 ms.
async fn download_over_old(client: &Client, script: Vec<Reply>) -> Landed {
    let server = ScriptedServer::start(script).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("model.bim");
    std::fs::write(&file, OLD).expect("old file written");
    let result = within(
        client
            .download_from(server.url("/model.bim?sig=s3cr3t"))
            .header("x-api-key", SECRET)
            .with_idle_timeout(Duration::from_millis(200))
            .to_file(&file),
    )
    .await;
    Landed {
        result,
        contents: std::fs::read(&file).expect("the destination is still there"),
        files: listing(dir.path()),
        heads: server.heads(),
    }
}

#[tokio::test]
async fn a_redirect_to_another_origin_never_carries_the_callers_headers() {
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "303 See Other",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let mirror = ScriptedServer::start(vec![whole(&["etag: \"v1\""], V1)]).await;
        let location = format!("location: {}", mirror.url("/mirror/model.bim?sig=other"));
        let storage =
            ScriptedServer::start(vec![Reply::Close(raw_answer(status, &[&location], 0, b""))])
                .await;
        let dir = tempfile::tempdir().expect("temporary directory");
        let written = within(
            storage_client()
                .download_from(storage.url("/model.bim?sig=s3cr3t"))
                .header("x-api-key", SECRET)
                .to_file(dir.path().join("model.bim")),
        )
        .await
        .expect("followed to the mirror");
        assert_eq!(written, V1.len() as u64, "{status}");
        let (sent, followed) = (storage.heads(), mirror.heads());
        assert_eq!(
            request_header(&sent[0], "x-api-key").as_deref(),
            Some(SECRET)
        );
        assert_eq!(followed.len(), 1, "{status}");
        assert!(
            followed[0].starts_with("GET /mirror/model.bim?sig=other "),
            "{}",
            followed[0]
        );
        assert!(
            !followed[0].to_ascii_lowercase().contains("x-api-key")
                && !followed[0].contains(SECRET),
            "{status}: the caller's header went to another origin:\n{}",
            followed[0]
        );
        assert_no_credentials(&followed);
    }
}

/// A download through `hops` redirects, each to another origin.
async fn through_redirects(hops: usize) -> Result<u64, Error> {
    let mut next = ScriptedServer::start(vec![whole(&[], V1)]).await;
    let mut servers = Vec::new();
    for _ in 0..hops {
        let location = format!("location: {}", next.url("/model.bim"));
        let previous = std::mem::replace(
            &mut next,
            ScriptedServer::start(vec![Reply::Close(raw_answer(
                "302 Found",
                &[&location],
                0,
                b"",
            ))])
            .await,
        );
        servers.push(previous);
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    within(
        storage_client()
            .download_from(next.url("/model.bim"))
            .to_file(dir.path().join("model.bim")),
    )
    .await
}

#[tokio::test]
async fn ten_redirects_to_other_origins_are_followed_and_eleven_are_not() {
    assert_eq!(
        through_redirects(10).await.expect("followed"),
        V1.len() as u64
    );
    let error = through_redirects(11).await.expect_err("too many");
    assert!(
        matches!(&error, Error::Transfer(t) if matches!(**t, TransferError::TooManyRedirects { limit: 10, .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_redirect_within_the_origin_keeps_the_callers_headers() {
    let landed = download_over_old(
        &storage_client(),
        vec![
            Reply::Close(raw_answer(
                "302 Found",
                &["location: /moved/model.bim"],
                0,
                b"",
            )),
            whole(&["etag: \"v1\""], V1),
        ],
    )
    .await;
    assert_eq!(landed.result.expect("followed"), V1.len() as u64);
    assert_eq!(landed.contents, V1);
    assert_eq!(landed.heads.len(), 2);
    assert!(
        landed.heads[1].starts_with("GET /moved/model.bim "),
        "{}",
        landed.heads[1]
    );
    assert_eq!(
        request_header(&landed.heads[1], "x-api-key").as_deref(),
        Some(SECRET)
    );
}

#[tokio::test]
async fn an_upload_does_not_follow_a_redirect_to_another_origin() {
    let mirror =
        ScriptedServer::start(vec![Reply::Close(raw_answer("201 Created", &[], 0, b""))]).await;
    let location = format!("location: {}", mirror.url("/elsewhere"));
    let storage = ScriptedServer::start(vec![Reply::Close(raw_answer(
        "307 Temporary Redirect",
        &[&location],
        0,
        b"",
    ))])
    .await;
    let error = within(
        storage_client()
            .upload_to(storage.url("/upload?sig=s3cr3t"), b"data".to_vec())
            .header("x-api-key", SECRET)
            .send(),
    )
    .await
    .expect_err("not followed");
    assert!(
        matches!(&error, Error::Api(api) if api.status() == 307),
        "{error:?}"
    );
    assert!(mirror.heads().is_empty(), "{:?}", mirror.heads());
}

/// Whether an error is the one a case expects.
type Expected = fn(&Error) -> bool;

#[tokio::test]
async fn a_failed_download_leaves_the_old_file_and_no_temporary_file() {
    let denied = || Reply::Close(raw_answer("403 Forbidden", &[], 6, b"denied"));
    let cases: Vec<(&str, Vec<Reply>, Expected)> = vec![
        (
            "404",
            vec![Reply::Close(raw_answer("404 Not Found", &[], 4, b"gone"))],
            |e| matches!(e, Error::Api(api) if api.status() == 404 && api.body_text() == "gone"),
        ),
        (
            "cut, then 403",
            vec![cut_v1(&["etag: \"v1\""]), denied()],
            |e| matches!(e, Error::Api(api) if api.status() == 403),
        ),
        (
            "206 from the wrong place",
            vec![
                cut_v1(&["etag: \"v1\""]),
                Reply::Close(raw_answer(
                    "206 Partial Content",
                    &["etag: \"v1\"", "content-range: bytes 2-9/10"],
                    8,
                    &V1[2..],
                )),
            ],
            |e| matches!(e, Error::Transfer(t) if matches!(**t, TransferError::WrongRange { requested: 4, received: Some(2), .. })),
        ),
        (
            "stalled mid-body",
            vec![Reply::Hold(raw_answer("200 OK", &[], 10, &V1[..4]))],
            |e| matches!(e, Error::Transfer(t) if matches!(**t, TransferError::Stalled { transferred: 4, .. })),
        ),
    ];
    for (name, script, expected) in cases {
        let landed = download_over_old(&storage_client(), script).await;
        let error = landed.result.expect_err(name);
        assert!(expected(&error), "{name}: {error:?}");
        assert_eq!(landed.contents, OLD, "{name}: the old file was changed");
        assert_eq!(
            landed.files,
            ["model.bim"],
            "{name}: a temporary file was left"
        );
    }
}

#[tokio::test]
async fn a_resumed_download_never_joins_two_versions_of_the_file() {
    struct Case {
        name: &'static str,
        script: Vec<Reply>,
        /// The file at the end.
        expected: &'static [u8],
        /// Requests the server saw.
        requests: usize,
        /// `Range` and `If-Range` of the second request.
        second: (Option<&'static str>, Option<&'static str>),
    }
    let modified = "last-modified: Mon, 07 Dec 2026 00:00:00 GMT";
    let an_hour_later = "date: Mon, 07 Dec 2026 01:00:00 GMT";
    let cases = [
        Case {
            name: "same strong ETag: resumed",
            script: vec![cut_v1(&["etag: \"v1\""]), rest(&["etag: \"v1\""], &V1[4..])],
            expected: V1,
            requests: 2,
            second: (Some("bytes=4-"), Some("\"v1\"")),
        },
        Case {
            name: "strong Last-Modified: resumed",
            script: vec![
                cut_v1(&[modified, an_hour_later]),
                rest(&[modified], &V1[4..]),
            ],
            expected: V1,
            requests: 2,
            second: (Some("bytes=4-"), Some("Mon, 07 Dec 2026 00:00:00 GMT")),
        },
        Case {
            name: "206 with another ETag: started over",
            script: vec![
                cut_v1(&["etag: \"v1\""]),
                rest(&["etag: \"v2\""], &V2[4..]),
                whole(&["etag: \"v2\""], V2),
            ],
            expected: V2,
            requests: 3,
            second: (Some("bytes=4-"), Some("\"v1\"")),
        },
        Case {
            name: "206 with another length: started over",
            script: vec![
                cut_v1(&["etag: \"v1\""]),
                Reply::Close(raw_answer(
                    "206 Partial Content",
                    &["etag: \"v1\"", "content-range: bytes 4-11/12"],
                    8,
                    b"efghijkl",
                )),
                whole(&["etag: \"v2\""], V2),
            ],
            expected: V2,
            requests: 3,
            second: (Some("bytes=4-"), Some("\"v1\"")),
        },
        Case {
            name: "200 to If-Range: the new version whole",
            script: vec![cut_v1(&["etag: \"v1\""]), whole(&["etag: \"v2\""], V2)],
            expected: V2,
            requests: 2,
            second: (Some("bytes=4-"), Some("\"v1\"")),
        },
        Case {
            name: "no validator: started over without Range",
            script: vec![cut_v1(&[]), whole(&[], V2)],
            expected: V2,
            requests: 2,
            second: (None, None),
        },
        Case {
            name: "weak ETag: started over without Range",
            script: vec![cut_v1(&["etag: W/\"v1\""]), whole(&["etag: W/\"v2\""], V2)],
            expected: V2,
            requests: 2,
            second: (None, None),
        },
        Case {
            name: "Last-Modified within the second of Date: started over",
            script: vec![
                cut_v1(&[modified, "date: Mon, 07 Dec 2026 00:00:00 GMT"]),
                whole(&[], V2),
            ],
            expected: V2,
            requests: 2,
            second: (None, None),
        },
    ];
    for case in cases {
        let landed = download_over_old(&storage_client(), case.script).await;
        let name = case.name;
        let written = landed.result.unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(written, case.expected.len() as u64, "{name}");
        assert_eq!(
            String::from_utf8_lossy(&landed.contents),
            String::from_utf8_lossy(case.expected),
            "{name}"
        );
        assert_eq!(landed.files, ["model.bim"], "{name}");
        assert_eq!(
            landed.heads.len(),
            case.requests,
            "{name}: {:#?}",
            landed.heads
        );
        let second = &landed.heads[1];
        assert_eq!(
            (
                request_header(second, "range").as_deref(),
                request_header(second, "if-range").as_deref()
            ),
            case.second,
            "{name}"
        );
        if let Some(third) = landed.heads.get(2) {
            assert_eq!(request_header(third, "range"), None, "{name}: starts over");
        }
    }
}

#[tokio::test]
async fn a_stream_that_cannot_resume_onto_the_same_version_fails() {
    for (name, script) in [
        (
            "206 with another ETag",
            vec![cut_v1(&["etag: \"v1\""]), rest(&["etag: \"v2\""], &V2[4..])],
        ),
        (
            "200 to If-Range",
            vec![cut_v1(&["etag: \"v1\""]), whole(&["etag: \"v2\""], V2)],
        ),
        ("no validator", vec![cut_v1(&[]), whole(&[], V2)]),
    ] {
        let server = ScriptedServer::start(script).await;
        let mut stream = storage_client()
            .download_from(server.url("/model.bim"))
            .into_stream();
        let mut received = Vec::new();
        let error = within(async {
            loop {
                match stream.next().await {
                    Some(Ok(chunk)) => received.extend_from_slice(&chunk),
                    Some(Err(error)) => return error,
                    None => panic!("{name}: ended as if whole: {received:?}"),
                }
            }
        })
        .await;
        assert_eq!(received, &V1[..4], "{name}: only the first version's bytes");
        assert!(
            matches!(&error, Error::Transfer(t) if matches!(**t, TransferError::NotResumable { transferred: 4, .. })),
            "{name}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_file_that_keeps_changing_ends_in_a_typed_error() {
    let changing = (1..=8)
        .map(|n| cut_v1(&[&format!("etag: \"v{n}\"")]))
        .collect::<Vec<_>>();
    let landed = download_over_old(&storage_client(), changing).await;
    let error = landed.result.expect_err("never consistent");
    assert!(
        matches!(&error, Error::Transfer(t) if matches!(**t, TransferError::NotResumable { .. })),
        "{error:?}"
    );
    assert_eq!(landed.contents, OLD);
    assert_eq!(landed.files, ["model.bim"]);
}

#[tokio::test]
async fn a_stalled_transfer_ends_with_a_typed_error_in_bounded_time() {
    let idle = Duration::from_millis(200);
    let stalled = |error: &Error, bytes: u64| matches!(error, Error::Transfer(t) if matches!(**t, TransferError::Stalled { idle: i, transferred, .. } if i == idle && transferred == bytes));
    // Mid-body, before the head, and set on the client rather than the download.
    for (name, reply, transferred) in [
        ("mid-body", raw_answer("200 OK", &[], 10, &V1[..4]), 4),
        ("before the answer", Vec::new(), 0),
    ] {
        let server = ScriptedServer::start(vec![Reply::Hold(reply)]).await;
        let client = Client::builder()
            .retry_policy(fast_retries())
            .transfer_idle_timeout(idle)
            .build()
            .expect("valid settings");
        let started = Instant::now();
        let error = within(
            client
                .download_from(server.url("/model.bim"))
                .into_stream()
                .try_collect::<Vec<_>>(),
        )
        .await
        .expect_err(name);
        assert!(stalled(&error, transferred), "{name}: {error:?}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{name}: {:?}",
            started.elapsed()
        );
        assert_eq!(
            server.heads().len(),
            1,
            "{name}: a stall is not retried by default"
        );
    }
    let server = ScriptedServer::start(vec![Reply::Hold(Vec::new())]).await;
    let error = within(
        storage_client()
            .upload_to(server.url("/upload"), b"data".to_vec())
            .with_idle_timeout(idle)
            .send(),
    )
    .await
    .expect_err("the upload's answer never comes");
    assert!(stalled(&error, 4), "upload: {error:?}");
}

#[tokio::test]
async fn a_cancelled_download_leaves_the_old_file_and_no_temporary_file() {
    let server =
        ScriptedServer::start(vec![Reply::Hold(raw_answer("200 OK", &[], 10, &V1[..4]))]).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("model.bim");
    std::fs::write(&file, OLD).expect("old file written");
    let download = storage_client()
        .download_from(server.url("/model.bim"))
        .to_file(&file);
    // The caller gives up (drops the future) while the body is on its way.
    let gave_up = tokio::time::timeout(Duration::from_millis(300), download).await;
    assert!(gave_up.is_err(), "{gave_up:?}");
    assert_eq!(std::fs::read(&file).expect("still there"), OLD);
    assert_eq!(listing(dir.path()), ["model.bim"]);
}

#[cfg(unix)]
#[tokio::test]
async fn a_downloaded_file_keeps_the_permissions_of_the_one_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path| std::fs::metadata(path).expect("file").permissions().mode() & 0o777;
    let server = ScriptedServer::start(vec![whole(&[], V1)]).await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let (old, new) = (dir.path().join("old.bim"), dir.path().join("new.bim"));
    std::fs::write(&old, OLD).expect("old file written");
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    for path in [&old, &new] {
        within(
            storage_client()
                .download_from(server.url("/f"))
                .to_file(path),
        )
        .await
        .expect("downloaded");
        assert_eq!(std::fs::read(path).expect("written"), V1);
    }
    assert_eq!(mode(&old), 0o640, "the replaced file's permissions");
    // A new file gets what `File::create` would give, not a temporary file's 0600.
    let umask_allows = std::fs::File::create(dir.path().join("probe"))
        .and_then(|f| f.metadata())
        .expect("probe")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode(&new), umask_allows);
}
