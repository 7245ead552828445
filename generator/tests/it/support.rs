//! Shared helpers for the generator's integration tests (hand-written).

use generator::{GeneratedFiles, Settings};
use std::path::PathBuf;

/// Every fixture spec `tests/fixtures/*.yaml`, by file stem, one feature each, in
/// order: found on disk, as `insta::glob!` finds them for the snapshots.
pub fn fixtures() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable fixture folder").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| {
            let stem = path.file_stem().and_then(|stem| stem.to_str());
            stem.expect("a fixture's name is UTF-8").to_owned()
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no fixtures in {}", dir.display());
    names
}

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
        command: "cargo test -p generator --test it".to_owned(),
        standalone: false,
        // Fixture crates are written to target/fixture-crates/<name>.
        runtime: generator::RuntimeDependency::Path("../../../runtime".to_owned()),
        // The one fixture that shows the feature gate.
        gate_unused_schemas: name == "unused_schemas",
        // What the behaviour tests of `tests/fixture_tests/` use beside the crate's own
        // dependencies (fixtures_compile.rs copies them into the fixture crates).
        dev_dependencies: [
            r#"futures-util = { version = "0.3.31", default-features = false, features = ["std"] }"#,
            r#"tempfile = "3.20""#,
            r#"tokio = { version = "1.50", features = ["macros", "rt-multi-thread", "net", "io-util"] }"#,
        ]
        .map(str::to_owned)
        .to_vec(),
        ..Settings::new(
            format!("fixture-{}", name.replace('_', "-")),
            format!("generator/tests/fixtures/{name}.yaml"),
        )
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

/// Runs the test `name` (`module::test`, often `#[ignore]`d so that only this runs
/// it) in a process of its own: this test binary again, filtered to that one test,
/// with `env` added. For what one process of many tests cannot hold to: a peak
/// resident set, a panic hook, a stack overflow. Fails unless that one test ran.
pub fn run_child<K, V>(name: &str, env: impl IntoIterator<Item = (K, V)>) -> std::process::Output
where
    K: AsRef<std::ffi::OsStr>,
    V: AsRef<std::ffi::OsStr>,
{
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            name,
            "--exact",
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .envs(env)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("running 1 test"),
        "`{name}` is not a test of this binary:\n{stdout}"
    );
    output
}

/// The settings every snapshot of this binary is taken under: the files stay in
/// `tests/snapshots/`, named `<module>__<name>.snap` as when each module was a test
/// binary of its own, so each assertion names its module (`errors__not_yaml`).
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}
