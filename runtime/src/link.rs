//! Links an API returns (HAL-style `{"href": "…"}` objects, or plain URLs),
//! and calling one on the API's own origin.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use serde::de::DeserializeOwned;
use url::Url;

use super::{Error, HttpClient, Request, RequestOptions, ResponseValue};

/// Something that holds a URL: a string, or a link object of the API (a
/// generated model with an `href` string property implements it). Accepted
/// by [`HttpClient::download`], [`HttpClient::upload`] and a generated client's `get_link`.
///
/// `None` means the link has no URL (an optional `href` the server left
/// out); using it is an [`Error::InvalidRequest`] and nothing is sent.
pub trait Href {
    /// The URL, if the link has one.
    fn href(&self) -> Option<&str>;
}

impl Href for str {
    fn href(&self) -> Option<&str> {
        Some(self)
    }
}

impl Href for String {
    fn href(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: Href + ?Sized> Href for &T {
    fn href(&self) -> Option<&str> {
        (**self).href()
    }
}

/// An optional link (`_links.download` is often optional): `None` has no URL.
impl<T: Href> Href for Option<T> {
    fn href(&self) -> Option<&str> {
        self.as_ref().and_then(Href::href)
    }
}

/// The error for a link without a URL.
pub(crate) fn no_href() -> String {
    "the link has no href".to_owned()
}

/// Sends `GET` to `link`, a URL the API returned (absolute, or relative to
/// the base URL), with the client's default headers and retry policy, and
/// decodes a 2xx JSON answer as `T` (a non-2xx body is parsed as `E`).
///
/// `security` is the spec's document-level requirement, resolved by the
/// generated crate as for an operation without `security` of its own: the
/// credentials of its first satisfied alternative are sent, none for `&[]`;
/// `None` (a spec that declares no security at all) sends the client's token.
///
/// Only a link on the client's own origin (scheme, host and port of the base
/// URL) is called: any other is [`Error::ForeignOrigin`] and nothing is sent,
/// so the token never reaches another host. Links to storage services
/// (pre-signed URLs) are for [`HttpClient::download`] and
/// [`HttpClient::upload`], which send no token. Redirects are followed within
/// the origin only.
pub async fn get_link<T: DeserializeOwned, E: DeserializeOwned>(
    client: &HttpClient,
    link: &impl Href,
    options: RequestOptions,
    security: Option<super::Requirement>,
) -> Result<ResponseValue<T>, Error<E>> {
    let sent = async {
        let href = link
            .href()
            .ok_or_else(|| Error::InvalidRequest(no_href()))?;
        let url = same_origin_url(client.base_url(), href)?;
        let mut request = Request::new("GetLink", reqwest::Method::GET, "{link}", String::new());
        request.accept("application/json");
        request.options(options);
        if let Some(requirement) = security {
            request.security(requirement);
        }
        request.send_to(url);
        let raw = client.execute(request).await?;
        super::decode_json::<T>(raw, super::ANY_SUCCESS)
    };
    sent.await.map_err(Error::parse_body)
}

/// `href` resolved against `base_url`, when it is on the same origin.
fn same_origin_url(base_url: &str, href: &str) -> Result<Url, Error> {
    let base = Url::parse(&format!("{base_url}/"))
        .map_err(|error| Error::InvalidRequest(format!("could not parse the base URL: {error}")))?;
    let url = base
        .join(href)
        .map_err(|error| Error::InvalidRequest(format!("the link is not a URL: {error}")))?;
    if url.origin() != base.origin() || !matches!(url.scheme(), "http" | "https") {
        return Err(Error::ForeignOrigin(Box::new(ForeignOriginError {
            link_origin: url.origin().ascii_serialization(),
            api_origin: base.origin().ascii_serialization(),
        })));
    }
    Ok(url)
}

/// See [`Error::ForeignOrigin`]: a link on another origin than the API's,
/// which is not sent the client's token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refusing to send the API token to {link_origin}: the link is not on the API's origin {api_origin} (use download/upload for storage links)")]
pub struct ForeignOriginError {
    link_origin: String,
    api_origin: String,
}

impl ForeignOriginError {
    /// The origin (`scheme://host:port`) of the link that was refused.
    pub fn link_origin(&self) -> &str {
        &self.link_origin
    }

    /// The API's origin, from the client's base URL.
    pub fn api_origin(&self) -> &str {
        &self.api_origin
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // The runtime's root: `crate` here, `crate::runtime` in a vendored copy.
    use super::super::client::tests::Client;
    use super::super::{
        ApiClient, ApiKeyScheme, ClientBuilder, Requirement, SchemeKind, SecurityScheme,
    };

    #[test]
    fn strings_links_and_options_have_hrefs() {
        struct Link {
            href: Option<String>,
        }
        impl Href for Link {
            fn href(&self) -> Option<&str> {
                self.href.as_deref()
            }
        }
        fn href(link: impl Href) -> Option<String> {
            link.href().map(str::to_owned)
        }
        assert_eq!(href("a").as_deref(), Some("a"));
        assert_eq!(href(String::from("b")).as_deref(), Some("b"));
        let owned = String::from("c");
        assert_eq!(href(&owned).as_deref(), Some("c"));
        let link = Link {
            href: Some("d".into()),
        };
        assert_eq!(href(&link).as_deref(), Some("d"));
        assert_eq!(href(Some(&link)).as_deref(), Some("d"));
        assert_eq!(href(None::<&Link>), None);
        assert_eq!(href(Link { href: None }), None);
    }

    #[test]
    fn only_the_api_origin_is_called() {
        let base = "https://api.example.test/imodels";
        // (link, the URL called, or the origin refused)
        let cases: [(&str, Result<&str, &str>); 8] = [
            (
                "https://api.example.test/imodels/1/changesets/2",
                Ok("https://api.example.test/imodels/1/changesets/2"),
            ),
            // Another path on the same origin is the same API host.
            (
                "https://api.example.test/other/1",
                Ok("https://api.example.test/other/1"),
            ),
            ("/imodels/1", Ok("https://api.example.test/imodels/1")),
            ("1/x", Ok("https://api.example.test/imodels/1/x")),
            (
                "https://storage.example.test/imodels/1",
                Err("https://storage.example.test"),
            ),
            (
                "http://api.example.test/imodels/1",
                Err("http://api.example.test"),
            ),
            (
                "https://api.example.test:8443/imodels/1",
                Err("https://api.example.test:8443"),
            ),
            (
                "//evil.example.test/imodels",
                Err("https://evil.example.test"),
            ),
        ];
        for (link, expected) in cases {
            match (same_origin_url(base, link), expected) {
                (Ok(url), Ok(expected)) => assert_eq!(url.as_str(), expected, "{link}"),
                (Err(Error::ForeignOrigin(error)), Err(origin)) => {
                    assert_eq!(error.link_origin(), origin, "{link}");
                    assert_eq!(error.api_origin(), "https://api.example.test");
                }
                (other, _) => panic!("{link}: {other:?}"),
            }
        }
    }

    /// Follows one link with `security` through a client holding a bearer
    /// token and an API key, on a raw loopback socket; gives back the request
    /// exactly as it arrived.
    async fn link_request(security: Option<Requirement>) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base = format!("http://{}/api", listener.local_addr().expect("bound"));
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("a connection");
            let mut request = Vec::new();
            let mut buffer = [0_u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let read = stream.read(&mut buffer).await.expect("readable");
                assert!(read > 0, "the connection closed mid-request");
                request.extend_from_slice(&buffer[..read]);
            }
            let body = "{}";
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(answer.as_bytes()).await.expect("writable");
            String::from_utf8(request).expect("a text request head")
        });
        let client = ClientBuilder::<Client>::new()
            .base_url(&base)
            .bearer_token("client-token")
            .api_key(ApiKeyScheme(&KEY), "key-secret")
            .build()
            .expect("valid");
        let link = format!("{base}/things/1");
        get_link::<serde_json::Value, serde_json::Value>(
            ApiClient::http(&client),
            &link,
            RequestOptions::new(),
            security,
        )
        .await
        .expect("the link answers");
        server.await.expect("the server ran")
    }

