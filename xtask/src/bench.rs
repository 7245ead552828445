//! `cargo xtask bench`: the benchmarks that run whole processes, side by side.
//!
//! 1. Generation as a user runs it: the release `xtask codegen --spec .. --out ..`
//!    against `cargo progenitor` 0.15 (installed into `target/bench-tools/` on first
//!    use) on the same iModels spec, alternating runs, medians and the ratio; then
//!    ours alone on GitHub's REST description when `cargo xtask corpus` has cached it
//!    (and progenitor once on it, to say whether it copes).
//! 2. What the generated crate costs its users to build: clean (dependencies
//!    included), the crate alone and after a one-line edit, for our crate and
//!    progenitor's output of the same spec (`target/bench/{ours,progenitor}-imodels`),
//!    plus their dependency counts. progenitor's crate has no TLS (reqwest without
//!    default features), so a third copy with reqwest's `rustls` and `http2` added
//!    (`progenitor-imodels-tls`) shows the cost of one that can call an https API. `--github-check` adds `cargo check` of the
//!    generated GitHub crate (minutes, and gigabytes of memory).
//! 3. The generated client at run time against hand-written reqwest, interleaved
//!    (`benches/client/src/bin/client_ratio.rs`), and the peak memory of streaming
//!    1,000 to 100,000 items (`benches/client/src/bin/stream_memory.rs`).
//!
//! Peak memory is GNU time's maximum resident set size (`/usr/bin/time -f %M`): for a
//! cargo build, that of its largest process, rustc on the generated crate. The
//! in-process generator benchmarks (per stage) and the criterion client benchmarks
//! are `cargo bench`; see BENCHMARKS.md.

use crate::args::BenchArgs;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PROGENITOR_VERSION: &str = "~0.15";
/// Everything this command writes, under the project root.
const WORK_DIR: &str = "target/bench";
const TOOLS_DIR: &str = "target/bench-tools";
const GITHUB_SPEC: &str = "target/corpus/cache/specs/github.json";
/// Stream lengths for the memory probe.
const STREAM_SIZES: [u64; 3] = [1_000, 10_000, 100_000];

pub fn run(args: &BenchArgs) -> Result<(), String> {
    let args = args.clone();
    let root = crate::project_root();
    let bench = Bench::new(&root, args)?;
    bench.run()
}

/// One timed process: wall time and, with GNU time, peak resident set size.
#[derive(Debug, Clone, Copy)]
struct Sample {
    secs: f64,
    peak_kib: Option<u64>,
}

