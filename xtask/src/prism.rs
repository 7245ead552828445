//! `cargo xtask prism`: installs the pinned Prism mock server (an npm package) that the
//! contract tests (`generated-client/tests/it/contract.rs`) run the spec on, and prints the
//! path of its `prism` binary.
//!
//! The pin lives in `xtask/prism/`: `package.json` names one exact version,
//! `package-lock.json` fixes every transitive version and its integrity hash, and
//! `.npmrc` keeps download addresses out of the lock file, so npm fetches from whatever
//! registry the machine is configured for. The three files are copied into
//! `target/prism/` (ignored by git) and installed there with `npm ci`, which only runs
//! when the installed copy is missing or does not match the pin.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The committed pin, relative to the workspace root.
pub const PIN_DIR: &str = "xtask/prism";
/// Where Prism is installed, relative to the workspace root.
pub const INSTALL_DIR: &str = "target/prism";
/// The npm package that provides the `prism` binary.
pub const PACKAGE: &str = "@stoplight/prism-cli";
/// The files copied from [`PIN_DIR`] into [`INSTALL_DIR`].
const PIN_FILES: [&str; 3] = ["package.json", "package-lock.json", ".npmrc"];
/// Written after a successful `npm ci`; holds the fingerprint of the pin it installed.
const STAMP: &str = ".installed";

/// `cargo xtask prism`: installs Prism if needed and prints the binary's path on stdout.
pub fn run() -> Result<(), String> {
    let binary = ensure_installed(&crate::project_root())?;
    println!("{}", binary.display());
    Ok(())
}

/// Makes sure the pinned Prism is installed under `root/target/prism` and returns the
/// path of its `prism` binary. Runs `npm ci` only when nothing is installed yet or the
/// installed copy does not match the pin; otherwise it only reads a few small files.
pub fn ensure_installed(root: &Path) -> Result<PathBuf, String> {
    ensure_installed_with(root, npm_program())
}

fn ensure_installed_with(root: &Path, npm: &str) -> Result<PathBuf, String> {
    let pin = Pin::read(&root.join(PIN_DIR))?;
    let dir = root.join(INSTALL_DIR);
    let binary = binary_path(&dir);
    if is_installed(&dir, &pin) {
        return Ok(binary);
    }

    let npm_version = Command::new(npm).arg("--version").output().map_err(|e| {
        format!(
            "error: cannot run `{npm}` ({e}); the contract tests need Prism, an npm package: \
                 install Node.js 18.20 or newer with npm, then run `cargo xtask prism`"
        )
    })?;
    if !npm_version.status.success() {
        return Err(format!(
            "error: `{npm} --version` failed: {}",
            String::from_utf8_lossy(&npm_version.stderr).trim()
        ));
    }

    eprintln!(
        "==> installing {PACKAGE}@{} into {} (npm {})",
        pin.version,
        dir.display(),
        String::from_utf8_lossy(&npm_version.stdout).trim()
    );
    fs::create_dir_all(&dir).map_err(|e| format!("error: creating {}: {e}", dir.display()))?;
    // A stale stamp must not survive a failed install.
    let stamp = dir.join(STAMP);
    if stamp.exists() {
        fs::remove_file(&stamp).map_err(|e| format!("error: removing {}: {e}", stamp.display()))?;
    }
    for (name, contents) in pin.files() {
        let path = dir.join(name);
        fs::write(&path, contents)
            .map_err(|e| format!("error: writing {}: {e}", path.display()))?;
    }
    let status = Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .status()
        .map_err(|e| format!("error: could not run `{npm} ci`: {e}"))?;
    if !status.success() {
        return Err(format!(
            "error: `{npm} ci` failed in {} ({status}); see npm's output above",
            dir.display()
        ));
    }
    match installed_version(&dir) {
        Some(version) if version == pin.version => {}
        other => {
            return Err(format!(
                "error: after `{npm} ci`, {PACKAGE} is {} in {}, expected {}",
                other.as_deref().unwrap_or("missing"),
                dir.display(),
                pin.version
            ))
        }
    }
    if !binary.is_file() {
        return Err(format!(
            "error: `{npm} ci` did not create {}",
            binary.display()
        ));
    }
    fs::write(&stamp, pin.fingerprint())
        .map_err(|e| format!("error: writing {}: {e}", stamp.display()))?;
    Ok(binary)
}

