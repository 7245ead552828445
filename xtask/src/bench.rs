//! `cargo xtask bench`: the benchmarks that run whole processes, side by side. The
//! timings are hyperfine's (installed into `target/bench-tools/` on first use, with
//! `cargo-progenitor`): its runs, medians and spread, and peak memory, exported as
//! JSON into `target/bench/` and put into one report here.
//!
//! 1. Generation as a user runs it: the release `xtask codegen --spec .. --out ..`
//!    against `cargo progenitor` 0.15 on the same iModels spec; then ours on GitHub's
//!    REST description when `cargo xtask corpus` has cached it (and progenitor once, to
//!    say whether it copes). `--github-check` adds `cargo check` of that crate.
//! 2. What the generated crate costs its users to build: clean (dependencies
//!    included), the crate alone and after a one-line edit, for our crate, progenitor's
//!    output of the same spec, and progenitor's with reqwest's `rustls` and `http2`
//!    added (`progenitor-imodels-tls`: the one that can call an https API).
//! 3. The generated client at run time against hand-written reqwest, interleaved
//!    (`benches/client/src/bin/client_ratio.rs`), and the peak memory of streaming a
//!    long list and of uploading a file (the probes in `benches/client/src/bin/`, each
//!    reporting its own `VmHWM`).
//!
//! The in-process benchmarks (the generator per stage, the client under criterion) are
//! `cargo bench`; see BENCHMARKS.md.

use crate::args::BenchArgs;
use crate::process::{self, cargo};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const PROGENITOR_VERSION: &str = "~0.15";
const HYPERFINE_VERSION: &str = "~1.20";
/// Everything this command writes, under the project root.
const WORK_DIR: &str = "target/bench";
const GITHUB_SPEC: &str = "target/corpus/cache/specs/github.json";

/// One command's results in hyperfine's `--export-json`.
#[derive(Debug, serde::Deserialize)]
struct Timing {
    median: f64,
    mean: f64,
    stddev: Option<f64>,
    min: f64,
    max: f64,
    #[serde(default)]
    memory_usage_byte: Vec<u64>,
    exit_codes: Vec<Option<i32>>,
}

impl Timing {
    /// The largest peak resident set of the runs.
    fn peak(&self) -> Option<u64> {
        self.memory_usage_byte.iter().max().map(|b| b / 1024)
    }

    fn ok(&self) -> bool {
        self.exit_codes.iter().all(|c| *c == Some(0))
    }

    fn row(&self, name: &str) -> String {
        format!(
            "| {name} | {} | {} ± {} | {} | {} | {} |",
            secs(self.median),
            secs(self.mean),
            secs(self.stddev.unwrap_or(0.0)),
            secs(self.min),
            secs(self.max),
            mib(self.peak())
        )
    }
}

#[derive(serde::Deserialize)]
struct Export {
    results: Vec<Timing>,
}

struct Bench {
    root: PathBuf,
    work: PathBuf,
    args: BenchArgs,
    hyperfine: PathBuf,
    report: std::cell::RefCell<String>,
}

pub fn run(args: &BenchArgs) -> Result<(), String> {
    let root = crate::project_root();
    let work = root.join(WORK_DIR);
    fs::create_dir_all(&work).map_err(|e| format!("error: creating {}: {e}", work.display()))?;
    let bench = Bench {
        hyperfine: process::installed("hyperfine", HYPERFINE_VERSION, "hyperfine")?,
        root,
        work,
        args: args.clone(),
        report: Default::default(),
    };
    bench.say(format!(
        "# cargo xtask bench\n\nMachine: {}. Timings by hyperfine {}.\n",
        process::machine(),
        process::installed_version("hyperfine").unwrap_or_default()
    ));
    eprintln!("==> building the release xtask and the client probes");
    // Two builds, so that each gets the dependency features it has on its own.
    process::run(cargo().args(["build", "--release", "-p", "xtask"]))?;
    process::run(cargo().args(["build", "--release", "-p", "client-bench", "--bins"]))?;
    let release = process::target_dir()?.join("release");
    let progenitor = ensure_progenitor()?;
    bench.generation(&release.join("xtask"), &progenitor)?;
    if !bench.args.no_builds {
        bench.build_cost()?;
    }
    bench.client(&release)?;
    let summary = bench.work.join("summary.md");
    fs::write(&summary, bench.report.borrow().as_bytes())
        .map_err(|e| format!("error: cannot write {}: {e}", summary.display()))?;
    println!("(this report is also in {})", summary.display());
    Ok(())
}

