//! Shared helpers for the generator's integration tests (hand-written).

#![allow(dead_code)] // each test binary uses a different subset

use generator::{GeneratedFiles, Settings};
use std::path::PathBuf;

/// Every fixture spec under `tests/fixtures/`, by file stem, one feature each.
pub const FIXTURES: &[&str] = &[
    "binary",
    "bodies",
    "composition",
    "corpus_regressions",
    "directory_regressions",
    "enums",
    "formats",
    "inline_objects",
    "keywords",
    "long_running",
    "merged_types",
    "no_operation_ids",
    "no_operations",
    "objects",
    "openapi_3_1",
    "pagination",
    "responses",
    "untyped_responses",
    "unused_schemas",
];

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.yaml"))
}

pub fn fixture_source(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).expect("fixture exists")
}

pub fn settings(name: &str) -> Settings {
    Settings {
        crate_name: format!("fixture-{}", name.replace('_', "-")),
        crate_version: "0.1.0".to_owned(),
        spec_path: format!("generator/tests/fixtures/{name}.yaml"),
        command: "cargo test -p generator --test snapshots".to_owned(),
        words: Vec::new(),
        split_words: Vec::new(),
        standalone: false,
        // Fixture crates are written to target/fixture-crates/<name>.
        runtime: generator::RuntimeDependency::Path("../../../runtime".to_owned()),
        // The one fixture that shows the feature gate.
        gate_unused_schemas: name == "unused_schemas",
        overlays: Vec::new(),
    }
}

pub fn generate_fixture(name: &str) -> GeneratedFiles {
    match generator::generate(&fixture_source(name), &settings(name)) {
        Ok(files) => files,
        Err(diagnostics) => panic!("fixture {name} failed to generate:\n{diagnostics}"),
    }
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generator sits in the workspace")
        .to_owned()
}