/// The result of [`Bench::spawn`]: the sample and where its output went.
struct Finished {
    sample: Sample,
    ok: bool,
    timed_out: bool,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Finished {
    fn stderr_text(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    fn stdout_text(&self) -> String {
        fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    /// The failure as an error message with the end of stderr.
    fn check(self, what: &str) -> Result<Finished, String> {
        if self.ok {
            return Ok(self);
        }
        let stderr = self.stderr_text();
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Err(format!(
            "error: {what} {} (output in {} and {})\n{}",
            if self.timed_out {
                "timed out"
            } else {
                "failed"
            },
            self.stdout.display(),
            self.stderr.display(),
            tail.join("\n")
        ))
    }
}

struct Bench {
    root: PathBuf,
    work: PathBuf,
    args: BenchArgs,
    cargo: String,
    /// GNU time, when there is one.
    time: Option<PathBuf>,
    report: std::cell::RefCell<String>,
}

impl Bench {
    fn new(root: &Path, args: BenchArgs) -> Result<Self, String> {
        let work = root.join(WORK_DIR);
        fs::create_dir_all(work.join("logs"))
            .map_err(|e| format!("error: cannot create {}: {e}", work.display()))?;
        Ok(Bench {
            root: root.to_owned(),
            work,
            args,
            cargo: std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()),
            time: gnu_time(),
            report: Default::default(),
        })
    }

    /// Prints a line and keeps it for the summary at the end.
    /// Runs the memory probe `bin` (named `name`) once, in a fresh process, with
    /// `size` and `flag` (if any) as its arguments; its one `key=value` line.
    fn probe(&self, bin: &Path, name: &str, size: u64, flag: &str) -> Result<ProbeLine, String> {
        let size_arg = size.to_string();
        let mut args = vec![size_arg.as_str()];
        if !flag.is_empty() {
            args.push(flag);
        }
        let done = self
            .spawn(
                &format!("{name}-{size}{flag}"),
                &self.root,
                bin,
                &args,
                &[],
                Duration::from_secs(600),
            )?
            .check(name)?;
        Ok(ProbeLine(done.stdout_text()))
    }

    fn say(&self, line: impl AsRef<str>) {
        println!("{}", line.as_ref());
        let mut report = self.report.borrow_mut();
        report.push_str(line.as_ref());
        report.push('\n');
    }

    fn run(&self) -> Result<(), String> {
        self.say(format!("# cargo xtask bench\n\n{}\n", machine()));
        if self.time.is_none() {
            self.say("note: GNU time (/usr/bin/time, Debian package `time`) is missing, so no peak memory is reported\n");
        }
        let bins = self.build_binaries()?;
        let progenitor = self.progenitor()?;
        self.generation(&bins, &progenitor)?;
        if !self.args.no_builds {
            self.build_cost()?;
        }
        self.client(&bins)?;
        let summary = self.work.join("summary.md");
        fs::write(&summary, self.report.borrow().as_bytes())
            .map_err(|e| format!("error: cannot write {}: {e}", summary.display()))?;
        println!("(this report is also in {})", summary.display());
        Ok(())
    }

    /// Runs `program args` in `dir` under GNU time, output to `logs/<label>.*`.
    fn spawn(
        &self,
        label: &str,
        dir: &Path,
        program: &Path,
        args: &[&str],
        envs: &[(&str, &Path)],
        timeout: Duration,
    ) -> Result<Finished, String> {
        let logs = self.work.join("logs");
        let stdout = logs.join(format!("{label}.stdout"));
        let stderr = logs.join(format!("{label}.stderr"));
        let peak_file = logs.join(format!("{label}.peak"));
        let mut command = match &self.time {
            Some(time) => {
                let mut command = Command::new(time);
                command
                    .arg("-f")
                    .arg("%M")
                    .arg("-o")
                    .arg(&peak_file)
                    .arg("--")
                    .arg(program);
                command
            }
            None => Command::new(program),
        };
        command.args(args).current_dir(dir).stdin(Stdio::null());
        for (name, value) in envs {
            command.env(name, value);
        }
        let open = |path: &Path| {
            fs::File::create(path)
                .map_err(|e| format!("error: cannot create {}: {e}", path.display()))
        };
        command.stdout(open(&stdout)?).stderr(open(&stderr)?);
        let _ = fs::remove_file(&peak_file);
        let started = Instant::now();
        let mut child = command
            .spawn()
            .map_err(|e| format!("error: cannot run {}: {e}", program.display()))?;
        let (status, timed_out) = loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                break (Some(status), false);
            }
            if started.elapsed() > timeout {
                let _ = child.kill();
                let _ = child.wait();
                break (None, true);
            }
            // Fine-grained at first, so that short runs (ours takes ~20 ms) are timed
            // to a fraction of a millisecond; coarser for builds that take minutes.
            let waited = started.elapsed();
            std::thread::sleep(if waited < Duration::from_millis(500) {
                Duration::from_micros(100)
            } else if waited < Duration::from_secs(10) {
                Duration::from_millis(5)
            } else {
                Duration::from_millis(100)
            });
        };
        let secs = started.elapsed().as_secs_f64();
        let peak_kib = fs::read_to_string(&peak_file)
            .ok()
            .and_then(|text| text.lines().last()?.trim().parse().ok());
        Ok(Finished {
            sample: Sample { secs, peak_kib },
            ok: status.is_some_and(|s| s.success()),
            timed_out,
            stdout,
            stderr,
        })
    }

    /// `cargo ARGS` in `dir` (with `CARGO_TARGET_DIR` when given), checked.
    fn cargo(
        &self,
        label: &str,
        dir: &Path,
        args: &[&str],
        target_dir: Option<&Path>,
        timeout: Duration,
    ) -> Result<Finished, String> {
        let envs: Vec<(&str, &Path)> = target_dir
            .map(|t| vec![("CARGO_TARGET_DIR", t)])
            .unwrap_or_default();
        let cargo = PathBuf::from(&self.cargo);
        self.spawn(label, dir, &cargo, args, &envs, timeout)?
            .check(&format!("`cargo {}` in {}", args.join(" "), dir.display()))
    }

    fn build_binaries(&self) -> Result<Binaries, String> {
        println!("building the release xtask and the client probes ...");
        let hour = Duration::from_secs(3600);
        // Two builds, so that each gets the dependency features it has on its own.
        self.cargo(
            "build-xtask",
            &self.root,
            &["build", "--release", "-p", "xtask"],
            None,
            hour,
        )?;
        self.cargo(
            "build-client-bench",
            &self.root,
            &["build", "--release", "-p", "client-bench", "--bins"],
            None,
            hour,
        )?;
        let release = self.target_dir()?.join("release");
        let bins = Binaries {
            xtask: release.join(exe("xtask")),
            stream_memory: release.join(exe("stream_memory")),
            multipart_memory: release.join(exe("multipart_memory")),
            raw_body_memory: release.join(exe("raw_body_memory")),
            client_ratio: release.join(exe("client_ratio")),
        };
        for bin in [
            &bins.xtask,
            &bins.stream_memory,
            &bins.multipart_memory,
            &bins.raw_body_memory,
            &bins.client_ratio,
        ] {
            if !bin.is_file() {
                return Err(format!("error: {} was not built", bin.display()));
            }
        }
        Ok(bins)
    }

    fn target_dir(&self) -> Result<PathBuf, String> {
        target_dir(&self.root)
    }

    fn progenitor(&self) -> Result<PathBuf, String> {
        ensure_progenitor(&self.root)
    }

