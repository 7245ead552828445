//! The README's example compiles in a crate made the way a user makes one, whose only
//! dependencies are `generated-client` and `tokio` (hand-written test): everything the
//! client's API names (UUIDs, JSON values, streams, dates) must come through
//! `generated-client`'s re-exports.
//!
//! The crate is written to `target/user-crate` with its own target dir (so it does not
//! wait on the lock of the `cargo test` that runs this) and the project's `Cargo.lock`.

use std::fs;
use std::path::Path;
use std::process::Command;

/// The README's Rust code blocks, with rustdoc's hidden lines (`# ...`) shown.
fn readme_examples(readme: &str) -> Vec<String> {
    let mut examples = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.starts_with("```rust") => current = Some(String::new()),
            None => {}
            Some(_) if line.starts_with("```") => examples.extend(current.take()),
            Some(code) => {
                let line = match line.trim_start().strip_prefix('#') {
                    Some(rest) if rest.is_empty() || rest.starts_with(' ') => {
                        rest.strip_prefix(' ').unwrap_or(rest)
                    }
                    _ => line,
                };
                code.push_str(line);
                code.push('\n');
            }
        }
    }
    examples
}

#[test]
fn readme_example_needs_only_generated_client_and_tokio() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let readme = fs::read_to_string(root.join("README.md")).expect("README.md");
    let examples = readme_examples(&readme);
    assert!(!examples.is_empty(), "the README has no Rust example");

    let dir = root.join("target/user-crate");
    let _ = fs::remove_dir_all(dir.join("src"));
    fs::create_dir_all(dir.join("src/bin")).expect("create the crate");
    let client = root.join("generated-client");
    let manifest = format!(
        "[package]\nname = \"user-crate\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n\
         [dependencies]\n\
         generated-client = {{ path = {:?}, features = [\"mock\"] }}\n\
         tokio = {{ version = \"1.50\", features = [\"macros\", \"rt-multi-thread\"] }}\n",
        client.display().to_string()
    );
    fs::write(dir.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
    for (i, example) in examples.iter().enumerate() {
        // Each example defines `async fn example()`; a user's `main` would call it.
        let program = format!(
            "{example}\n#[tokio::main]\nasync fn main() {{\n    if let Err(error) = example().await {{\n        eprintln!(\"{{error}}\");\n    }}\n}}\n"
        );
        fs::write(dir.join(format!("src/bin/example{i}.rs")), program).expect("write example");
    }

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["check", "--bins", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the README example does not compile with only generated-client and tokio:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
