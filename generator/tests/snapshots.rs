//! Snapshots of each fixture's IR and generated files (hand-written test).
//!
//! The IR snapshot shows lowering decisions (names, types, what `send` returns); the
//! file snapshots show emission. A change to one stage shows up in its own diff.
//! Review changes with `cargo insta review`.

mod common;

use common::{fixture_source, generate_fixture, settings, FIXTURES};

fn snapshot_fixture(name: &str) {
    let (api, warnings) = generator::lower_source(&fixture_source(name), &settings(name))
        .unwrap_or_else(|d| panic!("{d}"));
    insta::assert_yaml_snapshot!(format!("{name}__ir"), api);
    insta::assert_snapshot!(format!("{name}__warnings"), warnings.to_string());
    let files = generate_fixture(name);
    // One name, one item: no public name twice in the crate.
    let duplicates = generator::emit::duplicate_public_names(&files.files);
    assert!(duplicates.is_empty(), "{name}: {duplicates:?}");
    for file in [
        "src/lib.rs",
        "src/models.rs",
        "src/operations.rs",
        "src/mock.rs",
    ] {
        let stem = file.trim_start_matches("src/").trim_end_matches(".rs");
        insta::assert_snapshot!(format!("{name}__{stem}"), files.files[file]);
    }
}

macro_rules! fixture_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                snapshot_fixture(stringify!($name));
            }
        )*

        #[test]
        fn every_fixture_has_a_snapshot_test() {
            let tested = [$(stringify!($name)),*];
            assert_eq!(tested.as_slice(), FIXTURES);
        }
    };
}

fixture_tests!(
    binary,
    bodies,
    composition,
    corpus_regressions,
    directory_regressions,
    enums,
    envelopes_and_links,
    formats,
    inline_objects,
    keywords,
    loader_inputs,
    long_running,
    merged_types,
    misplaced_refs,
    multipart,
    no_operation_ids,
    no_operations,
    nulls_and_visibility,
    objects,
    openapi_3_1,
    pagination,
    polymorphism,
    parameter_styles,
    response_headers,
    responses,
    security,
    servers,
    swagger_2_0,
    untyped_responses,
    unused_schemas,
    webhooks,
);

/// insta writes snapshots but never deletes them; a snapshot no test produces any more
/// would go stale unnoticed, so the set on disk must match the set the tests make.
#[test]
fn no_unreferenced_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("snapshot directory exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".snap"))
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = Vec::new();
    for name in FIXTURES {
        for kind in ["ir", "warnings", "lib", "models", "operations", "mock"] {
            expected.push(format!("snapshots__{name}__{kind}.snap"));
        }
    }
    expected.extend(error_snapshot_names());
    expected.extend([
        "diff__operations.snap".to_owned(),
        "diff__types.snap".to_owned(),
    ]);
    // `tests/diff.rs`'s wire cases.
    expected.extend(
        ["bodies", "security", "servers", "styles"].map(|case| format!("diff__wire_{case}.snap")),
    );
    expected.sort();
    assert_eq!(
        on_disk, expected,
        "snapshots on disk differ from those the tests produce"
    );
}

/// Error snapshots written by `tests/errors.rs` into the same folder.
fn error_snapshot_names() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".yaml")
                        .or_else(|| name.strip_suffix(".json"))
                        .map(|stem| format!("errors__{stem}.snap"))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
