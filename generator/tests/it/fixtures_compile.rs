//! Every fixture's generated crate compiles warning-free under clippy (and runs its
//! behaviour tests from `tests/fixture_tests/`, if it has some), and one of them
//! with a vendored copy of the runtime (hand-written test). The generated fixtures
//! (`crate::support::GENERATED_FIXTURES`: 100,000-character names, chains past rustc's
//! recursion limit) are compiled too: cheap, now that names are capped.
//!
//! A snapshot nobody compiles proves little. The fixtures are generated into one
//! throwaway workspace under `target/fixture-crates` (its own target dir, so it does not
//! wait on the lock of the `cargo test` that runs this), pinned to the project's
//! `Cargo.lock`, and checked with `cargo clippy -- -D warnings` in one run.

use crate::support::{fixtures, generate_fixture, workspace_root, GENERATED_FIXTURES};
use std::fs;
use std::process::Command;

#[test]
fn generated_fixture_crates_pass_clippy() {
    let root = workspace_root();
    let dir = root.join("target/fixture-crates");
    let mut members = Vec::new();
    let fixtures = fixtures();
    let generated = GENERATED_FIXTURES.iter().map(|name| name.to_string());
    for name in fixtures.iter().cloned().chain(generated) {
        let name = name.as_str();
        let crate_dir = dir.join(name);
        let _ = fs::remove_dir_all(crate_dir.join("src"));
        for (relative, contents) in &generate_fixture(name).files {
            let path = crate_dir.join(relative);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, contents).unwrap();
        }
        // A fixture with behaviour tests of its own gets them as `tests/behaviour.rs`.
        let _ = fs::remove_dir_all(crate_dir.join("tests"));
        if let Some(test) = behaviour_test(name) {
            fs::create_dir_all(crate_dir.join("tests/support")).unwrap();
            fs::write(crate_dir.join("tests/behaviour.rs"), test).unwrap();
            // The helpers every behaviour test may use (`mod support;`).
            let support = behaviour_test("support").expect("tests/fixture_tests/support.rs");
            fs::write(crate_dir.join("tests/support/mod.rs"), support).unwrap();
        }
        members.push(format!("\"{name}\""));
    }
    // One fixture also with `--vendor-runtime`: the runtime's sources as a module of
    // the crate must build and lint as cleanly as the runtime crate. One whose own code
    // names no crate beside serde, so the manifest's vendored part must bring all the
    // runtime needs (serde_json, bytes, ...).
    let vendored = "unused-schemas-vendored";
    let crate_dir = dir.join(vendored);
    let _ = fs::remove_dir_all(crate_dir.join("src"));
    let mut settings = crate::support::settings("unused_schemas");
    settings.crate_name = format!("fixture-{vendored}");
    settings.runtime = generator::RuntimeDependency::Vendored;
    let files = generator::generate(&crate::support::fixture_source("unused_schemas"), &settings)
        .expect("the unused_schemas fixture generates");
    assert!(!files.files["src/lib.rs"].contains("pub use ::serde_json;"));
    assert!(files.files.contains_key("src/runtime/mod.rs"));
    assert!(!files.files["Cargo.toml"].contains("openapi-client-runtime"));
    for (relative, contents) in &files.files {
        let path = crate_dir.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }
    members.push(format!("\"{vendored}\""));
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // Without features and with all of them: code that is always compiled must not
    // need a type behind a feature (`unused_schemas`), and the gated types must build.
    for features in [None, Some("--all-features")] {
        let output = Command::new(&cargo)
            .args(["clippy", "--workspace", "--all-targets", "--quiet"])
            .args(features)
            .args(["--", "-D", "warnings"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", dir.join("target"))
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "generated fixture crates do not pass clippy ({}):\n{}",
            features.unwrap_or("default features"),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    // And the behaviour tests run, against the fixture's mocks on loopback.
    for name in fixtures
        .iter()
        .filter(|name| behaviour_test(name).is_some())
    {
        let package = format!("fixture-{}", name.replace('_', "-"));
        let output = Command::new(&cargo)
            .args(["test", "--quiet", "--all-features", "-p", &package])
            .args(["--test", "behaviour"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", dir.join("target"))
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "the behaviour tests of {name} fail:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// `tests/fixture_tests/<name>.rs`, the hand-written behaviour tests of a fixture's
/// generated crate, if it has any.
fn behaviour_test(name: &str) -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixture_tests")
        .join(format!("{name}.rs"));
    fs::read_to_string(path).ok()
}