    fn generation(&self, bins: &Binaries, progenitor: &Path) -> Result<(), String> {
        // progenitor refuses `openapi: 3.1.0`; the iModels spec uses nothing of 3.1
        // beyond the header, so both tools read the same copy with a 3.0.3 header.
        let source = fs::read_to_string(self.root.join(crate::codegen::MAIN_SPEC))
            .map_err(|e| format!("error: cannot read the iModels spec: {e}"))?;
        let spec = self.work.join("imodels-3.0.3.yaml");
        fs::write(&spec, as_3_0_3(&source)?)
            .map_err(|e| format!("error: cannot write {}: {e}", spec.display()))?;
        let spec_arg = spec.display().to_string();
        let ours_out = self.work.join("ours-imodels");
        let theirs_out = self.work.join("progenitor-imodels");
        let (ours_arg, theirs_arg) = (
            ours_out.display().to_string(),
            theirs_out.display().to_string(),
        );
        let ours_args = [
            "codegen",
            "--spec",
            &spec_arg,
            "--out",
            &ours_arg,
            "--crate-name",
            "ours-imodels",
        ];
        let theirs_args = [
            "progenitor",
            "-i",
            &spec_arg,
            "-o",
            &theirs_arg,
            "-n",
            "progenitor-imodels",
            "-v",
            "0.1.0",
            "--interface",
            "builder",
        ];
        let minute = Duration::from_secs(60);
        let runs = self.args.runs();
        println!("generating iModels {runs} times with each tool, alternating ...");
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for run in 0..runs {
            for side in if run % 2 == 0 { [0, 1] } else { [1, 0] } {
                let (out, program, args, samples, label): (_, &Path, &[&str], _, _) = if side == 0 {
                    (
                        &ours_out,
                        &bins.xtask,
                        &ours_args,
                        &mut ours,
                        "gen-ours-imodels",
                    )
                } else {
                    (
                        &theirs_out,
                        progenitor,
                        &theirs_args,
                        &mut theirs,
                        "gen-progenitor-imodels",
                    )
                };
                // Both write a whole crate every time.
                let _ = fs::remove_dir_all(out);
                let done = self
                    .spawn(label, &self.root, program, args, &[], minute)?
                    .check(label)?;
                samples.push(done.sample);
            }
        }
        let version = progenitor_version(progenitor);
        let ours_m = Summary::of(&ours);
        let theirs_m = Summary::of(&theirs);
        let ratio = ours_m.secs / theirs_m.secs;
        self.say(format!(
            "## Generation, whole process (iModels, {} bytes YAML; median of {runs} alternating runs)\n",
            source.len()
        ));
        self.say("| Generator | Median | Min | Max | Peak RSS |");
        self.say("| --- | ---: | ---: | ---: | ---: |");
        self.say(ours_m.row("`xtask codegen --spec .. --out ..` (release)"));
        self.say(theirs_m.row(&format!(
            "`cargo progenitor` {version} (`--interface builder`)"
        )));
        self.say(format!(
            "\nOurs / progenitor: {:.3} (progenitor takes {:.1}x as long). Target <= 0.333: {}\n",
            ratio,
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
        let github_arg = github.display().to_string();
        let out = self.work.join("ours-github");
        let out_arg = out.display().to_string();
        let args = [
            "codegen",
            "--spec",
            &github_arg,
            "--out",
            &out_arg,
            "--crate-name",
            "github",
            // As the corpus and a GitHub user would: the ~4,600 webhook payload types
            // no operation uses go behind the crate's `unused-schemas` feature.
            "--gate-unused-schemas",
        ];
        let runs = (self.args.runs() / 3).max(1);
        println!("generating the GitHub spec {runs} times ...");
        let mut samples = Vec::new();
        for _ in 0..runs {
            let _ = fs::remove_dir_all(&out);
            let done = self
                .spawn(
                    "gen-ours-github",
                    &self.root,
                    &bins.xtask,
                    &args,
                    &[],
                    5 * minute,
                )?
                .check("generating the GitHub spec")?;
            samples.push(done.sample);
        }
        let lines = rust_lines(&out.join("src"));
        let ours_gh = Summary::of(&samples);
        // progenitor once, to see whether it takes the spec at all.
        let theirs_gh_out = self.work.join("progenitor-github");
        let theirs_gh_arg = theirs_gh_out.display().to_string();
        let _ = fs::remove_dir_all(&theirs_gh_out);
        println!("running progenitor once on the GitHub spec ...");
        let theirs_gh = self.spawn(
            "gen-progenitor-github",
            &self.root,
            progenitor,
            &[
                "progenitor",
                "-i",
                &github_arg,
                "-o",
                &theirs_gh_arg,
                "-n",
                "progenitor-github",
                "-v",
                "0.1.0",
                "--interface",
                "builder",
            ],
            &[],
            10 * minute,
        )?;
        self.say(format!(
            "## Generation, whole process (GitHub REST description, {} MB JSON, 1,223 operations)\n",
            fs::metadata(&github).map(|m| m.len()).unwrap_or(0) / 1_000_000
        ));
        self.say("| Generator | Runs | Median | Min | Max | Peak RSS | Result |");
        self.say("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        self.say(format!(
            "| `xtask codegen` (release) | {runs} | {} | {} | {} | {} | {lines} lines of Rust |",
            secs(ours_gh.secs),
            secs(ours_gh.min),
            secs(ours_gh.max),
            mib(ours_gh.peak_kib)
        ));
        let outcome = if theirs_gh.ok {
            format!("{} lines of Rust", rust_lines(&theirs_gh_out.join("src")))
        } else if theirs_gh.timed_out {
            "timed out".to_owned()
        } else {
            let text = theirs_gh.stdout_text() + &theirs_gh.stderr_text();
            // A panic's message is the line after `panicked at`; else the last line.
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            let panic = lines
                .by_ref()
                .find(|l| l.contains("panicked at"))
                .and_then(|_| lines.next());
            let last = panic
                .or_else(|| text.lines().rev().find(|l| !l.trim().is_empty()))
                .unwrap_or("failed");
            format!("failed: `{}`", truncate(last.trim(), 140))
        };
        self.say(format!(
            "| `cargo progenitor` {version} | 1 | {} | | | {} | {outcome} |",
            secs(theirs_gh.sample.secs),
            mib(theirs_gh.sample.peak_kib)
        ));
        let peak_ok = ours_gh.peak_kib.map(|kib| kib < 500 * 1024);
        self.say(format!(
            "\nTargets for ours: < 2 s: {}; < 500 MB peak: {}\n",
            verdict(ours_gh.secs < 2.0),
            peak_ok.map_or("unknown (no GNU time)", verdict)
        ));
        if self.args.github_check {
            self.github_check(&out)?;
        }
        Ok(())
    }

    /// `cargo check` of the generated GitHub crate alone (its dependencies checked
    /// first, untimed, through the iModels crate, which has the same ones).
    fn github_check(&self, crate_dir: &Path) -> Result<(), String> {
        let target = self.work.join("check-target");
        let lock = self.root.join("Cargo.lock");
        let hour = Duration::from_secs(3600);
        // Pin the dependencies to the workspace's versions, so they are shared.
        for dir in [crate_dir, &self.work.join("ours-imodels")] {
            let _ = fs::copy(&lock, dir.join("Cargo.lock"));
        }
        println!(
            "checking the iModels crate for the dependencies, then the GitHub crate (minutes) ..."
        );
        self.cargo(
            "check-deps",
            &self.work.join("ours-imodels"),
            &["check"],
            Some(&target),
            hour,
        )?;
        self.say("## `cargo check` of the generated GitHub crate (dependencies already checked)\n");
        self.say("| Features | Lines of Rust | Wall time | Peak RSS (rustc) | Result |");
        self.say("| --- | ---: | ---: | ---: | --- |");
        let lines = rust_lines(&crate_dir.join("src"));
        let mut verdicts = Vec::new();
        for (label, features) in [
            ("default (webhook types off)", None),
            ("`--all-features`", Some("--all-features")),
        ] {
            // From scratch each time: no artifacts or incremental state of the crate.
            self.cargo(
                "clean-github",
                crate_dir,
                &["clean", "-p", "github"],
                Some(&target),
                hour,
            )?;
            let mut args = vec!["check", "--color", "never"];
            args.extend(features);
            let done = self.spawn(
                "check-github",
                crate_dir,
                Path::new(&self.cargo),
                &args,
                &[("CARGO_TARGET_DIR", target.as_path())],
                hour,
            )?;
            let errors = done
                .stderr_text()
                .lines()
                .filter(|l| l.starts_with("error[") || l.starts_with("error:"))
                .count();
            self.say(format!(
                "| {label} | {lines} | {} | {} | {} |",
                secs(done.sample.secs),
                mib(done.sample.peak_kib),
                if done.ok {
                    "checks".to_owned()
                } else {
                    format!("{errors} error lines (see {})", done.stderr.display())
                }
            ));
            verdicts.push(format!(
                "{label}: < 2 min: {}; < 4 GB: {}",
                verdict(done.sample.secs < 120.0),
                done.sample
                    .peak_kib
                    .map_or("unknown (no GNU time)", |kib| verdict(
                        kib < 4 * 1024 * 1024
                    ))
            ));
        }
        self.say(format!("\nTargets, {}\n", verdicts.join("; ")));
        Ok(())
    }

    /// Build times and dependency counts of the generated iModels crates: ours,
    /// progenitor's as it comes, and progenitor's with TLS turned on.
    fn build_cost(&self) -> Result<(), String> {
        let crates = [
            Crate::new(&self.work, "ours-imodels"),
            Crate::new(&self.work, "progenitor-imodels"),
            Crate::new(&self.work, "progenitor-imodels-tls"),
        ];
        // progenitor's crate turns reqwest's default features off and names no TLS
        // backend, so it cannot call an `https` API such as iModels; ours has rustls
        // and HTTP/2. The third crate is progenitor's with reqwest's `rustls` and
        // `http2` features added, what a user of it would need for the real API.
        copy_dir(&crates[1].dir, &crates[2].dir)?;
        edit(&crates[2].dir.join("Cargo.toml"), |text| {
            text.replace(
                "name = \"progenitor-imodels\"",
                "name = \"progenitor-imodels-tls\"",
            )
            .replace(
                "features = [\"json\", \"query\", \"stream\"]",
                "features = [\"json\", \"query\", \"stream\", \"rustls\", \"http2\"]",
            )
        })?;
        let lock = self.root.join("Cargo.lock");
        let minute = Duration::from_secs(60);
        for krate in &crates {
            // progenitor's Cargo.toml has no `[workspace]`, and the crate sits inside
            // this workspace's directory: make it its own workspace, as ours is.
            edit(&krate.dir.join("Cargo.toml"), |text| {
                if text.lines().any(|l| l.trim() == "[workspace]") {
                    text.to_owned()
                } else {
                    format!("{text}\n[workspace]\n")
                }
            })?;
            // The workspace's versions for the crates they share; the rest resolve fresh.
            let _ = fs::copy(&lock, krate.dir.join("Cargo.lock"));
            println!("fetching the dependencies of {} ...", krate.name);
            self.cargo(
                &format!("fetch-{}", krate.name),
                &krate.dir,
                &["fetch"],
                None,
                10 * minute,
            )?;
        }
        let runs = self.args.build_runs();
        let mut samples: Vec<[Vec<Sample>; 3]> =
            crates.iter().map(|_| Default::default()).collect();
        let mut units = vec![0usize; crates.len()];
        for run in 0..runs {
            // A different crate first in each run.
            for offset in 0..crates.len() {
                let side = (run + offset) % crates.len();
                let krate = &crates[side];
                println!(
                    "build run {}/{runs}: {} (clean, alone, incremental) ...",
                    run + 1,
                    krate.name
                );
                let (clean, alone, incremental) = self.build_three_ways(krate)?;
                units[side] = clean.1;
                for (slot, sample) in [clean.0, alone, incremental].into_iter().enumerate() {
                    samples[side][slot].push(sample);
                }
            }
        }
        let mut deps = Vec::new();
        for krate in &crates {
            deps.push(self.dependency_count(krate)?);
        }
        let lines: Vec<usize> = crates
            .iter()
            .map(|k| rust_lines(&k.dir.join("src")))
            .collect();
        let m = |side: usize, slot: usize| Summary::of(&samples[side][slot]);
        self.say(format!(
            "## Building the generated iModels crate (`cargo build`, dev profile; median of {runs} runs, order rotated)\n"
        ));
        self.say("| | Ours | progenitor | progenitor + TLS | Ours / progenitor | Ours / progenitor + TLS |");
        self.say("| --- | ---: | ---: | ---: | ---: | ---: |");
        let names = [
            "Clean build, dependencies included",
            "The crate alone (dependencies built)",
            "Incremental, after a one-line edit",
        ];
        for (slot, name) in names.iter().enumerate() {
            let (a, b, c) = (m(0, slot), m(1, slot), m(2, slot));
            self.say(format!(
                "| {name} | {} | {} | {} | {:.2} | {:.2} |",
                secs(a.secs),
                secs(b.secs),
                secs(c.secs),
                a.secs / b.secs,
                a.secs / c.secs
            ));
        }
        let (a, b, c) = (m(0, 0), m(1, 0), m(2, 0));
        self.say(format!(
            "| Peak RSS of the clean build (largest process) | {} | {} | {} | | |",
            mib(a.peak_kib),
            mib(b.peak_kib),
            mib(c.peak_kib)
        ));
        self.say(format!(
            "| Crates in the normal dependency tree (`cargo tree -e normal`) | {} | {} | {} | | |",
            deps[0], deps[1], deps[2]
        ));
        self.say(format!(
            "| Packages compiled by the clean build (incl. build deps) | {} | {} | {} | | |",
            units[0], units[1], units[2]
        ));
        self.say(format!(
            "| Lines of generated Rust (`src/`) | {} | {} | {} | | |",
            lines[0], lines[1], lines[2]
        ));
        self.say(format!(
            "\nTargets (against progenitor as it comes): clean build no slower: {}; fewer crates: {}. \
             Against progenitor + TLS: clean build no slower: {}; fewer crates: {}\n",
            verdict(a.secs <= b.secs),
            verdict(deps[0] < deps[1]),
            verdict(a.secs <= c.secs),
            verdict(deps[0] < deps[2]),
        ));
        Ok(())
    }

    /// A clean build (its sample and how many packages it compiled), the crate alone
    /// after `cargo clean -p`, and a rebuild after a one-line edit of `src/lib.rs`.
    fn build_three_ways(&self, krate: &Crate) -> Result<((Sample, usize), Sample, Sample), String> {
        let minute = Duration::from_secs(60);
        let build = ["build", "--offline", "--color", "never"];
        let _ = fs::remove_dir_all(&krate.target);
        let clean = self.cargo(
            &format!("build-clean-{}", krate.name),
            &krate.dir,
            &build,
            Some(&krate.target),
            30 * minute,
        )?;
        let units = clean
            .stderr_text()
            .lines()
            .filter(|l| l.trim_start().starts_with("Compiling "))
            .count();
        self.cargo(
            &format!("clean-{}", krate.name),
            &krate.dir,
            &["clean", "--offline", "-p", &krate.name],
            Some(&krate.target),
            minute,
        )?;
        let alone = self.cargo(
            &format!("build-alone-{}", krate.name),
            &krate.dir,
            &build,
            Some(&krate.target),
            30 * minute,
        )?;
        let lib = krate.dir.join("src/lib.rs");
        let original = fs::read_to_string(&lib)
            .map_err(|e| format!("error: cannot read {}: {e}", lib.display()))?;
        edit(&lib, |text| {
            format!("{text}\n// edited by cargo xtask bench\n")
        })?;
        let incremental = self.cargo(
            &format!("build-incremental-{}", krate.name),
            &krate.dir,
            &build,
            Some(&krate.target),
            30 * minute,
        );
        fs::write(&lib, original)
            .map_err(|e| format!("error: cannot write {}: {e}", lib.display()))?;
        Ok(((clean.sample, units), alone.sample, incremental?.sample))
    }

    /// Distinct packages in the normal dependency tree, the crate itself excluded.
    fn dependency_count(&self, krate: &Crate) -> Result<usize, String> {
        let done = self.cargo(
            &format!("tree-{}", krate.name),
            &krate.dir,
            &[
                "tree",
                "--offline",
                "-e",
                "normal",
                "--prefix",
                "none",
                "--format",
                "{p}",
            ],
            Some(&krate.target),
            Duration::from_secs(120),
        )?;
        let mut packages: Vec<String> = done
            .stdout_text()
            .lines()
            .map(|line| {
                line.trim_end_matches(" (*)")
                    .trim_end_matches(" (proc-macro)")
                    .to_owned()
            })
            .filter(|line| !line.is_empty())
            .filter(|line| !line.starts_with(&format!("{} v", krate.name)))
            .collect();
        packages.sort();
        packages.dedup();
        Ok(packages.len())
    }

    fn client(&self, bins: &Binaries) -> Result<(), String> {
        println!("the generated client against raw reqwest, interleaved ...");
        let mut args = vec![];
        if self.args.quick {
            args.push("--quick");
        }
        let done = self
            .spawn(
                "client-ratio",
                &self.root,
                &bins.client_ratio,
                &args,
                &[],
                Duration::from_secs(1800),
            )?
            .check("client_ratio")?;
        self.say("## The generated client against hand-written reqwest + serde_json (interleaved, medians)\n");
        self.say(
            "| Case | Generated | Baseline | Generated throughput / baseline | Target >= 0.95 |",
        );
        self.say("| --- | ---: | ---: | ---: | --- |");
        for line in done.stdout_text().lines() {
            let field = |name: &str| {
                line.split(' ')
                    .find_map(|f| f.strip_prefix(&format!("{name}=")))
                    .unwrap_or_default()
                    .to_owned()
            };
            let Some(rest) = line.strip_prefix("case=") else {
                continue;
            };
            let case = rest.split(" a=").next().unwrap_or(rest);
            let ratio: f64 = field("ratio").parse().unwrap_or(f64::NAN);
            let us = |name: &str| {
                field(name)
                    .parse::<f64>()
                    .map(|us| secs(us / 1e6))
                    .unwrap_or_default()
            };
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

        println!("peak memory of streaming ...");
        self.say("## Peak memory of `into_stream()` (pages of 100; one fresh process each)\n");
        self.say("| Items | Client | Requests | Time | Peak RSS (VmHWM) |");
        self.say("| ---: | --- | ---: | ---: | ---: |");
        let mut peaks = Vec::new();
        let runs: Vec<(u64, &str, &str)> = STREAM_SIZES
            .iter()
            .map(|&n| (n, "", "generated, items dropped"))
            .chain([
                (100_000, "--raw", "hand-written page loop"),
                (100_000, "--collect", "generated, items kept (control)"),
            ])
            .collect();
        for (items, flag, label) in runs {
            let out = self.probe(&bins.stream_memory, "stream_memory", items, flag)?;
            let peak = out.peak();
            if flag.is_empty() {
                peaks.push(peak);
            }
            self.say(format!(
                "| {items} | {label} | {} | {} ms | {} |",
                out.field("requests"),
                out.field("elapsed_ms"),
                mib(peak)
            ));
        }
        let flat = match (
            peaks.first().copied().flatten(),
            peaks.last().copied().flatten(),
        ) {
            // Flat: 100x the items, at most 10 % (or 2 MiB) more memory.
            (Some(small), Some(large)) => Some(large <= small + (small / 10).max(2 * 1024)),
            _ => None,
        };
        self.say(format!(
            "\nTarget: flat from 1,000 to 100,000 items: {}\n",
            flat.map_or("unknown (no /proc/self/status)", verdict)
        ));

        // (what is uploaded, the probe, its name, the file's label, the control's)
        let probes = [
            (
                "a multipart upload (a file part streamed from disk",
                &bins.multipart_memory,
                "multipart_memory",
                "FilePart::path",
                "FilePart::bytes (control)",
            ),
            (
                "a raw-body upload (`Body::from_file`, streamed from disk",
                &bins.raw_body_memory,
                "raw_body_memory",
                "Body::from_file",
                "Vec<u8> (control)",
            ),
        ];
        for (what, bin, name, file_label, bytes_label) in probes {
            println!("peak memory of {name} ...");
            self.say(format!(
                "## Peak memory of {what}; one fresh process each)\n"
            ));
            self.say("| File | Body | Time | Peak RSS (VmHWM) |");
            self.say("| ---: | --- | ---: | ---: |");
            let mut peaks = Vec::new();
            for (size, flag, label) in [
                (10, "", file_label),
                (100, "", file_label),
                (100, "--bytes", bytes_label),
            ] {
                let out = self.probe(bin, name, size, flag)?;
                let peak = out.peak();
                if flag.is_empty() {
                    peaks.push(peak);
                }
                self.say(format!(
                    "| {size} MiB | {label} | {} ms | {} |",
                    out.field("elapsed_ms"),
                    mib(peak)
                ));
            }
            let flat = match (
                peaks.first().copied().flatten(),
                peaks.last().copied().flatten(),
            ) {
                // Flat: 10x the file, at most 2 MiB more memory.
                (Some(small), Some(large)) => Some(large <= small + 2 * 1024),
                _ => None,
            };
            self.say(format!(
                "\nTarget: flat from 10 to 100 MiB: {}\n",
                flat.map_or("unknown (no /proc/self/status)", verdict)
            ));
        }
        Ok(())
    }
}

struct Binaries {
    xtask: PathBuf,
    stream_memory: PathBuf,
    multipart_memory: PathBuf,
    raw_body_memory: PathBuf,
    client_ratio: PathBuf,
}

/// A generated crate and its own target directory.
struct Crate {
    name: String,
    dir: PathBuf,
    target: PathBuf,
}

impl Crate {
    fn new(work: &Path, name: &str) -> Self {
        Crate {
            name: name.to_owned(),
            dir: work.join(name),
            target: work.join("build-target").join(name),
        }
    }
}

/// Median, min and max of some samples.
#[derive(Debug, Clone, Copy)]
struct Summary {
    secs: f64,
    min: f64,
    max: f64,
    peak_kib: Option<u64>,
}

impl Summary {
    fn of(samples: &[Sample]) -> Self {
        let mut times: Vec<f64> = samples.iter().map(|s| s.secs).collect();
        let mut peaks: Vec<f64> = samples
            .iter()
            .filter_map(|s| s.peak_kib.map(|p| p as f64))
            .collect();
        Summary {
            secs: median(&mut times),
            min: times.first().copied().unwrap_or(f64::NAN),
            max: times.last().copied().unwrap_or(f64::NAN),
            peak_kib: (!peaks.is_empty()).then(|| median(&mut peaks) as u64),
        }
    }

    fn row(&self, name: &str) -> String {
        format!(
            "| {name} | {} | {} | {} | {} |",
            secs(self.secs),
            secs(self.min),
            secs(self.max),
            mib(self.peak_kib)
        )
    }
}

/// Sorts `values` and returns their median (NaN for none).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
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

/// A memory probe's output: `key=value` fields separated by spaces.
struct ProbeLine(String);

impl ProbeLine {
    fn field(&self, name: &str) -> String {
        self.0
            .split_whitespace()
            .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or("?")
            .to_owned()
    }

    /// `peak_rss_kib`, when the probe could read it.
    fn peak(&self) -> Option<u64> {
        self.field("peak_rss_kib").parse().ok()
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

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// The workspace's target directory, as cargo sees it (`CARGO_TARGET_DIR` and all).
pub fn target_dir(root: &Path) -> Result<PathBuf, String> {
    let output = Command::new(crate::cargo())
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("error: cannot run cargo metadata: {e}"))?;
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("error: cargo metadata: {e}"))?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| "error: cargo metadata gave no target_directory".to_owned())
}

/// `cargo-progenitor`, installed into `target/bench-tools/` the first time (also used
/// by `cargo xtask corpus --directory --vs progenitor`).
pub fn ensure_progenitor(root: &Path) -> Result<PathBuf, String> {
    let tools = root.join(TOOLS_DIR);
    let bin = tools.join("bin").join(exe("cargo-progenitor"));
    if bin.is_file() {
        return Ok(bin);
    }
    println!(
        "installing cargo-progenitor {PROGENITOR_VERSION} into {} (once; several minutes on 2 cores) ...",
        tools.display()
    );
    let status = Command::new(crate::cargo())
        .args([
            "install",
            "cargo-progenitor",
            "--version",
            PROGENITOR_VERSION,
        ])
        .args(["--locked", "--quiet", "--root"])
        .arg(&tools)
        .current_dir(root)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("error: cannot run cargo install: {e}"))?;
    if status.success() && bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "error: installing cargo-progenitor failed ({status})"
        ))
    }
}