fn npm_program() -> &'static str {
    if cfg!(windows) {
        "npm.cmd"
    } else {
        "npm"
    }
}

/// `node_modules/.bin/prism` under the install directory.
pub fn binary_path(install_dir: &Path) -> PathBuf {
    let name = if cfg!(windows) { "prism.cmd" } else { "prism" };
    install_dir.join("node_modules").join(".bin").join(name)
}

/// The committed pin: the three files' contents and the exact version they name.
#[derive(Debug, Clone)]
struct Pin {
    package_json: String,
    lock: String,
    npmrc: String,
    version: String,
}

impl Pin {
    fn read(pin_dir: &Path) -> Result<Self, String> {
        let read = |name: &str| {
            let path = pin_dir.join(name);
            fs::read_to_string(&path).map_err(|e| format!("error: reading {}: {e}", path.display()))
        };
        let package_json = read("package.json")?;
        let version = pinned_version(&package_json)
            .map_err(|e| format!("error: {}/package.json: {e}", pin_dir.display()))?;
        Ok(Self {
            package_json,
            lock: read("package-lock.json")?,
            npmrc: read(".npmrc")?,
            version,
        })
    }

    fn files(&self) -> [(&'static str, &str); 3] {
        [
            (PIN_FILES[0], self.package_json.as_str()),
            (PIN_FILES[1], self.lock.as_str()),
            (PIN_FILES[2], self.npmrc.as_str()),
        ]
    }

    /// Identifies what was installed: the version and a hash of all three files, so an
    /// edited lock file (a transitive bump) also triggers a reinstall.
    fn fingerprint(&self) -> String {
        let mut hash = Fnv1a::default();
        for (name, contents) in self.files() {
            hash.write(name.as_bytes());
            hash.write(&[0]);
            hash.write(contents.replace("\r\n", "\n").as_bytes());
            hash.write(&[0]);
        }
        format!("{PACKAGE}@{} {:016x}\n", self.version, hash.0)
    }
}

/// The exact version `package.json` depends on for [`PACKAGE`]; a range is an error,
/// since the point of the pin is that every machine runs the same Prism.
fn pinned_version(package_json: &str) -> Result<String, String> {
    let manifest: serde_json::Value =
        serde_json::from_str(package_json).map_err(|e| format!("not valid JSON: {e}"))?;
    let version = manifest
        .get("dependencies")
        .and_then(|deps| deps.get(PACKAGE))
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| format!("no `dependencies.{PACKAGE}`"))?;
    let exact = !version.is_empty()
        && version
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
        && version.split('.').count() == 3;
    if !exact {
        return Err(format!(
            "`{PACKAGE}` must be an exact version like 5.14.2, not `{version}`"
        ));
    }
    Ok(version.to_owned())
}

/// The version of [`PACKAGE`] under `install_dir/node_modules`, if it is there.
fn installed_version(install_dir: &Path) -> Option<String> {
    let path = install_dir
        .join("node_modules")
        .join(PACKAGE)
        .join("package.json");
    let manifest: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).ok()?).ok()?;
    manifest.get("version")?.as_str().map(str::to_owned)
}

/// True when `install_dir` holds a completed install of exactly this pin.
fn is_installed(install_dir: &Path, pin: &Pin) -> bool {
    fs::read_to_string(install_dir.join(STAMP)).is_ok_and(|stamp| stamp == pin.fingerprint())
        && installed_version(install_dir).as_deref() == Some(pin.version.as_str())
        && binary_path(install_dir).is_file()
}

