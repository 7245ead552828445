//! Files through pre-signed storage URLs, and API bodies too large to hold: the
//! client's credentials never reach the storage host, downloads resume after a
//! cut, uploads are retried from the start (hand-written test against loopback
//! servers). The memory of a large download is measured in `transfer_memory.rs`,
//! alone in its process.

mod support;

use futures_util::TryStreamExt;
use generated_client::Error;
use std::sync::{Arc, Mutex};
use support::{
    assert_no_credentials, file_byte, storage_client, FirstDownload, StorageServer, IMODEL_ID,
    TOKEN,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MIB: u64 = 1024 * 1024;

#[tokio::test]
async fn a_download_is_written_to_a_file() {
    let size = MIB + 7;
    let storage = StorageServer::start(size, FirstDownload::CutAfter(300_000), vec![201]);
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("baseline.bim");
    let written = storage_client()
        .download_from(&storage.url("/baseline.bim"))
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
async fn uploads_are_retried_after_server_errors_and_carry_only_their_own_headers() {
    let storage = StorageServer::start(0, FirstDownload::Whole, vec![500, 503, 201]);
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("changeset.cs");
    let contents: Vec<u8> = (0..3 * MIB).map(file_byte).collect();
    std::fs::write(&file, &contents).expect("file written");

    let sent = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&sent);
    let response = storage_client()
        .upload_to(&storage.url("/changesets/2.cs"), file.as_path())
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
        .upload_to(&storage.url("/expired"), b"data".to_vec())
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

#[tokio::test]
async fn binary_api_bodies_stream_past_the_response_limit() {
    let server = MockServer::start().await;
    let thumbnail: Vec<u8> = (0..256 * 1024).map(file_byte).collect();
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}/thumbnail")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(thumbnail.clone(), "image/png"))
        .mount(&server)
        .await;
    let client = support::builder_for(&server)
        .max_response_bytes(64 * 1024)
        .build()
        .expect("valid settings");

    let buffered = client.get_thumbnail(IMODEL_ID).send().await;
    assert!(
        matches!(buffered, Err(Error::ResponseTooLarge { .. })),
        "{buffered:?}"
    );

    let streamed = client
        .get_thumbnail(IMODEL_ID)
        .send_streaming()
        .await
        .expect("a 200 answer");
    assert_eq!(streamed.status(), 200);
    assert_eq!(
        streamed.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"image/png"[..])
    );
    let chunks: Vec<_> = streamed
        .into_body()
        .try_collect()
        .await
        .expect("the whole body");
    assert_eq!(chunks.concat(), thumbnail);
    let requests = support::received(&server).await;
    assert_eq!(
        support::header(&requests[1], "authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
}
