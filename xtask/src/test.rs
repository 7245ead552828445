//! `cargo xtask test`: every check CI runs, in the order a contributor wants to see
//! them fail: formatting, lints, the regeneration check, the docs of the generated
//! crate and the runtime (warnings, broken links among them, are errors), all tests
//! (after installing
//! the pinned Prism mock server the contract tests need), then the real-world corpus
//! (`cargo xtask corpus`, which fetches its specs once into `target/corpus/cache`) and
//! the subset of the APIs.guru directory (`cargo xtask corpus --directory --subset`).

use std::process::Command;

/// One step: a description, the cargo arguments that run it, and the environment
/// variables it sets.
type Step = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

const STEPS: &[Step] = &[
    ("formatting", &["fmt", "--all", "--", "--check"], &[]),
    (
        "clippy (warnings are errors)",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            // Every feature: the generated crate's `mock` module and its test among them.
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    ),
    (
        "generated-client is fresh",
        &["xtask", "codegen", "--check"],
        &[],
    ),
    // What a user of the generated crate reads: its rustdoc, with the runtime's types
    // behind its aliases, must build without a warning (a broken or private
    // intra-doc link is one), with every feature (`mock` has its own module).
    (
        "docs (warnings are errors)",
        &[
            "doc",
            "--no-deps",
            "--all-features",
            "-p",
            "generated-client",
            "-p",
            "openapi-client-runtime",
        ],
        &[("RUSTDOCFLAGS", "-D warnings")],
    ),
    (
        "tests",
        &["test", "--workspace", "--all-features", "--no-fail-fast"],
        &[],
    ),
    // Last, being the slowest: nine pinned public specs (GitHub's 1,223 operations
    // among them) are generated and must pass clippy with warnings denied.
    (
        "real-world corpus",
        &["xtask", "corpus", "--no-report"],
        &[],
    ),
    // About fifty documents of the APIs.guru directory, each with the outcome
    // corpus/directory-subset.toml expects, a few checked with clippy.
    (
        "APIs.guru directory subset",
        &["xtask", "corpus", "--directory", "--subset"],
        &[],
    ),
];

pub fn run() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let root = crate::project_root();
    // The contract tests run the spec on Prism; install it (once) before anything runs.
    eprintln!("==> prism mock server: cargo xtask prism");
    let prism = crate::prism::ensure_installed(&root)?;
    for (what, cargo_args, env) in STEPS {
        let shown_env: String = env.iter().map(|(k, v)| format!("{k}={v:?} ")).collect();
        eprintln!("==> {what}: {shown_env}cargo {}", cargo_args.join(" "));
        let status = Command::new(&cargo)
            .args(*cargo_args)
            .envs(env.iter().copied())
            .current_dir(&root)
            // CI=true makes insta fail on a changed snapshot instead of writing `.snap.new`.
            .env("INSTA_UPDATE", "no")
            .env("PRISM_BIN", &prism)
            .status()
            .map_err(|e| format!("error: could not run cargo: {e}"))?;
        if !status.success() {
            return Err(format!(
                "error: {what} failed (cargo {})",
                cargo_args.join(" ")
            ));
        }
    }
    eprintln!("==> all checks passed");
    Ok(())
}
