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
                TypeKind::Enum(_) | TypeKind::IntEnum(_) | TypeKind::Const(_) => Vec::new(),
            };
            (def.rust_name.as_str(), targets)
        })
        .collect()
}

/// The strongly connected component of each type (Kosaraju's algorithm, iterative so
/// that long chains cannot overflow the stack). Two types are in the same component
/// exactly when each reaches the other, so an edge is part of a cycle exactly when
/// both of its ends are in one component.
fn components<'a>(edges: &BTreeMap<&'a str, Vec<&'a str>>) -> BTreeMap<&'a str, usize> {
    let index: BTreeMap<&str, usize> = edges.keys().enumerate().map(|(i, n)| (*n, i)).collect();
    let forward: Vec<Vec<usize>> = edges
        .values()
        .map(|targets| {
            targets
                .iter()
                .filter_map(|t| index.get(t).copied())
                .collect()
        })
        .collect();
    let mut backward = vec![Vec::new(); forward.len()];
    for (from, targets) in forward.iter().enumerate() {
        for &to in targets {
            backward[to].push(from);
        }
    }
    // Pass 1: nodes in order of DFS completion.
    let mut finished = Vec::with_capacity(forward.len());
    let mut visited = vec![false; forward.len()];
    for root in 0..forward.len() {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        let mut stack = vec![(root, 0)];
        while let Some((node, next)) = stack.pop() {
            if let Some(&child) = forward[node].get(next) {
                stack.push((node, next + 1));
                if !visited[child] {
                    visited[child] = true;
                    stack.push((child, 0));
                }
            } else {
                finished.push(node);
            }
        }
    }
    // Pass 2: on the reversed graph, latest-finished first; each search is a component.
    let mut component = vec![usize::MAX; forward.len()];
    for (id, &root) in finished.iter().rev().enumerate() {
        if component[root] != usize::MAX {
            continue;
        }
        component[root] = id;
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            for &from in &backward[node] {
                if component[from] == usize::MAX {
                    component[from] = id;
                    stack.push(from);
                }
            }
        }
    }
    index
        .into_iter()
        .map(|(name, i)| (name, component[i]))
        .collect()
}

/// Boxes every by-value field or variant whose type leads back to its own container.
pub(crate) fn box_cycles(defs: &mut [TypeDef]) {
    let cyclic: BTreeSet<(String, String)> = {
        let edges = edges(defs);
        let component = components(&edges);
        edges
            .iter()
            .flat_map(|(from, targets)| targets.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| {
                component
                    .get(to)
                    .is_some_and(|c| component.get(from) == Some(c))
            })
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
pub(super) fn alias_cycles(defs: &[TypeDef]) -> Vec<Diagnostic> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Access, Field, Struct};

    fn node(name: &str, fields: &[&str]) -> TypeDef {
        let fields = fields
            .iter()
            .map(|target| Field {
                wire_name: target.to_lowercase(),
                rust_name: target.to_lowercase(),
                ty: TypeRef::Nullable(Box::new(TypeRef::Named((*target).to_owned()))),
                required: false,
                description: None,
                deprecated: false,
                access: Access::ReadWrite,
                default: None,
                boxed: false,
                default_value: None,
                constant: false,
            })
            .collect();
        TypeDef {
            origin: format!("#/components/schemas/{name}"),
            wire_name: name.to_owned(),
            rust_name: name.to_owned(),
            description: None,
            deprecated: false,
            feature: None,
            kind: TypeKind::Struct(Struct {
                fields,
                additional: None,
                href: None,
            }),
        }
    }

    fn boxed(defs: &[TypeDef]) -> Vec<String> {
        defs.iter()
            .flat_map(|def| match &def.kind {
                TypeKind::Struct(s) => s
                    .fields
                    .iter()
                    .filter(|f| f.boxed)
                    .map(|f| format!("{}.{}", def.rust_name, f.rust_name))
                    .collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn boxes_exactly_the_fields_on_a_cycle() {
        // A <-> B is a loop, B -> B loops on itself, C -> A and A -> D lead in and out.
        let mut defs = vec![
            node("A", &["B", "D"]),
            node("B", &["A", "B"]),
            node("C", &["A"]),
            node("D", &[]),
        ];
        box_cycles(&mut defs);
        assert_eq!(boxed(&defs), ["A.b", "B.a", "B.b"]);
    }

    #[test]
    fn long_chains_do_not_overflow_the_stack() {
        let n = 50_000;
        let name = |i: usize| format!("T{i}");
        let mut defs: Vec<TypeDef> = (0..n)
            .map(|i| node(&name(i), &[&name((i + 1) % n)]))
            .collect();
        box_cycles(&mut defs);
        // One loop through every type: every field is on it.
        assert_eq!(boxed(&defs).len(), n);
    }
}
