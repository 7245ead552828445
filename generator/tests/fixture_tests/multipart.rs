//! Behaviour of the `multipart` fixture's generated client on the wire
//! (hand-written test, copied into the fixture crate as `tests/behaviour.rs` and
//! run by `generator/tests/fixtures_compile.rs`): a loopback socket records the
//! raw request, its multipart body is parsed by RFC 7578/2046's rules, and each
//! part's name, file name, `Content-Type`, headers and bytes are compared with
//! what the spec's schema and `encoding` declare. A file part comes from disk.

use fixture_multipart::models::{Meta, Stored};
use fixture_multipart::operations::{SendBundleBody, UploadDocumentBody};
use fixture_multipart::runtime::{FilePart, PartHeaders, Parts};
use fixture_multipart::{Client, RetryPolicy};
use fixture_multipart::runtime::Jitter;

mod support;

use support::wire::{self, Answer, Part};

/// One expected part: (name, file name, Content-Type, other headers, bytes).
type Expected<'a> = (
    &'a str,
    Option<&'a str>,
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a [u8],
);

fn assert_parts(parts: &[Part], expected: &[Expected<'_>]) {
    let got: Vec<Expected<'_>> = parts
        .iter()
        .map(|part| {
            (
                part.name(),
                part.file_name(),
                part.header("content-type").unwrap_or(""),
                &[][..],
                part.body.as_slice(),
            )
        })
        .collect();
    let want: Vec<Expected<'_>> = expected
        .iter()
        .map(|(name, file, content_type, _, bytes)| (*name, *file, *content_type, &[][..], *bytes))
        .collect();
    assert_eq!(got, want);
    for (part, (name, _, _, headers, _)) in parts.iter().zip(expected) {
        for (header, value) in *headers {
            assert_eq!(
                part.header(header),
                Some(*value),
                "part `{name}`, header {header}"
            );
        }
        // Only what the part declares: disposition, type, and its own headers.
        assert_eq!(
            part.headers.len(),
            2 + headers.len(),
            "part `{name}`: {:?}",
            part.headers
        );
    }
}

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

fn document(file: FilePart) -> UploadDocumentBody {
    UploadDocumentBody {
        title: "Q3 report".to_owned(),
        count: Some(42),
        tags: vec!["a".to_owned(), "b c".to_owned()],
        meta: Meta {
            zeta: Some(1),
            alpha: Some("x".to_owned()),
        },
        file,
        preview: Some(FilePart::bytes(&b"\x89PNG"[..]).file_name("p.png")),
        attachments: vec![
            FilePart::bytes(&b"one"[..]).file_name("1.txt"),
            FilePart::bytes(&b"two"[..])
                .file_name("2.csv")
                .content_type("text/csv")
                .header("X-Rows", "2"),
        ],
        // Encoding `headers` of a text, a JSON and a file part.
        part_headers: PartHeaders::new()
            .header("title", "X-Lang", "en")
            .header("meta", "X-Signature", "sig")
            .header("preview", "X-Checksum", "abc"),
    }
}

#[tokio::test]
async fn every_part_is_sent_as_the_schema_and_encoding_declare() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("report.pdf");
    let contents: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &contents).expect("written");

    let server = wire::serve(vec![Answer::created(r#"{"id":"d1"}"#)]).await;
    let stored: Stored = client(&server.base_url)
        .upload_document(document(FilePart::path(&path)))
        .send()
        .await
        .expect("stored")
        .into_inner();
    assert_eq!(stored.id.as_deref(), Some("d1"));

    let requests = server.requests().await;
    let [request] = requests.as_slice() else {
        panic!("one request, not {}", requests.len());
    };
    assert_eq!(request.request_line, "POST /documents HTTP/1.1");
    // Only what the client decodes, JSON first: not the XML the 201 also offers.
    assert_eq!(
        request.header("accept"),
        Some("application/json, application/problem+json")
    );
    let boundary = request.boundary("multipart/form-data");
    // Sent with its length, the file streamed into it.
    assert_eq!(
        request.header("content-length"),
        Some(request.body.len().to_string().as_str())
    );
    let parts = wire::parse_multipart(&request.body, &boundary);
    let expected: &[Expected<'_>] = &[
        // `style`/`explode` in `title`'s encoding do not apply to multipart.
        ("title", None, "text/plain", &[("x-lang", "en")], b"Q3 report"),
        ("count", None, "text/x-count", &[], b"42"),
        ("tags", None, "text/plain", &[], b"a"),
        ("tags", None, "text/plain", &[], b"b c"),
        (
            "meta",
            None,
            "application/vnd.acme.meta+json",
            &[("x-signature", "sig")],
            br#"{"zeta":1,"alpha":"x"}"#,
        ),
        (
            "file",
            Some("report.pdf"),
            "application/octet-stream",
            &[],
            &contents,
        ),
        (
            "preview",
            Some("p.png"),
            "image/png",
            &[("x-checksum", "abc")],
            b"\x89PNG",
        ),
        (
            "attachments",
            Some("1.txt"),
            "application/octet-stream",
            &[],
            b"one",
        ),
        (
            "attachments",
            Some("2.csv"),
            "text/csv",
            &[("x-rows", "2")],
            b"two",
        ),
    ];
    assert_parts(&parts, expected);
}

#[tokio::test]
async fn absent_optional_parts_are_left_out() {
    let server = wire::serve(vec![Answer::created(r#"{"id":"d2"}"#)]).await;
    let body = UploadDocumentBody {
        count: None,
        tags: Vec::new(),
        preview: None,
        attachments: Vec::new(),
        meta: Meta::default(),
        ..document(FilePart::bytes(&b"%PDF"[..]).file_name("a.pdf"))
    };
    client(&server.base_url)
        .upload_document(body)
        .send()
        .await
        .expect("stored");
    let requests = server.requests().await;
    let parts = wire::parse_multipart(
        &requests[0].body,
        &requests[0].boundary("multipart/form-data"),
    );
    let names: Vec<&str> = parts.iter().map(Part::name).collect();
    assert_eq!(names, ["title", "meta", "file"]);
    assert_eq!(parts[1].body, b"{}");
}

#[tokio::test]
async fn a_retry_sends_the_whole_body_again_and_rereads_the_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("data.bin");
    std::fs::write(&path, b"file bytes").expect("written");

    let server = wire::serve(vec![
        Answer::too_many_requests(),
        Answer::created(r#"{"id":"d3"}"#),
    ])
    .await;
    client(&server.base_url)
        .upload_document(document(FilePart::path(&path)))
        .send()
        .await
        .expect("stored on the second attempt");
    let requests = server.requests().await;
    assert_eq!(requests.len(), 2);
    let bodies: Vec<Vec<Part>> = requests
        .iter()
        .map(|r| wire::parse_multipart(&r.body, &r.boundary("multipart/form-data")))
        .collect();
    assert_eq!(bodies[0], bodies[1]);
    let file = bodies[1]
        .iter()
        .find(|p| p.name() == "file")
        .expect("a file part");
    assert_eq!(file.body, b"file bytes");
}

#[tokio::test]
async fn a_mixed_body_says_multipart_mixed_with_its_boundary() {
    let server = wire::serve(vec![Answer::no_content()]).await;
    client(&server.base_url)
        .send_bundle()
        .body(SendBundleBody {
            note: Some("hello".to_owned()),
            data: Some(FilePart::bytes(vec![0_u8, 1, 2])),
        })
        .send()
        .await
        .expect("sent");
    let requests = server.requests().await;
    let boundary = requests[0].boundary("multipart/mixed");
    assert_eq!(
        requests[0].header("content-length"),
        Some(requests[0].body.len().to_string().as_str())
    );
    // reqwest's encoder (the only multipart encoder the runtime uses) names
    // every part with `Content-Disposition: form-data; name=...`, in a
    // `multipart/mixed` body too; RFC 2046 lets a part carry it, and the names
    // say which property each part is (see the runtime's `multipart` docs).
    let parts = wire::parse_multipart(&requests[0].body, &boundary);
    assert_parts(
        &parts,
        &[
            ("note", None, "text/plain", &[], b"hello"),
            ("data", None, "application/octet-stream", &[], &[0, 1, 2]),
        ],
    );
}

/// `multipart/form-data: {}` names no parts: the caller names them with
/// `runtime::Parts`, and they go out in that order, each with its type.
#[tokio::test]
async fn a_body_whose_schema_names_no_parts_sends_the_parts_the_caller_names() {
    let server = wire::serve(vec![Answer::no_content()]).await;
    let parts = Parts::new()
        .text("title", "Q3")
        .json("meta", &serde_json::json!({"pages": 3}))
        .expect("serialises")
        .file("scan", FilePart::bytes(vec![7_u8, 8]).file_name("q3.bin"));
    client(&server.base_url)
        .send_opaque(parts)
        .send()
        .await
        .expect("sent");
    let requests = server.requests().await;
    let boundary = requests[0].boundary("multipart/form-data");
    assert_parts(
        &wire::parse_multipart(&requests[0].body, &boundary),
        &[
            ("title", None, "text/plain", &[], b"Q3"),
            ("meta", None, "application/json", &[], br#"{"pages":3}"#),
            ("scan", Some("q3.bin"), "application/octet-stream", &[], &[7, 8]),
        ],
    );
}

#[tokio::test]
async fn a_missing_file_is_an_error_before_anything_is_sent() {
    let server = wire::serve(vec![Answer::created("{}")]).await;
    let error = client(&server.base_url)
        .upload_document(document(FilePart::path("/nonexistent/report.pdf")))
        .send()
        .await
        .expect_err("no such file");
    assert!(error.to_string().contains("report.pdf"), "{error}");
    assert!(server.requests().await.is_empty());
}

/// A mock built from the same typed parts matches the body the client sends,
/// part by part, whatever the boundary; a body with another part does not.
#[cfg(feature = "mock")]
#[tokio::test]
async fn mocks_match_multipart_bodies_part_by_part() {
    use fixture_multipart::mock::MockServer;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, b"%PDF-1.7").expect("written");

    let server = MockServer::start().await;
    server
        .upload_document(document(FilePart::path(&path)))
        .respond(&Stored { id: Some("m1".to_owned()) })
        .expect(1)
        .mount()
        .await;
    server
        .send_bundle()
        .body(SendBundleBody {
            note: Some("hello".to_owned()),
            data: Some(FilePart::bytes(vec![0_u8, 1, 2])),
        })
        .respond_status(204)
        .expect(1)
        .mount()
        .await;
    let client: Client = server.client();
    let stored = client
        .upload_document(document(FilePart::path(&path)))
        .send()
        .await
        .expect("matched");
    assert_eq!(stored.id.as_deref(), Some("m1"));
    client
        .send_bundle()
        .body(SendBundleBody {
            note: Some("hello".to_owned()),
            data: Some(FilePart::bytes(vec![0_u8, 1, 2])),
        })
        .send()
        .await
        .expect("matched");
    // Another title, another header value, another file name: no mock.
    let mut other = document(FilePart::path(&path));
    other.title = "Q4 report".to_owned();
    assert!(client.upload_document(other).send().await.is_err());
    let mut other = document(FilePart::path(&path));
    other.part_headers = PartHeaders::new().header("title", "X-Lang", "fr");
    assert!(client.upload_document(other).send().await.is_err());
    let other = document(FilePart::path(&path).file_name("other.pdf"));
    assert!(client.upload_document(other).send().await.is_err());
    server.verify().await;
}
