//! The intermediate model: everything the emitter needs, with every naming and typing
//! decision already made. Plain data, no `openapiv3` types; each item says which spec
//! element it came from (`origin`, a JSON pointer) and keeps both its wire name and its
//! Rust name. `serde::Serialize` gives the readable dump used by the IR snapshots.
//! How each type is written in Rust, for the code and for the API summary alike, is
//! decided here too, in `spelling`.

pub(crate) mod spelling;

pub use spelling::Paths;

use serde::Serialize;

/// The whole API, lowered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// Compound words names keep whole (`iModel`): configured and found in the document.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<String>,
    /// The first `servers[].url`, used as the client's default base URL.
    pub default_base_url: Option<String>,
    /// The type non-2xx bodies are parsed as (chosen by `lower::error_body`).
    pub error_body: TypeRef,
    /// In spec order: paths as written, methods in get/put/post/delete/options/head/patch/trace order.
    pub operations: Vec<Operation>,
    /// Component schemas in spec order, each followed by the inline types named after it.
    pub types: Vec<TypeDef>,
    /// `components.securitySchemes`, in spec order (see `lower::security`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_schemes: Vec<SecurityScheme>,
    /// The document's `servers`, in spec order (see `lower::servers`); the first,
    /// with its variables' defaults, is [`Api::default_base_url`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<Server>,
    /// The security requirement `Client::get_link` sends: the document's, as
    /// for an operation without `security` of its own (see
    /// [`Operation::security`]; `Some(vec![])` sends no credential, `None` the
    /// client's token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_security: Option<Vec<Vec<String>>>,
    /// The operations of webhooks and callbacks, in spec order (see `lower::events`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// The crates the generated code names beside serde and the runtime, sorted,
    /// each once (see `lower::dependencies`): the crate depends on these and
    /// re-exports them, and on nothing else it does not use.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<ExternalCrate>,
}

/// A crate the generated code may name beside serde and the runtime: where the
/// types of some formats come from. Bytes are not among them: generated code
/// names them through the runtime (`crate::runtime::Bytes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalCrate {
    /// `format: date-time` and `date`: `chrono::DateTime<Utc>`, `chrono::NaiveDate`.
    Chrono,
    /// Any JSON (`serde_json::Value`), and the decoding of unions that look at a
    /// body before choosing a variant.
    SerdeJson,
    /// `format: uuid`: `uuid::Uuid`.
    Uuid,
}

impl ExternalCrate {
    /// Every one, in order.
    pub const ALL: [Self; 3] = [Self::Chrono, Self::SerdeJson, Self::Uuid];

    /// The crate's name in Rust paths and in `Cargo.toml`: `serde_json`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Chrono => "chrono",
            Self::SerdeJson => "serde_json",
            Self::Uuid => "uuid",
        }
    }
}

/// An operation of a webhook (3.1 `webhooks`) or of a callback: a request the API
/// sends to the caller's server, not one the client makes. The client gets no method
/// for it, only the types of its payloads (request body and responses) as models, for
/// the caller's server to decode and answer with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// JSON pointer of the operation object.
    pub origin: String,
    pub source: EventSource,
    pub method: HttpMethod,
    pub summary: Option<String>,
    /// The request body the API sends, by media type with a JSON schema.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub request: Vec<Payload>,
    /// What the caller's server may answer, by status and media type with a JSON schema.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub responses: Vec<(StatusSpec, Payload)>,
}

/// A payload of an [`Event`]: a media type and the model type its schema lowered to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Payload {
    pub media_type: String,
    pub ty: TypeRef,
}

/// Where an [`Event`] is declared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// `webhooks.<name>`.
    Webhook { name: String },
    /// `callbacks.<name>.<expression>` of an operation, named by its `Client` method.
    Callback {
        name: String,
        expression: String,
        operation: String,
    },
}

