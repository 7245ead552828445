//! Link objects (HAL style): every object type whose `href` property is a string is a
//! link, which the generated crate makes a `runtime::Href`, so that
//! `Client::download_from`, `Client::upload_to` and `Client::get_link` take it as it
//! came in an answer (`changeset._links.download`). Generic: nothing but the shape
//! decides it.

use crate::ir::{HrefField, TypeDef, TypeKind, TypeRef};

/// The wire name of a link object's URL.
pub(super) const HREF: &str = "href";

/// Sets [`crate::ir::Struct::href`] on every link object.
pub(super) fn mark(types: &mut [TypeDef]) {
    for def in types {
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        s.href = s
            .fields
            .iter()
            .find(|f| f.wire_name == HREF && is_string(&f.ty) && !f.boxed)
            .map(|f| HrefField {
                rust_name: f.rust_name.clone(),
                optional: f.is_option(),
            });
    }
}

fn is_string(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::String => true,
        TypeRef::Nullable(inner) => **inner == TypeRef::String,
        _ => false,
    }
}
