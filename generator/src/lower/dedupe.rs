//! Merges inline types that are identical.
//!
//! Large documents repeat the same inline schema many times: GitHub's description has
//! 3,449 inline string enums with only ~630 distinct value sets (`[read, write]` alone
//! 722 times) and hundreds of copies of `{href: string}`. Each copy used to become a
//! type with its own derives and impls, and checking that code was most of the cost of
//! compiling the generated crate. An inline type whose definition matches an earlier
//! one now becomes a type alias of it, which `aliases::drop_inline_aliases` then
//! replaces by the type it names: only one definition is compiled, under the name the
//! spec gave it (`Point`, not `CreateIModelExtentNorthEast`).
//!
//! Component schemas are never turned into aliases: they are named concepts, and two
//! that happen to look alike today may diverge tomorrow. They can be the target,
//! though: an inline copy of `Link` becomes an alias of `Link`.

use std::collections::HashMap;

use crate::ir::{TypeDef, TypeKind, TypeRef};

/// Turns every inline type that duplicates an earlier definition into an alias of it
/// (which lowering then drops, naming the kept type directly).
/// Repeats until nothing changes, since merged field types can make two structs equal.
pub(super) fn merge_identical_types(types: &mut [TypeDef]) {
    let mut merged: HashMap<String, String> = HashMap::new();
    // A type's shape only changes when a type it refers to is merged, so shapes are
    // computed once and then only for the types a round touched.
    let mut shapes: Vec<Option<String>> = types.iter().map(|def| shape(def, &merged)).collect();
    loop {
        let round = merge_round(types, &shapes);
        if round.is_empty() {
            break;
        }
        merged.extend(round.iter().map(|(from, to)| (from.clone(), to.clone())));
        for (index, def) in types.iter().enumerate() {
            if merged.contains_key(&def.rust_name) {
                shapes[index] = None;
            } else if shapes[index].is_some() && refers_to_any(def, &round) {
                shapes[index] = shape(def, &merged);
            }
        }
    }
    for def in types.iter_mut() {
        if merged.contains_key(&def.rust_name) {
            let target = resolve(&merged, &def.rust_name).to_owned();
            def.kind = TypeKind::Alias(TypeRef::Named(target));
        }
    }
}

/// One pass: the first definition with a given shape (components before inline types,
/// then document order) is kept; later inline copies are merged into it. Returns
/// merged name -> kept name.
fn merge_round(types: &[TypeDef], shapes: &[Option<String>]) -> HashMap<String, String> {
    let components = (0..types.len()).filter(|&i| types[i].is_component());
    let inline = (0..types.len()).filter(|&i| !types[i].is_component());
    let mut first_with_shape: HashMap<&str, &str> = HashMap::new();
    let mut round = HashMap::new();
    for index in components.chain(inline) {
        let (def, Some(shape)) = (&types[index], &shapes[index]) else {
            continue;
        };
        match first_with_shape.get(shape.as_str()) {
            Some(&kept) if !def.is_component() => {
                round.insert(def.rust_name.clone(), kept.to_owned());
            }
            Some(_) => {}
            None => {
                first_with_shape.insert(shape, &def.rust_name);
            }
        }
    }
    round
}

/// Everything that reaches the generated definition except the type's own name, origin
/// and description (the alias keeps those in its docs), with references to merged
/// types spelled as the type they were merged into. `None` for aliases, which cost
/// nothing to compile and are never merged.
fn shape(def: &TypeDef, merged: &HashMap<String, String>) -> Option<String> {
    if matches!(def.kind, TypeKind::Alias(_)) {
        return None;
    }
    let mut kind = def.kind.clone();
    for name in kind
        .type_refs_mut()
        .into_iter()
        .filter_map(TypeRef::named_mut)
    {
        if merged.contains_key(name.as_str()) {
            *name = resolve(merged, name).to_owned();
        }
    }
    Some(format!("{}{kind:?}", def.deprecated))
}

fn refers_to_any(def: &TypeDef, names: &HashMap<String, String>) -> bool {
    def.kind
        .type_refs()
        .into_iter()
        .filter_map(TypeRef::named)
        .any(|name| names.contains_key(name))
}

/// The definition a merged name ends up at (merges can chain across rounds).
fn resolve<'a>(merged: &'a HashMap<String, String>, mut name: &'a str) -> &'a str {
    while let Some(next) = merged.get(name) {
        name = next;
    }
    name
}