impl Event {
    /// ``the `POST` of the `newPet` webhook``, for docs and the API surface.
    pub fn describe(&self) -> String {
        let method = self.method.as_str();
        match &self.source {
            EventSource::Webhook { name } => format!("the `{method}` of the `{name}` webhook"),
            EventSource::Callback {
                name,
                expression,
                operation,
            } => format!("the `{method} {expression}` of the `{name}` callback of `{operation}`"),
        }
    }

    /// Each payload with what it is: `request body`, `response 200`.
    pub fn payloads(&self) -> impl Iterator<Item = (String, &Payload)> {
        let request = self.request.iter().map(|p| ("request body".to_owned(), p));
        let responses = self.responses.iter().map(|(status, p)| {
            let status = match status {
                StatusSpec::Code(code) => code.to_string(),
                StatusSpec::Range(digit) => format!("{digit}XX"),
                StatusSpec::Default => "default".to_owned(),
            };
            (format!("response {status}"), p)
        });
        request.chain(responses)
    }
}

/// One operation (`paths./{iModelId}.get`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// JSON pointer of the operation object.
    pub origin: String,
    /// `operationId`, or a name derived from method and path when it has none.
    pub wire_name: String,
    /// Method on `Client`: `get_imodels`.
    pub rust_name: String,
    /// The struct of its inputs, the `O` of the `Request<O>` the method returns:
    /// `GetIModels`.
    pub builder_name: String,
    pub method: HttpMethod,
    /// The path as written in the spec: `/{iModelId}/changesets/{changesetId}`.
    pub path_template: String,
    /// The template split into literal text and parameters.
    pub path: Vec<PathPart>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub deprecated: bool,
    /// Path parameters (template order), then query, header and cookie parameters (spec order).
    pub params: Vec<Param>,
    /// Query pairs sent with every call, from a query string written into the path
    /// (`/files/{name}?view=info`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constant_query: Vec<(String, String)>,
    pub body: Option<RequestBody>,
    /// Every declared response, in spec order.
    pub responses: Vec<Response>,
    /// What a successful call returns.
    pub success: Success,
    /// The `Accept` header: every media type the responses declare, in order.
    pub accept: Option<String>,
    /// Set when the operation is a paged list (see [`Pagination`]).
    pub pagination: Option<Pagination>,
    /// Set when the spec declares the operation long-running (see [`LongRunning`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_running: Option<LongRunning>,
    /// The security requirement the operation sends (see `lower::security`):
    /// alternatives in order (OR), each the keys of the schemes it applies together
    /// (AND) in [`Api::security_schemes`]. `Some(vec![])` sends no credential
    /// (`security: []`, or a document that secures other operations only); `None`
    /// when the document declares no security at all (the client's token is sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Vec<Vec<String>>>,
    /// The operation's own servers, from the operation or else its path item
    /// (see `lower::servers`); empty: the document's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub servers: Vec<Server>,
    /// The headers its success responses declare, as a struct (see
    /// `lower::response_headers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_headers: Option<ResponseHeaders>,
    /// Its own error bodies by status, where they are not all the crate-wide
    /// [`Api::error_body`] (see `lower::error_bodies`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<ErrorBodies>,
}

/// The headers an operation's 2xx responses declare: a struct `<Op>Headers` in
/// `operations.rs`, read from an answer with `ResponseValue::headers_as` (the
/// runtime's `ResponseHeaders`). A header declared by several 2xx responses is
/// one field, typed by its first declaration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseHeaders {
    pub rust_name: String,
    /// In declaration order (statuses in spec order), each name once.
    pub fields: Vec<HeaderField>,
}

/// One declared response header.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeaderField {
    /// JSON pointer of the header object (after following `$ref`).
    pub origin: String,
    /// As declared: `X-Rate-Limit` (looked up case-insensitively).
    pub wire_name: String,
    /// The field: `x_rate_limit`.
    pub rust_name: String,
    /// From the header's schema, as a model field's (a JSON `content` header's
    /// schema is read from JSON text).
    pub ty: TypeRef,
    /// `required: true` on every 2xx response: the field is not an `Option`, and
    /// an answer without it is a `HeaderError`.
    pub required: bool,
    pub description: Option<String>,
    pub deprecated: bool,
}

