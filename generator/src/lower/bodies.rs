//! What goes over the wire besides JSON, decided once: the parts of a
//! `multipart/*` request body (from its object schema and `encoding`), and the
//! `Accept` list of an operation (the media types the client decodes, JSON
//! first). The JSON rule is the runtime's own ([`crate::source::media`]).

use indexmap::IndexMap;
use openapiv3::{
    Encoding, OpenAPI, ReferenceOr, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};

use super::refs;
use super::types::TypeLowering;
use crate::diagnostics::pointer::escape;
use crate::diagnostics::Diagnostic;
use crate::ir::{
    BodyKind, MultipartBody, PartField, PartKind, RequestBody, Response, StatusSpec, TypeRef,
};
use crate::naming::{Naming, Scope};
use crate::source::media::is_json_media;
use crate::source::normalize::CONTENT_MEDIA_TYPE;

/// `$ref`s to `$ref`s followed at most this many times.
const MAX_REF_HOPS: usize = 16;

/// OpenAPI's default part content types (3.0.3 and 3.1.1, Encoding Object).
const TEXT: &str = "text/plain";
const JSON: &str = "application/json";
const BINARY: &str = "application/octet-stream";

/// Where a multipart body is lowered: the document and the operation's names.
pub(super) struct MultipartLowering<'a, 'd> {
    pub document: &'d OpenAPI,
    pub naming: &'a Naming,
    pub types: &'a mut TypeLowering<'d>,
    pub diagnostics: &'a mut Vec<Diagnostic>,
    /// `UploadDocument`: prefix for the struct and the inline types of its parts.
    pub type_name: &'a str,
}

impl MultipartLowering<'_, '_> {
    /// The parts of a `multipart/*` body whose schema is an object with
    /// properties; `None` for any other schema (no schema, a string, an object
    /// without properties): the spec names no parts, so the caller does.
    pub(super) fn lower(
        &mut self,
        schema: Option<&ReferenceOr<Schema>>,
        encoding: &IndexMap<String, Encoding>,
        media_origin: &str,
    ) -> Option<MultipartBody> {
        let object =
            schema.and_then(|s| resolve(self.document, s, &format!("{media_origin}/schema")));
        let Some((schema_origin, properties, required)) =
            object.and_then(|(origin, schema)| match &schema.schema_kind {
                SchemaKind::Type(Type::Object(object)) if !object.properties.is_empty() => {
                    Some((origin, &object.properties, &object.required))
                }
                _ => None,
            })
        else {
            // Free-form: the caller names the parts (`runtime::Parts`).
            return None;
        };
        for name in encoding
            .keys()
            .filter(|name| !properties.contains_key(*name))
        {
            self.diagnostics.push(Diagnostic::warning(
                format!("{media_origin}/encoding/{}", escape(name)),
                format!("`encoding` names `{name}`, which is not a property of the body; ignored"),
            ));
        }
        let mut names = Scope::with_reserved(&[]);
        let parts = properties
            .iter()
            .map(|(wire_name, property)| {
                let origin = format!("{schema_origin}/properties/{}", escape(wire_name));
                let hint = format!("{}Body{}", self.type_name, self.naming.type_name(wire_name));
                let resolved = resolve_boxed(self.document, property, &origin).map(|(_, s)| s);
                let (kind, repeated) =
                    resolved.map_or((PartKind::Json, false), |s| part_kind(self.document, s));
                let encoding = encoding.get(wire_name);
                // A list of content types allows any of them; the first is the default.
                let declared = encoding
                    .and_then(|e| e.content_type.as_deref())
                    .and_then(|list| list.split(',').map(str::trim).find(|m| !m.is_empty()));
                let kind = match (kind, declared) {
                    (PartKind::Text, Some(media)) if is_json_media(media) => PartKind::Json,
                    (kind, _) => kind,
                };
                // 3.1: a binary property's own `contentMediaType` (see `normalize`).
                let own = resolved
                    .filter(|_| kind == PartKind::File)
                    .and_then(|s| s.schema_data.extensions.get(CONTENT_MEDIA_TYPE))
                    .and_then(|m| m.as_str());
                let content_type = declared
                    .or(own)
                    .unwrap_or(match kind {
                        PartKind::Text => TEXT,
                        PartKind::Json => JSON,
                        PartKind::File => BINARY,
                    })
                    .to_owned();
                let is_required = required.contains(wire_name);
                let ty = match kind {
                    PartKind::File if repeated => TypeRef::Vec(Box::new(TypeRef::File)),
                    PartKind::File => TypeRef::File,
                    PartKind::Text | PartKind::Json => self.types.lower(property, &origin, &hint),
                };
                let ty = if is_required || ty.is_collection() || matches!(ty, TypeRef::Nullable(_))
                {
                    ty
                } else {
                    TypeRef::Nullable(Box::new(ty))
                };
                PartField {
                    rust_name: names.claim(&self.naming.value_name(wire_name)),
                    wire_name: wire_name.clone(),
                    kind,
                    ty,
                    required: is_required,
                    repeated,
                    content_type,
                    headers: encoding
                        .map(|e| e.headers.keys().cloned().collect())
                        .unwrap_or_default(),
                    description: resolved.and_then(|s| s.schema_data.description.clone()),
                    origin,
                }
            })
            .collect::<Vec<PartField>>();
        // Encoding `headers` apply to a part of any kind: their values are the
        // caller's, in one field beside the parts. (`style`, `explode` and
        // `allowReserved` do not apply to multipart bodies, by OpenAPI 3.0.3 and
        // 3.1.1, and are not read.)
        let headers_field = parts
            .iter()
            .any(|part| !part.headers.is_empty())
            .then(|| names.claim("part_headers"));
        Some(MultipartBody {
            rust_name: format!("{}Body", self.type_name),
            parts,
            headers_field,
        })
    }
}

