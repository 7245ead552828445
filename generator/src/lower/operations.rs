//! Paths and operations -> [`Operation`]s: names, parameters, bodies, responses and
//! what a successful call returns.

use super::bodies;
use super::params;
use super::refs;
use super::types::TypeLowering;
use crate::diagnostics::pointer::escape;
use crate::diagnostics::{pointer, Diagnostic};
use crate::ir::{
    BodyEncoding, BodyKind, Content, EnvelopeDeclaration, HttpMethod, Operation, Param,
    ParamLocation, ParamStyle, PathPart, RequestBody, Response, StatusSpec, StatusVariant, Success,
    SuccessBody, TypeRef,
};
use crate::naming::{Naming, Scope};
use crate::source::media::is_json_media;
use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr};
use std::collections::BTreeMap;

/// Names taken on every `Request<Op>`, which setters share: the runtime's
/// per-call, sending and paging methods, and `body`, the body's own name. Reserved
/// for all operations, paged or not, so adding paging never renames a setter.
fn builder_members() -> Vec<&'static str> {
    let mut names = crate::naming::reserved::REQUEST_METHODS.to_vec();
    // The mock of each operation has the same setters, beside its own methods.
    names.extend(crate::naming::reserved::MOCK_METHODS);
    names.push("body");
    names
}

/// Names the operation structs cannot take in `operations.rs`: what it imports.
const OPERATIONS_MODULE_NAMES: &[&str] = &["Client", "Request"];

pub(super) fn lower_operations<'d>(
    document: &'d OpenAPI,
    naming: &Naming,
    types: &mut TypeLowering<'d>,
) -> (Vec<Operation>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    // Each operation's mock helper on `MockServer` takes its client method's name.
    let reserved_methods = [
        crate::naming::reserved::CLIENT_METHODS,
        crate::naming::reserved::MOCK_SERVER_METHODS,
    ]
    .concat();
    let mut method_names = Scope::with_reserved(&reserved_methods);
    let mut builder_names = Scope::with_reserved(OPERATIONS_MODULE_NAMES);
    let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut operations = Vec::new();
    let any_security = super::security::any_requirement(document);

    for (path, item) in &document.paths.paths {
        let item_origin = pointer(["paths", path.as_str()]);
        let ReferenceOr::Item(item) = item else {
            diagnostics.push(Diagnostic::warning(
                item_origin,
                "path items given by $ref are not supported yet; skipped",
            ));
            continue;
        };
        for (method, op) in item.iter() {
            let origin = format!("{item_origin}/{method}");
            crate::diagnostics::guard::at(&origin);
            let wire_name = op
                .operation_id
                .clone()
                .unwrap_or_else(|| derived_name(method, split_query(path).0));
            let rust_name = method_names.claim(&naming.value_name(&wire_name));
            if let Some(first) = seen_ids.insert(wire_name.clone(), origin.clone()) {
                diagnostics.push(
                    Diagnostic::warning(
                        format!("{origin}/operationId"),
                        format!(
                            "operationId `{wire_name}` is used twice; this one is generated as `{rust_name}`"
                        ),
                    )
                    .with_hint(format!(
                        "it is also the operationId of {first}; operationIds must be unique"
                    )),
                );
            }
            let builder_name = builder_names.claim(&format!(
                "{}{}",
                naming.type_name(&wire_name),
                crate::naming::OPERATION_SUFFIX
            ));
            let op_type_name = naming.type_name(&wire_name);
            let mut lowering = OperationLowering {
                document,
                naming,
                types,
                diagnostics: &mut diagnostics,
                origin: &origin,
                type_name: &op_type_name,
            };
            let (template, query) = split_query(path);
            if query.is_some() {
                lowering.diagnostics.push(
                    Diagnostic::warning(
                        item_origin.clone(),
                        format!("path `{path}` has a query string; its placeholders are sent as query parameters"),
                    )
                    .with_hint("declare them under `parameters` with `in: query` and keep the path a path"),
                );
            }
            let mut params = lowering.params(&item.parameters, &op.parameters, &item_origin);
            let constant_query = match query {
                Some(query) => lowering.query_template(query, &mut params, &item_origin),
                None => Vec::new(),
            };
            let path_parts = lowering.path(template, &params);
            let mut body = op.request_body.as_ref().and_then(|b| lowering.body(b));
            if let Some(body) = &mut body {
                bodies::name_parts(body, &mut builder_names);
            }
            let responses = lowering.responses(&op.responses);
            let success = lowering.success(&responses);
            let accept = bodies::accept(&responses);
            let response_headers = super::response_headers::HeaderLowering {
                document,
                naming,
                types,
                diagnostics: &mut diagnostics,
                names: &mut builder_names,
            }
            .lower(&op.responses, &origin, &op_type_name);
            operations.push(Operation {
                origin: origin.clone(),
                wire_name,
                rust_name,
                builder_name,
                method: parse_method(method),
                path_template: template.to_owned(),
                path: path_parts,
                summary: op.summary.clone(),
                description: op.description.clone(),
                tags: op.tags.clone(),
                deprecated: op.deprecated,
                params,
                constant_query,
                body,
                responses,
                success,
                accept,
                pagination: None,
                long_running: None,
                security: super::security::requirement(
                    document,
                    any_security,
                    op,
                    &origin,
                    &mut diagnostics,
                ),
                servers: match op.servers.is_empty() {
                    false => super::servers::lower(
                        &op.servers,
                        &format!("{origin}/servers"),
                        naming,
                        &mut diagnostics,
                    ),
                    true => super::servers::lower(
                        &item.servers,
                        &format!("{item_origin}/servers"),
                        naming,
                        &mut diagnostics,
                    ),
                },
                response_headers,
                // Set by `error_bodies::resolve` once the types are final.
                errors: None,
            });
        }
    }
    (operations, diagnostics)
}