impl Bench {
    /// Prints a line and keeps it for the summary at the end.
    fn say(&self, line: impl AsRef<str>) {
        println!("{}", line.as_ref());
        let mut report = self.report.borrow_mut();
        report.push_str(line.as_ref());
        report.push('\n');
    }

    /// `hyperfine ARGS` in `dir` with `env`, its JSON export kept as `<name>.json`.
    fn hyperfine(
        &self,
        name: &str,
        dir: &Path,
        env: &[(&str, &Path)],
        args: &[String],
    ) -> Result<Vec<Timing>, String> {
        let json = self.work.join(format!("{name}.json"));
        let mut command = Command::new(&self.hyperfine);
        command
            .args(["--style", "basic", "--export-json"])
            .arg(&json)
            .args(args)
            .current_dir(dir)
            .envs(env.iter().copied());
        process::run(&mut command)?;
        let text = fs::read_to_string(&json)
            .map_err(|e| format!("error: cannot read {}: {e}", json.display()))?;
        serde_json::from_str::<Export>(&text)
            .map(|export| export.results)
            .map_err(|e| format!("error: {}: {e}", json.display()))
    }

    fn generation(&self, xtask: &Path, progenitor: &Path) -> Result<(), String> {
        // progenitor refuses `openapi: 3.1.0`; the iModels spec uses nothing of 3.1
        // beyond the header, so both tools read the same copy with a 3.0.3 header.
        let source = fs::read_to_string(self.root.join(crate::codegen::MAIN_SPEC))
            .map_err(|e| format!("error: cannot read the iModels spec: {e}"))?;
        let spec = self.work.join("imodels-3.0.3.yaml");
        fs::write(&spec, as_3_0_3(&source)?)
            .map_err(|e| format!("error: cannot write {}: {e}", spec.display()))?;
        let (ours, theirs) = (
            self.work.join("ours-imodels"),
            self.work.join("progenitor-imodels"),
        );
        let runs = self.args.runs();
        let [ours_t, theirs_t] = self
            .hyperfine(
                "generation-imodels",
                &self.root,
                &[],
                &[
                    "--shell=none".to_owned(),
                    "--warmup=1".to_owned(),
                    format!("--runs={runs}"),
                    // Both write a whole crate every time.
                    format!("--prepare=rm -rf {} {}", ours.display(), theirs.display()),
                    ours_codegen(xtask, &spec, &ours, "ours-imodels"),
                    format!(
                        "{} {}",
                        progenitor.display(),
                        progenitor_args(&spec, &theirs, "progenitor-imodels").join(" ")
                    ),
                ],
            )?
            .try_into()
            .map_err(|_| "error: hyperfine gave other than two results".to_owned())?;
        let version = process::installed_version("cargo-progenitor").unwrap_or_default();
        let ratio = ours_t.median / theirs_t.median;
        self.say(format!(
            "## Generation, whole process (iModels, {} bytes YAML; {runs} runs each)\n",
            source.len()
        ));
        self.say(TIMING_HEADER);
        self.say(ours_t.row("`xtask codegen --spec .. --out ..` (release)"));
        self.say(theirs_t.row(&format!(
            "`cargo progenitor` {version} (`--interface builder`)"
        )));
        self.say(format!(
            "\nOurs / progenitor (medians): {ratio:.3} (progenitor takes {:.1}x as long). Target <= 0.333: {}\n",
            1.0 / ratio,
            verdict(ratio <= 1.0 / 3.0)
        ));

        let github = self.root.join(GITHUB_SPEC);
        if !github.is_file() {
            self.say(format!(
                "GitHub spec: {} is absent; fetch it with `cargo xtask corpus --only github` to add it here.\n",
                github.display()
            ));
            return Ok(());
        }
        let out = self.work.join("ours-github");
        let runs = (runs / 3).max(1);
        // As a GitHub user would: the webhook payload types no operation uses go behind
        // the crate's `unused-schemas` feature.
        let [gh] = self
            .hyperfine(
                "generation-github",
                &self.root,
                &[],
                &[
                    "--shell=none".to_owned(),
                    format!("--runs={runs}"),
                    format!("--prepare=rm -rf {}", out.display()),
                    ours_codegen(xtask, &github, &out, "github") + " --gate-unused-schemas",
                ],
            )?
            .try_into()
            .map_err(|_| "error: hyperfine gave other than one result".to_owned())?;
        // progenitor once, to see whether it takes the spec at all.
        println!("running progenitor once on the GitHub spec ...");
        let theirs_out = self.work.join("progenitor-github");
        let _ = fs::remove_dir_all(&theirs_out);
        let mut command = Command::new(progenitor);
        command.args(progenitor_args(&github, &theirs_out, "progenitor-github"));
        let theirs = process::measure(
            command,
            Some(Duration::from_secs(600)),
            &self.work.join("progenitor-github"),
        )
        .map_err(|e| format!("error: cannot run cargo-progenitor: {e}"))?;
        let outcome = if theirs.ok() {
            format!("{} lines of Rust", rust_lines(&theirs_out.join("src")))
        } else {
            // A panic's message is the line after `panicked at`; else the last line.
            let text = theirs.stdout + &theirs.stderr;
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            let panic = lines.by_ref().find(|l| l.contains("panicked at"));
            let last = panic.and_then(|_| lines.next()).or(text.lines().last());
            format!("fails: `{}`", last.unwrap_or("timed out").trim())
        };
        self.say(format!(
            "## Generation, whole process (GitHub REST description, {} MB JSON)\n",
            fs::metadata(&github).map_or(0, |m| m.len()) / 1_000_000
        ));
        self.say(TIMING_HEADER);
        self.say(gh.row(&format!(
            "`xtask codegen` (release): {} lines of Rust",
            rust_lines(&out.join("src"))
        )));
        self.say(format!(
            "| `cargo progenitor` {version}, once: {outcome} | {} | | | | |",
            secs(theirs.wall.as_secs_f64())
        ));
        self.say(format!(
            "\nTargets for ours: < 2 s: {}; < 500 MB peak: {}\n",
            verdict(gh.median < 2.0),
            gh.peak().map_or("unknown", |kib| verdict(kib < 500 * 1024))
        ));
        if self.args.github_check {
            self.github_check(&out)?;
        }
        Ok(())
    }