/// The spec with its version replaced by 3.0.3: the `openapi:` line of YAML, or the
/// `"openapi"` member of JSON (found as text, so the rest stays byte for byte).
pub fn as_3_0_3(source: &str) -> Result<String, String> {
    if source.trim_start().starts_with('{') {
        let key = "\"openapi\"";
        let value = source.find(key).and_then(|at| {
            let after = at + key.len();
            let rest = &source[after..];
            let open = after + rest.find('"')?;
            let between = &source[after..open];
            let close = open + 1 + source[open + 1..].find('"')?;
            between
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
    let mut replaced = false;
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        if !replaced && line.starts_with("openapi:") {
            out.push_str("openapi: 3.0.3");
            replaced = true;
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    if replaced {
        Ok(out)
    } else {
        Err("error: the document has no top-level `openapi:` line".to_owned())
    }
}

/// Rewrites a text file through `change`.
fn edit(path: &Path, change: impl FnOnce(&str) -> String) -> Result<(), String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("error: cannot read {}: {e}", path.display()))?;
    fs::write(path, change(&text))
        .map_err(|e| format!("error: cannot write {}: {e}", path.display()))
}

/// Replaces `to` with a copy of the directory tree `from`.
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let _ = fs::remove_dir_all(to);
    fs::create_dir_all(to).map_err(|e| format!("error: cannot create {}: {e}", to.display()))?;
    let entries =
        fs::read_dir(from).map_err(|e| format!("error: cannot read {}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            copy_dir(&source, &target)?;
        } else {
            fs::copy(&source, &target)
                .map_err(|e| format!("error: cannot copy {}: {e}", source.display()))?;
        }
    }
    Ok(())
}

/// Lines in the `.rs` files under `dir`.
fn rust_lines(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                rust_lines(&path)
            } else if path.extension().is_some_and(|e| e == "rs") {
                fs::read_to_string(&path).map_or(0, |t| t.lines().count())
            } else {
                0
            }
        })
        .sum()
}

