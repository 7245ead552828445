//! Identical inline types are merged into the first definition, under its name
//! (hand-written test; see
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

fn exists(api: &Api, name: &str) -> bool {
    api.types.iter().any(|t| t.rust_name == name)
}

#[test]
fn inline_copies_are_the_first_definition() {
    let api = lowered();
    // A parameter's enum and a property's enum with the same values: one enum, and
    // no alias named after the parameter.
    assert!(matches!(kind(&api, "RepoVisibility"), TypeKind::Enum(_)));
    // An inline object shaped like a component is the component; two structs that
    // only match once their field types are merged are one.
    for gone in [
        "ListReposVisibility",
        "RepoHtml",
        "RepoCreatorPermissions",
        "RepoCreator",
    ] {
        assert!(!exists(&api, gone), "{gone} is still a type");
    }
    assert!(matches!(
        kind(&api, "RepoOwnerPermissions"),
        TypeKind::Enum(_)
    ));
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
fn references_name_the_kept_type() {
    let api = lowered();
    let TypeKind::Struct(repo) = kind(&api, "Repo") else {
        panic!("Repo is a struct");
    };
    let field = |wire: &str| &repo.fields.iter().find(|f| f.wire_name == wire).unwrap().ty;
    assert_eq!(field("html"), &TypeRef::Named("Link".to_owned()));
    assert_eq!(field("creator"), &TypeRef::Named("RepoOwner".to_owned()));
    let param = &api.operations[0].params[0];
    assert_eq!(param.ty, TypeRef::Named("RepoVisibility".to_owned()));
}
