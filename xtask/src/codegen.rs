//! `cargo xtask codegen`: spec -> generated crate on disk, or a staleness check.
//!
//! All files are generated in memory first; nothing is written unless generation
//! succeeded for every file, and a file is written only when its bytes change.

use crate::args::CodegenArgs;
use generator::changes::diff;
use generator::changes::surface::Surface;
use generator::source::overlay::OverlaySource;
use generator::{GeneratedFiles, RuntimeDependency, Settings};
use std::fs;
use std::path::{Path, PathBuf};

/// The main job: `spec/imodels.yaml` -> `generated-client/`.
pub const MAIN_SPEC: &str = "spec/imodels.yaml";
pub const MAIN_OUT: &str = "generated-client";
pub const MAIN_CRATE: &str = "generated-client";

/// What `generated-client`'s own tests (`generated-client/tests/`) use: loopback
/// servers with and without TLS, and the crates of requests and checks no operation
/// makes. A crate generated elsewhere has no tests and gets none of these.
const MAIN_DEV_DEPENDENCIES: &[&str] = &[
    r#"futures-util = { version = "0.3.31", default-features = false, features = ["std"] }"#,
    r#"percent-encoding = "2.3.1""#,
    r#"rcgen = { version = "0.13", default-features = false, features = ["crypto", "ring"] }"#,
    r#"reqwest = { version = "0.12.15", default-features = false, features = ["rustls-tls"] }"#,
    r#"tokio = { version = "1.50", features = ["macros", "rt-multi-thread", "net", "io-util"] }"#,
    r#"tempfile = "3.20""#,
    r#"tokio-rustls = { version = "0.26", default-features = false, features = ["ring"] }"#,
    r#"wiremock = "0.6.3""#,
];

/// One generation job: where the spec is, where the crate goes, how it is labelled.
#[derive(Debug, Clone)]
pub struct Target {
    pub spec: PathBuf,
    pub out: PathBuf,
    pub settings: Settings,
}

impl Target {
    /// The checked-in client, relative to the workspace root `root`.
    pub fn main(root: &Path) -> Result<Self, String> {
        let mut target = Self::new(&root.join(MAIN_SPEC), &root.join(MAIN_OUT), MAIN_CRATE)?;
        target.settings.spec_path = MAIN_SPEC.to_owned();
        target.settings.command = "cargo xtask codegen".to_owned();
        target.settings.standalone = false;
        target.settings.runtime = RuntimeDependency::Path("../runtime".to_owned());
        target.settings.dev_dependencies = MAIN_DEV_DEPENDENCIES
            .iter()
            .map(|&l| l.to_owned())
            .collect();
        // Overlays are named from the root in headers, on every machine alike.
        for overlay in &mut target.settings.overlays {
            overlay.path = crate::relative(root, Path::new(&overlay.path));
        }
        Ok(target)
    }

    /// Any spec into a standalone crate (`--spec PATH --out DIR [--crate-name NAME]`),
    /// with the overlays beside the spec (see [`overlays_beside`]).
    pub fn standalone(spec: &Path, out: &Path, crate_name: Option<&str>) -> Result<Self, String> {
        let crate_name = match crate_name {
            Some(name) => name.to_owned(),
            None => default_crate_name(out)?,
        };
        Self::new(spec, out, &crate_name)
    }

    fn new(spec: &Path, out: &Path, crate_name: &str) -> Result<Self, String> {
        let naming = NamingConfig::beside(spec)?;
        Ok(Self {
            settings: Settings {
                crate_version: existing_version(out).unwrap_or_else(|| "0.1.0".to_owned()),
                command: format!(
                    "cargo xtask codegen --spec {} --out {}",
                    spec.display(),
                    out.display()
                ),
                words: naming.words,
                split_words: naming.split,
                renames: naming.renames.into_iter().collect(),
                overlays: read_overlays(&overlays_beside(spec)?)?,
                // The runtime this generator was built with, by version: the crate
                // builds wherever it is (`--runtime-path`, `--vendor-runtime` otherwise).
                ..Settings::new(crate_name, spec.display().to_string())
            },
            spec: spec.to_owned(),
            out: out.to_owned(),
        })
    }

    /// Applies `paths` (`--overlay FILE`) after the overlays found so far; the command
    /// in the headers names them.
    pub fn add_overlays(&mut self, paths: &[PathBuf]) -> Result<(), String> {
        for overlay in read_overlays(paths)? {
            self.settings
                .command
                .push_str(&format!(" --overlay {}", overlay.path));
            self.settings.overlays.push(overlay);
        }
        Ok(())
    }

