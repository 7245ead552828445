//! The crates the generated code names beside serde and the runtime, decided from
//! the lowered API: a crate generated from a spec without dates, UUIDs or free-form
//! JSON depends on none of chrono, uuid and serde_json, and re-exports none.
//!
//! What names each crate, in the code the emitter writes for the IR:
//! - chrono: a `date-time` or `date` anywhere a type is written ([`TypeRef::DateTime`],
//!   [`TypeRef::Date`]).
//! - uuid: a `uuid` anywhere a type is written ([`TypeRef::Uuid`]).
//! - serde_json: any JSON ([`TypeRef::Json`]: free-form objects, the fallback error
//!   body, ...); a union decoded by looking at the body first (a discriminator's
//!   unknown tags kept as JSON, object variants tried in order of fit); and the mock
//!   of an operation without one success type, which answers with any JSON.
//!
//! Bytes are not among them: generated code names them through the runtime.

use crate::ir::{Api, BodyKind, ExternalCrate, Operation, Success, SuccessBody, TypeKind, TypeRef};
use std::collections::BTreeSet;

/// [`Api::dependencies`] of `api`, sorted.
pub(super) fn of(api: &Api) -> Vec<ExternalCrate> {
    let mut crates = BTreeSet::new();
    for ty in type_refs(api) {
        named_by(ty, &mut crates);
    }
    let inspected_unions = api.types.iter().any(|def| match &def.kind {
        TypeKind::Union(u) => {
            (u.discriminator.is_some() && u.unknown_variant.is_some())
                || u.variants.iter().any(|v| v.shape.is_some())
        }
        _ => false,
    });
    let any_json_mock = api
        .operations
        .iter()
        .any(|op| matches!(op.success, Success::Raw | Success::ByStatus { .. }));
    if inspected_unions || any_json_mock {
        crates.insert(ExternalCrate::SerdeJson);
    }
    crates.into_iter().collect()
}

/// The crates `ty` names, through its wrappers (a named type's own fields are
/// type references of their own).
fn named_by(ty: &TypeRef, crates: &mut BTreeSet<ExternalCrate>) {
    match ty {
        TypeRef::Uuid => {
            crates.insert(ExternalCrate::Uuid);
        }
        TypeRef::DateTime | TypeRef::Date => {
            crates.insert(ExternalCrate::Chrono);
        }
        TypeRef::Json => {
            crates.insert(ExternalCrate::SerdeJson);
        }
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            named_by(inner, crates)
        }
        TypeRef::String
        | TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F32
        | TypeRef::F64
        | TypeRef::U8
        | TypeRef::U16
        | TypeRef::U32
        | TypeRef::U64
        | TypeRef::Bytes
        | TypeRef::Named(_)
        | TypeRef::File
        | TypeRef::Body
        | TypeRef::Parts(_)
        | TypeRef::AnyParts => {}
    }
}

/// Every type reference the generated code writes: the error body, the models'
/// fields, variants and aliases, every operation's inputs, bodies, answers, headers
/// and error bodies, and the webhooks' payloads.
fn type_refs(api: &Api) -> Vec<&TypeRef> {
    let mut refs = vec![&api.error_body];
    refs.extend(api.types.iter().flat_map(|def| def.kind.type_refs()));
    refs.extend(api.operations.iter().flat_map(operation_type_refs));
    let payloads = api.events.iter().flat_map(|event| event.payloads());
    refs.extend(payloads.map(|(_, payload)| &payload.ty));
    refs
}

/// The type references of one operation.
fn operation_type_refs(op: &Operation) -> Vec<&TypeRef> {
    let mut refs: Vec<&TypeRef> = op.params.iter().map(|p| &p.ty).collect();
    refs.extend(op.body.iter().map(|b| &b.ty));
    let parts = op.body.iter().filter_map(|b| b.multipart.as_ref());
    refs.extend(parts.flat_map(|m| m.parts.iter().map(|p| &p.ty)));
    let headers = op.response_headers.iter().flat_map(|h| &h.fields);
    refs.extend(headers.map(|f| &f.ty));
    let contents = op.responses.iter().flat_map(|r| &r.content);
    refs.extend(contents.filter_map(|c| match &c.body {
        BodyKind::Json(ty) => Some(ty),
        BodyKind::Bytes | BodyKind::Untyped => None,
    }));
    match &op.success {
        Success::Json { ty, envelope, .. } => {
            refs.push(ty);
            refs.extend(envelope.iter().map(|e| &e.wrapper));
        }
        Success::ByStatus { variants, .. } => {
            refs.extend(variants.iter().filter_map(|v| match &v.body {
                SuccessBody::Json(ty) => Some(ty),
                SuccessBody::Bytes | SuccessBody::Empty => None,
            }));
        }
        Success::Bytes { .. } | Success::Raw => {}
    }
    refs.extend(op.pagination.iter().map(|p| &p.item_type));
    let errors = op.errors.iter().flat_map(|e| &e.variants);
    refs.extend(errors.filter_map(|v| v.body.as_ref()));
    refs
}
