//! How parameters and form-body properties are serialized: `style`, `explode`,
//! `allowReserved` and `content`, with OpenAPI's defaults applied, decided once here
//! so the emitter, the API summary and the mocks only print it.
//!
//! Defaults: `form` with `explode: true` in query and cookie, `simple` with
//! `explode: false` in path and header; `explode` defaults to `true` for `form` only.
//! A form body's property without an Encoding Object is `form` with `explode: true`,
//! except an object, which is sent as JSON text (OpenAPI's default `contentType` for
//! objects). The `openapiv3` reader gives an Encoding Object's absent `explode` as
//! `false`; loading writes out the spec's default (`explode: true` with `style: form`,
//! see `load::encoding_explode_defaults`) before the reader sees it, so `style: form`
//! without `explode` is `tags=a&tags=b` here too. For a multipart body, `style`,
//! `explode` and `allowReserved` are ignored, as OpenAPI 3.0.3 and 3.1.1 say
//! (`lower::bodies`).
//!
//! Combinations the spec leaves undefined for arrays and objects (`deepObject` with an
//! array, `spaceDelimited`/`pipeDelimited` exploded) are located warnings; the runtime
//! sends them as `form` with `explode: true` (see `runtime::style`), as it sends a
//! primitive in any query style (`name=value`, not warned about).

use super::aliases::resolve_alias;
use crate::diagnostics::Diagnostic;
use crate::ir::{BodyEncoding, FormField, Operation, ParamStyle, TypeDef, TypeKind, TypeRef};
use crate::source::media::is_json_media;
use openapiv3::{Encoding, Parameter, PathStyle, QueryStyle};

/// The declared (or default) `style`, `explode` and `allowReserved` of a parameter.
pub(super) fn serialization(parameter: &Parameter) -> (ParamStyle, bool, bool) {
    let (style, allow_reserved) = match parameter {
        Parameter::Path { style, .. } => (
            match style {
                PathStyle::Simple => ParamStyle::Simple,
                PathStyle::Label => ParamStyle::Label,
                PathStyle::Matrix => ParamStyle::Matrix,
            },
            false,
        ),
        Parameter::Query {
            style,
            allow_reserved,
            ..
        } => (query_style(style), *allow_reserved),
        Parameter::Header { .. } => (ParamStyle::Simple, false),
        Parameter::Cookie { .. } => (ParamStyle::Form, false),
    };
    let explode = parameter
        .parameter_data_ref()
        .explode
        .unwrap_or(style == ParamStyle::Form);
    (style, explode, allow_reserved)
}

fn query_style(style: &QueryStyle) -> ParamStyle {
    match style {
        QueryStyle::Form => ParamStyle::Form,
        QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
        QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
        QueryStyle::DeepObject => ParamStyle::DeepObject,
    }
}

/// The form fields a body's `encoding` map declares: those with a `style`,
/// `allowReserved` or a JSON `contentType`. The rest of the body's properties are
/// added with defaults by [`resolve`], once types are known.
pub(super) fn declared_form_fields(
    encoding: &indexmap::IndexMap<String, Encoding>,
) -> Vec<FormField> {
    encoding
        .iter()
        .filter_map(|(name, encoding)| {
            let json = encoding.content_type.as_deref().is_some_and(is_json_media);
            let field = |style, explode, json| FormField {
                wire_name: name.clone(),
                style,
                explode,
                allow_reserved: encoding.allow_reserved,
                json,
            };
            match &encoding.style {
                Some(style) => Some(field(query_style(style), encoding.explode, false)),
                None if json => Some(field(ParamStyle::Form, true, true)),
                None if encoding.allow_reserved => Some(field(ParamStyle::Form, true, false)),
                None => None,
            }
        })
        .collect()
}

/// The shape of a value as the styles see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Primitive,
    Array,
    Object,
    /// A union or any JSON: known only at run time.
    Unknown,
}

fn shape(ty: &TypeRef, types: &[TypeDef]) -> Shape {
    match resolve_alias(ty, types) {
        TypeRef::Vec(_) => Shape::Array,
        TypeRef::Map(_) => Shape::Object,
        TypeRef::Nullable(inner) => shape(inner, types),
        TypeRef::Json => Shape::Unknown,
        TypeRef::Named(name) => match types.iter().find(|t| &t.rust_name == name) {
            Some(def) => match &def.kind {
                TypeKind::Struct(_) => Shape::Object,
                TypeKind::Enum(_) | TypeKind::IntEnum(_) | TypeKind::Const(_) => Shape::Primitive,
                TypeKind::Union(_) | TypeKind::Alias(_) => Shape::Unknown,
            },
            None => Shape::Unknown,
        },
        _ => Shape::Primitive,
    }
}

