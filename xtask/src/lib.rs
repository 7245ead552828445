//! The xtask's commands, as a library so tests can call them directly.

pub mod args;
pub mod bench;
pub mod codegen;
pub mod corpus;
pub mod diff;
pub mod prism;
pub mod test;

use std::path::PathBuf;

/// Runs `cargo xtask <args>`; the error is the message to print.
pub fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("codegen") => codegen::run(&args::CodegenArgs::parse(&args[1..])?),
        Some("test") => test::run(&args[1..]),
        Some("diff") => diff::run(&args[1..]),
        Some("corpus") => corpus::run(&args[1..]),
        Some("prism") => prism::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("help") | Some("--help") | Some("-h") | None => {
            println!("{}", args::USAGE);
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{}", args::USAGE)),
    }
}

/// The workspace root, found from this crate's manifest directory.
pub fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The README's Rust examples are compiled as doc tests, so they cannot drift from the client.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
