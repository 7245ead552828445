//! Behaviour of the `binary` fixture's generated client on the wire (hand-written
//! test, copied into the fixture crate as `tests/behaviour.rs` and run by
//! `generator/tests/fixtures_compile.rs`): a raw body, from
//! bytes, a file streamed from disk or a caller's stream, reaches a loopback
//! socket byte for byte with the declared `Content-Type` and its length; a file
//! is sent whole again on a retry; a stream is sent once and never retried.

mod support;

use fixture_binary::runtime::{Body, Error};
use fixture_binary::{Client, RetryPolicy};
use fixture_binary::runtime::Jitter;

use support::wire::{self, Answer, Recorded};

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .bearer_token("t")
        .retry_policy(
            RetryPolicy::new()
                .initial_backoff(std::time::Duration::from_millis(1))
                .jitter(Jitter::None),
        )
        .build()
        .expect("valid settings")
}

/// 300 KB that are not text, so a byte out of place shows.
fn contents() -> Vec<u8> {
    (0..300_000u32).map(|i| (i % 251) as u8).collect()
}

/// The request's body, checked to be sent with its length, not chunked.
fn sized_body(request: &Recorded) -> &[u8] {
    assert_eq!(request.header("transfer-encoding"), None);
    assert_eq!(
        request.header("content-length"),
        Some(request.body.len().to_string().as_str())
    );
    &request.body
}

#[tokio::test]
async fn a_file_reaches_the_wire_with_its_type_and_length() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("model.bin");
    let contents = contents();
    std::fs::write(&path, &contents).expect("written");

    let server = wire::serve(vec![Answer::no_content()]).await;
    client(&server.base_url)
        .upload_file("a b", Body::from_file(&path))
        .send()
        .await
        .expect("stored");
    let requests = server.requests().await;
    let [request] = requests.as_slice() else {
        panic!("one request, not {}", requests.len());
    };
    assert_eq!(request.request_line, "PUT /files/a%20b HTTP/1.1");
    assert_eq!(
        request.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(sized_body(request), contents.as_slice());
}

#[tokio::test]
async fn bytes_in_every_form_callers_had_still_go_as_they_are() {
    // What `impl Into<Bytes>` took before is still taken, and sent as it is.
    let server = wire::serve(vec![Answer::no_content(); 4]).await;
    let client = client(&server.base_url);
    client.upload_file("v", vec![1_u8, 2, 3]).send().await.expect("sent");
    client
        .upload_file("b", fixture_binary::runtime::Bytes::from_static(b"\x00\xff"))
        .send()
        .await
        .expect("sent");
    client.upload_file("s", &b"raw"[..]).send().await.expect("sent");
    client
        .put_thumbnail()
        .body("\u{89}PNG".to_owned())
        .send()
        .await
        .expect("sent");
    let requests = server.requests().await;
    let sent: Vec<(&str, Option<&str>, &[u8])> = requests
        .iter()
        .map(|r| (r.request_line.as_str(), r.header("content-type"), sized_body(r)))
        .collect();
    assert_eq!(
        sent,
        [
            (
                "PUT /files/v HTTP/1.1",
                Some("application/octet-stream"),
                &[1_u8, 2, 3][..]
            ),
            (
                "PUT /files/b HTTP/1.1",
                Some("application/octet-stream"),
                &[0, 0xff][..]
            ),
            (
                "PUT /files/s HTTP/1.1",
                Some("application/octet-stream"),
                &b"raw"[..]
            ),
            (
                "PUT /thumbnail HTTP/1.1",
                Some("image/png"),
                "\u{89}PNG".as_bytes()
            ),
        ]
    );
}

#[tokio::test]
async fn a_retried_file_upload_sends_the_whole_file_again() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("model.bin");
    let contents = contents();
    std::fs::write(&path, &contents).expect("written");

    for first in [Answer::service_unavailable(), Answer::too_many_requests()] {
        let server = wire::serve(vec![first, Answer::no_content()]).await;
        client(&server.base_url)
            .upload_file("a", Body::from_file(&path))
            .send()
            .await
            .expect("stored on the second attempt");
        let requests = server.requests().await;
        assert_eq!(requests.len(), 2);
        for request in &requests {
            assert_eq!(sized_body(request), contents.as_slice());
        }
    }
}

fn chunks() -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::iter(vec![Ok(b"first ".to_vec()), Ok(b"second".to_vec())])
}

#[tokio::test]
async fn a_stream_is_sent_once_chunked_or_with_its_length_and_never_retried() {
    for length in [None, Some(12)] {
        let server = wire::serve(vec![Answer::service_unavailable(), Answer::no_content()]).await;
        let error = client(&server.base_url)
            .upload_file("s", Body::from_stream(chunks(), length))
            .send()
            .await
            .expect_err("the 503 is the answer: a stream is not sent again");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(503), "{error}");
        let requests = server.requests().await;
        let [request] = requests.as_slice() else {
            panic!("one attempt, not {}", requests.len());
        };
        assert_eq!(request.body, b"first second");
        match length {
            Some(_) => assert_eq!(request.header("content-length"), Some("12")),
            None => assert_eq!(request.header("transfer-encoding"), Some("chunked")),
        }
    }
}

#[tokio::test]
async fn a_stream_sent_twice_is_an_error_not_an_empty_body() {
    let server = wire::serve(vec![Answer::no_content(), Answer::no_content()]).await;
    let request = client(&server.base_url).upload_file("s", Body::from_stream(chunks(), None));
    request.clone().send().await.expect("the first sends the stream");
    let error = request.send().await.expect_err("the stream is spent");
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    let requests = server.requests().await;
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body, b"first second");
}

/// A mock built from the same typed arguments matches the raw body the client
/// sends (bytes, or a file's bytes); another body does not.
#[cfg(feature = "mock")]
#[tokio::test]
async fn mocks_match_raw_bodies() {
    use fixture_binary::mock::MockServer;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("model.bin");
    std::fs::write(&path, contents()).expect("written");

    let server = MockServer::start().await;
    server.upload_file("a", vec![1_u8, 2, 3]).respond_status(204).expect(1).mount().await;
    server.upload_file("f", Body::from_file(&path)).respond_status(204).expect(1).mount().await;
    server.put_thumbnail().body("png").respond_status(204).expect(1).mount().await;
    let client: Client = server.client();
    client.upload_file("a", vec![1_u8, 2, 3]).send().await.expect("matched");
    client.upload_file("f", Body::from_file(&path)).send().await.expect("matched");
    client.put_thumbnail().body("png").send().await.expect("matched");
    // Another body, or none, finds no mock.
    assert!(client.upload_file("a", vec![1_u8, 2]).send().await.is_err());
    assert!(client.upload_file("f", contents()[1..].to_vec()).send().await.is_err());
    assert!(client.put_thumbnail().send().await.is_err());
    server.verify().await;
}