struct OperationLowering<'a, 'd> {
    document: &'d OpenAPI,
    naming: &'a Naming,
    types: &'a mut TypeLowering<'d>,
    diagnostics: &'a mut Vec<Diagnostic>,
    origin: &'a str,
    /// `GetIModels`: prefix for inline types of this operation.
    type_name: &'a str,
}

impl OperationLowering<'_, '_> {
    /// Path-level parameters overridden by operation-level ones with the same name and
    /// location; path parameters first (in template order is applied by `path`).
    fn params(
        &mut self,
        path_level: &[ReferenceOr<Parameter>],
        op_level: &[ReferenceOr<Parameter>],
        item_origin: &str,
    ) -> Vec<Param> {
        let mut merged: Vec<(String, &Parameter)> = Vec::new();
        let sources = path_level
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("{item_origin}/parameters/{i}"), p))
            .chain(
                op_level
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (format!("{}/parameters/{i}", self.origin), p)),
            );
        for (origin, parameter) in sources {
            match refs::resolve_parameter(self.document, parameter) {
                Ok((_, parameter)) => {
                    let key = (
                        parameter.parameter_data_ref().name.clone(),
                        location(parameter),
                    );
                    merged
                        .retain(|(_, p)| (p.parameter_data_ref().name.clone(), location(p)) != key);
                    merged.push((origin, parameter));
                }
                Err(mut diagnostic) => {
                    diagnostic.pointer = origin;
                    self.diagnostics.push(diagnostic);
                }
            }
        }
        // Path parameters first, so required arguments read in URL order.
        merged.sort_by_key(|(_, p)| location(p) != ParamLocation::Path);
        let mut names = Scope::with_reserved(&builder_members());
        merged
            .into_iter()
            .map(|(origin, parameter)| {
                let data = parameter.parameter_data_ref();
                let hint = self.naming.child_type_name(self.type_name, &data.name);
                let (ty, content) = match &data.format {
                    ParameterSchemaOrContent::Schema(schema) => (
                        self.types
                            .lower_schema(schema, &format!("{origin}/schema"), &hint),
                        None,
                    ),
                    ParameterSchemaOrContent::Content(content) => {
                        self.content_param(content, &origin, &hint)
                    }
                };
                let location = location(parameter);
                let (style, explode, allow_reserved) = params::serialization(parameter);
                Param {
                    style,
                    explode,
                    allow_reserved,
                    content,
                    wire_name: data.name.clone(),
                    rust_name: names.claim(&self.naming.value_name(&data.name)),
                    location,
                    required: data.required || location == ParamLocation::Path,
                    ty: strip_nullable(ty),
                    description: data.description.clone(),
                    deprecated: data.deprecated.unwrap_or(false),
                    origin,
                }
            })
            .collect()
    }

    /// Makes the placeholders of a query string written into the path (`?q={query}`)
    /// query parameters named by their key: a declared parameter moves to the query,
    /// an undeclared one becomes a required string. Pairs with a fixed value
    /// (`view=info`) are returned, to be sent with every call; a placeholder for a key
    /// cannot be sent by a typed client and is dropped with a warning.
    fn query_template(
        &mut self,
        query: &str,
        params: &mut Vec<Param>,
        item_origin: &str,
    ) -> Vec<(String, String)> {
        let mut constant = Vec::new();
        let mut names = Scope::with_reserved(&builder_members());
        for p in params.iter() {
            names.claim(&p.rust_name);
        }
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let placeholder = value.strip_prefix('{').and_then(|v| v.strip_suffix('}'));
            if key.contains('{') || (placeholder.is_none() && value.contains('{')) {
                // Its placeholders name nothing the client can send; path parameters
                // declared for them go too, since the path does not use them.
                let unsendable = |p: &Param| {
                    p.location == ParamLocation::Path
                        && pair.contains(&format!("{{{}}}", p.wire_name))
                };
                let dropped: Vec<String> = params
                    .iter()
                    .filter(|p| unsendable(p))
                    .map(|p| format!("`{}`", p.wire_name))
                    .collect();
                params.retain(|p| !unsendable(p));
                let and_params = if dropped.is_empty() {
                    String::new()
                } else {
                    format!(" (nor the parameters {})", dropped.join(", "))
                };
                self.diagnostics.push(Diagnostic::warning(
                    item_origin,
                    format!("the query pair `{pair}` in the path has no `key={{placeholder}}` form; it is not sent{and_params}"),
                ));
                continue;
            }
            let Some(placeholder) = placeholder else {
                constant.push((key.to_owned(), value.to_owned()));
                continue;
            };
            match params.iter_mut().find(|p| {
                p.wire_name == placeholder
                    && matches!(p.location, ParamLocation::Path | ParamLocation::Query)
            }) {
                Some(param) => {
                    if param.location != ParamLocation::Query {
                        (param.style, param.explode) = ParamLocation::Query.default_style();
                    }
                    param.location = ParamLocation::Query;
                    key.clone_into(&mut param.wire_name);
                }
                None => params.push(Param {
                    style: ParamStyle::Form,
                    explode: true,
                    allow_reserved: false,
                    content: None,
                    origin: item_origin.to_owned(),
                    wire_name: key.to_owned(),
                    rust_name: names.claim(&self.naming.value_name(placeholder)),
                    location: ParamLocation::Query,
                    required: true,
                    ty: TypeRef::String,
                    description: None,
                    deprecated: false,
                }),
            }
        }
        // Path parameters stay first.
        params.sort_by_key(|p| p.location != ParamLocation::Path);
        constant
    }

    /// Splits the template into literals and parameters; every `{name}` must be a
    /// declared path parameter and every path parameter must appear.
    fn path(&mut self, template: &str, params: &[Param]) -> Vec<PathPart> {
        let mut parts = Vec::new();
        let mut rest = template;
        let mut used = Vec::new();
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(PathPart::Literal(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                self.diagnostics.push(Diagnostic::error(
                    pointer(["paths", template]),
                    format!("path `{template}` has an unclosed `{{`"),
                ));
                return parts;
            };
            let name = &rest[open + 1..open + close];
            match params
                .iter()
                .position(|p| p.location == ParamLocation::Path && p.wire_name == name)
            {
                Some(index) => {
                    used.push(index);
                    parts.push(PathPart::Param(index));
                }
                None => self.diagnostics.push(
                    Diagnostic::error(
                        self.origin,
                        format!("path `{template}` uses `{{{name}}}` but the operation declares no path parameter `{name}`"),
                    )
                    .with_hint(format!("add a parameter with `name: {name}` and `in: path`")),
                ),
            }
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_owned()));
        }
        for (index, param) in params.iter().enumerate() {
            if param.location == ParamLocation::Path && !used.contains(&index) {
                self.diagnostics.push(
                    Diagnostic::error(
                        param.origin.clone(),
                        format!(
                            "path parameter `{}` does not appear in the path `{template}`",
                            param.wire_name
                        ),
                    )
                    .with_hint(format!(
                        "add `{{{}}}` to the path or remove the parameter",
                        param.wire_name
                    )),
                );
            }
        }
        parts
    }

    /// The type and media type of a parameter declared with `content`: its schema's
    /// type when the media type is JSON (sent as JSON text), a string otherwise.
    fn content_param(
        &mut self,
        content: &indexmap::IndexMap<String, openapiv3::MediaType>,
        origin: &str,
        hint: &str,
    ) -> (TypeRef, Option<String>) {
        let Some((media_type, media)) = content.first() else {
            return (TypeRef::String, None);
        };
        let ty = match &media.schema {
            Some(schema) if is_json_media(media_type) => self.types.lower_schema(
                schema,
                &format!("{origin}/content/{}/schema", escape(media_type)),
                hint,
            ),
            None if is_json_media(media_type) => TypeRef::Json,
            _ => return (TypeRef::String, None),
        };
        (ty, Some(media_type.clone()))
    }

    fn body(&mut self, body: &ReferenceOr<openapiv3::RequestBody>) -> Option<RequestBody> {
        let origin = format!("{}/requestBody", self.origin);
        let (ref_origin, body) = match refs::resolve_request_body(self.document, body) {
            Ok(found) => found,
            Err(mut diagnostic) => {
                diagnostic.pointer = origin;
                self.diagnostics.push(diagnostic);
                return None;
            }
        };
        let origin = ref_origin.unwrap_or(origin);
        // JSON first, then form, then whatever is listed first.
        let (media_type, media) = body
            .content
            .iter()
            .find(|(m, _)| is_json_media(m))
            .or_else(|| body.content.iter().find(|(m, _)| essence(m) == FORM))
            .or_else(|| body.content.first())?;
        let media_origin = format!("{origin}/content/{}", escape(media_type));
        let hint = format!("{}Body", self.type_name);
        let schema_origin = format!("{media_origin}/schema");
        let media_essence = essence(media_type);
        let mut multipart = None;
        let (encoding, ty) = match (&media.schema, media_essence.as_str()) {
            (Some(schema), m) if is_json_media(m) => (
                BodyEncoding::Json,
                self.types.lower_schema(schema, &schema_origin, &hint),
            ),
            (None, m) if is_json_media(m) => (BodyEncoding::Json, TypeRef::Json),
            (Some(schema), FORM) => (
                BodyEncoding::Form,
                self.types.lower_schema(schema, &schema_origin, &hint),
            ),
            (_, m) if m.starts_with("text/") => (BodyEncoding::Text, TypeRef::String),
            (schema, m) if m.starts_with("multipart/") => {
                multipart = bodies::MultipartLowering {
                    document: self.document,
                    naming: self.naming,
                    types: self.types,
                    diagnostics: self.diagnostics,
                    type_name: self.type_name,
                }
                .lower(schema.as_ref(), &media.encoding, &media_origin);
                match &multipart {
                    // Named by `bodies::name_parts`.
                    Some(_) => (BodyEncoding::Multipart, TypeRef::Json),
                    None => (BodyEncoding::Multipart, TypeRef::AnyParts),
                }
            }
            (_, _) => (BodyEncoding::Bytes, TypeRef::Body),
        };
        let form_fields = if encoding == BodyEncoding::Form {
            params::declared_form_fields(&media.encoding)
        } else {
            Vec::new()
        };
        Some(RequestBody {
            form_fields,
            origin: media_origin,
            media_type: media_type.clone(),
            encoding,
            required: body.required,
            ty,
            description: body.description.clone(),
            multipart,
        })
    }

    fn responses(&mut self, responses: &openapiv3::Responses) -> Vec<Response> {
        let declared = declared_responses(responses);
        let several_success = responses
            .responses
            .keys()
            .filter(|s| matches!(s, openapiv3::StatusCode::Code(200..=299)))
            .count()
            > 1;
        let mut out = Vec::new();
        for (status, key, response) in declared {
            let origin = format!("{}/responses/{key}", self.origin);
            let (ref_origin, response) = match refs::resolve_response(self.document, response) {
                Ok(found) => found,
                Err(mut diagnostic) => {
                    diagnostic.pointer = origin;
                    self.diagnostics.push(diagnostic);
                    continue;
                }
            };
            let origin = ref_origin.unwrap_or(origin);
            let hint = if several_success || !status.is_success() {
                format!("{}Response{}", self.type_name, self.naming.type_name(&key))
            } else {
                format!("{}Response", self.type_name)
            };
            let content = response
                .content
                .iter()
                .map(|(media_type, media)| {
                    let schema_origin = format!("{origin}/content/{}/schema", escape(media_type));
                    let body = match &media.schema {
                        None => BodyKind::Untyped,
                        Some(_) if !is_json_media(media_type) => BodyKind::Bytes,
                        Some(schema) => {
                            BodyKind::Json(self.types.lower_schema(schema, &schema_origin, &hint))
                        }
                    };
                    Content {
                        media_type: media_type.clone(),
                        body,
                    }
                })
                .collect();
            let envelope_origin = format!("{origin}/{}", super::envelope::EXTENSION);
            let envelope = match response.extensions.get(super::envelope::EXTENSION) {
                None => None,
                Some(serde_json::Value::String(property)) => Some(EnvelopeDeclaration {
                    property: property.clone(),
                    origin: envelope_origin,
                }),
                Some(other) => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            envelope_origin,
                            format!(
                                "`{}` is `{other}`, not the name of a property",
                                super::envelope::EXTENSION
                            ),
                        )
                        .with_hint(super::envelope::HINT),
                    );
                    None
                }
            };
            out.push(Response {
                status,
                description: response.description.clone(),
                content,
                headers: response.headers.keys().cloned().collect(),
                envelope,
            });
        }
        out
    }

    /// One JSON type across the declared 2xx bodies gives `Success<T>`; bytes give
    /// `Success<Bytes>`; no schema gives the raw response.
    fn success(&mut self, responses: &[Response]) -> Success {
        let declared = success_bodies(responses);
        let typed: Vec<&(u16, SuccessBody)> = declared
            .iter()
            .filter(|(_, body)| *body != SuccessBody::Empty)
            .collect();
        let Some((_, first)) = typed.first() else {
            return Success::Raw;
        };
        // One body shape for every declared 2xx that has a body.
        if declared.iter().all(|(_, body)| body == first) {
            let statuses = declared.iter().map(|(code, _)| *code).collect();
            return match first {
                SuccessBody::Json(ty) => Success::Json {
                    ty: ty.clone(),
                    statuses,
                    // Set by `envelope::resolve` once the types are known.
                    envelope: None,
                },
                _ => Success::Bytes { statuses },
            };
        }
        // Different bodies by status: an enum with one variant per status.
        let mut names = Scope::with_reserved(&["Undeclared"]);
        let variants = declared
            .into_iter()
            .map(|(status, body)| StatusVariant {
                status,
                rust_name: names.claim(&status_name(status)),
                body,
            })
            .collect();
        Success::ByStatus {
            enum_name: format!("{}Response", self.type_name),
            variants,
        }
    }
}

