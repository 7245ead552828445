//! Single-entity envelopes: `x-envelope: <property>` on a response (an overlay can add
//! it) says the JSON body is an object whose one property holds the entity
//! (`{"iModel": {...}}`). The operation then returns the entity, as the API's own
//! clients do; the wrapper stays a model, reachable through `Request::send_raw`.
//!
//! ```yaml
//! responses:
//!   '200':
//!     x-envelope: iModel
//!     content:
//!       application/json:
//!         schema: {$ref: '#/components/schemas/IModelResponse'}
//! ```
//!
//! A declaration that cannot be honoured (the body is not an object, it has no such
//! property, only some of the success statuses declare it) is a located error: a
//! silent fallback would hand callers the wrapper, the very thing it exists to avoid.

use super::pagination::struct_fields;
use crate::diagnostics::Diagnostic;
use crate::ir::{BodyKind, Envelope, Operation, Paths, Success, TypeDef, TypeRef};

/// The extension's name on a response object.
pub(super) const EXTENSION: &str = "x-envelope";

/// What the extension takes, for the hints of its errors.
pub(super) const HINT: &str =
    "`x-envelope` takes the name of the body's property that holds the entity, e.g. `x-envelope: iModel`";

/// Makes the success of every operation that declares an envelope the entity inside it.
pub(super) fn resolve(operations: &mut [Operation], types: &[TypeDef]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for op in operations {
        if let Err((at, message)) = resolve_one(op, types) {
            diagnostics.push(Diagnostic::error(at, message).with_hint(HINT));
        }
    }
    diagnostics
}

/// The error is where it is (a JSON pointer) and what it is.
fn resolve_one(op: &mut Operation, types: &[TypeDef]) -> Result<(), (String, String)> {
    let Some(first) = op.responses.iter().find_map(|r| r.envelope.as_ref()) else {
        return Ok(());
    };
    let (property, at) = (first.property.clone(), first.origin.clone());
    let error = |message: String| (at.clone(), message);
    for response in &op.responses {
        let Some(declared) = &response.envelope else {
            continue;
        };
        if !response.status.is_success() {
            return Err((
                declared.origin.clone(),
                format!("`{EXTENSION}` is read on success (2xx) responses only"),
            ));
        }
        if declared.property != property {
            return Err((
                declared.origin.clone(),
                format!(
                    "the success responses declare different envelopes (`{property}` and `{}`); one operation returns one entity",
                    declared.property
                ),
            ));
        }
    }
    // Every success status with a JSON body must carry the same envelope.
    if let Some(bare) = op.responses.iter().find(|r| {
        r.status.is_success()
            && r.envelope.is_none()
            && r.content
                .iter()
                .any(|c| matches!(c.body, BodyKind::Json(_)))
    }) {
        return Err(error(format!(
            "`{EXTENSION}: {property}` is declared on some success responses but not on `{}`, whose JSON body would decode differently",
            status_key(&bare.status)
        )));
    }
    let Success::Json {
        ty,
        statuses,
        envelope: None,
    } = &op.success
    else {
        return Err(error(format!(
            "`{EXTENSION}` needs one JSON object body for every success status; this operation returns {}",
            op.success.output(Paths::Short)
        )));
    };
    let not_an_object = || {
        error(format!(
            "`{EXTENSION}: {property}` needs a JSON object body, but the body is `{}`",
            ty.rust(Paths::Short)
        ))
    };
    let TypeRef::Named(wrapper) = ty else {
        return Err(not_an_object());
    };
    let fields = struct_fields(types, wrapper).ok_or_else(not_an_object)?;
    let Some(field) = fields.iter().find(|f| f.wire_name == property) else {
        let known: Vec<String> = fields
            .iter()
            .map(|f| format!("`{}`", f.wire_name))
            .collect();
        let known = if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        };
        return Err(error(format!(
            "the body `{wrapper}` has no property `{property}` (its properties: {known})"
        )));
    };
    // A missing or `null` property is an error at run time, never an empty value.
    let entity = match &field.ty {
        TypeRef::Nullable(inner) => inner.as_ref().clone(),
        other => other.clone(),
    };
    op.success = Success::Json {
        ty: entity,
        statuses: statuses.clone(),
        envelope: Some(Envelope {
            property,
            wrapper: ty.clone(),
        }),
    };
    Ok(())
}

fn status_key(status: &crate::ir::StatusSpec) -> String {
    match status {
        crate::ir::StatusSpec::Code(code) => code.to_string(),
        crate::ir::StatusSpec::Range(digit) => format!("{digit}XX"),
        crate::ir::StatusSpec::Default => "default".to_owned(),
    }
}
