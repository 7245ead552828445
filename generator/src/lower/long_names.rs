//! Warnings for the names [`crate::naming`] capped.
//!
//! A name longer than [`MAX_IDENT_LEN`] keeps its start and ends in a hash (see
//! [`crate::naming::cap`]): the generated crate stays cheap to compile (an identifier
//! of 100,000 characters, repeated in derives and impls, took rustc tens of GiB) and
//! the wire name is untouched. Each capped name is reported where the document
//! spells it, with the name the code uses instead.

use crate::diagnostics::pointer::escape;
use crate::diagnostics::Diagnostic;
use crate::ir::{Api, TypeKind};
use crate::naming::{Naming, MAX_IDENT_LEN};

/// One warning per capped name: types, fields, enum variants, operations, parameters.
pub(super) fn capped_names(api: &Api, naming: &Naming) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let mut warn = |pointer: String, what: &str, length: usize, rust_name: &str| {
        warnings.push(Diagnostic::warning(
            pointer,
            format!(
                "{what} is {length} characters long; its Rust name is capped at \
                 {MAX_IDENT_LEN} characters: `{rust_name}` (the name on the wire is unchanged)"
            ),
        ));
    };
    for def in &api.types {
        // Inline types are named after their parents: the hint is the whole name.
        if def.is_component() && naming.caps_type_name(&def.wire_name) {
            let length = full_length(&def.wire_name);
            warn(
                def.origin.clone(),
                "this schema's name",
                length,
                &def.rust_name,
            );
        } else if !def.is_component() && def.wire_name.len() > MAX_IDENT_LEN {
            let length = def.wire_name.len();
            warn(
                def.origin.clone(),
                "the name made for this schema",
                length,
                &def.rust_name,
            );
        }
        match &def.kind {
            TypeKind::Struct(s) => {
                for field in &s.fields {
                    if naming.caps_value_name(&field.wire_name) {
                        warn(
                            format!("{}/properties/{}", def.origin, escape(&field.wire_name)),
                            "this property's name",
                            full_length(&field.wire_name),
                            &field.rust_name,
                        );
                    }
                }
            }
            TypeKind::Enum(e) => {
                for variant in &e.variants {
                    if naming.caps_type_name(&variant.wire_value) {
                        warn(
                            format!("{}/enum", def.origin),
                            "an enum value",
                            full_length(&variant.wire_value),
                            &variant.rust_name,
                        );
                    }
                }
            }
            TypeKind::IntEnum(_) | TypeKind::Union(_) | TypeKind::Alias(_) | TypeKind::Const(_) => {
            }
        }
    }
    for op in &api.operations {
        if naming.caps_value_name(&op.wire_name) {
            warn(
                op.origin.clone(),
                "this operation's name",
                full_length(&op.wire_name),
                &op.rust_name,
            );
        }
        for param in &op.params {
            if naming.caps_value_name(&param.wire_name) {
                warn(
                    param.origin.clone(),
                    "this parameter's name",
                    full_length(&param.wire_name),
                    &param.rust_name,
                );
            }
        }
    }
    warnings
}

/// The length of a wire name, which is what a reader can find in the document.
fn full_length(wire: &str) -> usize {
    wire.chars().count()
}
