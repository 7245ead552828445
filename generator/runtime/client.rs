//! The API client, its builder, and the single place requests go on the wire.
// Hand-written runtime, copied verbatim into generated crates by the generator; edit it in generator/runtime/.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT,
};
use tracing::Instrument;
use url::Url;

use super::encode::{check_expanded_path, encode_query};
use super::{ApiError, Error, RawResponse, Request};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
const REDACTED: &str = "<redacted>";

/// The API client. Cheap to clone: clones share one connection pool and
/// configuration, so create one and pass it around.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    http: reqwest::Client,
    base_url: String,
    authorization: Option<HeaderValue>,
    // Includes User-Agent, so a caller-supplied reqwest::Client gets it too.
    default_headers: HeaderMap,
    timeout: Option<Duration>,
}

impl Client {
    /// A client for the spec's default server, authenticating with `token`
    /// (an OAuth access token, with or without the `Bearer ` prefix).
    pub fn new(token: impl Into<String>) -> Result<Client, Error> {
        Client::builder().bearer_token(token).build()
    }

    /// A client for another server (a mock, a proxy, a regional deployment).
    pub fn with_base_url(
        base_url: impl Into<String>,
        token: impl Into<String>,
    ) -> Result<Client, Error> {
        Client::builder()
            .base_url(base_url)
            .bearer_token(token)
            .build()
    }

    /// A builder for every other setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The base URL requests are sent to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Sends `request` and reads the whole response.
    ///
    /// A 2xx status is `Ok`; any other status is [`Error::Api`] with the body
    /// kept and, when it matches the API's error schema, parsed.
    pub async fn execute(&self, request: Request) -> Result<RawResponse, Error> {
        let span = tracing::debug_span!(
            "api_request",
            operation = request.operation_id(),
            method = %request.method(),
            path = request.path_template(),
            status = tracing::field::Empty,
        );
        self.execute_in_span(request).instrument(span).await
    }

    // Retries and token refresh belong here, around `send_once`: the URL is
    // built once, and `send_once` borrows the request so it can be re-sent.
    async fn execute_in_span(&self, request: Request) -> Result<RawResponse, Error> {
        let url = self.url_for(&request)?;
        let started = Instant::now();
        let response = match self.send_once(&request, &url).await {
            Ok(response) => response,
            Err(error) => {
                tracing::debug!(elapsed_ms = elapsed_ms(started), error = %error, "request failed");
                return Err(error);
            }
        };
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        tracing::debug!(
            status = status.as_u16(),
            elapsed_ms = elapsed_ms(started),
            "response received"
        );
        if status.is_success() {
            Ok(response)
        } else {
            Err(Error::Api(ApiError::from_response(response)))
        }
    }

