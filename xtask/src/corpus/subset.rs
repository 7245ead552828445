//! `cargo xtask corpus --directory --subset`: the part of the directory CI runs.
//!
//! `corpus/directory-subset.toml` lists documents of the directory (stratified by size
//! and OpenAPI version, plus every document that ever failed) with the outcome each must
//! have: `generates`, or `refused` with a piece of the error message. Each is generated
//! by this very binary (CI has the debug build already) in a child process under the
//! sweep's limits; those marked `check = true` are then checked with clippy, warnings
//! denied, in one workspace sharing the pinned corpus's target directory.

use super::directory::{self, crate_name, Job, Record, LIMITS, WORK_DIR};
use std::fs;
use std::path::Path;
use std::time::Instant;

pub const MANIFEST: &str = "corpus/directory-subset.toml";

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    Generates,
    Refused,
}

/// One document of the subset.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Relative to the package's `package/api/`.
    pub path: String,
    pub expect: Expect,
    /// For `refused`: a piece of the first error's message.
    #[serde(default)]
    pub error: Option<String>,
    /// Also checked with clippy in CI.
    #[serde(default)]
    pub check: bool,
    /// Why it is here (and, if refused, why the document is broken).
    pub why: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    document: Vec<Document>,
}

pub fn read(root: &Path) -> Result<Vec<Document>, String> {
    let path = root.join(MANIFEST);
    let text =
        fs::read_to_string(&path).map_err(|e| format!("error: cannot read {MANIFEST}: {e}"))?;
    parse(&text).map_err(|e| format!("error: {MANIFEST}: {e}"))
}

/// Parses and validates the manifest text.
pub fn parse(text: &str) -> Result<Vec<Document>, String> {
    let manifest: Manifest = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = std::collections::BTreeSet::new();
    for doc in &manifest.document {
        if !seen.insert(&doc.path) {
            return Err(format!("`{}` appears twice", doc.path));
        }
        if !doc.path.ends_with(".json") || doc.path.starts_with('/') || doc.path.contains("..") {
            return Err(format!(
                "`{}`: a path under package/api/, ending in .json",
                doc.path
            ));
        }
        match (&doc.expect, &doc.error) {
            (Expect::Refused, None) => {
                return Err(format!(
                    "`{}`: `refused` needs the `error` expected",
                    doc.path
                ))
            }
            (Expect::Generates, Some(_)) => {
                return Err(format!("`{}`: `error` is only for `refused`", doc.path))
            }
            (Expect::Refused, Some(_)) if doc.check => {
                return Err(format!(
                    "`{}`: a refused document cannot be checked",
                    doc.path
                ))
            }
            _ => {}
        }
    }
    Ok(manifest.document)
}

/// Whether a record is what the manifest expects; the mismatch otherwise.
pub fn verdict(doc: &Document, record: &Record) -> Result<(), String> {
    let first = record.summary.errors.first().map(|e| e.message.as_str());
    match (&doc.expect, record.class.generated()) {
        (Expect::Generates, true) => Ok(()),
        (Expect::Refused, false)
            if record.class == directory::Class::Refused
                && first.is_some_and(|m| doc.error.as_ref().is_some_and(|e| m.contains(e))) =>
        {
            Ok(())
        }
        (Expect::Generates, false) | (Expect::Refused, _) => Err(format!(
            "`{}`: expected {}, got: {}{}",
            doc.path,
            match &doc.error {
                Some(e) => format!("refused with \"{e}\""),
                None => "generates".to_owned(),
            },
            record.class.label(),
            first
                .map(|m| format!(" ({m})"))
                .or_else(|| record.failure.as_ref().map(|f| format!(" ({f})")))
                .unwrap_or_default()
        )),
    }
}