/// The bodies an operation declares for non-2xx statuses: an enum `<Op>Error`
/// in `operations.rs`, one variant per declared status, decoded from an
/// `ApiError` on demand. `Error::Api` still parses the crate-wide body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorBodies {
    pub enum_name: String,
    /// Exact codes first, then ranges, then `default` (the order a status is
    /// matched in).
    pub variants: Vec<ErrorVariant>,
    /// Whether a status none of them covers has a variant (`Undeclared`):
    /// when there is no `default`.
    pub undeclared: bool,
}

/// One non-2xx status an operation declares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorVariant {
    pub status: StatusSpec,
    /// `BadRequest`, `NotFound`, `ClientError` (`4XX`), `Default`, `Status418`.
    pub rust_name: String,
    /// Its JSON body's type; `None` for no body or one that is not JSON (the raw
    /// body is on the `ApiError`).
    pub body: Option<TypeRef>,
}

/// One entry of `components.securitySchemes`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecurityScheme {
    /// JSON pointer of the scheme object.
    pub origin: String,
    /// Its key in `components.securitySchemes`: `api_key`.
    pub wire_name: String,
    /// Its constant in the generated `schemes` module: `API_KEY`.
    pub rust_name: String,
    pub kind: SchemeKind,
    pub description: Option<String>,
}

/// How a scheme's credential travels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SchemeKind {
    /// `type: http`, `scheme: bearer`.
    Bearer { format: Option<String> },
    /// `type: http`, `scheme: basic`.
    Basic,
    /// `type: http` with another scheme, as written (`Digest`).
    Http { scheme: String },
    /// `type: apiKey`: in a header, the query or a cookie, under `name`.
    ApiKey {
        location: ParamLocation,
        name: String,
    },
    /// `type: oauth2`: a bearer token from the client's token provider.
    OAuth2,
    /// `type: openIdConnect`: a bearer token from the client's token provider.
    OpenIdConnect { url: String },
    /// `type: mutualTLS` (3.1): a client certificate on the connection.
    MutualTls,
}

/// A `servers` entry (document, path item or operation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Server {
    /// JSON pointer of the server object.
    pub origin: String,
    /// The URL template as written: `https://{region}.example.com/{basePath}`.
    pub url: String,
    /// The URL with every variable replaced by its default.
    pub default_url: String,
    pub description: Option<String>,
    /// In spec order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<ServerVariable>,
    /// For an operation's server with variables (its first, the one it is sent
    /// to): the module of the generated `servers` whose `Server` types them
    /// (`files` for a path's, the operation's method name for an operation's),
    /// set on a client with `ClientBuilder::server` (see `lower::servers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
}

/// A server variable: a setting of the generated `servers::Server`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerVariable {
    /// The name in the URL's braces: `basePath`.
    pub wire_name: String,
    /// Its setter: `base_path`.
    pub rust_name: String,
    pub default: String,
    /// For a variable with `enum`: the Rust enum's name and its values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<ServerChoices>,
    pub description: Option<String>,
}

/// The values a server variable's `enum` allows, as a Rust enum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerChoices {
    pub enum_name: String,
    pub variants: Vec<Variant>,
    /// The variant of the default (the first when the default is not listed).
    pub default_variant: String,
}

/// A long-running operation, from its `x-long-running` extension (see
/// `lower::long_running`): the generated `Request` gets `send_and_wait()`, which
/// sends it, takes the new resource's id from the answer, polls until the state
/// says done, and fetches the result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LongRunning {
    /// `Client` method polled with the id: `get_create_imodel_operation_details`.
    pub poll_method: String,
    /// `Client` method that fetches the finished resource, if any: `get_imodel`.
    pub result_method: Option<String>,
    pub id: IdSource,
    /// JSON pointer to the state in the poll answer.
    pub state_pointer: String,
    pub done: Vec<String>,
    pub failed: Vec<String>,
    pub interval_ms: u64,
    pub timeout_ms: u64,
}

