//! The API as Rust callers see it: every `Client` method with its arguments, setters
//! and return type, and every model type with its fields or values. Derived from the
//! IR, written next to the generated code as `api.yaml` (so the regeneration check
//! guards it), and compared by [`crate::changes::diff`] to say what a spec update means for
//! code that depends on the client.

use crate::ir::{
    Api, EventSource, Field, Literal, Operation, PartKind, Paths, SchemeKind, Success, TypeKind,
};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

fn features(api: &Api) -> IndexMap<String, Vec<String>> {
    let mut features: IndexMap<String, Vec<String>> = IndexMap::new();
    for def in &api.types {
        if let Some(feature) = &def.feature {
            features
                .entry(feature.clone())
                .or_default()
                .push(def.rust_name.clone());
        }
    }
    features.sort_keys();
    features
}

/// The caller-facing shape of a generated crate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Surface {
    /// Digest of the spec text this was generated from: `cargo xtask codegen` bumps the
    /// crate's version only when the spec itself changed, not when the generator did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_digest: Option<String>,
    /// The `openapi-client-runtime` version the crate was generated for: its types
    /// (`Error`, `RetryPolicy`, ...) are part of the crate's API, so a breaking
    /// runtime release is a breaking change of the crate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// `Client` methods by Rust name, in spec order.
    pub operations: IndexMap<String, OperationSurface>,
    /// Model types by Rust name, in spec order.
    pub types: IndexMap<String, TypeSurface>,
    /// Model types that are links (`runtime::Href`: an `href` string), which
    /// `download_from`, `upload_to` and `get_link` take.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// Cargo feature -> the types compiled only with it (`unused-schemas`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub features: IndexMap<String, Vec<String>>,
    /// The `schemes` constants -> how each scheme's credential travels (and so
    /// which `ClientBuilder` method takes it).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub schemes: IndexMap<String, String>,
    /// The setters of `servers::Server` -> what they take.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub server_settings: IndexMap<String, String>,
    /// The modules of `servers` typing an operation's server (`servers::files`,
    /// set with `ClientBuilder::server`) -> the setters of its `Server` -> what
    /// they take.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub operation_servers: IndexMap<String, IndexMap<String, String>>,
    /// The structs of multipart bodies (in `operations`), by Rust name: field ->
    /// the part it sends (`wire` is `<kind> <name> <content type>`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub multipart_bodies: IndexMap<String, IndexMap<String, FieldSurface>>,
    /// Webhooks and callbacks (requests the API sends, which the client has no method
    /// for), each `webhook <name> <METHOD>` or `callback <name> <METHOD> <expression>
    /// of <method>` -> its payloads (`request body application/json`, `response 200
    /// application/json`) -> the model type.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub events: IndexMap<String, IndexMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationSurface {
    /// `GET /{iModelId}`.
    pub endpoint: String,
    pub operation_id: String,
    /// Its struct in `operations`, the `O` of the `Request<O>` the method returns
    /// (absent in summaries written before it was recorded).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub input: String,
    /// Arguments of the `Client` method, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<InputSurface>,
    /// Setters on the request builder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub setters: Vec<InputSurface>,
    /// What `send()` returns on success.
    pub returns: String,
    /// For an entity returned from inside an envelope, where it is:
    /// `iModel of IModelResponse` (`send_raw()` gives the whole body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<String>,
    /// Media types the responses declare.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_types: Vec<String>,
    /// Whether the builder has `into_stream()`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paged: bool,
    /// For a long-running operation, what `send_and_wait()` polls and returns:
    /// `get_create_imodel_operation_details -> get_imodel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waits: Option<String>,
    /// The security alternatives it sends, first configured wins; each its scheme
    /// constants, ` + ` between those sent together, `anonymous` for none. An
    /// empty list sends no credential; absent: the client's token (the spec
    /// declares no security).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<Vec<String>>,
    /// The base URL of its own server, unless the caller sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The module of `servers` whose `Server` chooses its server's variables
    /// (see [`Surface::operation_servers`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_settings: Option<String>,
    /// How each property of a form body (`application/x-www-form-urlencoded`)
    /// goes on the wire: `tags: form, explode`, `meta: application/json`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub form_encoding: Vec<String>,
    /// The struct of its declared success headers (`headers_as`): its name and
    /// fields (`wire` is the header's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_headers: Option<HeadersSurface>,
    /// Its own error bodies: the enum and its variants, each with its status:
    /// `CreatePetError { 400 BadRequest(BadRequest), default Default(Error) }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<String>,
}

