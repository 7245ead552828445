//! Where the `Authorization` header comes from: a static token or a provider
//! asked before every attempt, so a refreshed token is used on retries.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::HeaderValue;

/// Any error a [`TokenProvider`] reports; it ends up as the source of
/// [`Error::Auth`](super::Error::Auth).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The future a [`TokenProvider`] returns. Boxed so the trait stays usable as
/// `dyn TokenProvider`, which `async fn` in traits is not.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, BoxError>> + Send + 'a>>;

/// A credential sent as `Authorization: <scheme> <token>`, like the
/// `{ scheme, token }` that Bentley's TypeScript clients get from their
/// `authorization` callback.
///
/// `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    scheme: String,
    token: String,
}

impl AccessToken {
    /// A token with an explicit scheme, e.g. `AccessToken::new("Bearer", token)`.
    pub fn new(scheme: impl Into<String>, token: impl Into<String>) -> Self {
        AccessToken {
            scheme: scheme.into(),
            token: token.into(),
        }
    }

    /// An OAuth bearer token. A leading `Bearer ` (any case), as iTwin auth
    /// clients' `getAccessToken()` returns it, is dropped so it is not sent twice.
    pub fn bearer(token: impl Into<String>) -> Self {
        let token = token.into();
        let trimmed = token.trim();
        let credentials = match trimmed.split_once(char::is_whitespace) {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim_start(),
            _ if trimmed.eq_ignore_ascii_case("bearer") => "",
            _ => trimmed,
        };
        AccessToken::new("Bearer", credentials)
    }

    /// The authentication scheme, e.g. `Bearer`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The token itself. Treat it as a secret: do not log it.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The `Authorization` value, marked sensitive so that `HeaderMap`'s
    /// `Debug` and HTTP/2 header compression leave it out. The message of the
    /// error never quotes the token.
    pub(crate) fn header_value(&self) -> Result<HeaderValue, String> {
        let scheme = self.scheme.trim();
        let token = self.token.trim();
        if scheme.is_empty() || !scheme.bytes().all(is_token_char) {
            return Err("the authorization scheme is empty or not an HTTP token".to_owned());
        }
        if token.is_empty() {
            return Err("the access token is empty".to_owned());
        }
        let mut value = HeaderValue::try_from(format!("{scheme} {token}")).map_err(|_| {
            "the access token contains characters not allowed in an HTTP header".to_owned()
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("scheme", &self.scheme)
            .field("token", &REDACTED)
            .finish()
    }
}

/// Supplies the credential for each request attempt.
///
/// The client asks once per attempt (a retried call asks again), so a provider
/// that caches and refreshes its token, as Bentley's auth clients do, keeps
/// long-running programs authenticated. A failure becomes
/// [`Error::Auth`](super::Error::Auth) and is not retried by the client.
///
/// A closure works as a provider:
///
/// ```
/// use openapi_client_runtime::{AccessToken, TokenProvider};
///
/// // What a generated crate's `Client::builder().token_fn(...)` takes.
/// fn from_env() -> impl TokenProvider {
///     || async { Ok(AccessToken::bearer(std::env::var("ACCESS_TOKEN")?)) }
/// }
/// # let _ = from_env();
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    /// The credential to send now.
    fn token(&self) -> TokenFuture<'_>;

    /// The `Authorization` value, when it is the same for every request (a
    /// fixed token): the client then sends it as it is, without asking
    /// [`token`](TokenProvider::token) and formatting the header each time.
    /// `None`, the default, asks `token` before every attempt.
    fn fixed_authorization(&self) -> Option<HeaderValue> {
        None
    }
}

impl<F, Fut> TokenProvider for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AccessToken, BoxError>> + Send + 'static,
{
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self())
    }
}

impl<P: TokenProvider + ?Sized> TokenProvider for Arc<P> {
    fn token(&self) -> TokenFuture<'_> {
        (**self).token()
    }

    fn fixed_authorization(&self) -> Option<HeaderValue> {
        (**self).fixed_authorization()
    }
}

/// The provider behind `ClientBuilder::bearer_token`: the same token every time.
#[derive(Clone)]
pub struct StaticToken {
    token: AccessToken,
    /// Its `Authorization` value, made once; `None` when the token cannot be
    /// one (then every request fails with the reason, from `token`).
    header: Option<HeaderValue>,
}

impl StaticToken {
    /// A provider that always returns `token`.
    pub fn new(token: AccessToken) -> Self {
        let header = token.header_value().ok();
        StaticToken { token, header }
    }
}

impl TokenProvider for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(std::future::ready(Ok(self.token.clone())))
    }

    fn fixed_authorization(&self) -> Option<HeaderValue> {
        self.header.clone()
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StaticToken").field(&self.token).finish()
    }
}

/// What `Debug` shows instead of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// RFC 9110 `tchar`: what an authentication scheme may consist of.
fn is_token_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(token: &AccessToken) -> Result<HeaderValue, String> {
        token.header_value()
    }

    #[test]
    fn bearer_prefix_is_dropped_and_value_is_sensitive() {
        let value = header(&AccessToken::bearer("abc")).expect("valid");
        assert_eq!(value, "Bearer abc");
        assert!(value.is_sensitive());
        for (raw, expected) in [
            (" bearer  abc\n", "Bearer abc"),
            ("BEARER\tabc", "Bearer abc"),
            ("Bearer abc", "Bearer abc"),
            ("Bearerabc", "Bearer Bearerabc"),
        ] {
            assert_eq!(
                header(&AccessToken::bearer(raw)).expect("valid"),
                expected,
                "{raw:?}"
            );
        }
        for bad in ["", "Bearer ", "bearer", "a\nb"] {
            assert!(header(&AccessToken::bearer(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn other_schemes_are_validated() {
        assert_eq!(
            header(&AccessToken::new("Basic", "dXNlcg==")).expect("valid"),
            "Basic dXNlcg=="
        );
        assert!(header(&AccessToken::new("", "x")).is_err());
        assert!(header(&AccessToken::new("Two words", "x")).is_err());
    }

    #[test]
    fn errors_and_debug_never_quote_the_token() {
        let secret = "s3cr3t\u{7}";
        let token = AccessToken::bearer(secret);
        let error = header(&token).expect_err("control character");
        assert!(!error.contains("s3cr3t"), "{error}");
        for text in [
            format!("{token:?}"),
            format!("{:?}", StaticToken::new(token.clone())),
        ] {
            assert!(!text.contains("s3cr3t"), "{text}");
            assert!(text.contains(REDACTED), "{text}");
        }
    }

    #[tokio::test]
    async fn closures_and_shared_providers_are_providers() {
        let provider: Arc<dyn TokenProvider> =
            Arc::new(|| async { Ok(AccessToken::bearer("from-closure")) });
        let shared = Arc::clone(&provider);
        assert_eq!(shared.token().await.expect("ok").token(), "from-closure");
        let fixed = StaticToken::new(AccessToken::bearer("fixed"));
        assert_eq!(fixed.token().await.expect("ok").token(), "fixed");
    }
}