/// Gives a multipart body's struct its name in the operations module's scope,
/// which its builder structs share, and makes it the body's type.
pub(super) fn name_parts(body: &mut RequestBody, scope: &mut Scope) {
    if let Some(parts) = &mut body.multipart {
        parts.rust_name = scope.claim(&parts.rust_name);
        body.ty = TypeRef::Parts(parts.rust_name.clone());
    }
}

/// How a property is sent, and whether each item of it is a part of its own.
fn part_kind(document: &OpenAPI, schema: &Schema) -> (PartKind, bool) {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Array(array)) => {
            let item = array
                .items
                .as_ref()
                .and_then(|items| resolve_boxed(document, items, ""));
            match item.map(|(_, item)| single_kind(item)) {
                Some(PartKind::File) => (PartKind::File, true),
                Some(PartKind::Text) => (PartKind::Text, true),
                // A list of objects is one JSON document.
                Some(PartKind::Json) | None => (PartKind::Json, false),
            }
        }
        _ => (single_kind(schema), false),
    }
}

fn single_kind(schema: &Schema) -> PartKind {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s))
            if s.format == VariantOrUnknownOrEmpty::Item(StringFormat::Binary) =>
        {
            PartKind::File
        }
        SchemaKind::Type(
            Type::String(_) | Type::Number(_) | Type::Integer(_) | Type::Boolean(_),
        ) => PartKind::Text,
        _ => PartKind::Json,
    }
}

/// Follows `$ref`s to component schemas; the pointer of the schema reached.
fn resolve<'d>(
    document: &'d OpenAPI,
    schema: &'d ReferenceOr<Schema>,
    origin: &str,
) -> Option<(String, &'d Schema)> {
    let mut current = schema;
    let mut origin = origin.to_owned();
    for _ in 0..MAX_REF_HOPS {
        match current {
            ReferenceOr::Item(schema) => return Some((origin, schema)),
            ReferenceOr::Reference { reference } => {
                let name = refs::component_name(reference, "schemas")?;
                current = document.components.as_ref()?.schemas.get(&name)?;
                origin.clone_from(reference);
            }
        }
    }
    None
}

fn resolve_boxed<'d>(
    document: &'d OpenAPI,
    schema: &'d ReferenceOr<Box<Schema>>,
    origin: &str,
) -> Option<(String, &'d Schema)> {
    match schema {
        ReferenceOr::Item(schema) => Some((origin.to_owned(), schema)),
        ReferenceOr::Reference { reference } => {
            let name = refs::component_name(reference, "schemas")?;
            let target = document.components.as_ref()?.schemas.get(&name)?;
            resolve(document, target, reference)
        }
    }
}