/// Where the answer that starts a long-running operation names the new resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdSource {
    /// The last path segment of this header's URL (`Location`).
    Header(String),
    /// The string at this JSON pointer of the body.
    Body(String),
}

/// A paged list operation, declared with `x-pagination` or detected from the spec
/// (see `lower::pagination`): a JSON object response with an array of items, paged
/// by `$top`/`$skip`, by next links (in the body or a `Link` header), or by
/// continuation tokens. The generated builder gets `into_stream()`, which walks the
/// pages lazily.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pagination {
    /// Index into [`Operation::params`] of the page-size parameter (`$top`).
    pub top_param: Option<usize>,
    /// Index into [`Operation::params`] of the offset parameter (`$skip`).
    pub skip_param: Option<usize>,
    /// The array property holding the items: its Rust field name; `None` when the
    /// body is the array itself (a list paged by `Link` headers, as GitHub's are).
    pub items_field: Option<String>,
    /// Whether that field is an `Option<Vec<_>>` (not required, or nullable).
    pub items_optional: bool,
    pub item_type: TypeRef,
    /// `$top` when the caller sets none.
    pub default_page_size: i64,
    /// Rust field path to a next-page link (`_links.next.href`), when the response has one.
    pub next_link: Option<NextLink>,
    /// Rust field path to a continuation token (`continuationToken`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<NextLink>,
    /// Index into [`Operation::params`] of the query parameter a token goes into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_param: Option<usize>,
    /// The success response declares a `Link` header (RFC 8288 `rel="next"`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub link_header: bool,
}

impl Pagination {
    /// Whether pages say where the next one is (a link in the body or a `Link`
    /// header, or a continuation token): then a page that names none is the last,
    /// even when it is full (`PagedOperation::LINKED`).
    pub fn linked(&self) -> bool {
        self.next_link.is_some() || self.next_token.is_some() || self.link_header
    }
}

/// Where a page names the next one: `_links` -> `next` -> `href`, with whether each
/// step is an `Option`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextLink {
    pub path: Vec<LinkStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkStep {
    pub field: String,
    pub optional: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Head => "HEAD",
            Self::Patch => "PATCH",
            Self::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PathPart {
    Literal(String),
    /// Index into [`Operation::params`].
    Param(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    /// The spec's name for it (`in: query`), as docs and the API summary print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
            Self::Cookie => "cookie",
        }
    }

    /// The `style` and `explode` a parameter here has when the spec gives none:
    /// `form` exploded in query and cookie, `simple` in path and header.
    pub fn default_style(self) -> (ParamStyle, bool) {
        match self {
            Self::Query | Self::Cookie => (ParamStyle::Form, true),
            Self::Path | Self::Header => (ParamStyle::Simple, false),
        }
    }
}

impl Param {
    /// How the parameter is serialized when that is not its location's default
    /// (`deepObject, explode`, `label`, `application/json`), for docs and the API
    /// summary.
    pub fn serialization_note(&self) -> Option<String> {
        if let Some(media_type) = &self.content {
            return Some(media_type.clone());
        }
        let default = self.location.default_style();
        if (self.style, self.explode) == default && !self.allow_reserved {
            return None;
        }
        let mut note = self.style.as_str().to_owned();
        if self.explode {
            note.push_str(", explode");
        }
        if self.allow_reserved {
            note.push_str(", allowReserved");
        }
        Some(note)
    }
}

/// A path, query, header or cookie parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// JSON pointer of the parameter object (after following `$ref`).
    pub origin: String,
    /// Name on the wire: `$top`, `iTwinId`.
    pub wire_name: String,
    /// Argument or setter name: `top`, `itwin_id`.
    pub rust_name: String,
    pub location: ParamLocation,
    /// Required parameters are arguments of the `Client` method; the rest are setters.
    pub required: bool,
    pub ty: TypeRef,
    pub description: Option<String>,
    pub deprecated: bool,
    /// `style`, with the location's default (`form` in query and cookie, `simple` in
    /// path and header) when the spec gives none; decided in `lower::params`.
    pub style: ParamStyle,
    /// `explode`, with the style's default (`true` for `form`).
    pub explode: bool,
    /// `allowReserved` (query only).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_reserved: bool,
    /// The media type of a parameter declared with `content` of a JSON media type
    /// instead of `schema`: its value is sent as JSON text. (A `content` parameter of
    /// another media type is a string, sent as it is.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// A parameter's (or form field's) `style`, as OpenAPI names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamStyle {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