    const KEY: SecurityScheme = SecurityScheme {
        key: "key",
        kind: SchemeKind::ApiKeyHeader("x-key"),
    };
    const BEARER: SecurityScheme = SecurityScheme {
        key: "bearer",
        kind: SchemeKind::Bearer,
    };

    #[tokio::test]
    async fn links_send_what_the_documents_security_asks_for() {
        const NONE: Requirement = &[];
        const BY_TOKEN: Requirement = &[&[&BEARER]];
        const BY_KEY: Requirement = &[&[&KEY]];
        // (the document's requirement, the credential sent, if any)
        let cases: [(Option<Requirement>, Option<&str>); 4] = [
            (Some(NONE), None),
            (Some(BY_TOKEN), Some("authorization: Bearer client-token")),
            (Some(BY_KEY), Some("x-key: key-secret")),
            // A spec that declares no security: the client's token, as operations.
            (None, Some("authorization: Bearer client-token")),
        ];
        for (security, expected) in cases {
            let request = link_request(security).await.to_ascii_lowercase();
            assert!(
                request.starts_with("get /api/things/1 http/1.1\r\n"),
                "{request}"
            );
            let sent: Vec<&str> = ["client-token", "key-secret"]
                .into_iter()
                .filter(|secret| request.contains(secret))
                .collect();
            match expected {
                Some(header) => {
                    assert!(
                        request.contains(&format!("{}\r\n", header.to_ascii_lowercase())),
                        "{security:?}: {request}"
                    );
                    assert_eq!(sent.len(), 1, "{security:?}: {request}");
                }
                None => assert!(sent.is_empty(), "{security:?}: {request}"),
            }
        }
    }
}