/// The `Accept` header: the media types the client decodes, JSON first. A 2xx
/// body decoded as JSON lists its JSON types; one returned as bytes (or raw,
/// without a schema) lists its own types; error bodies are read as JSON, so
/// their JSON types are listed too. When no 2xx answer is JSON (a download),
/// its own types come first. A type no answer is decoded from (XML beside
/// JSON) is left out; the caller still reaches it with a per-call `Accept`
/// header and `send_raw()`.
pub(super) fn accept(responses: &[Response]) -> Option<String> {
    let mut json: Vec<&str> = Vec::new();
    let mut other: Vec<&str> = Vec::new();
    let mut success_json = false;
    // `default` stands in for the 2xx answers when none is declared.
    let no_2xx = !responses.iter().any(|r| r.status.is_success());
    for response in responses {
        let success =
            response.status.is_success() || (no_2xx && response.status == StatusSpec::Default);
        let decodes_json = response
            .content
            .iter()
            .any(|c| matches!(c.body, BodyKind::Json(_)));
        success_json |= success && decodes_json;
        for content in &response.content {
            let media = content.media_type.as_str();
            let list = if is_json_media(media) {
                &mut json
            } else if success && !decodes_json {
                // Bytes or a raw answer: what the server sends is what the caller gets.
                &mut other
            } else {
                continue;
            };
            if !list.contains(&media) {
                list.push(media);
            }
        }
    }
    let types: Vec<&str> = if success_json || other.is_empty() {
        json.into_iter().chain(other).collect()
    } else {
        other.into_iter().chain(json).collect()
    };
    (!types.is_empty()).then(|| types.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Content;

    fn response(status: StatusSpec, content: &[(&str, BodyKind)]) -> Response {
        Response {
            status,
            description: String::new(),
            content: content
                .iter()
                .map(|(media_type, body)| Content {
                    media_type: (*media_type).to_owned(),
                    body: body.clone(),
                })
                .collect(),
            headers: Vec::new(),
            envelope: None,
        }
    }

    #[test]
    fn accept_lists_what_the_client_decodes_json_first() {
        let json = || BodyKind::Json(TypeRef::Json);
        let ok = StatusSpec::Code(200);
        let error = StatusSpec::Range(4);
        // (responses, the Accept header)
        let cases: Vec<(Vec<Response>, Option<&str>)> = vec![
            // XML offered first, but only JSON is decoded.
            (
                vec![response(
                    ok.clone(),
                    &[
                        ("application/xml", BodyKind::Bytes),
                        ("application/json", json()),
                    ],
                )],
                Some("application/json"),
            ),
            // A JSON type in any case, with parameters, is JSON.
            (
                vec![response(
                    ok.clone(),
                    &[("Application/JSON; charset=utf-8", json())],
                )],
                Some("Application/JSON; charset=utf-8"),
            ),
            // Error bodies are read as JSON too; each type once.
            (
                vec![
                    response(ok.clone(), &[("application/json", json())]),
                    response(
                        error.clone(),
                        &[
                            ("application/problem+json", json()),
                            ("text/html", BodyKind::Bytes),
                        ],
                    ),
                    response(StatusSpec::Default, &[("application/json", json())]),
                ],
                Some("application/json, application/problem+json"),
            ),
            // A download: its own type first, then the JSON of errors.
            (
                vec![
                    response(ok.clone(), &[("image/png", BodyKind::Bytes)]),
                    response(error.clone(), &[("application/json", json())]),
                ],
                Some("image/png, application/json"),
            ),
            // No schema: the caller gets the raw answer of any declared type.
            (
                vec![response(ok.clone(), &[("text/csv", BodyKind::Untyped)])],
                Some("text/csv"),
            ),
            // JSON beside a CSV download in one answer: JSON is what is decoded.
            (
                vec![response(
                    ok.clone(),
                    &[
                        ("text/csv", BodyKind::Bytes),
                        ("application/vnd.api+json", json()),
                    ],
                )],
                Some("application/vnd.api+json"),
            ),
            // `default` stands in for the 2xx answers when none is declared.
            (
                vec![response(
                    StatusSpec::Default,
                    &[("application/octet-stream", BodyKind::Bytes)],
                )],
                Some("application/octet-stream"),
            ),
            // An error's non-JSON body is not decoded, so not asked for.
            (
                vec![
                    response(StatusSpec::Code(204), &[]),
                    response(error, &[("text/plain", BodyKind::Untyped)]),
                ],
                None,
            ),
            (Vec::new(), None),
        ];
        for (responses, expected) in cases {
            assert_eq!(accept(&responses).as_deref(), expected, "{responses:#?}");
        }
    }
}
