//! An alias of an alias names the type at the end of the chain.
//!
//! `A: {$ref: B}`, `B: {$ref: C}`, ... `Y: {$ref: Z}` lowers to `type A = B;
//! type B = C; ...`, which a reader (and rustc) follows one alias at a time. Each such
//! alias is rewritten to name the end of its chain directly (`type A = Z; type B = Z;`):
//! the same types under the same names. The end is a name: the struct, enum or union
//! the chain reaches, or the chain's last alias when that one spells out its type
//! (`type Y = Vec<Item>`). An alias that wraps its target (`type A = Vec<B>`,
//! `type A = Option<B>`) is left as written: spelling out what `B` stands for there
//! would turn a short name into a long nested type.

use std::collections::{HashMap, HashSet};

use crate::ir::{Api, BodyKind, Success, SuccessBody, TypeDef, TypeKind, TypeRef};

/// How many aliases [`resolve_alias`] follows: an alias cycle (reported as an error
/// elsewhere) must not loop, and real chains are short.
const ALIAS_HOPS: usize = 16;

/// The type `ty` stands for: through named aliases (`type A = B; type B = Vec<C>`)
/// to the first type that is not one, at most [`ALIAS_HOPS`] steps. The one place
/// lowering follows aliases, so every stage agrees on how far.
pub(crate) fn resolve_alias<'a>(ty: &'a TypeRef, types: &'a [TypeDef]) -> &'a TypeRef {
    let mut ty = ty;
    for _ in 0..ALIAS_HOPS {
        let TypeRef::Named(name) = ty else {
            return ty;
        };
        match types.iter().find(|t| &t.rust_name == name).map(|t| &t.kind) {
            Some(TypeKind::Alias(target)) => ty = target,
            _ => return ty,
        }
    }
    ty
}

/// Rewrites every alias whose target is another alias to that alias's own target,
/// following the chain to its end. References elsewhere (fields, arguments) keep the
/// name they were given. An alias loop (reported as an error by
/// `recursion::alias_cycles`) is left as it is.
pub(super) fn collapse_alias_chains(types: &mut [TypeDef]) {
    let aliases: HashMap<&str, &TypeRef> = types
        .iter()
        .filter_map(|def| match &def.kind {
            TypeKind::Alias(target) => Some((def.rust_name.as_str(), target)),
            _ => None,
        })
        .collect();
    // The alias after `name` in a chain, if its target is exactly another alias.
    let next = |name: &str| match aliases.get(name) {
        Some(TypeRef::Named(next)) if aliases.contains_key(next.as_str()) => Some(next.as_str()),
        _ => None,
    };
    // Where each chain ends, filled from the end back, without recursion: a chain is
    // as long as the document makes it.
    let mut ends: HashMap<&str, TypeRef> = HashMap::new();
    for def in types.iter() {
        let mut chain: Vec<&str> = Vec::new();
        let mut on_chain: HashSet<&str> = HashSet::new();
        let mut current = def.rust_name.as_str();
        while let Some(following) = next(current) {
            if ends.contains_key(current) || !on_chain.insert(current) {
                break;
            }
            chain.push(current);
            current = following;
        }
        // `current` is the last alias of the chain, one already resolved, or (in a
        // loop) one seen before. The chain ends at the type the last alias names, or
        // at that alias itself when it spells out a type (`type Row = BTreeMap<..>`),
        // so that every alias still names a type rather than repeating its spelling.
        let end = match ends.get(current) {
            Some(end) => end.clone(),
            None if on_chain.contains(current) => continue,
            None => match aliases.get(current) {
                Some(named @ TypeRef::Named(_)) => (*named).clone(),
                Some(_) => TypeRef::Named(current.to_owned()),
                None => continue,
            },
        };
        for name in chain {
            ends.insert(name, end.clone());
        }
    }
    let ends: HashMap<String, TypeRef> = ends
        .into_iter()
        .map(|(name, end)| (name.to_owned(), end))
        .collect();
    for def in types.iter_mut() {
        if let (TypeKind::Alias(target), Some(end)) = (&mut def.kind, ends.get(&def.rust_name)) {
            *target = end.clone();
        }
    }
}