    /// Depends on the runtime at `dir` (`--runtime-path`), by a path relative to the
    /// crate, instead of by version.
    pub fn runtime_path(&mut self, dir: &Path) -> Result<(), String> {
        self.settings.runtime = runtime_path_from(&self.out, dir)?;
        let shown = dir.display();
        self.settings
            .command
            .push_str(&format!(" --runtime-path {shown}"));
        Ok(())
    }

    /// Depends on this workspace's `runtime/` by path: the corpus crates, checked
    /// against the runtime as it is in this checkout.
    pub fn use_workspace_runtime(&mut self) -> Result<(), String> {
        let runtime = crate::project_root().join("runtime");
        self.settings.runtime = runtime_path_from(&self.out, &runtime)?;
        Ok(())
    }

    /// Gives the crate a copy of the runtime instead of a dependency on it.
    pub fn vendor_runtime(&mut self) {
        self.settings.runtime = RuntimeDependency::Vendored;
        self.settings.command.push_str(" --vendor-runtime");
    }

    /// Reads the spec and generates every file in memory.
    pub fn generate(&self) -> Result<GeneratedFiles, String> {
        let bytes = fs::read(&self.spec)
            .map_err(|err| format!("error: cannot read spec {}: {err}", self.spec.display()))?;
        let source = generator::decode_source(&bytes, &self.settings.spec_path)
            .map_err(|diagnostics| diagnostics.to_string())?;
        generator::generate(source, &self.settings).map_err(|diagnostics| diagnostics.to_string())
    }
}

pub fn run(args: &CodegenArgs) -> Result<(), String> {
    let mut target = match (&args.spec, &args.out) {
        (Some(spec), Some(out)) => Target::standalone(spec, out, args.crate_name.as_deref())?,
        _ => Target::main(&crate::project_root())?,
    };
    if args.vendor_runtime {
        target.vendor_runtime();
    }
    if let Some(dir) = &args.runtime_path {
        target.runtime_path(dir)?;
    }
    if args.gate_unused_schemas {
        target.settings.gate_unused_schemas = true;
        target.settings.command.push_str(" --gate-unused-schemas");
    }
    target.add_overlays(&args.overlay)?;
    let sources = generator::sources(&target.settings);
    let mut generated = target.generate()?;
    if generated.warnings.items.is_empty() {
        let operations = generated.files.get("src/operations.rs").map_or(0, |text| {
            text.matches("impl runtime::Operation for ").count()
        });
        eprintln!("generated {operations} operations from {sources} with no warnings");
    } else {
        eprint!("{}", generated.warnings);
    }
    if !generated.words.is_empty() {
        eprintln!(
            "names keep these words whole: {}",
            generated.words.join(", ")
        );
    }
    let mut stale = stale_files(&target.out, &generated)?;
    let change = api_change(&target, &generated, &stale)?;
    let list = |stale: &[Stale]| -> String {
        stale
            .iter()
            .map(|s| format!("  {}\n", s.describe()))
            .collect()
    };
    if args.check && !stale.is_empty() {
        if let Some(change) = &change {
            eprintln!("{}", change.report);
        }
        return Err(format!(
            "error: {} is stale; these files differ from what {sources} gives:\n{}run `{}` to regenerate it",
            target.out.display(),
            list(&stale),
            target.settings.command
        ));
    } else if args.check {
        return Ok(());
    }
    if let Some(change) = &change {
        if change.version != target.settings.crate_version {
            // The bump lands in Cargo.toml, the only file that names the version.
            target.settings.crate_version = change.version.clone();
            generated = generated.with_version(&change.version);
            stale = stale_files(&target.out, &generated)?;
        }
    }
    write(&target.out, &generated, &stale)?;
    eprint!("{}", list(&stale));
    if let Some(change) = change {
        record_change(&target.out, &change.report)?;
        eprintln!("\n{}", change.report);
    }
    eprintln!(
        "{} file(s) changed in {}",
        stale.len(),
        target.out.display()
    );
    Ok(())
}

/// The path dependency on the runtime at `runtime` (this workspace's `runtime/`, or
/// `--runtime-path`) for a crate written to `out`: relative, so the crate builds
/// wherever the two are moved together.
pub fn runtime_path_from(out: &Path, runtime: &Path) -> Result<RuntimeDependency, String> {
    let absolute = |path: &Path| {
        std::path::absolute(path)
            .map_err(|e| format!("error: cannot resolve {}: {e}", path.display()))
    };
    let (out, runtime) = (absolute(out)?, absolute(runtime)?);
    let relative = pathdiff::diff_paths(&runtime, &out).unwrap_or(runtime);
    // Cargo reads `/` on every platform.
    let text = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    Ok(RuntimeDependency::Path(text))
}