    /// `cargo check` of the generated GitHub crate alone, default and all features (its
    /// dependencies checked first, untimed, through the iModels crate, which has the same).
    fn github_check(&self, krate: &Path) -> Result<(), String> {
        let target = self.work.join("check-target");
        let imodels = self.work.join("ours-imodels");
        for dir in [krate, &imodels] {
            let _ = fs::copy(self.root.join("Cargo.lock"), dir.join("Cargo.lock"));
        }
        println!("checking the iModels crate for the dependencies, then the GitHub crate ...");
        process::run(
            cargo()
                .arg("check")
                .current_dir(&imodels)
                .env("CARGO_TARGET_DIR", &target),
        )?;
        let timings = self.hyperfine(
            "check-github",
            krate,
            &[("CARGO_TARGET_DIR", &target)],
            &[
                "--runs=1",
                "--ignore-failure",
                // From scratch each time: no artifacts or incremental state of the crate.
                "--prepare=cargo clean -p github",
                "cargo check",
                "cargo check --all-features",
            ]
            .map(str::to_owned),
        )?;
        self.say("## `cargo check` of the generated GitHub crate (dependencies already checked)\n");
        self.say("| Features | Wall time | Peak RSS (rustc) | Result | < 2 min | < 4 GB |");
        self.say("| --- | ---: | ---: | --- | --- | --- |");
        for (label, t) in ["default (webhook types off)", "`--all-features`"]
            .iter()
            .zip(&timings)
        {
            self.say(format!(
                "| {label} | {} | {} | {} | {} | {} |",
                secs(t.median),
                mib(t.peak()),
                if t.ok() { "checks" } else { "fails" },
                verdict(t.median < 120.0),
                t.peak().map_or("unknown", |kib| verdict(kib < 4 << 20))
            ));
        }
        self.say("");
        Ok(())
    }

