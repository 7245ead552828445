//! The headers an operation's success responses declare -> [`ResponseHeaders`]: one
//! struct per operation (`GetPetHeaders`), each header a field typed from its schema
//! as a model field is (an inline enum becomes a model of its own, `GetPetXStatusHeader`).
//!
//! Which responses: the 2xx ones (`2XX` included), or `default` when no 2xx is
//! declared, as for the success body. A header several of them declare is one field,
//! typed by its first declaration; it is required (not an `Option`) only when every
//! one of them declares it `required`, since the answer that came may be another.
//! `Content-Type` is left out, as OpenAPI says it is ignored (the raw map has it).

use super::refs;
use super::types::TypeLowering;
use crate::diagnostics::pointer::escape;
use crate::diagnostics::Diagnostic;
use crate::ir::{HeaderField, ResponseHeaders, TypeRef};
use crate::naming::{Naming, Scope};
use crate::source::media::is_json_media;
use openapiv3::{OpenAPI, ParameterSchemaOrContent, ReferenceOr, StatusCode};

/// Where one operation's headers are lowered, and the names it takes.
pub(super) struct HeaderLowering<'a, 'd> {
    pub document: &'d OpenAPI,
    pub naming: &'a Naming,
    pub types: &'a mut TypeLowering<'d>,
    pub diagnostics: &'a mut Vec<Diagnostic>,
    /// The names of `operations.rs`, where the struct lives.
    pub names: &'a mut Scope,
}

impl HeaderLowering<'_, '_> {
    /// The struct of the operation's declared success headers, if it declares any.
    /// `origin` is the operation's pointer, `type_name` its type name (`GetPet`).
    pub(super) fn lower(
        &mut self,
        responses: &openapiv3::Responses,
        origin: &str,
        type_name: &str,
    ) -> Option<ResponseHeaders> {
        let mut success: Vec<(String, &ReferenceOr<openapiv3::Response>)> = responses
            .responses
            .iter()
            .filter(|(status, _)| match status {
                StatusCode::Code(code) => (200..300).contains(code),
                StatusCode::Range(digit) => *digit == 2,
            })
            .map(|(status, response)| (status.to_string(), response))
            .collect();
        if success.is_empty() {
            success.extend(
                responses
                    .default
                    .iter()
                    .map(|response| ("default".to_owned(), response)),
            );
        }
        let document = self.document;
        let responses_count = success.len();
        // Per field, how many responses declare it required.
        let mut fields: Vec<(HeaderField, usize)> = Vec::new();
        for (key, response) in success {
            // A response that does not resolve is reported by the responses' lowering.
            let Ok((ref_origin, response)) = refs::resolve_response(document, response) else {
                continue;
            };
            let response_origin = ref_origin.unwrap_or_else(|| format!("{origin}/responses/{key}"));
            for (name, header) in &response.headers {
                if name.eq_ignore_ascii_case("content-type") {
                    continue;
                }
                let header_origin = format!("{response_origin}/headers/{}", escape(name));
                let (ref_origin, header) = match refs::resolve_header(document, header) {
                    Ok(found) => found,
                    Err(mut diagnostic) => {
                        diagnostic.pointer = header_origin;
                        self.diagnostics.push(diagnostic);
                        continue;
                    }
                };
                let header_origin = ref_origin.unwrap_or(header_origin);
                if let Some((field, required)) = fields
                    .iter_mut()
                    .find(|(f, _)| f.wire_name.eq_ignore_ascii_case(name))
                {
                    *required += usize::from(header.required);
                    field.description = field.description.take().or(header.description.clone());
                    continue;
                }
                let hint = format!("{type_name}{}Header", self.naming.type_name(name));
                let ty = self.header_type(&header.format, &header_origin, &hint);
                fields.push((
                    HeaderField {
                        origin: header_origin,
                        wire_name: name.clone(),
                        rust_name: String::new(),
                        ty,
                        required: false,
                        description: header.description.clone(),
                        deprecated: header.deprecated.unwrap_or(false),
                    },
                    usize::from(header.required),
                ));
            }
        }
        if fields.is_empty() {
            return None;
        }
        let mut field_names = Scope::new();
        let fields = fields
            .into_iter()
            .map(|(mut field, required)| {
                field.rust_name = field_names.claim(&self.naming.value_name(&field.wire_name));
                field.required = required == responses_count;
                field
            })
            .collect();
        Some(ResponseHeaders {
            rust_name: self.names.claim(&format!("{type_name}Headers")),
            fields,
        })
    }

    /// A header's type: its schema's, or its JSON `content` schema's; a string for
    /// any other `content` (the value as it came).
    fn header_type(
        &mut self,
        format: &ParameterSchemaOrContent,
        origin: &str,
        hint: &str,
    ) -> TypeRef {
        let ty = match format {
            ParameterSchemaOrContent::Schema(schema) => {
                self.types
                    .lower_schema(schema, &format!("{origin}/schema"), hint)
            }
            ParameterSchemaOrContent::Content(content) => match content.first() {
                Some((media_type, media)) if is_json_media(media_type) => match &media.schema {
                    Some(schema) => self.types.lower_schema(
                        schema,
                        &format!("{origin}/content/{}/schema", escape(media_type)),
                        hint,
                    ),
                    None => TypeRef::Json,
                },
                _ => TypeRef::String,
            },
        };
        // A header is there or not: `null` is not a header value.
        match ty {
            TypeRef::Nullable(inner) => *inner,
            ty => ty,
        }
    }
}
