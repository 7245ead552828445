//! The description of one API call, built by a generated operation and sent by
//! [`Client::execute`](super::Client::execute).
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

use std::fmt::{self, Display};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde::Serialize;

use super::encode::append_query_pair;
use super::form::{encode_form, FormField};
use super::style::{capture, expand, AsJson, Location, Param, Value};
use super::{Body, Error, Multipart, RequestOptions};

/// One API call: operation, method, expanded path, query, headers and body.
///
/// A serialised body is kept as [`Bytes`] so the same request can be sent again
/// (on a retry) without re-serialising; a raw body is a [`Body`], which may be a
/// file read on each attempt or a stream read once.
#[doc(hidden)]
#[derive(Clone)]
pub struct Request {
    operation_id: &'static str,
    method: Method,
    path_template: &'static str,
    path: String,
    /// `name=value&...`, already percent-encoded: a style's delimiters (`,` `|`
    /// `[` `]`) are literal and must not be encoded again.
    query: String,
    headers: HeaderMap,
    body: Option<(Body, &'static str)>,
    /// A multipart body, encoded anew on each attempt (in place of `body`).
    multipart: Option<Multipart>,
    accept: Option<&'static str>,
    options: RequestOptions,
    /// A next-page link to fetch instead of `path` and `query`.
    link: Option<String>,
    /// A URL already checked (an API link on the base URL's origin) to send
    /// to instead of `path` and `query`.
    target: Option<url::Url>,
    /// The operation's security requirement; `None`: the client's token.
    security: Option<super::security::Requirement>,
    /// The operation's own server (path- or operation-level `servers`).
    server: Option<&'static str>,
    /// The server's id (its JSON pointer) when its variables are a typed
    /// setting ([`OperationServer`](super::OperationServer)) the caller may set.
    server_id: Option<&'static str>,
}

impl Request {
    /// Starts a request. `path` is the template with its parameters already
    /// expanded (generated code uses [`expand_path`](super::expand_path) and
    /// [`path_param`](super::path_param));
    /// the template itself is kept for logs and traces, which must not carry IDs.
    pub fn new(
        operation_id: &'static str,
        method: Method,
        path_template: &'static str,
        path: String,
    ) -> Self {
        Request {
            operation_id,
            method,
            path_template,
            path,
            query: String::new(),
            headers: HeaderMap::new(),
            body: None,
            multipart: None,
            accept: None,
            options: RequestOptions::default(),
            link: None,
            target: None,
            security: None,
            server: None,
            server_id: None,
        }
    }

    /// The operation's resolved security requirement: alternatives (OR) of
    /// schemes that all apply (AND); `&[]` sends no credential. A request
    /// without one sends the client's token (a spec that declares no security).
    pub fn security(&mut self, requirement: super::security::Requirement) {
        self.security = Some(requirement);
    }

    /// The operation's own base URL (its first path- or operation-level
    /// server), used unless the caller chose the client's base URL.
    pub fn server(&mut self, base_url: &'static str) {
        self.server = Some(base_url);
    }

    /// The operation's own server has variables: `id` is the
    /// [`OperationServer::ID`](super::OperationServer::ID) of its typed settings,
    /// and a value the caller set with
    /// [`ClientBuilder::server`](super::ClientBuilder::server) replaces the URL of
    /// [`Request::server`] (the variables' defaults).
    pub fn server_id(&mut self, id: &'static str) {
        self.server_id = Some(id);
    }

    /// The requirement set by [`Request::security`], if any.
    pub fn security_requirement(&self) -> Option<super::security::Requirement> {
        self.security
    }

    /// The base URL set by [`Request::server`], if any.
    pub fn server_url(&self) -> Option<&'static str> {
        self.server
    }