impl ParamStyle {
    /// The spec's spelling (`deepObject`), as the API summary prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Simple => "simple",
            Self::Label => "label",
            Self::Matrix => "matrix",
            Self::Form => "form",
            Self::SpaceDelimited => "spaceDelimited",
            Self::PipeDelimited => "pipeDelimited",
            Self::DeepObject => "deepObject",
        }
    }
}

/// How one property of an `application/x-www-form-urlencoded` body is encoded: its
/// Encoding Object with the spec's defaults applied (see `lower::params`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormField {
    /// The property's name on the wire.
    pub wire_name: String,
    pub style: ParamStyle,
    pub explode: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_reserved: bool,
    /// Sent as JSON text (`contentType: application/json`, the default for an object
    /// property without a `style`) instead of by `style`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub json: bool,
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestBody {
    pub origin: String,
    pub media_type: String,
    pub encoding: BodyEncoding,
    pub required: bool,
    pub ty: TypeRef,
    pub description: Option<String>,
    /// For a form body: every property of its type, in order, with its encoding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub form_fields: Vec<FormField>,
    /// The parts of a `multipart/*` body (see `lower::bodies`); its [`Self::ty`] is
    /// then [`TypeRef::Parts`], the struct they make.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multipart: Option<MultipartBody>,
}

/// A `multipart/form-data` or `multipart/mixed` body: the object schema's
/// properties, each a part, as its `encoding` entry describes them. The caller
/// fills a struct of them (`UploadDocumentBody`, in `operations.rs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultipartBody {
    /// The struct's Rust name.
    pub rust_name: String,
    pub parts: Vec<PartField>,
    /// The struct's field of the parts' headers (`runtime::PartHeaders`), by its
    /// Rust name: present when `encoding` declares headers for any part, of any
    /// kind (Header Objects' values are the caller's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers_field: Option<String>,
}

/// One property of a multipart body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartField {
    /// JSON pointer of the property's schema.
    pub origin: String,
    /// The part's name: the property's.
    pub wire_name: String,
    pub rust_name: String,
    pub kind: PartKind,
    /// The field's type: the property's for text and JSON parts, `FilePart` (or a
    /// `Vec` of them) for files. `Option` when not required (lists stay lists).
    pub ty: TypeRef,
    pub required: bool,
    /// An array property: each item is a part of its own, with the same name.
    pub repeated: bool,
    /// `encoding.<property>.contentType`, or OpenAPI's default for the property's
    /// type: `text/plain` for primitives, `application/json` for objects,
    /// `application/octet-stream` for binary strings. The first of a list of them.
    pub content_type: String,
    /// `encoding.<property>.headers`: the headers the part may carry, set with
    /// the body's [`MultipartBody::headers_field`] (or, on one file, `FilePart::header`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    pub description: Option<String>,
}

/// How a multipart property is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    /// A primitive (or a list of them) as text.
    Text,
    /// An object, serialised as JSON.
    Json,
    /// A binary string (`format: binary`): a `runtime::FilePart`, from bytes or a file.
    File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyEncoding {
    /// Serialised with serde_json.
    Json,
    /// `application/x-www-form-urlencoded`, each property by its [`FormField`].
    Form,
    /// `text/*`: a `String` sent as is.
    Text,
    /// Sent as the bytes given (octet streams, images).
    Bytes,
    /// `multipart/*`: parts built from [`RequestBody::multipart`].
    Multipart,
}

/// One declared response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    pub status: StatusSpec,
    pub description: String,
    /// Media types with what each carries, in spec order.
    pub content: Vec<Content>,
    /// Declared response headers (wire names), for documentation.
    pub headers: Vec<String>,
    /// The response's `x-envelope`, as declared (resolved by `lower::envelope`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envelope: Option<EnvelopeDeclaration>,
}