/// See [`OperationSurface::response_headers`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadersSurface {
    pub name: String,
    pub fields: IndexMap<String, FieldSurface>,
}

/// A parameter or the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSurface {
    pub name: String,
    /// `query iTwinId`, `path iModelId`, `body application/json`; a parameter's
    /// style when it is not its location's default: `query color (deepObject, explode)`.
    pub wire: String,
    #[serde(rename = "type")]
    pub ty: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeSurface {
    /// Field name -> field.
    Struct(IndexMap<String, FieldSurface>),
    /// Wire values.
    Enum(Vec<String>),
    /// Variant name -> payload type.
    Union(IndexMap<String, String>),
    Alias(String),
    /// A `const`: its value as JSON text.
    Const(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSurface {
    pub wire: String,
    /// The field's Rust type, `Option` included.
    #[serde(rename = "type")]
    pub ty: String,
    /// Must be given to `new()` (required and not nullable).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
}

impl Surface {
    pub fn of(api: &Api) -> Self {
        Self {
            spec_digest: None,
            runtime: Some(crate::emit::runtime_files::runtime_version().to_owned()),
            operations: api
                .operations
                .iter()
                .map(|op| (op.rust_name.clone(), operation(op, api)))
                .collect(),
            types: api
                .types
                .iter()
                .map(|def| (def.rust_name.clone(), type_surface(&def.kind)))
                .collect(),
            links: api
                .types
                .iter()
                .filter(|def| matches!(&def.kind, TypeKind::Struct(s) if s.href.is_some()))
                .map(|def| def.rust_name.clone())
                .collect(),
            features: features(api),
            schemes: api
                .security_schemes
                .iter()
                .map(|scheme| (scheme.rust_name.clone(), scheme_surface(&scheme.kind)))
                .collect(),
            server_settings: api.servers.first().map(settings).unwrap_or_default(),
            operation_servers: operation_servers(api),
            multipart_bodies: multipart_bodies(api),
            events: events(api),
        }
    }

    /// The feature each type needs, when it needs one.
    pub fn feature_of(&self, type_name: &str) -> Option<&str> {
        self.features
            .iter()
            .find(|(_, types)| types.iter().any(|t| t == type_name))
            .map(|(feature, _)| feature.as_str())
    }

    /// The checked-in text form: a header, then YAML.
    pub fn to_text(&self, header: &str) -> String {
        let yaml = serde_yaml::to_string(self).unwrap_or_default();
        format!("# {header}\n# The API as Rust callers see it; `cargo xtask codegen` compares it across spec updates.\n{yaml}")
    }

    /// Records which spec text this surface came from.
    pub fn with_spec(mut self, source: &str) -> Self {
        self.spec_digest = Some(digest(source));
        self
    }

    /// Reads the text form back (comments are ignored by YAML).
    pub fn from_text(text: &str) -> Result<Self, String> {
        serde_yaml::from_str(text).map_err(|e| e.to_string())
    }
}

fn scheme_surface(kind: &SchemeKind) -> String {
    match kind {
        SchemeKind::Bearer { .. } => "http bearer (token)".to_owned(),
        SchemeKind::Basic => "http basic (basic_auth)".to_owned(),
        SchemeKind::Http { scheme } => format!("http {scheme} (http_credentials)"),
        SchemeKind::ApiKey { location, name } => {
            format!("apiKey {} {name} (api_key)", location.as_str())
        }
        SchemeKind::OAuth2 => "oauth2 (token)".to_owned(),
        SchemeKind::OpenIdConnect { .. } => "openIdConnect (token)".to_owned(),
        SchemeKind::MutualTls => "mutualTLS (http_client)".to_owned(),
    }
}

fn operation_servers(api: &Api) -> IndexMap<String, IndexMap<String, String>> {
    let mut modules = IndexMap::new();
    for server in api.operations.iter().filter_map(|op| op.servers.first()) {
        if let Some(module) = &server.module {
            modules
                .entry(module.clone())
                .or_insert_with(|| settings(server));
        }
    }
    modules
}

/// A server's setters -> what they take.
fn settings(server: &crate::ir::Server) -> IndexMap<String, String> {
    server
        .variables
        .iter()
        .map(|variable| {
            let ty = match &variable.choices {
                Some(choices) => {
                    let values: Vec<&str> = choices
                        .variants
                        .iter()
                        .map(|v| v.wire_value.as_str())
                        .collect();
                    format!("{} ({})", choices.enum_name, values.join(" | "))
                }
                None => "String".to_owned(),
            };
            (variable.rust_name.clone(), ty)
        })
        .collect()
}

fn events(api: &Api) -> IndexMap<String, IndexMap<String, String>> {
    api.events
        .iter()
        .map(|event| {
            let method = event.method.as_str();
            let key = match &event.source {
                EventSource::Webhook { name } => format!("webhook {name} {method}"),
                EventSource::Callback {
                    name,
                    expression,
                    operation,
                } => format!("callback {name} {method} {expression} of {operation}"),
            };
            let payloads = event
                .payloads()
                .map(|(what, payload)| {
                    (
                        format!("{what} {}", payload.media_type),
                        payload.ty.rust(Paths::Short),
                    )
                })
                .collect();
            (key, payloads)
        })
        .collect()
}

fn multipart_bodies(api: &Api) -> IndexMap<String, IndexMap<String, FieldSurface>> {
    let bodies = api
        .operations
        .iter()
        .filter_map(|op| op.body.as_ref()?.multipart.as_ref());
    bodies
        .map(|body| {
            let fields = body
                .parts
                .iter()
                .map(|part| {
                    let kind = match part.kind {
                        PartKind::Text => "text",
                        PartKind::Json => "json",
                        PartKind::File => "file",
                    };
                    let field = FieldSurface {
                        wire: format!("{kind} {} {}", part.wire_name, part.content_type),
                        ty: part.ty.rust(Paths::Short),
                        required: part.required,
                    };
                    (part.rust_name.clone(), field)
                })
                .collect::<IndexMap<_, _>>();
            let mut fields = fields;
            if let Some(name) = &body.headers_field {
                let field = FieldSurface {
                    wire: "headers of parts".to_owned(),
                    ty: "PartHeaders".to_owned(),
                    required: false,
                };
                fields.insert(name.clone(), field);
            }
            (body.rust_name.clone(), fields)
        })
        .collect()
}

fn security(op: &Operation, api: &Api) -> Option<Vec<String>> {
    let constant = |key: &String| {
        api.security_schemes
            .iter()
            .find(|scheme| scheme.wire_name == *key)
            .map_or_else(|| key.clone(), |scheme| scheme.rust_name.clone())
    };
    let alternatives = op.security.as_ref()?.iter().map(|keys| {
        if keys.is_empty() {
            return "anonymous".to_owned();
        }
        keys.iter().map(constant).collect::<Vec<_>>().join(" + ")
    });
    Some(alternatives.collect())
}

fn operation(op: &Operation, api: &Api) -> OperationSurface {
    let mut arguments = Vec::new();
    let mut setters = Vec::new();
    for param in &op.params {
        let place = param.location.as_str();
        let wire = match param.serialization_note() {
            Some(note) => format!("{place} {} ({note})", param.wire_name),
            None => format!("{place} {}", param.wire_name),
        };
        let input = InputSurface {
            name: param.rust_name.clone(),
            wire,
            ty: param.ty.rust(Paths::Short),
        };
        if param.required {
            arguments.push(input);
        } else {
            setters.push(input);
        }
    }
    if let Some(body) = &op.body {
        let input = InputSurface {
            name: "body".to_owned(),
            wire: format!("body {}", body.media_type),
            ty: body.ty.rust(Paths::Short),
        };
        if body.required {
            arguments.push(input);
        } else {
            setters.push(input);
        }
    }
    let mut media_types: Vec<String> = Vec::new();
    for content in op.responses.iter().flat_map(|r| &r.content) {
        if !media_types.contains(&content.media_type) {
            media_types.push(content.media_type.clone());
        }
    }
    OperationSurface {
        endpoint: format!("{} {}", op.method.as_str(), op.path_template),
        operation_id: op.wire_name.clone(),
        input: op.builder_name.clone(),
        arguments,
        setters,
        returns: returns(&op.success),
        envelope: match &op.success {
            Success::Json {
                envelope: Some(envelope),
                ..
            } => Some(format!(
                "{} of {}",
                envelope.property,
                envelope.wrapper.rust(Paths::Short)
            )),
            _ => None,
        },
        media_types,
        paged: op.pagination.is_some(),
        waits: op.long_running.as_ref().map(|lr| match &lr.result_method {
            Some(result) => format!("{} -> {result}", lr.poll_method),
            None => format!("{} -> id", lr.poll_method),
        }),
        security: security(op, api),
        server: op.servers.first().map(|server| server.default_url.clone()),
        server_settings: op.servers.first().and_then(|server| server.module.clone()),
        form_encoding: op
            .body
            .iter()
            .flat_map(|body| &body.form_fields)
            .map(|field| {
                let mut note = if field.json {
                    "application/json".to_owned()
                } else {
                    field.style.as_str().to_owned()
                };
                if field.explode && !field.json {
                    note.push_str(", explode");
                }
                if field.allow_reserved {
                    note.push_str(", allowReserved");
                }
                format!("{}: {note}", field.wire_name)
            })
            .collect(),
        response_headers: op.response_headers.as_ref().map(|h| HeadersSurface {
            name: h.rust_name.clone(),
            fields: h
                .fields
                .iter()
                .map(|f| {
                    let ty = f.ty.rust(Paths::Short);
                    let field = FieldSurface {
                        wire: f.wire_name.clone(),
                        ty: if f.required {
                            ty
                        } else {
                            format!("Option<{ty}>")
                        },
                        required: f.required,
                    };
                    (f.rust_name.clone(), field)
                })
                .collect(),
        }),
        errors: op.errors.as_ref().map(errors),
    }
}

/// The error enum with its variants, each after the status it is matched by.
fn errors(errors: &crate::ir::ErrorBodies) -> String {
    let mut variants: Vec<String> = errors
        .variants
        .iter()
        .map(|v| {
            let status = match &v.status {
                crate::ir::StatusSpec::Code(code) => code.to_string(),
                crate::ir::StatusSpec::Range(digit) => format!("{digit}XX"),
                crate::ir::StatusSpec::Default => "default".to_owned(),
            };
            match &v.body {
                Some(ty) => format!("{status} {}({})", v.rust_name, ty.rust(Paths::Short)),
                None => format!("{status} {}", v.rust_name),
            }
        })
        .collect();
    if errors.undeclared {
        variants.push("Undeclared".to_owned());
    }
    format!("{} {{ {} }}", errors.enum_name, variants.join(", "))
}

/// The output type, and for a by-status enum its variants too, since the enum is
/// part of what a caller matches on: `ResponseValue<E> { Ok(T), NoContent }`.
fn returns(success: &Success) -> String {
    let output = success.output(Paths::Short);
    let Success::ByStatus { variants, .. } = success else {
        return output;
    };
    let variants: Vec<String> = variants
        .iter()
        .map(|v| match v.body.payload(Paths::Short) {
            Some(payload) => format!("{}({payload})", v.rust_name),
            None => v.rust_name.clone(),
        })
        .collect();
    format!("{output} {{ {} }}", variants.join(", "))
}

fn type_surface(kind: &TypeKind) -> TypeSurface {
    match kind {
        TypeKind::Struct(s) => {
            let mut fields: IndexMap<String, FieldSurface> = s
                .fields
                .iter()
                .map(|f| (f.rust_name.clone(), field(f)))
                .collect();
            if let Some(extra) = &s.additional {
                fields.insert(
                    extra.rust_name.clone(),
                    FieldSurface {
                        wire: "(other properties)".to_owned(),
                        ty: extra.declared(Paths::Short),
                        required: false,
                    },
                );
            }
            TypeSurface::Struct(fields)
        }
        TypeKind::Enum(e) => {
            TypeSurface::Enum(e.variants.iter().map(|v| v.wire_value.clone()).collect())
        }
        TypeKind::IntEnum(e) => {
            TypeSurface::Enum(e.variants.iter().map(|v| v.value.to_string()).collect())
        }
        TypeKind::Union(u) => TypeSurface::Union(
            u.variants
                .iter()
                .map(|v| (v.rust_name.clone(), v.declared(Paths::Short)))
                .collect(),
        ),
        TypeKind::Alias(ty) => TypeSurface::Alias(ty.rust(Paths::Short)),
        TypeKind::Const(value) => TypeSurface::Const(match value {
            Literal::Str(s) => serde_json::Value::from(s.as_str()).to_string(),
            Literal::Int(i) => i.to_string(),
            Literal::Bool(b) => b.to_string(),
            Literal::Float(f) => f.to_string(),
        }),
    }
}

fn field(f: &Field) -> FieldSurface {
    FieldSurface {
        wire: f.wire_name.clone(),
        ty: f.declared(Paths::Short),
        required: f.is_constructor_argument(),
    }
}

/// FNV-1a (64-bit) of the text: stable across platforms and Rust versions, which is
/// all a "did the spec change" check needs (it is not a security boundary).
pub fn digest(text: &str) -> String {
    let hash = text
        .replace("\r\n", "\n")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("fnv1a64:{hash:016x}")
}
