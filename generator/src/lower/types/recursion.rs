//! Recursive types: fields and variants that contain their own type by value are
//! boxed (`Option<Box<Node>>`), and `$ref` chains that loop with no object in between
//! (`A: {$ref: B}`, `B: {$ref: A}`) are reported, since no Rust type can express them.

use crate::diagnostics::Diagnostic;
use crate::ir::{TypeDef, TypeKind, TypeRef};
use std::collections::{BTreeMap, BTreeSet};

/// The type a reference holds by value (not behind a `Vec` or map), if it is a named one.
fn by_value(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(name) => Some(name),
        TypeRef::Nullable(inner) => by_value(inner),
        _ => None,
    }
}

/// Named types each type holds by value.
fn edges(defs: &[TypeDef]) -> BTreeMap<&str, Vec<&str>> {
    defs.iter()
        .map(|def| {
            let targets = match &def.kind {
                TypeKind::Struct(s) => s.fields.iter().filter_map(|f| by_value(&f.ty)).collect(),
                TypeKind::Union(u) => u.variants.iter().filter_map(|v| by_value(&v.ty)).collect(),
                TypeKind::Alias(ty) => by_value(ty).into_iter().collect(),
                TypeKind::Enum(_) | TypeKind::IntEnum(_) => Vec::new(),
            };
            (def.rust_name.as_str(), targets)
        })
        .collect()
}

fn reaches(edges: &BTreeMap<&str, Vec<&str>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut pending = vec![from];
    while let Some(current) = pending.pop() {
        if current == to {
            return true;
        }
        if seen.insert(current) {
            pending.extend(edges.get(current).into_iter().flatten().copied());
        }
    }
    false
}

/// Boxes every by-value field or variant whose type leads back to its own container.
pub fn box_cycles(defs: &mut [TypeDef]) {
    let cyclic: BTreeSet<(String, String)> = {
        let edges = edges(defs);
        edges
            .iter()
            .flat_map(|(from, targets)| targets.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| reaches(&edges, to, from))
            .map(|(from, to)| (from.to_owned(), to.to_owned()))
            .collect()
    };
    for def in defs.iter_mut() {
        let owner = def.rust_name.clone();
        let is_cyclic = |ty: &TypeRef| {
            by_value(ty).is_some_and(|to| cyclic.contains(&(owner.clone(), to.to_owned())))
        };
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for field in &mut s.fields {
                    field.boxed = is_cyclic(&field.ty);
                }
            }
            TypeKind::Union(u) => {
                for variant in &mut u.variants {
                    variant.boxed = is_cyclic(&variant.ty);
                }
            }
            _ => {}
        }
    }
}

/// Errors for aliases that resolve to themselves.
pub fn alias_cycles(defs: &[TypeDef]) -> Vec<Diagnostic> {
    let aliases: BTreeMap<&str, &str> = defs
        .iter()
        .filter_map(|def| match &def.kind {
            TypeKind::Alias(ty) => by_value(ty).map(|to| (def.rust_name.as_str(), to)),
            _ => None,
        })
        .collect();
    let mut diagnostics = Vec::new();
    for def in defs {
        let mut chain = vec![def.rust_name.as_str()];
        let mut current = def.rust_name.as_str();
        while let Some(next) = aliases.get(current) {
            if *next == def.rust_name {
                chain.push(next);
                let names: Vec<String> = chain
                    .iter()
                    .map(|n| {
                        defs.iter()
                            .find(|d| d.rust_name == *n)
                            .map_or((*n).to_owned(), |d| d.wire_name.clone())
                    })
                    .collect();
                diagnostics.push(
                    Diagnostic::error(
                        def.origin.clone(),
                        format!("$ref cycle with no object in between: {}", names.join(" -> ")),
                    )
                    .with_hint("a schema that only refers to itself has no values; put an object or array in the loop"),
                );
                break;
            }
            if chain.contains(next) {
                break;
            }
            chain.push(next);
            current = next;
        }
    }
    diagnostics
}