    /// Build times and dependency counts of the generated iModels crates: ours,
    /// progenitor's as it comes, and progenitor's with TLS turned on.
    fn build_cost(&self) -> Result<(), String> {
        let names = [
            "ours-imodels",
            "progenitor-imodels",
            "progenitor-imodels-tls",
        ];
        let dir = |name: &str| self.work.join(name);
        // progenitor's crate turns reqwest's default features off and names no TLS
        // backend, so it cannot call an `https` API such as iModels; ours has rustls and
        // HTTP/2. The third crate is progenitor's with those features added.
        let _ = fs::remove_dir_all(dir(names[2]));
        process::run(
            Command::new("cp")
                .arg("-r")
                .arg(dir(names[1]))
                .arg(dir(names[2])),
        )?;
        edit(&dir(names[2]).join("Cargo.toml"), |text| {
            text.replace(
                "name = \"progenitor-imodels\"",
                "name = \"progenitor-imodels-tls\"",
            )
            .replace(
                "features = [\"json\", \"query\", \"stream\"]",
                "features = [\"json\", \"query\", \"stream\", \"rustls\", \"http2\"]",
            )
        })?;
        let runs = self.args.build_runs();
        // Per crate: clean, alone and incremental; dependencies; packages; lines of Rust.
        type Row = (Vec<Timing>, usize, usize, usize);
        let mut rows: Vec<Row> = Vec::new();
        for name in names {
            let krate = dir(name);
            // progenitor's Cargo.toml has no `[workspace]`, and the crate sits inside this
            // workspace's directory: make it its own workspace, as ours is.
            edit(&krate.join("Cargo.toml"), |text| {
                if text.lines().any(|l| l.trim() == "[workspace]") {
                    text.to_owned()
                } else {
                    format!("{text}\n[workspace]\n")
                }
            })?;
            // The workspace's versions for the crates they share; the rest resolve fresh.
            let _ = fs::copy(self.root.join("Cargo.lock"), krate.join("Cargo.lock"));
            process::run(cargo().arg("fetch").current_dir(&krate))?;
            let target = self.work.join("build-target").join(name);
            let lib = krate.join("src/lib.rs");
            let original = fs::read_to_string(&lib)
                .map_err(|e| format!("error: cannot read {}: {e}", lib.display()))?;
            let build = "cargo build --offline --color never";
            let timings = self.hyperfine(
                &format!("build-{name}"),
                &krate,
                &[("CARGO_TARGET_DIR", &target)],
                &[
                    format!("--runs={runs}"),
                    format!("--prepare=rm -rf {}", target.display()),
                    format!("--command-name=clean build of {name}"),
                    build.to_owned(),
                    format!("--prepare=cargo clean --offline -p {name}"),
                    format!("--command-name={name} alone"),
                    build.to_owned(),
                    "--prepare=sh -c 'echo // edited by cargo xtask bench >> src/lib.rs'"
                        .to_owned(),
                    format!("--command-name={name} after a one-line edit"),
                    build.to_owned(),
                ],
            );
            fs::write(&lib, original)
                .map_err(|e| format!("error: cannot write {}: {e}", lib.display()))?;
            let tree = |edges: &str| -> Result<usize, String> {
                let text = process::output(
                    cargo()
                        .args(["tree", "--offline", "-e", edges, "--prefix", "none"])
                        .args(["--format", "{p}"])
                        .current_dir(&krate)
                        .env("CARGO_TARGET_DIR", &target),
                )?;
                let mut packages: Vec<&str> = text
                    .lines()
                    .map(|l| l.trim_end_matches(" (*)").trim_end_matches(" (proc-macro)"))
                    .filter(|l| !l.is_empty() && !l.starts_with(&format!("{name} v")))
                    .collect();
                packages.sort();
                packages.dedup();
                Ok(packages.len())
            };
            rows.push((
                timings?,
                tree("normal")?,
                tree("normal,build")?,
                rust_lines(&krate.join("src")),
            ));
        }
        self.say(format!(
            "## Building the generated iModels crate (`cargo build`, dev profile; median of {runs} runs)\n"
        ));
        self.say("| | Ours | progenitor | progenitor + TLS | Ours / progenitor | Ours / progenitor + TLS |");
        self.say("| --- | ---: | ---: | ---: | ---: | ---: |");
        let cases = [
            "Clean build, dependencies included",
            "The crate alone (dependencies built)",
            "Incremental, after a one-line edit",
        ];
        for (slot, case) in cases.iter().enumerate() {
            let t: Vec<f64> = rows.iter().map(|r| r.0[slot].median).collect();
            self.say(format!(
                "| {case} | {} | {} | {} | {:.2} | {:.2} |",
                secs(t[0]),
                secs(t[1]),
                secs(t[2]),
                t[0] / t[1],
                t[0] / t[2]
            ));
        }
        let line = |what: &str, cell: &dyn Fn(&Row) -> String| {
            let cells: Vec<String> = rows.iter().map(cell).collect();
            self.say(format!("| {what} | {} | | |", cells.join(" | ")));
        };
        line("Peak RSS of the clean build (largest process)", &|r| {
            mib(r.0[0].peak())
        });
        line(
            "Crates in the normal dependency tree (`cargo tree -e normal`)",
            &|r| r.1.to_string(),
        );
        line(
            "Packages in the build (`cargo tree -e normal,build`)",
            &|r| r.2.to_string(),
        );
        line("Lines of generated Rust (`src/`)", &|r| r.3.to_string());
        let (ours, theirs, tls) = (&rows[0], &rows[1], &rows[2]);
        self.say(format!(
            "\nTargets (against progenitor as it comes): clean build no slower: {}; fewer crates: {}. \
             Against progenitor + TLS: clean build no slower: {}; fewer crates: {}\n",
            verdict(ours.0[0].median <= theirs.0[0].median),
            verdict(ours.1 < theirs.1),
            verdict(ours.0[0].median <= tls.0[0].median),
            verdict(ours.1 < tls.1),
        ));
        Ok(())
    }