/// An `x-envelope: <property>` as written on a response, with where it is written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvelopeDeclaration {
    pub property: String,
    /// JSON pointer of the extension.
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusSpec {
    Code(u16),
    /// `2XX`, `4XX`: the leading digit.
    Range(u16),
    Default,
}

impl StatusSpec {
    pub fn is_success(&self) -> bool {
        match self {
            Self::Code(code) => (200..300).contains(code),
            Self::Range(digit) => *digit == 2,
            Self::Default => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Content {
    pub media_type: String,
    pub body: BodyKind,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// JSON decoded into this type.
    Json(TypeRef),
    /// Raw bytes (`format: binary`, images, octet streams).
    Bytes,
    /// A media type with no schema.
    Untyped,
}

/// What the generated `send()` returns on a 2xx.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Success {
    /// `Success<T>`: declared statuses decode as JSON into `ty`; with an
    /// [`Envelope`], `ty` is the entity one property of the JSON object holds.
    Json {
        ty: TypeRef,
        statuses: Vec<u16>,
        #[serde(skip_serializing_if = "Option::is_none")]
        envelope: Option<Envelope>,
    },
    /// `Success<Bytes>`.
    Bytes { statuses: Vec<u16> },
    /// `RawResponse`: the spec gives no schema, so the caller decodes.
    Raw,
    /// `ResponseValue<enum_name>`: declared statuses carry different bodies, so the
    /// answer is an enum with a variant per status (plus `Undeclared`).
    ByStatus {
        enum_name: String,
        variants: Vec<StatusVariant>,
    },
}

/// A success body that wraps the entity in one property (`{"iModel": {...}}`),
/// declared with `x-envelope` on the response (see `lower::envelope`): the
/// operation returns the property's value, and the wrapper stays a model that
/// `Request::send_raw` reaches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope {
    /// The property holding the entity, on the wire: `iModel`.
    pub property: String,
    /// The whole body's type: `IModelResponse`.
    pub wrapper: TypeRef,
}

/// One variant of a [`Success::ByStatus`] enum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusVariant {
    pub status: u16,
    /// `Ok`, `Created`, `NoContent`, or `Status` + a suffix for other codes.
    pub rust_name: String,
    pub body: SuccessBody,
}

/// The body a success status carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuccessBody {
    Json(TypeRef),
    Bytes,
    Empty,
}

/// A reference to a Rust type, as used in a field, argument or body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeRef {
    String,
    Bool,
    I32,
    I64,
    F32,
    F64,
    Uuid,
    DateTime,
    Date,
    /// Raw bytes (the runtime's `Bytes`, `bytes::Bytes`): a request body sent as it is. Schemas inside JSON,
    /// forms and URLs never lower to this (`format: binary` there is a string).
    Bytes,
    /// Any JSON (`serde_json::Value`).
    Json,
    Vec(Box<TypeRef>),
    /// A JSON object with string keys (`BTreeMap<String, T>`).
    Map(Box<TypeRef>),
    /// `Option<T>` where `null` is a value the spec allows.
    Nullable(Box<TypeRef>),
    /// A type in [`Api::types`], by Rust name.
    Named(String),
    /// A file part of a multipart body: `runtime::FilePart`.
    File,
    /// A raw request body (not JSON, a form or multipart): `runtime::Body`, from
    /// bytes, a file streamed from disk, or a stream. Only a body lowers to this.
    Body,
    /// The struct of a multipart body's parts ([`MultipartBody`]), by Rust name;
    /// it lives in `operations.rs`.
    Parts(String),
    /// A multipart body whose schema names no parts: `runtime::Parts`, which the
    /// caller names and fills.
    AnyParts,
    /// `format: uint8`/`uint16`/`uint32`/`uint64`.
    U8,
    U16,
    U32,
    U64,
}