/// The file that collects API change reports, newest first, beside the generated code.
pub const CHANGES_FILE: &str = "API-CHANGES.md";

/// What a regeneration means for dependants: the report and the version to apply.
pub struct ApiChange {
    pub report: String,
    pub version: String,
}

/// Compares the checked-in API summary with the new one. `None` when nothing is
/// stale (the spec did not change) or there is no earlier summary to compare with.
fn api_change(
    target: &Target,
    generated: &GeneratedFiles,
    stale: &[Stale],
) -> Result<Option<ApiChange>, String> {
    if stale.is_empty() {
        return Ok(None);
    }
    let old_path = target.out.join(generator::SURFACE_FILE);
    let Ok(old_text) = fs::read_to_string(&old_path) else {
        return Ok(None);
    };
    let old = Surface::from_text(&old_text)
        .map_err(|e| format!("error: cannot read {}: {e}", old_path.display()))?;
    let new = Surface::from_text(&generated.files[generator::SURFACE_FILE])
        .map_err(|e| format!("error: generated API summary does not parse: {e}"))?;
    let report = diff::diff(&old, &new);
    let current = &target.settings.crate_version;
    let same_spec = old.spec_digest == new.spec_digest;
    if same_spec && report.is_empty() {
        // Same spec, runtime and API: a new generator that changed only how the code
        // reads is not a release.
        return Ok(None);
    }
    // Files changed but the API did not (documentation, say): still a new release.
    let bump = match report.bump_for(current) {
        diff::Bump::None => diff::Bump::Patch,
        bump => bump,
    };
    let version = diff::bumped(current, bump);
    // A generator that changes the API callers see (renames, say) is a release of
    // it as much as a spec update is: recorded and bumped alike.
    let cause = if same_spec {
        "The spec did not change; the generator did. "
    } else {
        ""
    };
    let version_line = format!(
        "{cause}Semver: {bump} bump for `{}`, applied: {current} -> {version}.",
        target.settings.crate_name
    );
    Ok(Some(ApiChange {
        report: report.render(&generator::sources(&target.settings), &version_line),
        version,
    }))
}

/// Puts `report` at the top of the change file (newest first).
fn record_change(out: &Path, report: &str) -> Result<(), String> {
    let path = out.join(CHANGES_FILE);
    let header =
        "<!-- Written by `cargo xtask codegen` each time the API changes; newest first. -->\n\n";
    let earlier = fs::read_to_string(&path).unwrap_or_default();
    let earlier = earlier.strip_prefix(header).unwrap_or(&earlier);
    fs::write(&path, format!("{header}{report}\n{earlier}"))
        .map_err(|e| format!("error: writing {}: {e}", path.display()))
}

/// A file whose bytes on disk differ from the generated ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    Missing(String),
    Changed(String),
    /// Generated by an earlier run but no longer produced.
    Extra(String),
}

impl Stale {
    pub fn describe(&self) -> String {
        match self {
            Self::Missing(p) => format!("{p} (missing)"),
            Self::Changed(p) => format!("{p} (changed)"),
            Self::Extra(p) => format!("{p} (no longer generated)"),
        }
    }
}

/// Compares the generated files with `out`. Line endings are normalised so a checkout
/// with CRLF conversion is not reported as stale.
pub fn stale_files(out: &Path, generated: &GeneratedFiles) -> Result<Vec<Stale>, String> {
    let mut stale = Vec::new();
    for (relative, contents) in &generated.files {
        match fs::read_to_string(out.join(relative)) {
            Ok(existing) if existing.replace("\r\n", "\n") == *contents => {}
            Ok(_) => stale.push(Stale::Changed(relative.clone())),
            Err(_) => stale.push(Stale::Missing(relative.clone())),
        }
    }
    for relative in existing_generated(out)? {
        if !generated.files.contains_key(&relative) {
            stale.push(Stale::Extra(relative));
        }
    }
    Ok(stale)
}

/// Files under `out/src` (and `out/Cargo.toml`) whose first line has the `@generated`
/// marker, relative to `out`.
fn existing_generated(out: &Path) -> Result<Vec<String>, String> {
    let mut files = vec![out.join("Cargo.toml")];
    if out.join("src").is_dir() {
        files.extend(crate::files_under(&out.join("src"), &[])?);
    }
    let generated = |path: &PathBuf| {
        fs::read_to_string(path).is_ok_and(|text| {
            text.lines()
                .next()
                .is_some_and(|l| l.contains("@generated"))
        })
    };
    let mut found: Vec<String> = files
        .iter()
        .filter(|path| generated(path))
        .map(|path| crate::relative(out, path))
        .collect();
    found.sort();
    Ok(found)
}