    /// Runs a probe of `benches/client` once with `args`; its stdout's `key=value` fields.
    fn probe(&self, bin: &Path, args: &[&str]) -> Result<Vec<(String, String)>, String> {
        let text = process::output(Command::new(bin).args(args).current_dir(&self.root))?;
        Ok(text
            .split_whitespace()
            .filter_map(|f| f.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect())
    }

    fn client(&self, release: &Path) -> Result<(), String> {
        println!("the generated client against raw reqwest, interleaved ...");
        let quick: &[&str] = if self.args.quick { &["--quick"] } else { &[] };
        let ratio = process::output(
            Command::new(release.join("client_ratio"))
                .args(quick)
                .current_dir(&self.root),
        )?;
        self.say("## The generated client against hand-written reqwest + serde_json (interleaved, medians)\n");
        self.say(
            "| Case | Generated | Baseline | Generated throughput / baseline | Target >= 0.95 |",
        );
        self.say("| --- | ---: | ---: | ---: | --- |");
        for line in ratio.lines() {
            // `case=NAME WITH SPACES a=.. b=.. a_us=.. b_us=.. ratio=..`
            let Some((case, fields)) = line
                .strip_prefix("case=")
                .and_then(|rest| rest.split_once(" a="))
            else {
                continue;
            };
            let field = |name: &str| {
                format!("a={fields}")
                    .split(' ')
                    .find_map(|f| f.strip_prefix(&format!("{name}=")).map(str::to_owned))
                    .unwrap_or_default()
            };
            let us = |name: &str| {
                field(name)
                    .parse::<f64>()
                    .map_or(String::new(), |us| secs(us / 1e6))
            };
            let ratio: f64 = field("ratio").parse().unwrap_or(f64::NAN);
            let target = if case.starts_with("get_imodels") || case.starts_with("stream") {
                verdict(ratio >= 0.95).to_owned()
            } else {
                format!("(diagnostic: {} vs {})", field("a"), field("b"))
            };
            self.say(format!(
                "| {case} | {} | {} | {ratio:.3} | {target} |",
                us("a_us"),
                us("b_us")
            ));
        }
        self.say("");

        // (title, probe, runs: (argument, flag, label); the runs without a flag must
        // stay flat: the last at most `slack` KiB above the first)
        type Run = (&'static str, &'static str, &'static str);
        let probes: [(&str, &str, Vec<Run>); 3] = [
            (
                "`into_stream()` (pages of 100), by items",
                "stream_memory",
                vec![
                    ("1000", "", "generated, items dropped"),
                    ("10000", "", "generated, items dropped"),
                    ("100000", "", "generated, items dropped"),
                    ("100000", "--raw", "hand-written page loop"),
                    ("100000", "--collect", "generated, items kept (control)"),
                ],
            ),
            (
                "a multipart upload (a file part streamed from disk), by MiB",
                "multipart_memory",
                vec![
                    ("10", "", "FilePart::path"),
                    ("100", "", "FilePart::path"),
                    ("100", "--bytes", "FilePart::bytes (control)"),
                ],
            ),
            (
                "a raw-body upload (`Body::from_file`, streamed from disk), by MiB",
                "raw_body_memory",
                vec![
                    ("10", "", "Body::from_file"),
                    ("100", "", "Body::from_file"),
                    ("100", "--bytes", "Vec<u8> (control)"),
                ],
            ),
        ];
        for (title, name, runs) in probes {
            println!("peak memory of {name} ...");
            self.say(format!(
                "## Peak memory of {title}; one fresh process each\n"
            ));
            self.say("| Size | Client | Requests | Time | Peak RSS (VmHWM) |");
            self.say("| ---: | --- | ---: | ---: | ---: |");
            let mut peaks = Vec::new();
            for (size, flag, label) in runs {
                let args: Vec<&str> = [size, flag].into_iter().filter(|a| !a.is_empty()).collect();
                let fields = self.probe(&release.join(name), &args)?;
                let field = |key: &str| {
                    fields
                        .iter()
                        .find(|(k, _)| k == key)
                        .map_or("?", |(_, v)| v.as_str())
                };
                let peak = field("peak_rss_kib").parse::<u64>().ok();
                if flag.is_empty() {
                    peaks.push(peak);
                }
                self.say(format!(
                    "| {size} | {label} | {} | {} ms | {} |",
                    field("requests").replace('?', "-"),
                    field("elapsed_ms"),
                    mib(peak)
                ));
            }
            // Flat: at most 10 % (or 2 MiB) more memory for the largest size.
            let flat = match (
                peaks.first().copied().flatten(),
                peaks.last().copied().flatten(),
            ) {
                (Some(small), Some(large)) => Some(large <= small + (small / 10).max(2 * 1024)),
                _ => None,
            };
            self.say(format!(
                "\nTarget: flat from the smallest size to the largest: {}\n",
                flat.map_or("unknown (no /proc/self/status)", verdict)
            ));
        }
        Ok(())
    }
}

const TIMING_HEADER: &str =
    "| Command | Median | Mean ± σ | Min | Max | Peak RSS |\n| --- | ---: | ---: | ---: | ---: | ---: |";

/// `xtask codegen` of `spec` into `out` as hyperfine runs it.
fn ours_codegen(xtask: &Path, spec: &Path, out: &Path, name: &str) -> String {
    format!(
        "{} codegen --spec {} --out {} --crate-name {name}",
        xtask.display(),
        spec.display(),
        out.display()
    )
}

/// The arguments of `cargo-progenitor` for `spec` into `out`.
fn progenitor_args(spec: &Path, out: &Path, name: &str) -> Vec<String> {
    let (spec, out) = (spec.display().to_string(), out.display().to_string());
    [
        "progenitor",
        "-i",
        &spec,
        "-o",
        &out,
        "-n",
        name,
        "-v",
        "0.1.0",
    ]
    .into_iter()
    .chain(["--interface", "builder"])
    .map(str::to_owned)
    .collect()
}

/// `cargo-progenitor`, installed into `target/bench-tools/` the first time (also used
/// by `cargo xtask corpus --directory --vs progenitor`).
pub fn ensure_progenitor() -> Result<PathBuf, String> {
    process::installed("cargo-progenitor", PROGENITOR_VERSION, "cargo-progenitor")
}

fn secs(secs: f64) -> String {
    if secs < 1e-3 {
        format!("{:.1} µs", secs * 1e6)
    } else if secs < 1.0 {
        format!("{:.1} ms", secs * 1e3)
    } else {
        format!("{secs:.2} s")
    }
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "n/a".to_owned(),
        |kib| format!("{:.1} MiB", kib as f64 / 1024.0),
    )
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "**pass**"
    } else {
        "**FAIL**"
    }
}

