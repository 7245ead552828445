//! Security schemes and the credentials a client holds for them: which
//! credential goes with each request is decided here, per request, from the
//! operation's security requirement, so a credential only ever goes to an
//! operation that declares its scheme.
//!
//! A generated crate describes each scheme of its spec's
//! `components.securitySchemes` once (a [`SecurityScheme`], wrapped in a typed
//! handle such as [`ApiKeyScheme`] in its `schemes` module), and each operation
//! passes its resolved requirement to [`Request::security`](super::Request::security):
//! alternatives in order (OR), each a set of schemes that all apply together
//! (AND). The first alternative whose schemes all have a credential is sent;
//! `security: []` (no alternatives) sends nothing; an alternative with no schemes
//! (`{}`, "anonymous allowed") is always satisfied and sends nothing. When no
//! alternative is satisfied nothing is sent either, and the server answers (`401`).
//!
//! A request without a requirement (from a spec that declares no security at
//! all) sends the client's token, as clients always did.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, COOKIE};

use super::auth::REDACTED;
use super::{AccessToken, Error, TokenProvider};

/// One entry of the spec's `components.securitySchemes`: its key and how its
/// credential travels.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityScheme {
    /// The key in `components.securitySchemes` (`api_key`, `petstore_auth`).
    pub key: &'static str,
    pub kind: SchemeKind,
}