/// The body each declared 2xx status carries (`2XX` counts for every 2xx not listed,
/// and `default` stands in for them when no 2xx is declared at all).
/// An operation's responses in spec order, then `default`: each with its status,
/// its key in `responses` (for the pointer) and the response or its `$ref`.
pub(super) fn declared_responses(
    responses: &openapiv3::Responses,
) -> impl Iterator<Item = (StatusSpec, String, &ReferenceOr<openapiv3::Response>)> {
    let by_status = responses.responses.iter().map(|(status, response)| {
        let spec = match status {
            openapiv3::StatusCode::Code(code) => StatusSpec::Code(*code),
            openapiv3::StatusCode::Range(digit) => StatusSpec::Range(*digit),
        };
        (spec, status.to_string(), response)
    });
    let default = responses
        .default
        .iter()
        .map(|r| (StatusSpec::Default, "default".to_owned(), r));
    by_status.chain(default)
}

fn success_bodies(responses: &[Response]) -> Vec<(u16, SuccessBody)> {
    let body_of = |response: &Response| {
        // Prefer JSON when a status offers several media types.
        let preferred = response
            .content
            .iter()
            .find(|c| matches!(c.body, BodyKind::Json(_)))
            .or_else(|| response.content.first());
        match preferred.map(|c| &c.body) {
            Some(BodyKind::Json(ty)) => SuccessBody::Json(ty.clone()),
            Some(BodyKind::Bytes) => SuccessBody::Bytes,
            _ => SuccessBody::Empty,
        }
    };
    let mut out: Vec<(u16, SuccessBody)> = responses
        .iter()
        .filter_map(|r| match r.status {
            StatusSpec::Code(code) if r.status.is_success() => Some((code, body_of(r))),
            _ => None,
        })
        .collect();
    let range = responses
        .iter()
        .find(|r| r.status == StatusSpec::Range(2))
        .or_else(|| {
            out.is_empty()
                .then(|| responses.iter().find(|r| r.status == StatusSpec::Default))
                .flatten()
        });
    if let Some(range) = range {
        let body = body_of(range);
        for code in 200..300 {
            if !out.iter().any(|(c, _)| *c == code) {
                out.push((code, body.clone()));
            }
        }
    }
    out
}

