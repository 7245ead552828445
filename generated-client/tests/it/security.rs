//! Where credentials and caller data can go: redirects (the token and API-key
//! headers stay with the base URL's origin), `Location` headers of `201`/`202`
//! answers (never followed), path and query values (never escape their place
//! in the URL), and TLS (rustls, certificates checked).
//!
//! Hand-written (not generated); `cargo xtask codegen` does not touch `tests/`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use generated_client::models::{CloneIModel, CreateIModel, ForkIModel};
use generated_client::runtime::{Method, Request, StatusCode};
use generated_client::{Client, ClientBuilder, Error, RetryPolicy};
use percent_encoding::percent_decode_str;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::Execute;
use crate::support::{header, imodel_json, imodel_ok, received, IMODEL_ID, ITWIN_ID, TOKEN};

const API_KEY: &str = "api-key-secret";

/// A client of `server` with the token and an API key as a default header, no
/// retries (a redirect answer is final either way).
fn client_with_credentials(server: &MockServer) -> Client {
    with_credentials(Client::builder().base_url(server.uri()))
        .build()
        .expect("valid")
}

fn with_credentials(builder: ClientBuilder) -> ClientBuilder {
    builder
        .bearer_token(TOKEN)
        .default_header("X-Api-Key", API_KEY)
        .retry_policy(RetryPolicy::disabled())
}

/// A server that counts requests and answers any of them with an iModel: the
/// place a redirect or `Location` header points at.
async fn elsewhere() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(imodel_ok())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(imodel_ok())
        .mount(&server)
        .await;
    server
}

fn redirect(status: u16, location: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).insert_header("Location", location)
}

// -------------------------------------------------------------- Redirects

#[tokio::test]
async fn cross_origin_redirect_is_not_followed_and_the_3xx_is_returned() {
    let other = elsewhere().await;
    let target = format!("{}/steal?from=redirect", other.uri());
    for status in [301, 302, 303, 307, 308] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(redirect(status, &target))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(redirect(status, &target))
            .expect(1)
            .mount(&server)
            .await;
        let client = client_with_credentials(&server);

        let error = client
            .get_imodel(IMODEL_ID)
            .send()
            .await
            .expect_err("a 3xx is not a success");
        let Error::Api(api) = &error else {
            panic!("{status}: expected Error::Api, got {error:?}")
        };
        assert_eq!(api.status().as_u16(), status);
        assert_eq!(
            api.headers()["location"],
            target.as_str(),
            "kept for the caller"
        );

        // A 307/308 would resend the body too.
        let error = client
            .create_imodel(CreateIModel::new(ITWIN_ID, "secret plans"))
            .send()
            .await
            .expect_err("a 3xx is not a success");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
    }
    assert!(
        received(&other).await.is_empty(),
        "the other origin was contacted: {:#?}",
        received(&other).await
    );
}

#[tokio::test]
async fn same_server_under_another_host_name_or_scheme_is_another_origin() {
    let server = MockServer::start().await;
    let port = server.address().port();
    for location in [
        // The same listener, reached by another name: another origin all the same.
        format!("http://localhost:{port}/{IMODEL_ID}"),
        format!("https://127.0.0.1:{port}/{IMODEL_ID}"),
    ] {
        server.reset().await;
        Mock::given(method("GET"))
            .and(path("/start"))
            .respond_with(redirect(302, &location))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(imodel_ok())
            .mount(&server)
            .await;
        let client = client_with_credentials(&server);
        let request = Request::new("Probe", Method::GET, "/start", "/start".to_owned());
        let error = client.execute(request).await.expect_err("not followed");
        assert_eq!(error.status(), Some(StatusCode::FOUND), "{location}");
        assert_eq!(received(&server).await.len(), 1, "{location} was followed");
    }
}

#[tokio::test]
async fn same_origin_redirect_is_followed_with_the_credentials() {
    let server = MockServer::start().await;
    let moved = format!("/moved/{IMODEL_ID}");
    Mock::given(method("GET"))
        .and(path(format!("/{IMODEL_ID}")))
        .respond_with(redirect(301, &moved))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(moved.as_str()))
        .respond_with(imodel_ok())
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with_credentials(&server);

    let imodel = client
        .get_imodel(IMODEL_ID)
        .send()
        .await
        .expect("followed")
        .into_inner();
    assert_eq!(imodel.id, Some(IMODEL_ID));
    let requests = received(&server).await;
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(
            header(request, "authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(header(request, "x-api-key"), Some(API_KEY));
    }
}

#[tokio::test]
async fn redirect_loop_is_an_error_not_a_hang() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(redirect(302, "/again"))
        .mount(&server)
        .await;
    let client = client_with_credentials(&server);

    let error = tokio::time::timeout(Duration::from_secs(10), client.get_imodel(IMODEL_ID).send())
        .await
        .expect("no hang")
        .expect_err("a loop");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(error.to_string(), "HTTP transport error: redirect failed");
    // The first request and ten redirects, once: not retried either.
    assert_eq!(received(&server).await.len(), 11);
}

