//! Snapshots of each fixture's IR and generated files (hand-written test).
//!
//! The IR snapshot shows lowering decisions (names, types, what `send` returns); the
//! file snapshots show emission. A change to one stage shows up in its own diff.
//! Review changes with `cargo insta review`.

use crate::support::{fixture_source, fixtures, generate_fixture, settings, snapshot_settings};

/// Each fixture `tests/fixtures/*.yaml`, as `insta::glob!` finds it: every fixture is
/// snapshotted, and the failures of all of them are reported together.
/// `INSTA_GLOB_FILTER=enums.yaml` runs one.
#[test]
fn every_fixture() {
    insta::glob!("../fixtures", "*.yaml", |path| {
        let name = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("a fixture's name is UTF-8");
        // Snapshot files are named `snapshots__<fixture>__<kind>.snap`, without the
        // `@<file>` that glob! would add.
        let mut settings = snapshot_settings();
        settings.remove_snapshot_suffix();
        settings.bind(|| snapshot_fixture(name));
    });
}

fn snapshot_fixture(name: &str) {
    let (api, warnings) = generator::lower_source(&fixture_source(name), &settings(name))
        .unwrap_or_else(|d| panic!("{d}"));
    insta::assert_yaml_snapshot!(format!("snapshots__{name}__ir"), api);
    insta::assert_snapshot!(format!("snapshots__{name}__warnings"), warnings.to_string());
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
        insta::assert_snapshot!(format!("snapshots__{name}__{stem}"), files.files[file]);
    }
}

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
    for name in fixtures() {
        for kind in ["ir", "warnings", "lib", "models", "operations", "mock"] {
            expected.push(format!("snapshots__{name}__{kind}.snap"));
        }
    }
    expected.extend(error_snapshot_names());
    expected.extend([
        "diff__operations.snap".to_owned(),
        "diff__types.snap".to_owned(),
    ]);
    // `diff.rs`'s wire cases.
    expected.extend(
        ["bodies", "security", "servers", "styles"].map(|case| format!("diff__wire_{case}.snap")),
    );
    expected.sort();
    assert_eq!(
        on_disk, expected,
        "snapshots on disk differ from those the tests produce"
    );
}

/// Error snapshots written by `errors.rs` into the same folder.
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