/// 64-bit FNV-1a: a stable, dependency-free hash; it only detects edits, it is no checksum
/// of what npm downloads (the lock file's integrity hashes are).
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed_pin() -> Pin {
        Pin::read(&crate::project_root().join(PIN_DIR)).expect("the committed pin reads")
    }

    #[test]
    fn committed_pin_is_exact_and_matches_the_lock_file() {
        let pin = committed_pin();
        let lock: serde_json::Value = serde_json::from_str(&pin.lock).expect("lock is JSON");
        let packages = &lock["packages"];
        assert_eq!(
            packages[""]["dependencies"][PACKAGE].as_str(),
            Some(pin.version.as_str()),
            "package-lock.json is out of date with package.json: run `npm install --package-lock-only` in {PIN_DIR}"
        );
        let locked = &packages[format!("node_modules/{PACKAGE}")];
        assert_eq!(locked["version"].as_str(), Some(pin.version.as_str()));
        assert!(locked["integrity"]
            .as_str()
            .is_some_and(|i| i.starts_with("sha512-")));
    }

    #[test]
    fn committed_lock_records_no_download_addresses() {
        let pin = committed_pin();
        assert!(pin
            .npmrc
            .lines()
            .any(|line| line.trim() == "omit-lockfile-registry-resolved=true"));
        let lock: serde_json::Value = serde_json::from_str(&pin.lock).expect("lock is JSON");
        let packages = lock["packages"].as_object().expect("packages");
        assert!(packages.len() > 1);
        for (name, entry) in packages {
            assert!(
                entry.get("resolved").is_none(),
                "{name} records a download address"
            );
            if !name.is_empty() && entry.get("link").is_none() {
                assert!(
                    entry.get("integrity").is_some(),
                    "{name} has no integrity hash"
                );
            }
        }
    }

    #[test]
    fn only_exact_versions_are_accepted() {
        let manifest = |v: &str| format!(r#"{{"dependencies": {{"{PACKAGE}": "{v}"}}}}"#);
        assert_eq!(pinned_version(&manifest("5.14.2")).unwrap(), "5.14.2");
        for bad in [
            "^5.14.2",
            "~5.14.2",
            "5.14",
            "5.x",
            "latest",
            "",
            "5.14.2-rc.1",
        ] {
            assert!(pinned_version(&manifest(bad)).is_err(), "{bad}");
        }
        assert!(pinned_version("{}").is_err());
        assert!(pinned_version("not json").is_err());
    }

    /// Lays out what a completed install leaves behind, without npm.
    fn fake_install(dir: &Path, pin: &Pin, version: &str) {
        let package = dir.join("node_modules").join(PACKAGE);
        fs::create_dir_all(&package).unwrap();
        fs::write(
            package.join("package.json"),
            format!(r#"{{"name": "{PACKAGE}", "version": "{version}"}}"#),
        )
        .unwrap();
        let binary = binary_path(dir);
        fs::create_dir_all(binary.parent().unwrap()).unwrap();
        fs::write(&binary, "").unwrap();
        fs::write(dir.join(STAMP), pin.fingerprint()).unwrap();
    }

    #[test]
    fn install_is_reused_only_when_it_matches_the_pin() {
        let pin = committed_pin();
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_installed(dir.path(), &pin), "empty directory");

        fake_install(dir.path(), &pin, &pin.version);
        assert!(is_installed(dir.path(), &pin));

        fake_install(dir.path(), &pin, "5.0.0");
        assert!(!is_installed(dir.path(), &pin), "another version");

        fake_install(dir.path(), &pin, &pin.version);
        let mut edited = pin.clone();
        edited.lock.push(' ');
        assert!(!is_installed(dir.path(), &edited), "edited lock file");

        fs::remove_file(dir.path().join(STAMP)).unwrap();
        assert!(!is_installed(dir.path(), &pin), "interrupted install");
    }

    #[test]
    fn missing_npm_is_a_clear_error() {
        let root = tempfile::tempdir().unwrap();
        let pin_dir = root.path().join(PIN_DIR);
        fs::create_dir_all(&pin_dir).unwrap();
        for (name, contents) in committed_pin().files() {
            fs::write(pin_dir.join(name), contents).unwrap();
        }
        let error = ensure_installed_with(root.path(), "npm-that-does-not-exist").unwrap_err();
        assert!(
            error.contains("cannot run `npm-that-does-not-exist`"),
            "{error}"
        );
        assert!(error.contains("install Node.js"), "{error}");
        assert!(!root.path().join(INSTALL_DIR).exists(), "nothing written");
    }

    #[test]
    fn a_cached_install_does_not_need_npm() {
        let root = tempfile::tempdir().unwrap();
        let pin_dir = root.path().join(PIN_DIR);
        fs::create_dir_all(&pin_dir).unwrap();
        let pin = committed_pin();
        for (name, contents) in pin.files() {
            fs::write(pin_dir.join(name), contents).unwrap();
        }
        let dir = root.path().join(INSTALL_DIR);
        fake_install(&dir, &pin, &pin.version);
        let binary = ensure_installed_with(root.path(), "npm-that-does-not-exist").unwrap();
        assert_eq!(binary, binary_path(&dir));
    }
}