/// The spec with its version replaced by 3.0.3: the `openapi:` line of YAML, or the
/// `"openapi"` member of JSON (found as text, so the rest stays byte for byte).
pub fn as_3_0_3(source: &str) -> Result<String, String> {
    if source.trim_start().starts_with('{') {
        let key = "\"openapi\"";
        let value = source.find(key).and_then(|at| {
            let after = at + key.len();
            let open = after + source[after..].find('"')?;
            let close = open + 1 + source[open + 1..].find('"')?;
            source[after..open]
                .chars()
                .all(|c| c == ':' || c.is_whitespace())
                .then_some((open, close))
        });
        return match value {
            Some((open, close)) => Ok(format!(
                "{}\"3.0.3\"{}",
                &source[..open],
                &source[close + 1..]
            )),
            None => Err("error: the JSON document has no `\"openapi\"` member".to_owned()),
        };
    }
    let at = match source.find("\nopenapi:") {
        _ if source.starts_with("openapi:") => 0,
        Some(at) => at + 1,
        None => return Err("error: the document has no top-level `openapi:` line".to_owned()),
    };
    let end = source[at..].find('\n').map_or(source.len(), |e| at + e);
    Ok(format!("{}openapi: 3.0.3{}", &source[..at], &source[end..]))
}

/// Rewrites a text file through `change`.
fn edit(path: &Path, change: impl FnOnce(&str) -> String) -> Result<(), String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
    fs::write(path, change(&text))
        .map_err(|e| format!("error: cannot write {}: {e}", path.display()))
}