/// How a scheme's credential is sent.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>`: HTTP `bearer`, `oauth2`, `openIdConnect`.
    Bearer,
    /// HTTP `basic`: `Authorization: Basic base64(user:password)`.
    Basic,
    /// Another HTTP scheme (`Digest`, `HOBA`, ...): `Authorization: <scheme> <credentials>`.
    Http(&'static str),
    /// `apiKey` `in: header`, with the header's name.
    ApiKeyHeader(&'static str),
    /// `apiKey` `in: query`, with the parameter's name.
    ApiKeyQuery(&'static str),
    /// `apiKey` `in: cookie`, with the cookie's name.
    ApiKeyCookie(&'static str),
    /// `mutualTLS`: a client certificate, configured on the TLS connection
    /// (a [`ClientBuilder::http_client`](super::ClientBuilder::http_client) with an
    /// identity); it adds nothing to the request and always counts as configured.
    MutualTls,
}

/// An operation's resolved requirement: alternatives (OR) of schemes that all
/// apply together (AND). `&[]` sends nothing.
#[doc(hidden)]
pub type Requirement = &'static [&'static [&'static SecurityScheme]];

macro_rules! scheme_handle {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name(#[doc(hidden)] pub &'static SecurityScheme);

        impl $name {
            /// The scheme's key in the spec's `components.securitySchemes`.
            pub fn key(self) -> &'static str {
                self.0.key
            }
        }
    };
}

scheme_handle! {
    /// A scheme whose credential is a token sent as `Authorization: Bearer
    /// <token>`: HTTP `bearer`, `oauth2` or `openIdConnect`. Without a token of
    /// its own ([`ClientBuilder::scheme_token`](super::ClientBuilder::scheme_token)
    /// or [`scheme_token_provider`](super::ClientBuilder::scheme_token_provider)) it
    /// uses the client's (`bearer_token`, `token_fn`, `token_provider`).
    BearerScheme
}

scheme_handle! {
    /// An HTTP `basic` scheme; its user and password are set with
    /// [`ClientBuilder::basic_auth`](super::ClientBuilder::basic_auth).
    BasicScheme
}

scheme_handle! {
    /// An `apiKey` scheme (in a header, the query or a cookie); its key is set with
    /// [`ClientBuilder::api_key`](super::ClientBuilder::api_key).
    ApiKeyScheme
}

scheme_handle! {
    /// An HTTP scheme other than `basic` and `bearer`; its credentials are set with
    /// [`ClientBuilder::http_credentials`](super::ClientBuilder::http_credentials)
    /// and sent as `Authorization: <scheme> <credentials>`.
    HttpScheme
}

/// A credential configured for one scheme.
#[derive(Clone)]
pub(crate) enum Credential {
    /// Asked before every attempt, so a refreshed token is used on retries.
    Token(Arc<dyn TokenProvider>),
    Basic {
        user: String,
        password: String,
    },
    ApiKey(String),
    /// A ready `Authorization` value (another HTTP scheme).
    Authorization(HeaderValue),
}

/// The credentials of a client, by scheme key, and the client-wide token.
#[derive(Clone, Default)]
pub(crate) struct Credentials {
    by_scheme: BTreeMap<&'static str, Credential>,
    /// `bearer_token`/`token_fn`/`token_provider`: Bearer-kind schemes without
    /// a token of their own, and requests without a requirement.
    default_token: Option<Arc<dyn TokenProvider>>,
}

/// What one attempt adds to its request for security.
#[derive(Default)]
pub(crate) struct Applied {
    pub(crate) headers: HeaderMap,
    /// `name=value` pairs, not yet encoded.
    pub(crate) query: Vec<(&'static str, String)>,
    /// `name=value` cookie pairs, value already encoded.
    pub(crate) cookies: Vec<String>,
    /// HTTP basic credentials, encoded by reqwest (`RequestBuilder::basic_auth`).
    pub(crate) basic: Option<(String, String)>,
}

impl Credentials {
    pub(crate) fn new(
        by_scheme: BTreeMap<&'static str, Credential>,
        default_token: Option<Arc<dyn TokenProvider>>,
    ) -> Self {
        Credentials {
            by_scheme,
            default_token,
        }
    }

    /// Whether the client has a token of its own (`bearer_token`, `token_fn`).
    #[cfg(test)]
    pub(crate) fn has_default_token(&self) -> bool {
        self.default_token.is_some()
    }

    /// Whether there is a credential to send for `scheme`.
    fn configured(&self, scheme: &SecurityScheme) -> bool {
        match scheme.kind {
            SchemeKind::MutualTls => true,
            SchemeKind::Bearer => {
                self.by_scheme.contains_key(scheme.key) || self.default_token.is_some()
            }
            _ => self.by_scheme.contains_key(scheme.key),
        }
    }

    /// The alternative `requirement` sends: the first whose schemes all have a
    /// credential. `None` when none has.
    pub(crate) fn choose(
        &self,
        requirement: Requirement,
    ) -> Option<&'static [&'static SecurityScheme]> {
        requirement
            .iter()
            .copied()
            .find(|schemes| schemes.iter().all(|scheme| self.configured(scheme)))
    }

    /// What to add to an attempt: with no requirement, the client's token; else
    /// the chosen alternative's credentials. A token provider is asked now, so
    /// each attempt gets a fresh one. `skip_authorization` (a per-call
    /// `Authorization` header) leaves out every credential that would set it.
    pub(crate) async fn apply(
        &self,
        requirement: Option<Requirement>,
        skip_authorization: bool,
    ) -> Result<Applied, Error> {
        let mut applied = Applied::default();
        let Some(requirement) = requirement else {
            if let (Some(provider), false) = (&self.default_token, skip_authorization) {
                applied
                    .headers
                    .insert(AUTHORIZATION, authorization(provider.as_ref()).await?);
            }
            return Ok(applied);
        };
        let Some(schemes) = self.choose(requirement) else {
            tracing::debug!("no security alternative has credentials; sending none");
            return Ok(applied);
        };
        for scheme in schemes {
            let credential = self.by_scheme.get(scheme.key);
            match (scheme.kind, credential) {
                (SchemeKind::MutualTls, _) => {}
                (SchemeKind::Bearer, Some(Credential::Token(provider))) => {
                    if !skip_authorization {
                        let value = authorization(provider.as_ref()).await?;
                        applied.headers.insert(AUTHORIZATION, value);
                    }
                }
                (SchemeKind::Bearer, _) => {
                    if let (Some(provider), false) = (&self.default_token, skip_authorization) {
                        let value = authorization(provider.as_ref()).await?;
                        applied.headers.insert(AUTHORIZATION, value);
                    }
                }
                (SchemeKind::Basic, Some(Credential::Basic { user, password })) => {
                    if !skip_authorization {
                        applied.basic = Some((user.clone(), password.clone()));
                    }
                }
                (SchemeKind::Http(_), Some(Credential::Authorization(value))) => {
                    if !skip_authorization {
                        applied.headers.insert(AUTHORIZATION, value.clone());
                    }
                }
                (SchemeKind::ApiKeyHeader(name), Some(Credential::ApiKey(key))) => {
                    let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                        Error::InvalidRequest(format!("`{name}` is not a valid header name"))
                    })?;
                    applied
                        .headers
                        .insert(name, api_key_header(scheme.key, key)?);
                }
                (SchemeKind::ApiKeyQuery(name), Some(Credential::ApiKey(key))) => {
                    applied.query.push((name, key.clone()));
                }
                (SchemeKind::ApiKeyCookie(name), Some(Credential::ApiKey(key))) => {
                    applied
                        .cookies
                        .push(format!("{name}={}", super::encode_path_segment(key)));
                }
                // Checked when the client was built: a credential of another kind
                // cannot be configured for a scheme.
                _ => {
                    return Err(Error::InvalidRequest(format!(
                        "the credential configured for security scheme `{}` is not of its kind",
                        scheme.key
                    )))
                }
            }
        }
        Ok(applied)
    }
}

impl Applied {
    /// Adds the credentials to an attempt's headers: each header replaces one of
    /// the same name; cookies join any cookie parameters in one `Cookie` header.
    pub(crate) fn apply_headers(&self, headers: &mut HeaderMap) -> Result<(), Error> {
        for (name, value) in &self.headers {
            headers.insert(name.clone(), value.clone());
        }
        if self.basic.is_some() {
            // reqwest appends its own; none may be left from elsewhere.
            headers.remove(AUTHORIZATION);
        }
        if !self.cookies.is_empty() {
            let mut pairs: Vec<String> = headers
                .get_all(COOKIE)
                .iter()
                .filter_map(|value| value.to_str().ok().map(str::to_owned))
                .collect();
            pairs.extend(self.cookies.iter().cloned());
            let mut value = HeaderValue::try_from(pairs.join("; ")).map_err(|_| {
                Error::InvalidRequest("an API key cookie is not a valid header value".to_owned())
            })?;
            value.set_sensitive(true);
            headers.insert(COOKIE, value);
        }
        Ok(())
    }

    /// Adds the API keys that go in the query to `url`, percent-encoded.
    pub(crate) fn apply_query(&self, url: &mut url::Url) {
        if self.query.is_empty() {
            return;
        }
        let keys = super::encode::encode_query(
            self.query
                .iter()
                .map(|(name, value)| (*name, value.as_str())),
        );
        let query = match url.query() {
            Some(existing) if !existing.is_empty() => format!("{existing}&{keys}"),
            _ => keys,
        };
        url.set_query(Some(&query));
    }
}

/// An API key as a header value, marked sensitive; the error never quotes it.
fn api_key_header(scheme: &str, key: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::try_from(key).map_err(|_| {
        Error::InvalidRequest(format!(
            "the API key of scheme `{scheme}` is not a valid header value"
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The `Authorization` value a provider's token makes now.
pub(crate) async fn authorization(provider: &dyn TokenProvider) -> Result<HeaderValue, Error> {
    if let Some(value) = provider.fixed_authorization() {
        return Ok(value);
    }
    let token = provider.token().await.map_err(Error::Auth)?;
    token
        .header_value()
        .map_err(|message| Error::Auth(message.into()))
}

/// `Authorization: <scheme> <credentials>` for another HTTP scheme, checked
/// when the client is built.
pub(crate) fn http_authorization(scheme: &str, credentials: &str) -> Result<HeaderValue, String> {
    AccessToken::new(scheme, credentials).header_value()
}

/// Checks when the client is built that a credential can be sent: an API key
/// that is a valid header value (for header schemes), basic credentials whose
/// user has no `:` (RFC 7617).
pub(crate) fn check(scheme: &SecurityScheme, credential: &Credential) -> Result<(), Error> {
    let invalid =
        |reason: &str| Error::InvalidRequest(format!("security scheme `{}`: {reason}", scheme.key));
    match (scheme.kind, credential) {
        (SchemeKind::ApiKeyHeader(_) | SchemeKind::ApiKeyCookie(_), Credential::ApiKey(key)) => {
            if key.is_empty() {
                return Err(invalid("the API key is empty"));
            }
            api_key_header(scheme.key, key).map(|_| ())
        }
        (SchemeKind::ApiKeyQuery(_), Credential::ApiKey(key)) if key.is_empty() => {
            Err(invalid("the API key is empty"))
        }
        (SchemeKind::Basic, Credential::Basic { user, .. }) if user.contains(':') => {
            Err(invalid("a basic user name cannot contain `:`"))
        }
        _ => Ok(()),
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field(
                "schemes",
                &self
                    .by_scheme
                    .keys()
                    .map(|key| (key, REDACTED))
                    .collect::<BTreeMap<_, _>>(),
            )
            .field("token", &self.default_token.as_ref().map(|_| REDACTED))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::super::StaticToken;
    use super::*;

    const BEARER: SecurityScheme = SecurityScheme {
        key: "oauth",
        kind: SchemeKind::Bearer,
    };
    const BASIC: SecurityScheme = SecurityScheme {
        key: "basic",
        kind: SchemeKind::Basic,
    };
    const HEADER: SecurityScheme = SecurityScheme {
        key: "header_key",
        kind: SchemeKind::ApiKeyHeader("X-Api-Key"),
    };
    const QUERY: SecurityScheme = SecurityScheme {
        key: "query_key",
        kind: SchemeKind::ApiKeyQuery("api_key"),
    };
    const COOKIE_KEY: SecurityScheme = SecurityScheme {
        key: "cookie_key",
        kind: SchemeKind::ApiKeyCookie("session"),
    };

    fn credentials(keys: &[&'static str], token: bool) -> Credentials {
        let by_scheme = keys
            .iter()
            .map(|key| {
                let credential = match *key {
                    "basic" => Credential::Basic {
                        user: "u".to_owned(),
                        password: "p".to_owned(),
                    },
                    "oauth" => Credential::Token(Arc::new(StaticToken::new(AccessToken::bearer(
                        "scheme-token",
                    )))),
                    _ => Credential::ApiKey(format!("{key} value")),
                };
                (*key, credential)
            })
            .collect();
        let token = token.then(|| {
            Arc::new(StaticToken::new(AccessToken::bearer("client-token")))
                as Arc<dyn TokenProvider>
        });
        Credentials::new(by_scheme, token)
    }

    #[test]
    fn the_first_configured_alternative_is_chosen() {
        const OR: Requirement = &[&[&HEADER, &QUERY], &[&BASIC], &[]];
        const AND_ONLY: Requirement = &[&[&HEADER, &QUERY]];
        // (configured keys, client token, requirement, chosen scheme keys or None)
        type Case = (
            &'static [&'static str],
            bool,
            Requirement,
            Option<&'static [&'static str]>,
        );
        let cases: [Case; 7] = [
            (
                &["header_key", "query_key"],
                false,
                OR,
                Some(&["header_key", "query_key"]),
            ),
            (&["header_key", "basic"], false, OR, Some(&["basic"])),
            (&[], false, OR, Some(&[])),
            (&["header_key"], false, AND_ONLY, None),
            (&[], false, &[], None),
            (&[], true, &[&[&BEARER]], Some(&["oauth"])),
            (&[], false, &[&[&BEARER]], None),
        ];
        for (keys, token, requirement, expected) in cases {
            let chosen = credentials(keys, token)
                .choose(requirement)
                .map(|schemes| schemes.iter().map(|s| s.key).collect::<Vec<_>>());
            assert_eq!(
                chosen.as_deref(),
                expected,
                "{keys:?} token={token} {requirement:?}"
            );
        }
    }

    #[tokio::test]
    async fn each_kind_goes_where_its_scheme_says() {
        let all = credentials(&["basic", "header_key", "query_key", "cookie_key"], true);
        let applied = all
            .apply(Some(&[&[&HEADER, &QUERY, &COOKIE_KEY, &BEARER]]), false)
            .await
            .expect("applies");
        assert_eq!(applied.headers["x-api-key"], "header_key value");
        assert!(applied.headers["x-api-key"].is_sensitive());
        assert_eq!(applied.headers[AUTHORIZATION], "Bearer client-token");
        assert_eq!(applied.query, [("api_key", "query_key value".to_owned())]);
        assert_eq!(applied.cookies, ["session=cookie_key%20value"]);

        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("theme=dark"));
        applied.apply_headers(&mut headers).expect("valid");
        assert_eq!(headers[COOKIE], "theme=dark; session=cookie_key%20value");

        let mut url = url::Url::parse("http://h/p?a=1").expect("url");
        applied.apply_query(&mut url);
        assert_eq!(url.as_str(), "http://h/p?a=1&api_key=query_key%20value");

        let basic = all.apply(Some(&[&[&BASIC]]), false).await.expect("applies");
        assert_eq!(basic.basic, Some(("u".to_owned(), "p".to_owned())));
        assert!(basic.headers.is_empty());
    }

    #[tokio::test]
    async fn nothing_is_sent_without_a_declared_scheme() {
        let all = credentials(&["basic", "header_key", "query_key", "oauth"], true);
        let none = all.apply(Some(&[]), false).await.expect("applies");
        assert!(none.headers.is_empty() && none.query.is_empty() && none.basic.is_none());
        // No requirement at all: the client's token, as before.
        let legacy = all.apply(None, false).await.expect("applies");
        assert_eq!(legacy.headers[AUTHORIZATION], "Bearer client-token");
        // A scheme's own token wins over the client's; a per-call header over both.
        let own = all
            .apply(Some(&[&[&BEARER]]), false)
            .await
            .expect("applies");
        assert_eq!(own.headers[AUTHORIZATION], "Bearer scheme-token");
        let skipped = all.apply(Some(&[&[&BEARER]]), true).await.expect("applies");
        assert!(skipped.headers.is_empty());
    }

    #[test]
    fn bad_credentials_are_rejected_and_never_quoted() {
        let secret = "key\nwith newline";
        let error = check(&HEADER, &Credential::ApiKey(secret.to_owned())).expect_err("invalid");
        assert!(!error.to_string().contains("newline"), "{error}");
        assert!(check(&QUERY, &Credential::ApiKey(secret.to_owned())).is_ok());
        assert!(check(&QUERY, &Credential::ApiKey(String::new())).is_err());
        let basic = Credential::Basic {
            user: "a:b".to_owned(),
            password: String::new(),
        };
        assert!(check(&BASIC, &basic).is_err());
        let debug = format!("{:?}", credentials(&["header_key"], true));
        assert!(
            !debug.contains("value") && debug.contains(REDACTED),
            "{debug}"
        );
    }
}
