//! Fuzzing the whole pipeline (hand-written test): whatever spec text it is given,
//! `generator::generate` returns (no panic), returns in time (no hang), and only emits
//! files that parse.
//!
//! Seeds are the real inputs: `spec/imodels.yaml`, every `tests/fixtures/*.yaml` and every
//! broken spec in `tests/errors/`. Two tests mutate them at two levels:
//! - `structural_mutations`: the seed as a JSON value, edited (keys deleted or renamed to
//!   odd strings, values swapped for other JSON types, subtrees copied elsewhere, `$ref`s
//!   to existing, missing, self-referencing and cyclic pointers, deep nesting, odd
//!   `openapi` versions, random `oneOf`/`allOf`/`anyOf`/`enum`/`nullable`/
//!   `additionalProperties`/..., odd parameters and operations), then written back as
//!   YAML, JSON or pretty JSON;
//! - `textual_mutations`: bit flips, cuts, truncation, line moves, re-indentation and
//!   YAML-significant insertions on the seed's text, for the parser and the locator.
//!
//! Each case runs on a thread of its own under `catch_unwind` and must answer within
//! `FUZZ_TIMEOUT_MS`. On `Ok`, every `.rs` file must parse with `syn::parse_file` (which
//! also checks every identifier) and `Cargo.toml` must parse as TOML; on `Err`, there
//! must be an error and no "internal error". Every diagnostic, error or warning, needs
//! a message, a pointer that starts with `#`, and a line (when it has one) inside the
//! source.
//!
//! Cases come from proptest strategies driven by a fixed RNG seed, so every run is the
//! same. A failing case is shrunk with proptest's value tree, then reduced further
//! (parts of the spec deleted, nesting collapsed, strings shortened) while the same
//! failure persists. The run goes on after a failure; every distinct failure is
//! reported at the end, with its reduced input (also written to `target/tmp/fuzz/`),
//! and then the test fails. Proptest's own runner and failure persistence are not used.
//!
//! A stack overflow aborts the whole process, which no `catch_unwind` survives. So each
//! test runs its cases in a child process (this test binary, filtered to that test),
//! which logs every input before running it; when the child dies, the parent reduces
//! the logged input by replaying candidates in more child processes (the `replay`
//! test) and starts a new child at the next case.
//!
//! Environment (all optional):
//! - `FUZZ_CASES`: cases per test (default 150 each; both tests together take about
//!   15 s in a debug build on two cores).
//! - `FUZZ_SEED`: the RNG seed, a u64, for a different but repeatable run.
//! - `FUZZ_TIMEOUT_MS`: the time bound per case (default 5000).
//! - `FUZZ_REPLAY`: a spec file to run once through the same checks, printing the
//!   outcome (with `FUZZ_WORDS='["iModel"]'` for compound words); for a saved failure.
//!
//! A long local run, then a replay:
//! `FUZZ_CASES=20000 cargo test --release -p generator --test it -- --nocapture fuzz::`
//! `FUZZ_REPLAY=target/tmp/fuzz/structural-failure-12.txt cargo test -p generator --test it -- --ignored --nocapture fuzz::replay`

use generator::{Diagnostics, GeneratedFiles, Settings};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::{BoxedStrategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

mod campaign;
mod reduce;
mod run;
mod structural;
mod textual;
mod vocabulary;

use campaign::*;
use reduce::*;
use run::*;
use structural::*;
use textual::*;
use vocabulary::*;

// ---------------------------------------------------------------------------------------
// Knobs

const DEFAULT_CASES: usize = 150;
const DEFAULT_SEED: u64 = 0x0005_eed0_fa91_c1e7;
const DEFAULT_TIMEOUT_MS: u64 = 5000;
/// Proptest shrink steps per failure, then reduction attempts per failure.
const SHRINK_STEPS: usize = 2000;
const REDUCE_ATTEMPTS: usize = 3000;
const REDUCE_TIME: Duration = Duration::from_secs(90);
/// A hang costs a leaked thread per attempt; shrink those only a little.
const HANG_ATTEMPTS: usize = 6;
/// Reducing a crash starts a process per attempt.
const CRASH_REDUCE_ATTEMPTS: usize = 1500;
const WORKER_STACK: usize = 8 << 20;

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, got {text:?}")),
        Err(_) => default,
    }
}

fn timeout() -> Duration {
    Duration::from_millis(env_number("FUZZ_TIMEOUT_MS", DEFAULT_TIMEOUT_MS))
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz");
    std::fs::create_dir_all(&dir).expect("can create target/tmp/fuzz");
    dir
}