/// The Cargo feature that turns on the types no operation uses, when they are gated
/// (`Settings::gate_unused_schemas`): lowering marks them, the emitter declares it.
pub const UNUSED_SCHEMAS_FEATURE: &str = "unused-schemas";

/// A generated type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeDef {
    /// JSON pointer of the schema this type comes from.
    pub origin: String,
    /// The component name, or for inline schemas the parent path it was named from.
    pub wire_name: String,
    pub rust_name: String,
    pub description: Option<String>,
    pub deprecated: bool,
    /// Compiled only with this Cargo feature ([`UNUSED_SCHEMAS_FEATURE`] when `Settings::gate_unused_schemas`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    pub kind: TypeKind,
}

impl Api {
    /// The Cargo features the generated types need, sorted, each once.
    pub fn features(&self) -> Vec<&str> {
        let mut features: Vec<&str> = self
            .types
            .iter()
            .filter_map(|t| t.feature.as_deref())
            .collect();
        features.sort_unstable();
        features.dedup();
        features
    }
}

impl TypeKind {
    /// The type references a definition holds directly: field types and the extra
    /// properties' value type, union variants, an alias's target.
    pub fn type_refs(&self) -> Vec<&TypeRef> {
        match self {
            Self::Struct(s) => s
                .fields
                .iter()
                .map(|f| &f.ty)
                .chain(s.additional.iter().map(|a| &a.value))
                .collect(),
            Self::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
            Self::Alias(target) => vec![target],
            Self::Enum(_) | Self::IntEnum(_) | Self::Const(_) => Vec::new(),
        }
    }

    /// [`Self::type_refs`], to rewrite.
    pub fn type_refs_mut(&mut self) -> Vec<&mut TypeRef> {
        match self {
            Self::Struct(s) => s
                .fields
                .iter_mut()
                .map(|f| &mut f.ty)
                .chain(s.additional.iter_mut().map(|a| &mut a.value))
                .collect(),
            Self::Union(u) => u.variants.iter_mut().map(|v| &mut v.ty).collect(),
            Self::Alias(target) => vec![target],
            Self::Enum(_) | Self::IntEnum(_) | Self::Const(_) => Vec::new(),
        }
    }
}

impl TypeRef {
    /// The named type inside `Vec`, map and `Option` wrappers, if any.
    pub fn named(&self) -> Option<&str> {
        match self {
            Self::Vec(inner) | Self::Map(inner) | Self::Nullable(inner) => inner.named(),
            Self::Named(name) => Some(name),
            _ => None,
        }
    }

    /// [`Self::named`], to rewrite.
    pub fn named_mut(&mut self) -> Option<&mut String> {
        match self {
            Self::Vec(inner) | Self::Map(inner) | Self::Nullable(inner) => inner.named_mut(),
            Self::Named(name) => Some(name),
            _ => None,
        }
    }
}

impl TypeDef {
    /// Whether this type is a component schema (`#/components/schemas/Name`) rather
    /// than an inline schema named after where it appears.
    pub fn is_component(&self) -> bool {
        self.origin
            .strip_prefix("#/components/schemas/")
            .is_some_and(|name| !name.contains('/'))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeKind {
    /// An object with properties (`allOf` members merged into one).
    Struct(Struct),
    /// A string enum.
    Enum(StringEnum),
    /// An integer enum.
    IntEnum(IntEnum),
    /// `oneOf`/`anyOf`: one of several types.
    Union(Union),
    /// A named schema that is just another type (`type Foo = Vec<Bar>`).
    Alias(TypeRef),
    /// A 3.1 `const`: a unit struct always sent as its value, checked when decoded.
    Const(Literal),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` next to `properties`: unknown keys are kept in a map of
    /// this value type (a `#[serde(flatten)]` field) instead of being dropped.
    pub additional: Option<AdditionalField>,
    /// A link object (HAL style): its `href` string field, by Rust name, which makes
    /// the type a `runtime::Href` that `download_from`, `upload_to` and `get_link`
    /// accept (see `lower::links`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<HrefField>,
}

/// The `href` field of a link object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HrefField {
    pub rust_name: String,
    /// Whether the field is an `Option<String>`.
    pub optional: bool,
}

/// The map that keeps a struct's extra properties.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdditionalField {
    pub rust_name: String,
    pub value: TypeRef,
}