    /// One attempt: any status is `Ok`, only transport failures are errors.
    async fn send_once(&self, request: &Request, url: &Url) -> Result<RawResponse, Error> {
        let mut headers = self.inner.default_headers.clone();
        if let Some(media) = request.accept_media() {
            headers.insert(ACCEPT, static_header_value("Accept", media)?);
        }
        if let Some((_, content_type)) = request.body_bytes() {
            headers.insert(
                CONTENT_TYPE,
                static_header_value("Content-Type", content_type)?,
            );
        }
        for (name, value) in request.headers() {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(authorization) = self.authorization().await? {
            headers.insert(AUTHORIZATION, authorization);
        }

        let mut builder = self
            .inner
            .http
            .request(request.method().clone(), url.clone())
            .headers(headers);
        if let Some((bytes, _)) = request.body_bytes() {
            builder = builder.body(bytes.clone());
        }
        if let Some(timeout) = self.inner.timeout {
            builder = builder.timeout(timeout);
        }

        let mut response = builder.send().await.map_err(Error::from_reqwest)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = response.bytes().await.map_err(Error::from_reqwest)?;
        Ok(RawResponse::new(status, headers, body))
    }

    // Async and fallible so a refreshing token provider can replace the static token.
    async fn authorization(&self) -> Result<Option<HeaderValue>, Error> {
        Ok(self.inner.authorization.clone())
    }

    fn url_for(&self, request: &Request) -> Result<Url, Error> {
        let path = request.path();
        if !path.is_empty() && !path.starts_with('/') {
            return Err(Error::InvalidRequest(format!(
                "request path `{path}` does not start with `/`"
            )));
        }
        check_expanded_path(request.path_template(), path)?;
        let mut url = format!("{}{path}", self.inner.base_url);
        if !request.query_pairs().is_empty() {
            url.push('?');
            url.push_str(&encode_query(request.query_pairs()));
        }
        Url::parse(&url).map_err(|error| {
            Error::InvalidRequest(format!("could not build the request URL: {error}"))
        })
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field(
                "bearer_token",
                &inner.authorization.as_ref().map(|_| REDACTED),
            )
            .field("timeout", &inner.timeout)
            .field(
                "default_headers",
                &inner.default_headers.keys().collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Setters only record; everything is validated by
/// [`ClientBuilder::build`], which reports problems as [`Error::InvalidRequest`].
#[derive(Clone)]
#[must_use = "a ClientBuilder does nothing until `build()` is called"]
pub struct ClientBuilder {
    base_url: String,
    token: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    default_headers: Vec<(String, String)>,
    http_client: Option<reqwest::Client>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder::new()
    }
}

impl ClientBuilder {
    /// Defaults: the spec's server, no token, 60 s request timeout, 10 s
    /// connect timeout, User-Agent `<crate>/<version>`.
    pub fn new() -> Self {
        ClientBuilder {
            base_url: crate::DEFAULT_BASE_URL.to_owned(),
            token: None,
            timeout: None,
            connect_timeout: None,
            user_agent: None,
            default_headers: Vec::new(),
            http_client: None,
        }
    }

    /// The server to call; `http` or `https`, no query or fragment. A trailing
    /// slash is dropped because the spec's paths start with `/`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The OAuth access token sent as `Authorization: Bearer <token>`. A token
    /// that already starts with `Bearer ` (as iTwin auth clients return it) is
    /// sent as is.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Limit for a whole request, from connecting until the body is read.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Limit for establishing a connection. Cannot be combined with
    /// [`ClientBuilder::http_client`]; configure that client instead.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Replaces the default User-Agent.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// A header sent with every request; operation parameters and the token
    /// take precedence over it.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Uses a caller-configured `reqwest` client (proxy, TLS roots, pool
    /// settings). The request timeout still applies if set here.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Validates the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = normalise_base_url(&self.base_url)?;
        let authorization = self.token.as_deref().map(authorization_value).transpose()?;

        let mut default_headers = HeaderMap::new();
        for (name, value) in &self.default_headers {
            let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::InvalidRequest(format!("`{name}` is not a valid header name"))
            })?;
            let header_value = HeaderValue::try_from(value.as_str()).map_err(|_| {
                Error::InvalidRequest(format!(
                    "the value of default header `{name}` is not a valid header value"
                ))
            })?;
            default_headers.append(header_name, header_value);
        }
        // An explicit user_agent wins; otherwise keep a User-Agent given as a default header.
        let user_agent = match (&self.user_agent, default_headers.contains_key(USER_AGENT)) {
            (Some(agent), _) => Some(agent.as_str()),
            (None, false) => Some(DEFAULT_USER_AGENT),
            (None, true) => None,
        };
        if let Some(agent) = user_agent {
            let value = HeaderValue::try_from(agent).map_err(|_| {
                Error::InvalidRequest("the User-Agent is not a valid header value".to_owned())
            })?;
            default_headers.insert(USER_AGENT, value);
        }

        let (http, timeout) = match self.http_client {
            Some(_) if self.connect_timeout.is_some() => {
                return Err(Error::InvalidRequest(
                    "connect_timeout cannot be applied to a caller-supplied reqwest::Client"
                        .to_owned(),
                ))
            }
            Some(http) => (http, self.timeout),
            None => {
                let http = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .build()
                    .map_err(|error| {
                        Error::InvalidRequest(format!("could not create the HTTP client: {error}"))
                    })?;
                (http, Some(self.timeout.unwrap_or(DEFAULT_TIMEOUT)))
            }
        };

        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base_url,
                authorization,
                default_headers,
                timeout,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("bearer_token", &self.token.as_ref().map(|_| REDACTED))
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            // Values may be API keys; names are enough to debug with.
            .field(
                "default_headers",
                &self
                    .default_headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field("custom_http_client", &self.http_client.is_some())
            .finish()
    }
}

fn normalise_base_url(raw: &str) -> Result<String, Error> {
    let invalid =
        |reason: String| Error::InvalidRequest(format!("invalid base URL `{raw}`: {reason}"));
    let url = Url::parse(raw.trim()).map_err(|error| invalid(error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "scheme `{}` is not http or https",
            url.scheme()
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "a base URL cannot have a query or fragment".to_owned(),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn authorization_value(token: &str) -> Result<HeaderValue, Error> {
    let token = token.trim();
    let credentials = match token.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim_start(),
        _ if token.eq_ignore_ascii_case("bearer") => "",
        _ => token,
    };
    if credentials.is_empty() {
        return Err(Error::InvalidRequest(
            "the bearer token is empty".to_owned(),
        ));
    }
    let mut value = HeaderValue::try_from(format!("Bearer {credentials}")).map_err(|_| {
        Error::InvalidRequest(
            "the bearer token contains characters not allowed in an HTTP header".to_owned(),
        )
    })?;
    // Keeps the token out of HTTP/2 header compression tables and Debug output.
    value.set_sensitive(true);
    Ok(value)
}

fn static_header_value(name: &str, value: &'static str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::InvalidRequest(format!("`{value}` is not a valid {name} header value")))
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_is_validated_and_trimmed() {
        let client = Client::with_base_url("https://example.com/imodels/", "t").expect("valid");
        assert_eq!(client.base_url(), "https://example.com/imodels");
        let client = Client::with_base_url("http://127.0.0.1:8080", "t").expect("valid");
        assert_eq!(client.base_url(), "http://127.0.0.1:8080");
        for bad in [
            "",
            "example.com",
            "ftp://example.com",
            "https://example.com/?a=1",
            "https://x/#f",
            "http://",
        ] {
            assert!(
                matches!(
                    Client::with_base_url(bad, "t"),
                    Err(Error::InvalidRequest(_))
                ),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn default_base_url_is_the_specs() {
        let client = Client::new("t").expect("valid");
        assert_eq!(
            client.base_url(),
            crate::DEFAULT_BASE_URL.trim_end_matches('/')
        );
    }

    #[test]
    fn token_is_redacted_in_debug() {
        let secret = "eyJ-super-secret-token";
        let builder = Client::builder()
            .bearer_token(secret)
            .default_header("X-Api-Key", "another-secret");
        let client = builder.clone().build().expect("valid");
        for text in [
            format!("{builder:?}"),
            format!("{client:?}"),
            format!("{client:#?}"),
        ] {
            assert!(!text.contains(secret), "{text}");
            assert!(!text.contains("another-secret"), "{text}");
            assert!(text.contains(REDACTED), "{text}");
        }
    }

    #[test]
    fn token_prefix_and_validation() {
        let value = authorization_value("abc").expect("valid");
        assert_eq!(value, "Bearer abc");
        assert!(value.is_sensitive());
        assert_eq!(
            authorization_value(" bearer  abc\n").expect("valid"),
            "Bearer abc"
        );
        assert!(authorization_value("").is_err());
        assert!(authorization_value("Bearer ").is_err());
        assert!(authorization_value("bearer").is_err());
        assert_eq!(
            authorization_value("BEARER\tabc").expect("valid"),
            "Bearer abc"
        );
        assert_eq!(
            authorization_value("Bearerabc").expect("valid"),
            "Bearer Bearerabc"
        );
        assert!(authorization_value("a\nb").is_err());
    }

    #[test]
    fn bad_headers_and_conflicting_settings_are_errors() {
        assert!(Client::builder()
            .default_header("bad name", "x")
            .build()
            .is_err());
        assert!(Client::builder()
            .default_header("X-A", "a\r\nb")
            .build()
            .is_err());
        assert!(Client::builder().user_agent("a\nb").build().is_err());
        let conflicting = Client::builder()
            .http_client(reqwest::Client::new())
            .connect_timeout(Duration::from_secs(1))
            .build();
        assert!(matches!(conflicting, Err(Error::InvalidRequest(_))));
    }

    #[test]
    fn user_agent_precedence() {
        let agent = |builder: ClientBuilder| {
            let client = builder.build().expect("valid");
            client.inner.default_headers.get(USER_AGENT).cloned()
        };
        assert_eq!(
            agent(Client::builder()).as_ref().map(|v| v.as_bytes()),
            Some(DEFAULT_USER_AGENT.as_bytes())
        );
        assert_eq!(
            agent(Client::builder().user_agent("me/1")).expect("set"),
            "me/1"
        );
        assert_eq!(
            agent(Client::builder().default_header("User-Agent", "dh/1")).expect("set"),
            "dh/1"
        );
    }

    #[test]
    fn client_is_send_sync_and_execute_is_send() {
        fn assert_send_sync<T: Send + Sync>(_: &T) {}
        fn assert_send<T: Send>(_: &T) {}
        let client = Client::new("t").expect("valid");
        assert_send_sync(&client);
        let future = client.execute(Request::new(
            "Op",
            reqwest::Method::GET,
            "/",
            "/".to_owned(),
        ));
        assert_send(&future);
    }

    #[test]
    fn url_is_base_plus_path_plus_query() {
        let client = Client::with_base_url("https://example.com/imodels/", "t").expect("valid");
        let mut request = Request::new("Op", reqwest::Method::GET, "/{id}", "/a%20b".to_owned());
        request.query("$top", &5);
        request.query("q", "x y&z");
        let url = client.url_for(&request).expect("valid");
        assert_eq!(
            url.as_str(),
            "https://example.com/imodels/a%20b?$top=5&q=x%20y%26z"
        );

        let dots = Request::new(
            "Op",
            reqwest::Method::GET,
            "/{id}",
            format!("/{}", super::super::encode_path_segment("..")),
        );
        assert!(matches!(
            client.url_for(&dots),
            Err(Error::InvalidRequest(_))
        ));
        let relative = Request::new("Op", reqwest::Method::GET, "{id}", "abc".to_owned());
        assert!(matches!(
            client.url_for(&relative),
            Err(Error::InvalidRequest(_))
        ));
    }
}
