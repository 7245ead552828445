//! `cargo xtask test`: every check CI runs, in the order a contributor wants to see
//! them fail: formatting, lints, the regeneration check, the docs of the generated
//! crate and the runtime (warnings, broken links among them, are errors, and no page
//! links to a page that is not there), all tests (after installing
//! the pinned Prism mock server the contract tests need), then the real-world corpus
//! (`cargo xtask corpus`, which fetches its specs once into `target/corpus/cache`) and
//! the subset of the APIs.guru directory (`cargo xtask corpus --directory --subset`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One step: a description, the cargo arguments that run it, and the environment
/// variables it sets.
type Step = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// The description of the docs step, after which [`check_doc_links`] reads its pages.
const DOCS_STEP: &str = "docs (warnings are errors)";

/// The crates whose pages [`check_doc_links`] reads (their directories in `target/doc`).
const DOCUMENTED_CRATES: &[&str] = &["generated_client", "openapi_client_runtime"];

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
        DOCS_STEP,
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
    // The runtime as a registry would get it: its package (sources, README, licenses)
    // builds on its own, outside this workspace.
    (
        "the runtime packages",
        &["package", "-p", "openapi-client-runtime", "--allow-dirty"],
        &[],
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
    // Every document of ReadMe's feature suite, with the outcome and the warnings
    // corpus/oas-examples.toml lists, checked with clippy.
    ("ReadMe feature suite", &["xtask", "corpus", "--suite"], &[]),
];

pub fn run() -> Result<(), String> {
    let root = crate::project_root();
    // The contract tests run the spec on Prism; install it (once) before anything runs.
    eprintln!("==> prism mock server: cargo xtask prism");
    let prism = crate::prism::ensure_installed(&root)?;
    for (what, cargo_args, env) in STEPS {
        let shown_env: String = env.iter().map(|(k, v)| format!("{k}={v:?} ")).collect();
        eprintln!("==> {what}: {shown_env}cargo {}", cargo_args.join(" "));
        crate::process::run(
            crate::process::cargo()
                .args(*cargo_args)
                .envs(env.iter().copied())
                // Fail on a changed snapshot instead of writing `.snap.new`.
                .env("INSTA_UPDATE", "no")
                .env("PRISM_BIN", &prism),
        )
        .map_err(|e| format!("{e}\nerror: {what} failed"))?;
        if *what == DOCS_STEP {
            eprintln!("==> every link of those docs leads to a page");
            check_doc_links(&doc_dir(&root), DOCUMENTED_CRATES)?;
        }
    }
    eprintln!("==> all checks passed");
    Ok(())
}

/// `target/doc`, or `$CARGO_TARGET_DIR/doc`.
fn doc_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_relative() {
                root.join(dir)
            } else {
                dir
            }
        })
        .unwrap_or_else(|| root.join("target"))
        .join("doc")
}

/// Links that other crates' docs leave dead in every page that shows one of their
/// blanket impls or re-exported items (rustdoc renders an intra-doc link of another
/// crate's doc comment it cannot place as the link's own text): `tracing`'s
/// `Instrument` and `WithSubscriber`, `futures-util`'s `StreamExt`, `wiremock`'s
/// `Times`, `http`'s `HeaderMap`. Not ours to fix; any other dead link is.
const FOREIGN_DEAD_LINKS: &[&str] = &[
    "super::Subscriber",
    "super::Span::current()",
    "crate::Span",
    "dispatcher#setting-the-default-subscriber",
    "crate::select",
    "crate::io::AsyncBufRead",
    "futures_core::future::FusedFuture",
    "futures_core::future::FusedFuture::is_terminated",
    "Mock::expect",
    "struct.GetAll.html",
];

/// Fails, listing them, when a page of `crates` (directories of `doc`) links to a page
/// that is not there. rustdoc's `-D warnings` catches a link it cannot resolve, but
/// not one to an item it does not document (`#[doc(hidden)]`, or in a crate not
/// documented): those become `href`s to no page, or the link's text itself.
fn check_doc_links(doc: &Path, crates: &[&str]) -> Result<(), String> {
    let mut dead: BTreeMap<String, (usize, PathBuf)> = BTreeMap::new();
    let mut pages = 0;
    for krate in crates {
        for path in crate::files_under(&doc.join(krate), &["html"])? {
            pages += 1;
            let html = std::fs::read_to_string(&path)
                .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
            for href in dead_links(&html, path.parent().unwrap_or(doc)) {
                if !FOREIGN_DEAD_LINKS.contains(&href.as_str()) {
                    dead.entry(href).or_insert_with(|| (0, path.clone())).0 += 1;
                }
            }
        }
    }
    if pages == 0 {
        return Err(format!("error: no pages under {}", doc.display()));
    }
    if dead.is_empty() {
        return Ok(());
    }
    let list: String = dead
        .iter()
        .map(|(href, (count, page))| {
            format!("  {href} ({count} times; first in {})\n", page.display())
        })
        .collect();
    Err(format!(
        "error: {} links of the docs lead to no page (an intra-doc link to a hidden or \
         undocumented item?):\n{list}",
        dead.len()
    ))
}

/// The `href`s of `html`, a page in `dir`, that are neither external nor anchors in
/// the page and name no file.
fn dead_links(html: &str, dir: &Path) -> Vec<String> {
    let mut dead = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("href=\"") {
        rest = &rest[start + 6..];
        let Some(end) = rest.find('"') else { break };
        let href = &rest[..end];
        rest = &rest[end..];
        // `${f}` is in the script every page starts with.
        let external = href.contains("://") || href.starts_with("mailto:");
        if href.starts_with('#') || external || href.contains("${") {
            continue;
        }
        let target = href.split(['#', '?']).next().unwrap_or_default();
        if !target.is_empty() && !dir.join(target).exists() {
            dead.push(href.to_owned());
        }
    }
    dead
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_links_are_the_hrefs_that_name_no_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("struct.There.html"), "").unwrap();
        let html = r##"<a href="struct.There.html#method.new">x</a>
            <a href="struct.Gone.html">x</a> <a href="super::send">x</a>
            <a href="https://docs.rs/x">x</a> <a href="#impl">x</a>
            <a href="mailto:a@b">x</a>"##;
        assert_eq!(
            dead_links(html, dir.path()),
            ["struct.Gone.html", "super::send"]
        );
    }
}
