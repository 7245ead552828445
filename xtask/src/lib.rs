//! The xtask's commands, as a library so tests can call them directly.

pub mod args;
pub mod bench;
pub mod codegen;
pub mod corpus;
pub mod diff;
pub mod prism;
pub mod process;
pub mod test;

use args::Command;
use std::path::PathBuf;

/// Runs `cargo xtask <args>`; the error is the message to print.
pub fn run(args: &[String]) -> Result<(), String> {
    let cli = match args::parse(args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // `--help` and friends: what was asked for, on stdout.
            print!("{e}");
            return Ok(());
        }
        Err(e) => return Err(e.render().to_string().trim_end().to_owned()),
    };
    match &cli.command {
        Command::Codegen(args) => codegen::run(args),
        Command::Test => test::run(),
        Command::Diff(args) => diff::run(args),
        Command::Corpus(args) => corpus::run(args),
        Command::Prism => prism::run(),
        Command::Bench(args) => bench::run(args),
        Command::CorpusDocument(args) => corpus::directory::document(args),
    }
}

/// The workspace root, found from this crate's manifest directory.
pub fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The files under `dir` with one of `extensions` (any file if none), at any depth,
/// sorted: the one walk of a folder (generated crates, documents, doc pages).
pub fn files_under(dir: &std::path::Path, extensions: &[&str]) -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &std::path::Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, found)?;
            } else {
                found.push(path);
            }
        }
        Ok(())
    }
    let mut found = Vec::new();
    walk(dir, &mut found).map_err(|e| format!("error: listing {}: {e}", dir.display()))?;
    found.retain(|path| {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        extensions.is_empty() || extensions.contains(&extension)
    });
    found.sort();
    Ok(found)
}

/// `path` relative to `root` (as it is when not under it), with `/` on every platform.
pub fn relative(root: &std::path::Path, path: &std::path::Path) -> String {
    let path = path.strip_prefix(root).unwrap_or(path);
    path.to_string_lossy().replace('\\', "/")
}

/// The README's Rust examples are compiled as doc tests, so they cannot drift from the client.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