/// An integer enum that keeps values it does not know.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntEnum {
    pub variants: Vec<IntVariant>,
    pub unknown_variant: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntVariant {
    pub value: i64,
    pub rust_name: String,
}

/// `oneOf`/`anyOf`, or a base schema with a discriminator and subtypes. With a
/// discriminator, the tag property picks the variant (and an unknown tag is kept as
/// JSON in `unknown_variant`); without one, variants are tried in the order their
/// [`VariantShape`]s give for the body (required properties present first, then most
/// declared properties), and the first that decodes wins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Union {
    pub variants: Vec<UnionVariant>,
    /// The discriminator's property name, on the wire.
    pub discriminator: Option<String>,
    /// Catch-all variant for tags this client does not know (discriminated unions only).
    pub unknown_variant: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnionVariant {
    pub rust_name: String,
    pub ty: TypeRef,
    /// Boxed to break a recursive cycle.
    pub boxed: bool,
    /// Discriminator values that select this variant.
    pub tags: Vec<String>,
    /// For an object variant of a union without a discriminator: what it declares,
    /// which decides the order variants are tried in (see `lower::types::unions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<VariantShape>,
}

/// The properties an object variant of an untagged union declares, by wire name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantShape {
    pub required: Vec<String>,
    pub properties: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub wire_name: String,
    pub rust_name: String,
    /// The field's type without the `Option` that `required` adds.
    pub ty: TypeRef,
    /// Listed in the schema's `required` (and neither `readOnly` nor `writeOnly`, which
    /// make a field absent in one direction).
    pub required: bool,
    pub description: Option<String>,
    pub deprecated: bool,
    /// `readOnly` (set by the server) or `writeOnly` (never returned).
    pub access: Access,
    /// The spec's `default`, as JSON text, for documentation.
    pub default: Option<String>,
    /// Boxed to break a recursive cycle (`Option<Box<Node>>`).
    pub boxed: bool,
    /// The spec's `default`, applied when decoding a body without the field: set
    /// only when the value fits the field's type (a string, number, boolean, or a
    /// value of a string or integer enum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<Literal>,
    /// The field's type is a [`TypeKind::Const`]: the caller never sets it, it is
    /// always sent, and a body without it decodes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub constant: bool,
}

/// A JSON scalar the generated code writes as a Rust value: a field's `default`, a
/// `const`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Literal {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl Field {
    /// Whether the Rust field is an `Option`: when `null` is allowed, or when the field
    /// is optional and not a list or map (an absent list or map is simply empty).
    pub fn is_option(&self) -> bool {
        !self.constant
            && (matches!(self.ty, TypeRef::Nullable(_))
                || (!self.required && !self.ty.is_collection()))
    }

    /// Whether the field is a `runtime::Nullable` rather than an `Option`: optional
    /// and nullable, so absent, `null` and a value are three different things on the
    /// wire. (A required nullable field is an `Option` sent as `null` when `None`.)
    pub fn is_tri_state(&self) -> bool {
        !self.required && !self.constant && matches!(self.ty, TypeRef::Nullable(_))
    }

    /// Whether the struct's `new()` takes this field: required, not nullable, and not
    /// a `const` (which fills itself).
    pub fn is_constructor_argument(&self) -> bool {
        self.required && !self.is_option() && !self.constant
    }
}

impl TypeRef {
    /// A `Vec` or a map.
    pub fn is_collection(&self) -> bool {
        matches!(self, Self::Vec(_) | Self::Map(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    ReadWrite,
    ReadOnly,
    WriteOnly,
}

/// A string enum that keeps values it does not know (`Unknown(String)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StringEnum {
    pub variants: Vec<Variant>,
    /// Name of the catch-all variant for values added to the API later.
    pub unknown_variant: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    pub wire_value: String,
    pub rust_name: String,
}
