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
    "envelopes_and_links",
    "formats",
    "inline_objects",
    "keywords",
    "loader_inputs",
    "long_running",
    "merged_types",
    "misplaced_refs",
    "multipart",
    "no_operation_ids",
    "no_operations",
    "nulls_and_visibility",
    "objects",
    "openapi_3_1",
    "pagination",
    "polymorphism",
    "parameter_styles",
    "response_headers",
    "responses",
    "security",
    "servers",
    "swagger_2_0",
    "untyped_responses",
    "unused_schemas",
    "webhooks",
];

/// Fixtures made by [`generated_fixture_source`] rather than read from a file: too
/// big to check in or to snapshot, so they are only compiled (`fixtures_compile.rs`)
/// and checked by the tests that build them.
pub const GENERATED_FIXTURES: &[&str] = &["hostile_sizes"];

/// Names 100,000 characters long.
pub const HOSTILE_NAME_LEN: usize = 100_000;

/// The hostile document of [`GENERATED_FIXTURES`], from a small template: every kind
/// of name (schema, property, operationId, parameter, enum value) 100,000 characters
/// long, a path that repeats its parameter, and chains deeper than rustc's default
/// recursion limit allows to check: 70 structs each holding the next, an alias 50
/// `Vec`s deep, and 70 aliases each naming the next.
pub fn generated_fixture_source(name: &str) -> String {
    assert_eq!(name, "hostile_sizes", "no such generated fixture");
    let long = |c: &str| c.repeat(HOSTILE_NAME_LEN);
    let reference =
        |name: &str| serde_json::json!({"$ref": format!("#/components/schemas/{name}")});
    let mut schemas = serde_json::Map::new();
    schemas.insert(
        long("N"),
        serde_json::json!({
            "type": "object",
            "required": [long("x")],
            "properties": {
                long("x"): {"type": "string"},
                "kind": {"type": "string", "enum": [long("e"), "short"]},
            },
        }),
    );
    for i in 0..70 {
        schemas.insert(
            format!("Struct{i}"),
            serde_json::json!({"type": "object", "properties": {"next": reference(&format!("Struct{}", i + 1))}}),
        );
        schemas.insert(format!("Alias{i}"), reference(&format!("Alias{}", i + 1)));
    }
    schemas.insert(
        "Struct70".to_owned(),
        serde_json::json!({"type": "object", "properties": {"end": {"type": "string"}}}),
    );
    schemas.insert("Alias70".to_owned(), reference("Struct0"));
    for i in 0..50 {
        schemas.insert(
            format!("List{i}"),
            serde_json::json!({"type": "array", "items": reference(&format!("List{}", i + 1))}),
        );
    }
    schemas.insert("List50".to_owned(), serde_json::json!({"type": "string"}));
    let ok = |schema: serde_json::Value| serde_json::json!({"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}});
    let document = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Hostile sizes", "version": "1"},
        "paths": {
            format!("/long/{{{}}}", long("p")): {"get": {
                "operationId": long("o"),
                "parameters": [
                    {"name": long("p"), "in": "path", "required": true, "schema": {"type": "string"}},
                    {"name": long("q"), "in": "query", "schema": {"type": "string"}},
                ],
                "responses": ok(reference(&long("N"))),
            }},
            "/repeated/{x}/{x}": {"get": {
                "operationId": "getRepeated",
                "parameters": [{"name": "x", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"204": {"description": "no content"}},
            }},
            "/chains": {"get": {
                "operationId": "getChains",
                "responses": ok(serde_json::json!({
                    "type": "object",
                    "properties": {
                        "structs": reference("Struct0"),
                        "aliases": reference("Alias0"),
                        "lists": reference("List0"),
                    },
                })),
            }},
        },
        "components": {"schemas": schemas},
    });
    document.to_string()
}

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format!("{name}.yaml"))
}

pub fn fixture_source(name: &str) -> String {
    if GENERATED_FIXTURES.contains(&name) {
        return generated_fixture_source(name);
    }
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
        renames: Vec::new(),
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