// ---------------------------------------------------------------------------------------
// Seeds

struct Seed {
    name: String,
    /// `spec`, `fixtures` or `errors`.
    dir: String,
    text: String,
    /// The seed as JSON, when it parses to one; only these get structural edits.
    value: Option<Value>,
}

fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut paths = vec![crate::support::workspace_root().join("spec/imodels.yaml")];
        for dir in ["tests/fixtures", "tests/errors"] {
            let mut files: Vec<PathBuf> = std::fs::read_dir(manifest.join(dir))
                .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
                .map(|entry| entry.expect("directory entry").path())
                .filter(|path| path.is_file())
                .collect();
            files.sort();
            paths.extend(files);
        }
        paths
            .iter()
            .map(|path| {
                let bytes = std::fs::read(path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                // Two error fixtures are not UTF-8 on purpose; as seeds, their text will do.
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let dir = path.parent().and_then(|p| p.file_name()).unwrap();
                Seed {
                    name: path.file_name().unwrap().to_string_lossy().into_owned(),
                    dir: dir.to_string_lossy().into_owned(),
                    value: to_json(&text),
                    text,
                }
            })
            .collect()
    })
}

/// YAML or JSON text -> JSON, with scalar keys as strings (`200:` -> `"200"`).
fn to_json(text: &str) -> Option<Value> {
    fn convert(yaml: serde_yaml::Value) -> Option<Value> {
        use serde_yaml::Value as Y;
        Some(match yaml {
            Y::Null => Value::Null,
            Y::Bool(b) => Value::Bool(b),
            Y::Number(n) => serde_json::to_value(&n).ok()?,
            Y::String(s) => Value::String(s),
            Y::Sequence(items) => {
                Value::Array(items.into_iter().map(convert).collect::<Option<Vec<_>>>()?)
            }
            Y::Mapping(map) => {
                let mut out = Map::new();
                for (key, value) in map {
                    let key = match key {
                        Y::String(s) => s,
                        Y::Number(n) => n.to_string(),
                        Y::Bool(b) => b.to_string(),
                        Y::Null => "null".to_owned(),
                        _ => return None,
                    };
                    out.insert(key, convert(value)?);
                }
                Value::Object(out)
            }
            Y::Tagged(tagged) => convert(tagged.value)?,
        })
    }
    convert(serde_yaml::from_str(text).ok()?)
}

#[test]
fn structural_mutations() {
    campaign(
        "structural",
        "fuzz::structural_mutations",
        structural_case(),
    );
}

#[test]
fn textual_mutations() {
    campaign("textual", "fuzz::textual_mutations", textual_case());
}

/// `FUZZ_REPLAY=path cargo test -p generator --test it -- --ignored --nocapture fuzz::replay`
/// runs one saved input (with `FUZZ_WORDS='["iModel"]'` for compound words) and prints
/// what happened; the campaigns run it in a child process to reduce a crash.
#[test]
#[ignore = "runs one saved fuzz case: FUZZ_REPLAY=path cargo test -p generator --test it -- --ignored fuzz::replay"]
fn replay() {
    let path = std::env::var("FUZZ_REPLAY")
        .expect("FUZZ_REPLAY names the saved case to run (a file under target/tmp/fuzz/)");
    let source =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let words: Vec<String> = std::env::var("FUZZ_WORDS")
        .ok()
        .and_then(|w| serde_json::from_str(&w).ok())
        .unwrap_or_default();
    match run(&source, &words) {
        Ok(outcome) => println!("{path}: {outcome:?}"),
        Err(failure) => panic!("{path}: {}\n{}", failure.signature, failure.detail),
    }
}

/// Every input the fuzzer once broke the generator with (`tests/fuzz-regressions/`)
/// now passes the same checks as a fresh case. In a child process, like the
/// campaigns: [`run`]'s panic hook would catch the panics of the binary's other tests.
#[test]
fn fuzz_regressions() {
    if std::env::var_os("FUZZ_CHILD").is_none() {
        let output = crate::support::run_child("fuzz::fuzz_regressions", [("FUZZ_CHILD", "1")]);
        assert!(
            output.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            tail(&String::from_utf8_lossy(&output.stderr), 40)
        );
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("regression folder exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "regression inputs are missing from {}",
        dir.display()
    );
    for path in files {
        let source = std::fs::read_to_string(&path).expect("readable regression input");
        if let Err(failure) = run(&source, &[]) {
            panic!(
                "{}: {}\n{}",
                path.display(),
                failure.signature,
                failure.detail
            );
        }
    }
}
