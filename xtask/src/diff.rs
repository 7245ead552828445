//! `cargo xtask diff OLD NEW`: the API change report for any two spec files, without
//! writing anything; `--fail-on breaking|any` turns it into a CI gate.

use crate::args::{DiffArgs, FailOn};
use crate::codegen::{overlays_beside, read_overlays, NamingConfig, MAIN_CRATE};
use generator::changes::diff::{self, Impact};
use generator::changes::surface::Surface;
use generator::Settings;
use std::path::{Path, PathBuf};

pub fn run(args: &DiffArgs) -> Result<(), String> {
    let (old, new) = (args.old.display(), args.new.display());
    let report = compare(&args.old, &args.new, &args.overlay)?;
    let breaking = report.count(Impact::Breaking);
    let additive = report.count(Impact::Additive);
    let versions = format!(
        "Semver: implies a {} bump for a 0.x crate, {} from 1.0.",
        report.bump_for("0.1.0"),
        report.bump_for("1.0.0")
    );
    println!("{}", report.render(&format!("{old} -> {new}"), &versions));
    match args.fail_on {
        Some(FailOn::Breaking) if breaking > 0 => {
            Err(format!("error: {breaking} breaking change(s)"))
        }
        Some(FailOn::Any) if breaking + additive > 0 => {
            Err(format!("error: {} API change(s)", breaking + additive))
        }
        _ => Ok(()),
    }
}

/// The report between two spec files, each read with the `naming.toml` beside it (a
/// spec without one borrows the other's, so a copy in `/tmp` names things the same)
/// and with the overlays beside it applied, then `new_overlays` to the new one.
/// Overlays are never borrowed: a copy of the spec without them shows what they add.
pub fn compare(old: &Path, new: &Path, new_overlays: &[PathBuf]) -> Result<diff::Report, String> {
    let (old_naming, new_naming) = (NamingConfig::beside(old)?, NamingConfig::beside(new)?);
    let pick = |own: &NamingConfig, other: &NamingConfig| {
        if own.words.is_empty() && own.split.is_empty() {
            (other.words.clone(), other.split.clone())
        } else {
            (own.words.clone(), own.split.clone())
        }
    };
    let mut new_overlay_paths = overlays_beside(new)?;
    new_overlay_paths.extend(new_overlays.iter().cloned());
    Ok(diff::diff(
        &surface(old, pick(&old_naming, &new_naming), &overlays_beside(old)?)?,
        &surface(new, pick(&new_naming, &old_naming), &new_overlay_paths)?,
    ))
}

fn surface(
    spec: &Path,
    (words, split_words): (Vec<String>, Vec<String>),
    overlays: &[PathBuf],
) -> Result<Surface, String> {
    let bytes = std::fs::read(spec)
        .map_err(|e| format!("error: cannot read spec {}: {e}", spec.display()))?;
    // Text that is not UTF-8 is an error at its line and column, as in `codegen`.
    let source = generator::decode_source(&bytes, &spec.display().to_string())
        .map_err(|diagnostics| diagnostics.to_string())?;
    // Both sides are named by the same rules (no renames: they would only relabel both).
    let settings = Settings {
        command: "cargo xtask diff".to_owned(),
        words,
        split_words,
        runtime: generator::RuntimeDependency::Vendored,
        overlays: read_overlays(overlays)?,
        ..Settings::new(MAIN_CRATE, spec.display().to_string())
    };
    let (api, _) = generator::lower_source(source, &settings)
        .map_err(|diagnostics| diagnostics.to_string())?;
    Ok(Surface::of(&api))
}
