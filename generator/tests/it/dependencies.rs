//! A generated crate depends on, and re-exports, only the crates its code names
//! (hand-written test; see `generator/src/lower/dependencies.rs`). `fixtures_compile`
//! proves that nothing named is missing; this proves that nothing listed is unused.

use crate::support::{fixtures, generate_fixture, GENERATED_FIXTURES};
use generator::ir::ExternalCrate;

/// The `[dependencies]` table's crate names.
fn dependencies(manifest: &str) -> Vec<String> {
    let table: toml::Table = manifest.parse().expect("Cargo.toml parses");
    match table.get("dependencies") {
        Some(toml::Value::Table(dependencies)) => dependencies.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The crates the crate root re-exports by name (`pub use ::uuid;`).
fn reexported(lib: &str) -> Vec<&str> {
    lib.lines()
        .filter_map(|line| line.trim().strip_prefix("pub use ::"))
        .filter_map(|rest| rest.strip_suffix(';'))
        .filter(|path| !path.contains("::"))
        .collect()
}

/// Whether generated code (beside the root's re-exports) names `krate`'s items.
fn named(files: &generator::GeneratedFiles, krate: &str) -> bool {
    let path = format!("::{krate}::");
    files
        .files
        .iter()
        .filter(|(file, _)| file.starts_with("src/") && !file.starts_with("src/runtime/"))
        .any(|(_, text)| text.contains(&path))
}

#[test]
fn every_fixture_depends_on_and_reexports_exactly_what_its_code_names() {
    let generated = GENERATED_FIXTURES.iter().map(|name| name.to_string());
    for name in fixtures().into_iter().chain(generated) {
        let files = generate_fixture(&name);
        let manifest = dependencies(&files.files["Cargo.toml"]);
        let root = reexported(&files.files["src/lib.rs"]);
        // The runtime's `Bytes`, never the `bytes` crate's own path.
        assert!(!named(&files, "bytes"), "{name} names ::bytes::");
        assert!(
            !manifest.iter().any(|d| d == "bytes"),
            "{name}: {manifest:?}"
        );
        assert!(
            manifest.iter().any(|d| d == "serde"),
            "{name}: {manifest:?}"
        );
        for krate in ExternalCrate::ALL.map(ExternalCrate::name) {
            let uses = named(&files, krate);
            let listed = manifest.iter().any(|d| d == krate);
            let exported = root.contains(&krate);
            assert_eq!(
                (listed, exported),
                (uses, uses),
                "{name}: {krate} named in code: {uses}, in Cargo.toml: {listed}, re-exported: {exported}"
            );
        }
    }
}

/// Specs without dates, UUIDs or binary bodies: `pagination.yaml` (whose error body
/// is any JSON) depends on serde_json beside serde and the runtime, and re-exports it
/// alone; `unused_schemas.yaml`, without free-form JSON too, on serde and the runtime
/// only, and re-exports no crate.
#[test]
fn a_spec_without_formats_needs_no_format_crates() {
    for (fixture, expected) in [
        ("pagination", &["serde_json"][..]),
        ("unused_schemas", &[][..]),
    ] {
        let files = generate_fixture(fixture);
        let mut manifest = dependencies(&files.files["Cargo.toml"]);
        manifest.sort();
        let mut all = vec!["openapi-client-runtime", "serde"];
        all.extend(expected);
        all.sort();
        assert_eq!(manifest, all, "{fixture}");
        assert_eq!(
            reexported(&files.files["src/lib.rs"]),
            expected,
            "{fixture}"
        );
    }
}

/// The formats each bring their crate: `formats.yaml` has dates and UUIDs, and
/// `binary.yaml` bytes (through the runtime, so no crate of their own).
#[test]
fn formats_bring_their_crates() {
    let formats = generate_fixture("formats");
    let manifest = dependencies(&formats.files["Cargo.toml"]);
    for krate in ["chrono", "uuid"] {
        assert!(manifest.iter().any(|d| d == krate), "{manifest:?}");
    }
    let binary = generate_fixture("binary");
    assert!(binary.files["src/operations.rs"].contains("crate::runtime::Bytes"));
    assert!(!dependencies(&binary.files["Cargo.toml"]).contains(&"bytes".to_owned()));
}