/// `Ok`, `Created`, `NoContent`... for the variant of a status; `Status299` otherwise.
fn status_name(status: u16) -> String {
    let name = match status {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        208 => "AlreadyReported",
        226 => "ImUsed",
        _ => return format!("Status{status}"),
    };
    name.to_owned()
}

const FORM: &str = "application/x-www-form-urlencoded";

/// A media type without its parameters, lower-cased: `Text/Plain; charset=utf-8` -> `text/plain`.
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

fn location(parameter: &Parameter) -> ParamLocation {
    match parameter {
        Parameter::Query { .. } => ParamLocation::Query,
        Parameter::Header { .. } => ParamLocation::Header,
        Parameter::Path { .. } => ParamLocation::Path,
        Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

/// Parameters are sent or not; `null` has no spelling in a URL.
fn strip_nullable(ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Nullable(inner) => *inner,
        other => other,
    }
}

pub(super) fn parse_method(method: &str) -> HttpMethod {
    match method {
        "put" => HttpMethod::Put,
        "post" => HttpMethod::Post,
        "delete" => HttpMethod::Delete,
        "options" => HttpMethod::Options,
        "head" => HttpMethod::Head,
        "patch" => HttpMethod::Patch,
        "trace" => HttpMethod::Trace,
        _ => HttpMethod::Get,
    }
}

/// `/search?q={query}` -> (`/search`, `Some("q={query}")`).
fn split_query(path: &str) -> (&str, Option<&str>) {
    match path.split_once('?') {
        Some((template, query)) => (template, Some(query)),
        None => (path, None),
    }
}

/// A name for an operation without an operationId: method then path words, with
/// parameters as `by_name` (`GET /users/{id}/repos` -> `get_users_by_id_repos`).
fn derived_name(method: &str, path: &str) -> String {
    let mut words = vec![method.to_owned()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => words.push(format!("by_{param}")),
            None => words.push(segment.to_owned()),
        }
    }
    if words.len() == 1 {
        words.push("root".to_owned());
    }
    words.join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_are_readable() {
        assert_eq!(
            derived_name("get", "/users/{id}/repos"),
            "get_users_by_id_repos"
        );
        assert_eq!(derived_name("post", "/"), "post_root");
    }
}