/// Lines in the `.rs` files under `dir`.
fn rust_lines(dir: &Path) -> usize {
    let files = crate::files_under(dir, &["rs"]).unwrap_or_default();
    files
        .iter()
        .map(|path| fs::read_to_string(path).map_or(0, |t| t.lines().count()))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_the_version_line() {
        let spec = "openapi: 3.1.0\ninfo:\n  x: \"openapi: 3.1.0\"\n";
        assert_eq!(
            as_3_0_3(spec).unwrap(),
            "openapi: 3.0.3\ninfo:\n  x: \"openapi: 3.1.0\"\n"
        );
        assert_eq!(
            as_3_0_3("# c\nopenapi: 3.1.0\ninfo: {}\n").unwrap(),
            "# c\nopenapi: 3.0.3\ninfo: {}\n"
        );
        assert!(as_3_0_3("info: {}\n").is_err());
        assert_eq!(
            as_3_0_3(r#"{"openapi": "3.1.0","info":{"x":"openapi"}}"#).unwrap(),
            r#"{"openapi": "3.0.3","info":{"x":"openapi"}}"#
        );
        assert!(as_3_0_3(r#"{"info":{}}"#).is_err());
    }

    #[test]
    fn reads_hyperfines_export() {
        let json = r#"{"results":[{"command":"a","mean":0.5,"stddev":0.1,"median":0.4,
            "user":0,"system":0,"min":0.3,"max":0.9,"times":[0.3,0.4,0.9],
            "memory_usage_byte":[2048,4096],"exit_codes":[0,0]}]}"#;
        let export: Export = serde_json::from_str(json).unwrap();
        let t = &export.results[0];
        assert_eq!((t.peak(), t.ok()), (Some(4), true));
        assert_eq!(
            t.row("x"),
            "| x | 400.0 ms | 500.0 ms ± 100.0 ms | 300.0 ms | 900.0 ms | 0.0 MiB |"
        );
    }
}