#[tokio::test]
async fn caller_supplied_client_follows_cross_origin_redirects_without_authorization() {
    // With its own reqwest client, the caller also gets reqwest's redirect
    // policy: it follows other origins and strips only Authorization, Cookie
    // and proxy credentials. That a custom credential header goes along is why
    // the builder's own client does not follow such redirects at all.
    let other = elsewhere().await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(redirect(302, &format!("{}/landed", other.uri())))
        .mount(&server)
        .await;
    let client = with_credentials(Client::builder().base_url(server.uri()))
        .http_client(reqwest::Client::new())
        .build()
        .expect("valid");

    client.get_imodel(IMODEL_ID).send().await.expect("followed");
    let landed = received(&other).await;
    assert_eq!(landed.len(), 1);
    assert_eq!(landed[0].url.path(), "/landed");
    assert_eq!(header(&landed[0], "authorization"), None);
    assert_eq!(header(&landed[0], "x-api-key"), Some(API_KEY));
}

// ---------------------------------------------------- Location of 201/202

#[tokio::test]
async fn location_of_a_201_or_202_is_never_followed() {
    let other = elsewhere().await;
    let server = MockServer::start().await;
    let foreign = format!("{}/imodels/{IMODEL_ID}", other.uri());
    let local = format!("{}/{IMODEL_ID}", server.uri());
    Mock::given(method("POST"))
        .and(path(format!("/{IMODEL_ID}/clone")))
        .respond_with(ResponseTemplate::new(202).insert_header("Location", foreign.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/{IMODEL_ID}/fork")))
        .respond_with(ResponseTemplate::new(202).insert_header("Location", local.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(imodel_json())
                .insert_header("Location", foreign.as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with_credentials(&server);

    let cloned = client
        .clone_imodel(IMODEL_ID, CloneIModel::new(ITWIN_ID, "Copy"))
        .send()
        .await
        .expect("202");
    assert_eq!(cloned.status(), StatusCode::ACCEPTED);
    assert_eq!(cloned.headers()["location"], foreign.as_str());
    let forked = client
        .fork_imodel(IMODEL_ID, ForkIModel::new(ITWIN_ID, "Fork"))
        .send()
        .await
        .expect("202");
    assert_eq!(forked.headers()["location"], local.as_str());
    let created = client
        .create_imodel(CreateIModel::new(ITWIN_ID, "New"))
        .send()
        .await
        .expect("201");
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers()["location"], foreign.as_str());

    assert!(received(&other).await.is_empty());
    let requests = received(&server).await;
    assert_eq!(requests.len(), 3, "{requests:#?}");
    assert!(requests.iter().all(|r| r.method.as_str() == "POST"));
}

// ------------------------------------------------------ URL construction

#[tokio::test]
async fn adversarial_path_parameters_stay_in_their_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "changeset": { "id": "echo" } })),
        )
        .mount(&server)
        .await;
    let client = client_with_credentials(&server);

    let refused = ["", ".", ".."];
    let sent = [
        "../",
        "../../../etc/passwd",
        "..%2f..%2f",
        "%2e%2e",
        "%2E%2E",
        ".%2e",
        "..\\..\\x",
        "?x=1",
        "x?$top=1&iTwinId=evil",
        "#frag",
        "a/b",
        "/",
        "//evil.example/x",
        "http://evil.example/",
        "a\r\nX-Injected: 1",
        "a\tb\nc",
        "\0",
        "%",
        "%zz",
        "é☃𝄞",
        "\u{202e}gnp.exe",
        "...",
        " ",
        "+",
        ";a=b",
    ];
    for id in refused {
        let error = client
            .get_changeset(IMODEL_ID, id)
            .send()
            .await
            .expect_err("refused");
        assert!(
            matches!(error, Error::InvalidRequest(_)),
            "{id:?}: {error:?}"
        );
    }
    assert!(received(&server).await.is_empty(), "refused before sending");

    for id in sent {
        client
            .get_changeset(IMODEL_ID, id)
            .send()
            .await
            .unwrap_or_else(|error| panic!("{id:?}: {error:?}"));
    }
    let requests = received(&server).await;
    assert_eq!(requests.len(), sent.len());
    let host = format!("127.0.0.1:{}", server.address().port());
    for (request, id) in requests.iter().zip(sent) {
        let segments: Vec<&str> = request.url.path().split('/').collect();
        assert_eq!(
            segments[..3],
            ["", IMODEL_ID.to_string().as_str(), "changesets"],
            "{id:?} arrived as {}",
            request.url
        );
        assert_eq!(segments.len(), 4, "{id:?} arrived as {}", request.url);
        let decoded = percent_decode_str(segments[3])
            .decode_utf8()
            .expect("UTF-8");
        assert_eq!(decoded, id, "{id:?} arrived as {}", request.url);
        assert_eq!(request.url.query(), None, "{id:?}");
        assert_eq!(request.url.fragment(), None, "{id:?}");
        assert_eq!(header(request, "host"), Some(host.as_str()), "{id:?}");
        assert_eq!(header(request, "x-injected"), None, "{id:?}");
    }
}