/// GNU time, for peak memory: `/usr/bin/time`, or installed from Debian's `time`
/// package when running as root with apt-get; `None` if neither works.
fn gnu_time() -> Option<PathBuf> {
    let time = PathBuf::from("/usr/bin/time");
    let works = |time: &Path| {
        Command::new(time)
            .args(["-f", "%M", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .is_ok_and(|o| {
                o.status.success()
                    && String::from_utf8_lossy(&o.stderr)
                        .trim()
                        .parse::<u64>()
                        .is_ok()
            })
    };
    if works(&time) {
        return Some(time);
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root && Path::new("/usr/bin/apt-get").is_file() {
        println!("installing Debian's `time` package for peak memory ...");
        let _ = Command::new("apt-get")
            .args(["install", "-y", "-q", "time"])
            .stdout(Stdio::null())
            .status();
    }
    works(&time).then_some(time)
}

/// The installed version, from cargo's install record beside `bin/`.
pub fn progenitor_version(bin: &Path) -> String {
    let record = bin
        .parent()
        .and_then(Path::parent)
        .map(|tools| tools.join(".crates.toml"));
    record
        .and_then(|path| fs::read_to_string(path).ok())
        .and_then(|text| {
            text.lines().find_map(|line| {
                let rest = line
                    .trim_start_matches('"')
                    .strip_prefix("cargo-progenitor ")?;
                rest.split_whitespace().next().map(str::to_owned)
            })
        })
        .unwrap_or_else(|| PROGENITOR_VERSION.trim_start_matches('~').to_owned())
}

/// CPU, cores, memory and rustc, for the report header.
fn machine() -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or_else(
            || "unknown".to_owned(),
            |kib| format!("{:.1} GiB", kib as f64 / 1048576.0),
        );
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let load = fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let mut text = String::new();
    let _ = write!(
        text,
        "Machine: {cores} cores ({cpu}), {mem} RAM, {rustc}; load average at start: {load}."
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_probes_fields_by_their_whole_name() {
        let line =
            ProbeLine("mib=10 body_bytes=10485760 elapsed_ms=9.9 peak_rss_kib=5748\n".to_owned());
        assert_eq!(line.field("mib"), "10");
        assert_eq!(line.field("elapsed_ms"), "9.9");
        assert_eq!(line.peak(), Some(5748));
        // `bytes` is not `body_bytes`, and a missing field is shown as `?`.
        assert_eq!(line.field("bytes"), "?");
        assert_eq!(ProbeLine("peak_rss_kib=unknown".to_owned()).peak(), None);
    }

    #[test]
    fn rewrites_only_the_version_line() {
        let spec = "openapi: 3.1.0\ninfo:\n  x: \"openapi: 3.1.0\"\n";
        assert_eq!(
            as_3_0_3(spec).unwrap(),
            "openapi: 3.0.3\ninfo:\n  x: \"openapi: 3.1.0\"\n"
        );
        assert!(as_3_0_3("info: {}\n").is_err());
        assert_eq!(
            as_3_0_3(r#"{"openapi": "3.1.0","info":{"x":"openapi"}}"#).unwrap(),
            r#"{"openapi": "3.0.3","info":{"x":"openapi"}}"#
        );
        assert!(as_3_0_3(r#"{"info":{}}"#).is_err());
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }
}