/// Drops every inline type that is only another name of a named type (`type
/// CreateIModelExtentNorthEast = Point`, an inline copy merged into `Point`, or an
/// inline `allOf` of one `$ref`) and writes the type it names wherever it was used:
/// an alias is kept only where the spec names the schema (a component), so no
/// public name says something the type is not. Runs after [`collapse_alias_chains`],
/// so each dropped alias already names the end of its chain.
pub(super) fn drop_inline_aliases(api: &mut Api) {
    let dropped: HashMap<String, TypeRef> = api
        .types
        .iter()
        .filter(|def| !def.is_component())
        .filter_map(|def| match &def.kind {
            TypeKind::Alias(target @ TypeRef::Named(name)) if *name != def.rust_name => {
                Some((def.rust_name.clone(), target.clone()))
            }
            _ => None,
        })
        .collect();
    if dropped.is_empty() {
        return;
    }
    api.types
        .retain(|def| !dropped.contains_key(&def.rust_name));
    let rewrite = |ty: &mut TypeRef| rename_refs(ty, &dropped);
    for def in &mut api.types {
        def.kind.type_refs_mut().into_iter().for_each(rewrite);
    }
    rewrite(&mut api.error_body);
    for event in &mut api.events {
        for payload in event
            .request
            .iter_mut()
            .chain(event.responses.iter_mut().map(|(_, p)| p))
        {
            rewrite(&mut payload.ty);
        }
    }
    for op in &mut api.operations {
        op.params.iter_mut().for_each(|p| rewrite(&mut p.ty));
        if let Some(body) = &mut op.body {
            rewrite(&mut body.ty);
            if let Some(parts) = &mut body.multipart {
                parts.parts.iter_mut().for_each(|p| rewrite(&mut p.ty));
            }
        }
        for content in op.responses.iter_mut().flat_map(|r| r.content.iter_mut()) {
            if let BodyKind::Json(ty) = &mut content.body {
                rewrite(ty);
            }
        }
        match &mut op.success {
            Success::Json { ty, envelope, .. } => {
                rewrite(ty);
                if let Some(envelope) = envelope {
                    rewrite(&mut envelope.wrapper);
                }
            }
            Success::ByStatus { variants, .. } => {
                for variant in variants {
                    if let SuccessBody::Json(ty) = &mut variant.body {
                        rewrite(ty);
                    }
                }
            }
            Success::Bytes { .. } | Success::Raw => {}
        }
        if let Some(pagination) = &mut op.pagination {
            rewrite(&mut pagination.item_type);
        }
        if let Some(headers) = &mut op.response_headers {
            headers.fields.iter_mut().for_each(|f| rewrite(&mut f.ty));
        }
        if let Some(errors) = &mut op.errors {
            for variant in &mut errors.variants {
                if let Some(body) = &mut variant.body {
                    rewrite(body);
                }
            }
        }
    }
}

/// `ty` with every name in `dropped` replaced by the type it stood for.
fn rename_refs(ty: &mut TypeRef, dropped: &HashMap<String, TypeRef>) {
    match ty {
        TypeRef::Named(name) => {
            if let Some(target) = dropped.get(name.as_str()) {
                *ty = target.clone();
            }
        }
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
            rename_refs(inner, dropped);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alias(name: &str, target: TypeRef) -> TypeDef {
        TypeDef {
            origin: format!("#/components/schemas/{name}"),
            wire_name: name.to_owned(),
            rust_name: name.to_owned(),
            description: None,
            deprecated: false,
            feature: None,
            kind: TypeKind::Alias(target),
        }
    }

    fn named(name: &str) -> TypeRef {
        TypeRef::Named(name.to_owned())
    }

    fn targets(types: &[TypeDef]) -> Vec<String> {
        types
            .iter()
            .map(|def| match &def.kind {
                TypeKind::Alias(target) => format!(
                    "{} = {}",
                    def.rust_name,
                    target.rust(crate::ir::Paths::Short)
                ),
                _ => def.rust_name.clone(),
            })
            .collect()
    }

    #[test]
    fn a_chain_of_aliases_names_its_end() {
        let mut types = vec![
            alias("A", named("B")),
            alias("B", named("C")),
            alias("C", TypeRef::Vec(Box::new(named("D")))),
            alias("D", named("E")),
            alias("E", named("S")),
            alias("F", TypeRef::Nullable(Box::new(named("A")))),
            alias("S", TypeRef::String),
        ];
        collapse_alias_chains(&mut types);
        assert_eq!(
            targets(&types),
            [
                "A = C",
                "B = C",
                "C = Vec<D>",
                "D = S",
                "E = S",
                "F = Option<A>",
                "S = String",
            ]
        );
    }

    #[test]
    fn loops_are_left_alone() {
        let mut types = vec![
            alias("A", named("B")),
            alias("B", named("C")),
            alias("C", named("B")),
            alias("D", named("D")),
        ];
        collapse_alias_chains(&mut types);
        assert_eq!(targets(&types), ["A = B", "B = C", "C = B", "D = D"]);
    }

    #[test]
    fn long_chains_are_linear_and_do_not_overflow_the_stack() {
        let n = 100_000;
        let mut types: Vec<TypeDef> = (0..n)
            .map(|i| alias(&format!("A{i}"), named(&format!("A{}", i + 1))))
            .collect();
        types.push(alias(&format!("A{n}"), named("S")));
        collapse_alias_chains(&mut types);
        assert!(types
            .iter()
            .all(|def| def.kind == TypeKind::Alias(named("S"))));
    }
}