pub fn run(root: &Path, offline: bool) -> Result<(), String> {
    let documents = read(root)?;
    eprintln!(
        "==> the directory subset: {} documents of {MANIFEST}",
        documents.len()
    );
    let api = directory::ensure_documents(root, offline)?;
    let work = root.join(WORK_DIR);
    let crates_dir = work.join("subset-crates");
    let _ = fs::remove_dir_all(&crates_dir);
    let jobs: Vec<Job> = documents
        .iter()
        .map(|d| Job {
            path: d.path.clone(),
            crate_dir: d
                .check
                .then(|| (crates_dir.join(crate_name(&d.path)), crate_name(&d.path))),
        })
        .collect();
    for job in &jobs {
        if !api.join(&job.path).is_file() {
            return Err(format!(
                "error: {MANIFEST}: `{}` is not in the directory",
                job.path
            ));
        }
    }
    let worker = std::env::current_exe().map_err(|e| format!("error: {e}"))?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let started = Instant::now();
    // The debug build takes several times as long as the release build the limits are
    // set for; the hangs this guards against never ended.
    let limits = super::measure::Limits {
        wall: LIMITS.wall * 3,
        ..LIMITS
    };
    let records = directory::sweep(
        &worker,
        &api,
        &work.join("subset-scratch"),
        &jobs,
        cores,
        limits,
    )?;
    let mut mismatches = Vec::new();
    for (doc, record) in documents.iter().zip(&records) {
        let verdict = verdict(doc, record);
        eprintln!(
            "    {:<60} {:>8} {:>7.2} s {:>6} MiB  {}",
            doc.path,
            super::report::size(record.bytes),
            record.wall_secs,
            record.peak_rss_kib / 1024,
            match &verdict {
                Ok(()) => record.class.label().to_owned(),
                Err(_) => "MISMATCH".to_owned(),
            }
        );
        if let Err(e) = verdict {
            mismatches.push(e);
        }
    }
    eprintln!("    generated in {:.0} s", started.elapsed().as_secs_f64());
    let members: Vec<String> = documents
        .iter()
        .zip(&records)
        .filter(|(d, r)| d.check && r.class.generated())
        .map(|(d, _)| crate_name(&d.path))
        .collect();
    if !members.is_empty() {
        let check = directory::check_sample(root, &crates_dir, &members, offline)?;
        for (name, messages) in &check.crates {
            if let Some(first) = messages.first() {
                mismatches.push(format!(
                    "`{name}` fails clippy: {} x {} (first: {}{})",
                    first.count,
                    first.kind,
                    first.example,
                    first
                        .location
                        .as_ref()
                        .map_or(String::new(), |l| format!(" at {l}"))
                ));
            }
        }
        eprintln!(
            "    {} crates checked in {:.0} s",
            check.crates.len(),
            check.wall.as_secs_f64()
        );
    }
    if mismatches.is_empty() {
        eprintln!(
            "    all {} as expected in {:.0} s",
            documents.len(),
            started.elapsed().as_secs_f64()
        );
        Ok(())
    } else {
        Err(format!(
            "error: {} of the directory subset not as {MANIFEST} expects:\n  {}",
            mismatches.len(),
            mismatches.join("\n  ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::directory::Class;

    #[test]
    fn the_checked_in_subset_is_valid() {
        let docs = read(&crate::project_root()).unwrap();
        assert!(docs.len() >= 40, "{}", docs.len());
        assert!(docs.iter().any(|d| d.expect == Expect::Refused));
        assert!(docs.iter().any(|d| d.check));
    }

    #[test]
    fn rejects_inconsistent_entries() {
        let entry =
            |fields: &str| format!("[[document]]\npath = \"a.json\"\nwhy = \"w\"\n{fields}\n");
        for (text, error) in [
            (entry("expect = \"refused\""), "needs the `error`"),
            (
                entry("expect = \"generates\"\nerror = \"x\""),
                "only for `refused`",
            ),
            (
                entry("expect = \"refused\"\nerror = \"x\"\ncheck = true"),
                "cannot be checked",
            ),
            (entry("expect = \"maybe\""), "unknown variant"),
            (entry("expect = \"generates\"\nextra = 1"), "unknown field"),
            (
                entry("expect = \"generates\"") + &entry("expect = \"generates\""),
                "appears twice",
            ),
            (
                entry("expect = \"generates\"").replace("a.json", "../a.json"),
                "a path under",
            ),
        ] {
            let e = parse(&text).unwrap_err();
            assert!(e.contains(error), "{text}: {e}");
        }
        assert_eq!(
            parse(&entry("expect = \"generates\"\ncheck = true"))
                .unwrap()
                .len(),
            1
        );
    }

    fn record(class: Class, error: Option<&str>) -> Record {
        Record {
            path: "a.json".to_owned(),
            bytes: 1,
            openapi: "3.0.3".to_owned(),
            class,
            wall_secs: 0.0,
            cpu_secs: 0.0,
            peak_rss_kib: 0,
            summary: directory::Summary {
                errors: error
                    .map(|message| directory::Problem {
                        message: message.to_owned(),
                        pointer: "#/x".to_owned(),
                        line: Some(1),
                    })
                    .into_iter()
                    .collect(),
                ..directory::Summary::default()
            },
            failure: None,
        }
    }

    #[test]
    fn outcomes_meet_expectations_or_say_why_not() {
        let generates = Document {
            path: "a.json".to_owned(),
            expect: Expect::Generates,
            error: None,
            check: false,
            why: String::new(),
        };
        let refused = Document {
            expect: Expect::Refused,
            error: Some("points at a response".to_owned()),
            ..generates.clone()
        };
        let cases = [
            (&generates, record(Class::Clean, None), None),
            (&generates, record(Class::Warnings, None), None),
            (
                &generates,
                record(Class::TimedOut, None),
                Some("expected generates, got: timed out"),
            ),
            (
                &generates,
                record(Class::Refused, Some("bad")),
                Some("got: refused with a located error (bad)"),
            ),
            (
                &refused,
                record(Class::Refused, Some("`x` points at a response, where")),
                None,
            ),
            (
                &refused,
                record(Class::Refused, Some("something else")),
                Some("expected refused with \"points at a response\""),
            ),
            (
                &refused,
                record(
                    Class::Panicked,
                    Some("internal error: points at a response"),
                ),
                Some("got: internal error"),
            ),
            (
                &refused,
                record(Class::Clean, None),
                Some("got: generated, no warnings"),
            ),
        ];
        for (doc, record, mismatch) in cases {
            match (verdict(doc, &record), mismatch) {
                (Ok(()), None) => {}
                (Err(e), Some(m)) => assert!(e.contains(m), "{e}"),
                (got, want) => panic!("{:?}: got {got:?}, want {want:?}", record.class),
            }
        }
    }
}
