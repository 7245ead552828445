//! Settings for a single call that override the client's: extra headers and
//! query parameters, a timeout and a retry policy.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt;
use std::time::Duration;

use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION,
};

use super::{Error, RetryPolicy};

/// Per-call settings: a generated `Request`'s `with_header`, `with_query`,
/// `with_timeout` and `with_retry` set them for one call.
///
/// Headers are kept as strings and checked when the call is sent; an invalid
/// name or value fails that call with [`Error::InvalidRequest`] before
/// anything goes on the wire.
///
/// ```
/// use std::time::Duration;
/// use openapi_client_runtime::{RequestOptions, RetryPolicy};
///
/// let options = RequestOptions::new()
///     .header("X-Correlation-Id", "job-42")
///     .query("debug", "true")
///     .timeout(Duration::from_secs(5))
///     .retry(RetryPolicy::disabled());
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
pub struct RequestOptions {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
}

impl RequestOptions {
    /// No extra headers; the client's timeout and retry policy.
    pub fn new() -> Self {
        RequestOptions::default()
    }

    /// Adds a header to this call. It replaces a default header, a header
    /// parameter or the `Accept`/`Content-Type` the client would send under the
    /// same name; giving the same name twice sends both values. An
    /// `Authorization` header here is sent instead of the client's token (whose
    /// provider is then not asked).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds a query parameter to this call, after the operation's own: for a
    /// parameter the spec does not declare. Encoded like the others; giving a
    /// name twice sends it twice. Not sent when following a next-page link,
    /// which carries its own query.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Limit for each attempt of this call, replacing the client's timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retry policy for this call, replacing the client's.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The extra headers, checked.
    pub(crate) fn header_map(&self) -> Result<HeaderMap, Error> {
        let mut map = HeaderMap::new();
        for (name, value) in &self.headers {
            let (name, value) = parse_header(name, value, "request header")?;
            map.append(name, value);
        }
        Ok(map)
    }
}

// Header values may be API keys or tokens, so only names are shown.
impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>(),
            )
            .field(
                "query",
                &self.query.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish()
    }
}

/// Checks a caller-supplied header. `what` names it in the error, which quotes
/// the name but never the value. Credentials are marked sensitive so that
/// `HeaderMap`'s `Debug` and HTTP/2 header compression leave them out.
pub(crate) fn parse_header(
    name: &str,
    value: &str,
    what: &str,
) -> Result<(HeaderName, HeaderValue), Error> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::InvalidRequest(format!("`{name}` is not a valid header name")))?;
    let mut header_value = HeaderValue::try_from(value).map_err(|_| {
        Error::InvalidRequest(format!(
            "the value of {what} `{name}` is not a valid header value"
        ))
    })?;
    if [AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE].contains(&header_name) {
        header_value.set_sensitive(true);
    }
    Ok((header_name, header_value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_checked_when_used() {
        let options = RequestOptions::new()
            .header("X-A", "1")
            .header("x-a", "2")
            .header("Authorization", "Basic c2VjcmV0");
        let map = options.header_map().expect("valid");
        let values: Vec<_> = map.get_all("x-a").iter().collect();
        assert_eq!(values, ["1", "2"]);
        assert!(map["authorization"].is_sensitive());
        assert!(!map["x-a"].is_sensitive());

        for (name, value) in [("bad name", "x"), ("X-B", "a\r\nb")] {
            let error = RequestOptions::new()
                .header(name, value)
                .header_map()
                .expect_err("invalid");
            assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
        }
    }

    #[test]
    fn debug_shows_header_names_only() {
        let options = RequestOptions::new()
            .header("X-Api-Key", "very-secret")
            .timeout(Duration::from_secs(1))
            .retry(RetryPolicy::disabled());
        let text = format!("{options:?}");
        assert!(
            text.contains("X-Api-Key") && !text.contains("very-secret"),
            "{text}"
        );
        assert!(text.contains("timeout: Some(1s)"), "{text}");
    }
}
