//! The checked-in client is exactly what the spec gives (hand-written test). This is
//! `cargo xtask codegen --check` in the normal test run, so plain `cargo test` catches
//! a stale client. The checked-in crate is the client's snapshot: it is not
//! snapshotted a second time (each fixture's IR and files are, in the generator's tests).

use xtask::codegen::{stale_files, Target};

fn main_target() -> Target {
    Target::main(&xtask::project_root()).expect("main target")
}

#[test]
fn generated_client_is_fresh() {
    let target = main_target();
    let generated = target.generate().unwrap_or_else(|e| panic!("{e}"));
    let stale = stale_files(&target.out, &generated).expect("can read generated-client");
    let names: Vec<String> = stale.iter().map(|s| s.describe()).collect();
    assert!(
        stale.is_empty(),
        "generated-client is stale: {}\nrun `cargo xtask codegen` to regenerate it",
        names.join(", ")
    );
}

#[test]
fn generation_is_deterministic() {
    let target = main_target();
    let first = target.generate().expect("generates");
    let second = target.generate().expect("generates");
    assert_eq!(first.files, second.files);
}

#[test]
fn the_imodels_spec_generates_without_warnings() {
    let generated = main_target().generate().expect("generates");
    assert_eq!(generated.warnings.items, vec![], "{}", generated.warnings);
}

#[test]
fn every_operation_is_lowered() {
    let target = main_target();
    let source = std::fs::read_to_string(&target.spec).expect("spec");
    let (api, _) = generator::lower_source(&source, &target.settings).expect("lowers");
    // The seed's 21 and the 27 that spec/overlays/ adds (10- and 50- to 71-).
    assert_eq!(api.operations.len(), 48);
}

#[test]
fn names_read_like_hand_written_rust() {
    let target = main_target();
    let source = std::fs::read_to_string(&target.spec).expect("spec");
    let (api, _) = generator::lower_source(&source, &target.settings).expect("lowers");
    let methods: Vec<&str> = api
        .operations
        .iter()
        .map(|o| o.rust_name.as_str())
        .collect();
    for expected in [
        "get_imodels",
        "create_named_version",
        "get_imodel_users",
        "get_imodel",
        "get_thumbnail",
    ] {
        assert!(
            methods.contains(&expected),
            "{expected} missing from {methods:?}"
        );
    }
    let types: Vec<&str> = api.types.iter().map(|t| t.rust_name.as_str()).collect();
    for expected in [
        "IModel",
        "NamedVersion",
        "IModelState",
        // The error body and its parts, one name each (`naming.toml`'s renames).
        "ErrorBody",
        "ErrorInfo",
        "ErrorDetail",
        "InnerError",
        "Point",
    ] {
        assert!(
            types.contains(&expected),
            "{expected} missing from {types:?}"
        );
    }
    for gone in [
        // `crate::Error` is every failure; the body is `ErrorBody`.
        "Error",
        "ErrorError",
        "ErrorErrorDetail",
        // Inline copies of `Point` and `IModelState`: the named type is used.
        "CreateIModelExtent",
        "CreateIModelExtentSouthWest",
        "CreateIModelExtentNorthEast",
        "GetIModelsState",
    ] {
        assert!(!types.contains(&gone), "{gone} in {types:?}");
    }
}

/// No public name is two items in the checked-in client (`operations::CreateIModel`
/// and `models::CreateIModel` were).
#[test]
fn no_public_name_twice() {
    // The generated files are the checked-in ones (`generated_client_is_fresh`).
    let mut files = main_target().generate().expect("generates").files;
    assert_eq!(generator::emit::duplicate_public_names(&files), vec![]);
    // The walk reads every module: a model named like an operation's struct, or like
    // the crate's `Error`, is found.
    files["src/models.rs"].push_str("\npub struct GetIModelsInput;\npub type Error = ();\n");
    assert_eq!(
        generator::emit::duplicate_public_names(&files),
        vec![
            (
                "Error".to_owned(),
                vec!["crate::Error".to_owned(), "crate::models::Error".to_owned()]
            ),
            (
                "GetIModelsInput".to_owned(),
                vec![
                    "crate::models::GetIModelsInput".to_owned(),
                    "crate::operations::GetIModelsInput".to_owned()
                ]
            ),
        ]
    );
}

/// What every method returns is said once, in the crate docs; a method's doc says
/// only what is its own (its body and statuses) and links there.
#[test]
fn what_every_method_returns_is_said_once() {
    let files = main_target().generate().expect("generates").files;
    assert!(files["src/lib.rs"].contains("//! # What every method returns"));
    let returns: Vec<&str> = files["src/operations.rs"]
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("/// Returns "))
        .collect();
    assert_eq!(returns.len(), 48, "one per method");
    for line in returns {
        assert!(
            line.ends_with("([what every method returns](crate#what-every-method-returns))."),
            "{line}"
        );
        for said_once in ["UndeclaredStatus", "Error::Api", "derefs", "send_raw"] {
            assert!(!line.contains(said_once), "{said_once} in {line}");
        }
    }
}