    /// The id set by [`Request::server_id`], if any.
    pub fn server_setting(&self) -> Option<&'static str> {
        self.server_id
    }

    /// Appends a query parameter as `name=value`, both percent-encoded (`$` kept);
    /// parameters are sent in call order, and a name may repeat.
    pub fn query<T: Display + ?Sized>(&mut self, name: &'static str, value: &T) {
        append_query_pair(&mut self.query, name, &value.to_string());
    }

    /// Appends a query parameter serialized by its `style` and `explode` (see
    /// [`Style`](super::Style)): nothing for `None` or an empty array.
    pub fn query_param<T: Serialize + ?Sized>(
        &mut self,
        param: &Param,
        value: &T,
    ) -> Result<(), Error> {
        let value = capture(value)?;
        match &value {
            Value::Undefined => return Ok(()),
            // Every query style sends a primitive as `name=value`: the common case,
            // on the short path.
            Value::Primitive(text) if !param.allow_reserved => {
                append_query_pair(&mut self.query, param.name, text);
                return Ok(());
            }
            _ => {}
        }
        let mark = self.query.len();
        let separated = !self.query.is_empty();
        if separated {
            self.query.push('&');
        }
        expand(&mut self.query, param.name, param, Location::Query, &value);
        if self.query.len() == mark + usize::from(separated) {
            self.query.truncate(mark);
        }
        Ok(())
    }

    /// Appends a query parameter whose `content` is `application/json`: its JSON
    /// text, percent-encoded.
    pub fn query_json<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let text = serde_json::to_string(&AsJson(value)).map_err(|error| {
            Error::InvalidRequest(format!(
                "could not serialise query parameter `{name}`: {error}"
            ))
        })?;
        let text: String = serde_json::from_str(&text).unwrap_or_default();
        append_query_pair(&mut self.query, name, &text);
        Ok(())
    }

    /// Sets a header parameter serialized by its `style` (`simple`) and `explode`,
    /// replacing an earlier value of the same name; nothing for `None`.
    pub fn header_param<T: Serialize + ?Sized>(
        &mut self,
        param: &Param,
        value: &T,
    ) -> Result<(), Error> {
        let value = capture(value)?;
        if value == Value::Undefined {
            return Ok(());
        }
        let mut text = String::new();
        expand(&mut text, param.name, param, Location::Header, &value);
        self.header(param.name, &text)
    }

    /// Adds a cookie parameter serialized by its `style` (`form`) and `explode` to the
    /// `Cookie` header; nothing for `None` or an empty array.
    pub fn cookie_param<T: Serialize + ?Sized>(
        &mut self,
        param: &Param,
        value: &T,
    ) -> Result<(), Error> {
        let value = capture(value)?;
        let mut pairs = String::new();
        expand(&mut pairs, param.name, param, Location::Cookie, &value);
        if pairs.is_empty() {
            return Ok(());
        }
        self.add_cookie_pairs(param.name, pairs)
    }

    /// Sets a header parameter, replacing an earlier value of the same name.
    ///
    /// A name or value that is not valid in HTTP (e.g. a newline) is an
    /// [`Error::InvalidRequest`].
    pub fn header<T: Display + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::InvalidRequest(format!("`{name}` is not a valid header name")))?;
        let header_value = HeaderValue::try_from(value.to_string()).map_err(|_| {
            Error::InvalidRequest(format!(
                "the value of header `{name}` is not a valid header value"
            ))
        })?;
        self.headers.insert(header_name, header_value);
        Ok(())
    }

    /// Adds a cookie parameter to the `Cookie` header (`a=1; b=2`). The value is
    /// percent-encoded so it cannot end the cookie early or add another one.
    pub fn cookie<T: Display + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let pair = format!("{name}={}", super::encode_path_segment(value));
        self.add_cookie_pairs(name, pair)
    }

    /// Appends `pairs` (`a=1` or `a=1; b=2`) to the `Cookie` header.
    fn add_cookie_pairs(&mut self, name: &str, pairs: String) -> Result<(), Error> {
        let combined = match self
            .headers
            .get(reqwest::header::COOKIE)
            .and_then(|existing| existing.to_str().ok())
        {
            Some(existing) => format!("{existing}; {pairs}"),
            None => pairs,
        };
        let header_value = HeaderValue::try_from(combined).map_err(|_| {
            Error::InvalidRequest(format!("cookie `{name}` is not a valid header value"))
        })?;
        self.headers.insert(reqwest::header::COOKIE, header_value);
        Ok(())
    }

    /// Serialises `body` as the JSON request body, sent as `content_type`: the
    /// media type the spec declares (`application/json`, or a JSON type such as
    /// `application/merge-patch+json`).
    pub fn json_body<T: Serialize + ?Sized>(
        &mut self,
        body: &T,
        content_type: &'static str,
    ) -> Result<(), Error> {
        let bytes = serde_json::to_vec(body).map_err(|error| {
            Error::InvalidRequest(format!("could not serialise the request body: {error}"))
        })?;
        self.body = Some((Body::bytes(bytes), content_type));
        Ok(())
    }

    /// Serialises `body` (a struct or map) as an `application/x-www-form-urlencoded`
    /// request body, each property by its Encoding Object in `fields` (default
    /// `form` with `explode: true`: an array is `tags=a&tags=b`).
    pub fn form_body<T: Serialize + ?Sized>(
        &mut self,
        body: &T,
        fields: &[FormField],
    ) -> Result<(), Error> {
        let text = encode_form(body, fields)?;
        self.body = Some((Body::bytes(text), "application/x-www-form-urlencoded"));
        Ok(())
    }

    /// Sets a raw request body and its content type: bytes, a file read as it
    /// is sent, or a stream (see [`Body`]).
    pub fn body(&mut self, body: impl Into<Body>, content_type: &'static str) {
        self.multipart = None;
        self.body = Some((body.into(), content_type));
    }

    /// Sets a `multipart/*` body: its parts are encoded, with a fresh boundary,
    /// on every attempt, and its files read as they are sent.
    pub fn multipart(&mut self, body: Multipart) {
        self.body = None;
        self.multipart = Some(body);
    }

    /// The multipart body set with [`Request::multipart`], if any.
    pub fn multipart_body(&self) -> Option<&Multipart> {
        self.multipart.as_ref()
    }

    /// Sets the `Accept` header, e.g. `application/json` or
    /// `application/json, image/png`.
    pub fn accept(&mut self, media: &'static str) {
        self.accept = Some(media);
    }

    /// Applies per-call settings (extra headers, timeout, retry policy),
    /// replacing any applied before. Headers are checked when the request is
    /// sent.
    pub fn options(&mut self, options: RequestOptions) {
        self.options = options;
    }

    /// Sends the request to `href`, a next-page link the server gave, instead of the
    /// operation's path and query. The client only follows links under its own base
    /// URL, so the token never goes to another host.
    pub fn follow_link(&mut self, href: String) {
        self.link = Some(href);
    }

    /// Sends the request to `url`, which the caller has checked is on the
    /// API's origin (`get_link`).
    pub(crate) fn send_to(&mut self, url: url::Url) {
        self.target = Some(url);
    }

    /// The URL set by [`Request::send_to`], if any.
    pub(crate) fn target(&self) -> Option<&url::Url> {
        self.target.as_ref()
    }

    /// The next-page link set by [`Request::follow_link`], if any.
    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }

    /// The spec's `operationId`.
    pub fn operation_id(&self) -> &'static str {
        self.operation_id
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path as written in the spec, e.g. `/{iModelId}/changesets`.
    pub fn path_template(&self) -> &'static str {
        self.path_template
    }

    /// The path with its parameters substituted and encoded.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query string without its `?`, percent-encoded: parameters in call order.
    pub fn query_string(&self) -> &str {
        &self.query
    }

    /// Header parameters set on this request.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body and its content type, when the body is in memory (JSON, a form,
    /// or raw bytes).
    pub fn body_bytes(&self) -> Option<(&Bytes, &'static str)> {
        let (body, content_type) = self.body.as_ref()?;
        Some((body.as_bytes()?, *content_type))
    }

    /// The body and its content type, if any, whatever it holds.
    pub fn raw_body(&self) -> Option<(&Body, &'static str)> {
        self.body
            .as_ref()
            .map(|(body, content_type)| (body, *content_type))
    }

    /// Whether the request can be sent again: it has no body that is read
    /// only once (a stream).
    pub fn is_replayable(&self) -> bool {
        self.body
            .as_ref()
            .is_none_or(|(body, _)| body.is_replayable())
    }

    /// The `Accept` value, if any.
    pub fn accept_media(&self) -> Option<&'static str> {
        self.accept
    }

    /// The per-call settings applied with [`Request::options`].
    pub fn request_options(&self) -> &RequestOptions {
        &self.options
    }
}

