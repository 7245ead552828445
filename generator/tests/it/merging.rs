//! Identical inline types are merged into aliases (hand-written test; see
//! `generator/src/lower/dedupe.rs` and `tests/fixtures/merged_types.yaml`).

use crate::support::{fixture_source, settings};
use generator::ir::{Api, TypeKind, TypeRef};

fn lowered() -> Api {
    let (api, warnings) =
        generator::lower_source(&fixture_source("merged_types"), &settings("merged_types"))
            .expect("fixture lowers");
    assert_eq!(warnings.warnings().count(), 0, "{warnings}");
    api
}

fn kind<'a>(api: &'a Api, name: &str) -> &'a TypeKind {
    &api.types
        .iter()
        .find(|t| t.rust_name == name)
        .unwrap_or_else(|| panic!("type {name} exists"))
        .kind
}

fn alias_target<'a>(api: &'a Api, name: &str) -> Option<&'a str> {
    match kind(api, name) {
        TypeKind::Alias(TypeRef::Named(target)) => Some(target),
        _ => None,
    }
}

#[test]
fn inline_copies_become_aliases_of_the_first_definition() {
    let api = lowered();
    // A parameter's enum and a property's enum with the same values.
    assert_eq!(
        alias_target(&api, "ListReposVisibility"),
        Some("RepoVisibility")
    );
    assert!(matches!(kind(&api, "RepoVisibility"), TypeKind::Enum(_)));
    // An inline object shaped like a component is an alias of the component.
    assert_eq!(alias_target(&api, "RepoHtml"), Some("Link"));
    // Two structs that only match once their field types are merged.
    assert_eq!(
        alias_target(&api, "RepoCreatorPermissions"),
        Some("RepoOwnerPermissions")
    );
    assert_eq!(alias_target(&api, "RepoCreator"), Some("RepoOwner"));
}

#[test]
fn components_order_and_deprecation_keep_types_apart() {
    let api = lowered();
    // Components are named concepts: never merged, even when identical.
    assert!(matches!(kind(&api, "Href"), TypeKind::Struct(_)));
    assert!(matches!(kind(&api, "Link"), TypeKind::Struct(_)));
    // Another value order is another enum (variant order is visible), and a deprecated
    // copy would pass its `#[deprecated]` on to the others.
    assert!(matches!(kind(&api, "RepoReversed"), TypeKind::Enum(_)));
    assert!(matches!(kind(&api, "RepoOldVisibility"), TypeKind::Enum(_)));
}

#[test]
fn references_keep_the_name_they_were_given() {
    let api = lowered();
    let TypeKind::Struct(repo) = kind(&api, "Repo") else {
        panic!("Repo is a struct");
    };
    let field = |wire: &str| &repo.fields.iter().find(|f| f.wire_name == wire).unwrap().ty;
    assert_eq!(field("html"), &TypeRef::Named("RepoHtml".to_owned()));
    assert_eq!(field("creator"), &TypeRef::Named("RepoCreator".to_owned()));
    let param = &api.operations[0].params[0];
    assert_eq!(param.ty, TypeRef::Named("ListReposVisibility".to_owned()));
}