/// Once types are known: warns about style combinations the spec leaves undefined,
/// and completes each form body's fields (every property, in order, with defaults).
pub(super) fn resolve(operations: &mut [Operation], types: &[TypeDef]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for op in operations.iter_mut() {
        for param in &op.params {
            if param.content.is_some() {
                continue;
            }
            if let Some(problem) =
                undefined_combination(param.style, param.explode, shape(&param.ty, types))
            {
                diagnostics.push(
                    Diagnostic::warning(
                        param.origin.clone(),
                        format!(
                            "parameter `{}`: {problem}; it is sent as `form` with `explode: true`",
                            param.wire_name
                        ),
                    )
                    .with_hint("use a style the OpenAPI style table defines for this type"),
                );
            }
        }
        if let Some(body) = op.body.as_mut() {
            if body.encoding == BodyEncoding::Form {
                let fields = form_fields(&body.ty, &body.form_fields, types);
                for declared in &body.form_fields {
                    if !fields.iter().any(|f| f.wire_name == declared.wire_name) {
                        diagnostics.push(Diagnostic::warning(
                            format!("{}/encoding", body.origin),
                            format!(
                                "`encoding` names `{}`, which is not a property of the body",
                                declared.wire_name
                            ),
                        ));
                    }
                }
                for field in &fields {
                    let property_shape = field_shape(&body.ty, &field.wire_name, types);
                    if let Some(problem) = (!field.json)
                        .then(|| undefined_combination(field.style, field.explode, property_shape))
                        .flatten()
                    {
                        diagnostics.push(Diagnostic::warning(
                            format!("{}/encoding", body.origin),
                            format!(
                                "form property `{}`: {problem}; it is sent as `form` with `explode: true`",
                                field.wire_name
                            ),
                        ));
                    }
                }
                body.form_fields = fields;
            }
        }
    }
    diagnostics
}

/// Why `style` with `explode` has no serialization for a value of `shape`, if so.
/// A primitive in any query style is not warned about: `name=value` is what every
/// reader of such a spec expects (and many specs mark every parameter `deepObject`).
fn undefined_combination(style: ParamStyle, explode: bool, shape: Shape) -> Option<String> {
    match (style, shape) {
        (ParamStyle::DeepObject, Shape::Array) => {
            Some("`deepObject` is defined for objects only, not arrays".to_owned())
        }
        (ParamStyle::SpaceDelimited | ParamStyle::PipeDelimited, Shape::Array | Shape::Object)
            if explode =>
        {
            Some(format!(
                "`{}` is defined with `explode: false` only",
                style.as_str()
            ))
        }
        _ => None,
    }
}

/// The properties of a form body's type with their encodings: declared ones as
/// declared, the rest by default.
fn form_fields(body: &TypeRef, declared: &[FormField], types: &[TypeDef]) -> Vec<FormField> {
    let Some(fields) = struct_fields(body, types) else {
        return declared.to_vec();
    };
    fields
        .iter()
        .map(|field| {
            declared
                .iter()
                .find(|d| d.wire_name == field.wire_name)
                .cloned()
                .unwrap_or_else(|| FormField {
                    wire_name: field.wire_name.clone(),
                    style: ParamStyle::Form,
                    explode: true,
                    allow_reserved: false,
                    json: shape(&field.ty, types) == Shape::Object,
                })
        })
        .collect()
}

/// The fields of the struct `ty` names, through aliases.
fn struct_fields<'a>(ty: &'a TypeRef, types: &'a [TypeDef]) -> Option<&'a [crate::ir::Field]> {
    match resolve_alias(ty, types) {
        TypeRef::Named(name) => super::pagination::struct_fields(types, name),
        _ => None,
    }
}

fn field_shape(body: &TypeRef, wire_name: &str, types: &[TypeDef]) -> Shape {
    struct_fields(body, types)
        .and_then(|fields| fields.iter().find(|f| f.wire_name == wire_name))
        .map_or(Shape::Unknown, |f| shape(&f.ty, types))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undefined_combinations() {
        use ParamStyle::*;
        assert!(undefined_combination(DeepObject, true, Shape::Array).is_some());
        assert!(undefined_combination(DeepObject, true, Shape::Primitive).is_none());
        assert!(undefined_combination(DeepObject, true, Shape::Object).is_none());
        assert!(undefined_combination(DeepObject, true, Shape::Unknown).is_none());
        assert!(undefined_combination(PipeDelimited, true, Shape::Array).is_some());
        assert!(undefined_combination(PipeDelimited, false, Shape::Array).is_none());
        assert!(undefined_combination(Form, false, Shape::Object).is_none());
    }
}