// Hand-written so a large body is summarised instead of dumped into logs.
impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation_id", &self.operation_id)
            .field("method", &self.method)
            .field("path_template", &self.path_template)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field(
                "body",
                &self
                    .body
                    .as_ref()
                    .map(|(body, content_type)| match body.as_bytes() {
                        Some(bytes) => format!("{} bytes of {content_type}", bytes.len()),
                        None => format!("{body:?} of {content_type}"),
                    }),
            )
            .field(
                "multipart",
                &self
                    .multipart
                    .as_ref()
                    .map(|body| format!("{} parts of {}", body.len(), body.media_type())),
            )
            .field("accept", &self.accept)
            .field("options", &self.options)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Request {
        Request::new("GetChangeset", Method::GET, "/{id}", "/abc".to_owned())
    }

    #[test]
    fn query_keeps_order_and_repeats() {
        let mut request = request();
        request.query("$top", &5);
        request.query("tag", "a");
        request.query("tag", &String::from("b c"));
        assert_eq!(request.query_string(), "$top=5&tag=a&tag=b%20c");
    }

    #[test]
    fn form_bodies_are_url_encoded() {
        #[derive(Serialize)]
        struct Login<'a> {
            user: &'a str,
            note: Option<&'a str>,
        }
        let mut request = request();
        let login = Login {
            user: "a b&c",
            note: None,
        };
        request.form_body(&login, &[]).unwrap();
        let (bytes, content_type) = request.body_bytes().unwrap();
        assert_eq!(&bytes[..], b"user=a+b%26c");
        assert_eq!(content_type, "application/x-www-form-urlencoded");
    }

    const fn param(name: &'static str, style: super::super::Style, explode: bool) -> Param {
        Param {
            name,
            style,
            explode,
            allow_reserved: false,
        }
    }

    #[test]
    fn styled_parameters_keep_their_delimiters() {
        use super::super::Style;
        let mut request = request();
        let colors = ["blue", "black", "brown"];
        request
            .query_param(&param("$top", Style::Form, true), &5)
            .unwrap();
        request
            .query_param(&param("none", Style::Form, true), &None::<i32>)
            .unwrap();
        request
            .query_param(&param("empty", Style::Form, true), &Vec::<i32>::new())
            .unwrap();
        request
            .query_param(&param("arr", Style::PipeDelimited, false), &colors)
            .unwrap();
        request
            .query_json("filter", &serde_json::json!({"a": [1]}))
            .unwrap();
        assert_eq!(
            request.query_string(),
            "$top=5&arr=blue|black|brown&filter=%7B%22a%22%3A%5B1%5D%7D"
        );
        request
            .header_param(&param("X-Arr", Style::Simple, false), &colors)
            .unwrap();
        request
            .header_param(&param("X-None", Style::Simple, false), &None::<i32>)
            .unwrap();
        assert_eq!(request.headers()["x-arr"], "blue,black,brown");
        assert!(request.headers().get("x-none").is_none());
        assert!(matches!(
            request.header_param(&param("X-Bad", Style::Simple, false), "a\nb"),
            Err(Error::InvalidRequest(_))
        ));
        request
            .cookie_param(&param("arr", Style::Form, false), &colors)
            .unwrap();
        request
            .cookie_param(&param("c", Style::Form, true), &["x", "y"])
            .unwrap();
        assert_eq!(
            request.headers()["cookie"],
            "arr=blue,black,brown; c=x; c=y"
        );
    }

    #[test]
    fn cookies_accumulate_and_are_encoded() {
        let mut request = request();
        request.cookie("session", "a b;c").unwrap();
        request.cookie("theme", "dark").unwrap();
        assert_eq!(request.headers()["cookie"], "session=a%20b%3Bc; theme=dark");
    }

    #[test]
    fn invalid_headers_are_errors_not_panics() {
        let mut request = request();
        assert!(request.header("If-Match", "\"etag\"").is_ok());
        assert_eq!(request.headers()["if-match"], "\"etag\"");
        assert!(matches!(
            request.header("If-Match", "a\nb"),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            request.header("bad name", "x"),
            Err(Error::InvalidRequest(_))
        ));
    }

    #[test]
    fn json_body_sets_content_type() {
        let mut request = request();
        for media in ["application/json", "application/merge-patch+json"] {
            request
                .json_body(&serde_json::json!({"a": 1}), media)
                .expect("serialises");
            let (bytes, content_type) = request.body_bytes().expect("body");
            assert_eq!(bytes.as_ref(), br#"{"a":1}"#);
            assert_eq!(content_type, media);
            assert!(format!("{request:?}").contains(&format!("7 bytes of {media}")));
        }
    }

    #[test]
    fn unserialisable_body_is_an_error() {
        let mut map = std::collections::BTreeMap::new();
        map.insert(vec![1_u8], 1);
        assert!(matches!(
            request().json_body(&map, "application/json"),
            Err(Error::InvalidRequest(_))
        ));
    }
}
