//! Schemas no operation uses, behind a Cargo feature.
//!
//! A document can define far more schemas than its operations touch: GitHub's REST
//! description carries the payloads of its webhooks (about 4,600 of its 7,300 types)
//! next to the 1,223 operations. A client never needs them, and compiling them is
//! close to half the cost of checking the generated crate. With
//! [`crate::Settings::gate_unused_schemas`], every type that no operation reaches
//! (through parameters, bodies, responses or the error body) is compiled only with
//! the [`UNUSED_SCHEMAS_FEATURE`](crate::ir::UNUSED_SCHEMAS_FEATURE) Cargo feature; code that parses webhooks turns it on.
//! Nothing that is always compiled can refer to a gated type: gating follows exactly
//! what is reachable.

use std::collections::{HashMap, HashSet};

use crate::ir::{Api, BodyKind, Success, SuccessBody, TypeDef, TypeRef, UNUSED_SCHEMAS_FEATURE};

/// Marks every type no operation reaches with [`UNUSED_SCHEMAS_FEATURE`].
pub fn gate_unused_schemas(api: &mut Api) {
    let used = reachable(api);
    for def in &mut api.types {
        if !used.contains(def.rust_name.as_str()) {
            def.feature = Some(UNUSED_SCHEMAS_FEATURE.to_owned());
        }
    }
}

/// Names of the types reachable from the operations and the error body.
fn reachable(api: &Api) -> HashSet<String> {
    let by_name: HashMap<&str, &TypeDef> = api
        .types
        .iter()
        .map(|t| (t.rust_name.as_str(), t))
        .collect();
    let mut pending: Vec<&TypeRef> = vec![&api.error_body];
    for op in &api.operations {
        pending.extend(op.params.iter().map(|p| &p.ty));
        pending.extend(op.body.iter().map(|b| &b.ty));
        // A multipart body's parts, whose struct is not a model.
        let parts = op.body.iter().filter_map(|b| b.multipart.as_ref());
        pending.extend(parts.flat_map(|m| m.parts.iter().map(|p| &p.ty)));
        // The typed headers, whose struct is not a model.
        let headers = op.response_headers.iter().flat_map(|h| &h.fields);
        pending.extend(headers.map(|f| &f.ty));
        for response in &op.responses {
            pending.extend(response.content.iter().filter_map(|c| match &c.body {
                BodyKind::Json(ty) => Some(ty),
                BodyKind::Bytes | BodyKind::Untyped => None,
            }));
        }
        match &op.success {
            Success::Json { ty, .. } => pending.push(ty),
            Success::ByStatus { variants, .. } => {
                pending.extend(variants.iter().filter_map(|v| match &v.body {
                    SuccessBody::Json(ty) => Some(ty),
                    SuccessBody::Bytes | SuccessBody::Empty => None,
                }));
            }
            Success::Bytes { .. } | Success::Raw => {}
        }
    }
    let mut used = HashSet::new();
    while let Some(ty) = pending.pop() {
        let Some(def) = ty.named().and_then(|name| by_name.get(name)) else {
            continue;
        };
        if used.insert(def.rust_name.clone()) {
            pending.extend(def.kind.type_refs());
        }
    }
    used
}
