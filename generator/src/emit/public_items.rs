//! The public names of a generated crate, read back from its files: the check that
//! no name is two items (`operations::CreateIModel` beside `models::CreateIModel`,
//! `models::Error` beside `crate::Error`).

use indexmap::IndexMap;

/// Every public name the crate defines or re-exports that has more than one path,
/// with its paths (sorted). Reads `src/lib.rs` and the public modules it
/// declares from files (`models`, `operations`, `mock`) or inline (`servers`); the
/// `runtime` module is left out, as it holds the runtime crate's generic types that
/// the crate root names for this API (`runtime::Error<E>` behind `crate::Error`).
pub fn duplicate_public_names(files: &IndexMap<String, String>) -> Vec<(String, Vec<String>)> {
    let mut found: IndexMap<String, Vec<String>> = IndexMap::new();
    if let Some(lib) = files.get("src/lib.rs") {
        if let Ok(file) = syn::parse_file(lib) {
            collect(&file.items, "crate", files, &mut found);
        }
    }
    let mut duplicates: Vec<(String, Vec<String>)> = found
        .into_iter()
        .filter(|(_, paths)| paths.len() > 1)
        .collect();
    for (_, paths) in &mut duplicates {
        paths.sort();
    }
    duplicates.sort();
    duplicates
}

fn collect(
    items: &[syn::Item],
    module: &str,
    files: &IndexMap<String, String>,
    found: &mut IndexMap<String, Vec<String>>,
) {
    let add = |found: &mut IndexMap<String, Vec<String>>, name: String| {
        let path = format!("{module}::{name}");
        found.entry(name).or_default().push(path);
    };
    for item in items {
        let public = |vis: &syn::Visibility| matches!(vis, syn::Visibility::Public(_));
        match item {
            syn::Item::Struct(i) if public(&i.vis) => add(found, i.ident.to_string()),
            syn::Item::Enum(i) if public(&i.vis) => add(found, i.ident.to_string()),
            syn::Item::Type(i) if public(&i.vis) => add(found, i.ident.to_string()),
            syn::Item::Trait(i) if public(&i.vis) => add(found, i.ident.to_string()),
            syn::Item::Const(i) if public(&i.vis) => add(found, i.ident.to_string()),
            syn::Item::Static(i) if public(&i.vis) => add(found, i.ident.to_string()),
            syn::Item::Fn(i) if public(&i.vis) => add(found, i.sig.ident.to_string()),
            syn::Item::Use(i) if public(&i.vis) => {
                let mut names = Vec::new();
                super::crate_root::use_tree_names(&i.tree, &mut names);
                names.into_iter().for_each(|name| add(found, name));
            }
            syn::Item::Mod(i) if public(&i.vis) && i.ident != "runtime" => {
                let name = i.ident.to_string();
                let path = format!("{module}::{name}");
                match &i.content {
                    Some((_, inner)) => collect(inner, &path, files, found),
                    None => {
                        let parsed = files
                            .get(&format!("src/{name}.rs"))
                            .and_then(|text| syn::parse_file(text).ok());
                        if let Some(file) = parsed {
                            collect(&file.items, &path, files, found);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}