#[tokio::test]
async fn query_values_arrive_intact_as_one_parameter() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = client_with_credentials(&server);
    let values = [
        "a&b",
        "x=y",
        "a&iTwinId=evil",
        "#frag",
        "1+1",
        "a b",
        "  ",
        "é ☃ 𝄞",
        "%20",
        "%",
        "?",
        "/../..",
        "",
        "a\r\nb",
        ";c=d",
        "$top=1",
        "\0",
    ];
    for value in values {
        let mut request = Request::new("Probe", Method::GET, "/", "/".to_owned());
        request.query("q", value);
        request.query("after", "1");
        client
            .execute(request)
            .await
            .unwrap_or_else(|error| panic!("{value:?}: {error:?}"));
    }

    let requests = received(&server).await;
    assert_eq!(requests.len(), values.len());
    for (request, value) in requests.iter().zip(values) {
        let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("q".to_owned(), value.to_owned()),
                ("after".to_owned(), "1".to_owned())
            ],
            "{value:?} arrived as {}",
            request.url
        );
        assert_eq!(request.url.path(), "/", "{value:?}");
        assert_eq!(request.url.fragment(), None, "{value:?}");
    }
}

// -------------------------------------------------------------------- TLS

/// An HTTPS server on loopback with a fresh self-signed certificate for
/// `localhost` and `127.0.0.1`, answering every request with an iModel.
struct TlsServer {
    address: SocketAddr,
    certificate: CertificateDer<'static>,
    /// Requests read after a completed handshake.
    requests: Arc<AtomicUsize>,
    /// Handshakes the client broke off.
    refused: Arc<AtomicUsize>,
}

impl TlsServer {
    async fn start() -> TlsServer {
        let rcgen::CertifiedKey { cert, key_pair } = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .expect("a certificate");
        let certificate = cert.der().clone();
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
        // Name the provider: the default one depends on the features other
        // crates in the build happen to enable.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(vec![certificate.clone()], key)
            .expect("a usable certificate");
        let acceptor = TlsAcceptor::from(Arc::new(config));

        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let requests = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let (served, failed) = (Arc::clone(&requests), Arc::clone(&refused));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, served, failed) =
                    (acceptor.clone(), Arc::clone(&served), Arc::clone(&failed));
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        failed.fetch_add(1, Ordering::SeqCst);
                        return;
                    };
                    let mut head = Vec::new();
                    let mut buffer = [0_u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(read) => head.extend_from_slice(&buffer[..read]),
                        }
                    }
                    served.fetch_add(1, Ordering::SeqCst);
                    let body = imodel_json().to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = tls.write_all(response.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        TlsServer {
            address,
            certificate,
            requests,
            refused,
        }
    }

    fn uri(&self) -> String {
        format!("https://{}", self.address)
    }
}

#[tokio::test]
async fn self_signed_certificate_is_refused_by_the_default_client() {
    let server = TlsServer::start().await;
    for base_url in [
        server.uri(),
        format!("https://localhost:{}", server.address.port()),
    ] {
        let client = Client::builder()
            .base_url(&base_url)
            .bearer_token(TOKEN)
            .retry_policy(RetryPolicy::disabled())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("valid");
        let error = client
            .get_imodel(IMODEL_ID)
            .send()
            .await
            .expect_err("untrusted certificate");
        assert!(
            matches!(error, Error::Transport(_)),
            "{base_url}: {error:?}"
        );
        assert_eq!(error.to_string(), "HTTP transport error: could not connect");
        let chain = format!("{:?}", std::error::Error::source(&error));
        assert!(
            chain.contains("UnknownIssuer") || chain.contains("certificate"),
            "{chain}"
        );
    }
    // The server learns of the refusal from the client's alert; give it a moment.
    for _ in 0..200 {
        if server.refused.load(Ordering::SeqCst) == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        server.refused.load(Ordering::SeqCst),
        2,
        "both handshakes failed"
    );
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        0,
        "no request, no token"
    );
}

#[tokio::test]
async fn the_same_server_is_reached_once_its_certificate_is_trusted() {
    // The control for the test above: the server works, and the only thing
    // missing was trust, which a caller grants through its own reqwest client.
    let server = TlsServer::start().await;
    let certificate =
        reqwest::Certificate::from_der(server.certificate.as_ref()).expect("a DER certificate");
    let http = reqwest::Client::builder()
        .add_root_certificate(certificate)
        .build()
        .expect("an HTTP client");
    let client = Client::builder()
        .base_url(server.uri())
        .bearer_token(TOKEN)
        .retry_policy(RetryPolicy::disabled())
        .http_client(http)
        .build()
        .expect("valid");

    let imodel = client
        .get_imodel(IMODEL_ID)
        .send()
        .await
        .expect("trusted")
        .into_inner();
    assert_eq!(imodel.id, Some(IMODEL_ID));
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}