/// Writes the stale files in two phases so a failure never leaves a half-written
/// crate: every new file is first written beside its target as `<name>.codegen-tmp`;
/// only when all of them are written are they renamed over the targets (a rename
/// within a directory replaces the file whole). On a failure in the first phase the
/// temporary files are removed and the crate is as it was.
fn write(out: &Path, generated: &GeneratedFiles, stale: &[Stale]) -> Result<(), String> {
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for file in stale {
        let (Stale::Missing(relative) | Stale::Changed(relative)) = file else {
            continue;
        };
        let path = out.join(relative);
        let mut temporary = path.clone().into_os_string();
        temporary.push(".codegen-tmp");
        let temporary = PathBuf::from(temporary);
        let written = fs::create_dir_all(path.parent().unwrap_or(out))
            .and_then(|()| fs::write(&temporary, &generated.files[relative]));
        staged.push((temporary.clone(), path));
        if let Err(e) = written {
            for (temporary, _) in &staged {
                let _ = fs::remove_file(temporary);
            }
            return Err(format!(
                "error: writing {}: {e}\nnothing in {} was changed",
                temporary.display(),
                out.display()
            ));
        }
    }
    for (temporary, path) in &staged {
        fs::rename(temporary, path)
            .map_err(|e| format!("error: replacing {}: {e}", path.display()))?;
    }
    for file in stale {
        if let Stale::Extra(relative) = file {
            let path = out.join(relative);
            fs::remove_file(&path)
                .map_err(|e| format!("error: removing {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// `naming.toml` beside a spec: words to keep whole besides those the document spells
/// itself (`words`), spelled words to split after all (`split`), and Rust names for
/// schemas by pointer (`renames`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamingConfig {
    #[serde(default)]
    pub words: Vec<String>,
    #[serde(default)]
    pub split: Vec<String>,
    /// Rust names for schemas, by JSON pointer (see `generator::Settings::renames`).
    #[serde(default)]
    pub renames: std::collections::BTreeMap<String, String>,
}

impl NamingConfig {
    /// The config beside `spec`, or the default when there is none.
    pub fn beside(spec: &Path) -> Result<Self, String> {
        let path = spec.with_file_name("naming.toml");
        let Ok(text) = fs::read_to_string(&path) else {
            return Ok(Self::default());
        };
        toml::from_str(&text).map_err(|err| format!("error: {}: {err}", path.display()))
    }
}

/// The folder of overlays that belong to a spec: `overlays/` beside it, as
/// `spec/overlays/` is for `spec/imodels.yaml`.
pub const OVERLAYS_DIR: &str = "overlays";

/// The overlay files (`.yaml`, `.yml`, `.json`) in the `overlays/` folder beside
/// `spec`, in file-name order (the order they apply: name them `10-...`, `20-...`);
/// none when there is no such folder.
pub fn overlays_beside(spec: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = spec.with_file_name(OVERLAYS_DIR);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut found = crate::files_under(&dir, &["yaml", "yml", "json"])?;
    found.retain(|path| path.parent() == Some(dir.as_path()));
    Ok(found)
}

/// Reads overlay files, each named by its path in messages and headers.
pub fn read_overlays(paths: &[PathBuf]) -> Result<Vec<OverlaySource>, String> {
    paths
        .iter()
        .map(|path| {
            fs::read_to_string(path)
                .map(|text| OverlaySource::new(path.display().to_string(), text))
                .map_err(|err| format!("error: cannot read overlay {}: {err}", path.display()))
        })
        .collect()
}

/// The package version already in `out/Cargo.toml`, so regeneration keeps it.
fn existing_version(out: &Path) -> Option<String> {
    let text = fs::read_to_string(out.join("Cargo.toml")).ok()?;
    let manifest: toml::Table = toml::from_str(&text).ok()?;
    Some(
        manifest
            .get("package")?
            .get("version")?
            .as_str()?
            .to_owned(),
    )
}

/// A crate name from the output directory's name (`out/my api` -> `my-api`).
fn default_crate_name(out: &Path) -> Result<String, String> {
    let base = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let name: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('-').to_owned();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!(
            "error: cannot derive a crate name from `{}`; pass `--crate-name NAME`",
            out.display()
        ));
    }
    Ok(name)
}
