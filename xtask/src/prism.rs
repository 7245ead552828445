//! `cargo xtask prism`: installs the pinned Prism mock server (an npm package) that the
//! contract tests (`generated-client/tests/it/contract.rs`) run the spec on, and prints the
//! path of its `prism` binary.
//!
//! The pin lives in `xtask/prism/`: `package.json` names one exact version,
//! `package-lock.json` fixes every transitive version and its integrity hash, and
//! `.npmrc` keeps download addresses out of the lock file, so npm fetches from whatever
//! registry the machine is configured for. The three files are copied into
//! `target/prism/` and installed there with `npm ci --prefix target/prism`, only when
//! the copies there differ from the pin or the last install did not finish.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The committed pin, relative to the workspace root.
pub const PIN_DIR: &str = "xtask/prism";
/// Where Prism is installed, relative to the workspace root.
pub const INSTALL_DIR: &str = "target/prism";
const PIN_FILES: [&str; 3] = ["package.json", "package-lock.json", ".npmrc"];
/// Written after a successful `npm ci`.
const DONE: &str = ".installed";

/// `cargo xtask prism`: installs Prism if needed and prints the binary's path on stdout.
pub fn run() -> Result<(), String> {
    let binary = ensure_installed(&crate::project_root())?;
    println!("{}", binary.display());
    Ok(())
}

/// The path of the pinned Prism's binary under `root/target/prism`, installed first if
/// it is missing or not of the pin.
pub fn ensure_installed(root: &Path) -> Result<PathBuf, String> {
    ensure_installed_with(root, if cfg!(windows) { "npm.cmd" } else { "npm" })
}

fn ensure_installed_with(root: &Path, npm: &str) -> Result<PathBuf, String> {
    let (pin, dir) = (root.join(PIN_DIR), root.join(INSTALL_DIR));
    let binary = dir.join("node_modules/.bin/prism");
    if is_installed(&pin, &dir) && binary.is_file() {
        return Ok(binary);
    }
    eprintln!("==> installing the Prism pinned in {PIN_DIR}: npm ci --prefix {INSTALL_DIR}");
    let mut npm_ci = Command::new(npm);
    npm_ci
        .args(["ci", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .current_dir(root);
    // Check that npm runs before writing anything.
    crate::process::output(Command::new(npm).arg("--version")).map_err(|e| {
        format!(
            "{e}\nthe contract tests need Prism, an npm package: install Node.js 18.20 or \
             newer with npm, then run `cargo xtask prism`"
        )
    })?;
    fs::create_dir_all(&dir).map_err(|e| format!("error: creating {}: {e}", dir.display()))?;
    // A stale marker must not survive a failed install.
    let _ = fs::remove_file(dir.join(DONE));
    for name in PIN_FILES {
        fs::copy(pin.join(name), dir.join(name))
            .map_err(|e| format!("error: copying {PIN_DIR}/{name}: {e}"))?;
    }
    crate::process::run(&mut npm_ci)?;
    if !binary.is_file() {
        return Err(format!("error: npm ci did not create {}", binary.display()));
    }
    fs::write(dir.join(DONE), "").map_err(|e| format!("error: writing {DONE}: {e}"))?;
    Ok(binary)
}

/// True when the install in `dir` finished and was made from the files in `pin`.
fn is_installed(pin: &Path, dir: &Path) -> bool {
    dir.join(DONE).is_file()
        && PIN_FILES.iter().all(|name| {
            let read = |dir: &Path| fs::read(dir.join(name)).ok();
            read(pin).is_some() && read(pin) == read(dir)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committed(name: &str) -> serde_json::Value {
        let path = crate::project_root().join(PIN_DIR).join(name);
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_pin_is_exact_locked_and_without_download_addresses() {
        const PACKAGE: &str = "@stoplight/prism-cli";
        let version = committed("package.json")["dependencies"][PACKAGE].clone();
        let version = version.as_str().unwrap();
        assert!(
            version.split('.').count() == 3 && version.split('.').all(|p| p.parse::<u32>().is_ok()),
            "{PACKAGE} must be an exact version like 5.14.2, not `{version}`"
        );
        let lock = committed("package-lock.json");
        let packages = lock["packages"].as_object().unwrap();
        assert_eq!(
            packages[""]["dependencies"][PACKAGE].as_str(),
            Some(version),
            "package-lock.json is out of date: run `npm install --package-lock-only` in {PIN_DIR}"
        );
        assert_eq!(
            packages[&format!("node_modules/{PACKAGE}")]["version"].as_str(),
            Some(version)
        );
        for (name, entry) in packages.iter().filter(|(name, _)| !name.is_empty()) {
            assert!(entry.get("resolved").is_none(), "{name} records an address");
            assert!(
                entry.get("link").is_some() || entry["integrity"].is_string(),
                "{name} has no integrity hash"
            );
        }
    }

    /// A workspace root with the committed pin and, if `installed`, a finished install.
    fn root_with_pin(installed: bool) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let (pin, dir) = (root.path().join(PIN_DIR), root.path().join(INSTALL_DIR));
        fs::create_dir_all(&pin).unwrap();
        for name in PIN_FILES {
            fs::copy(
                crate::project_root().join(PIN_DIR).join(name),
                pin.join(name),
            )
            .unwrap();
        }
        if installed {
            fs::create_dir_all(dir.join("node_modules/.bin")).unwrap();
            fs::write(dir.join("node_modules/.bin/prism"), "").unwrap();
            for name in PIN_FILES {
                fs::copy(pin.join(name), dir.join(name)).unwrap();
            }
            fs::write(dir.join(DONE), "").unwrap();
        }
        root
    }

    #[test]
    fn an_install_is_reused_only_when_it_is_of_the_pin_and_finished() {
        let root = root_with_pin(true);
        let (pin, dir) = (root.path().join(PIN_DIR), root.path().join(INSTALL_DIR));
        assert!(is_installed(&pin, &dir));
        // No npm needed when it is.
        let binary = ensure_installed_with(root.path(), "npm-that-does-not-exist").unwrap();
        assert_eq!(binary, dir.join("node_modules/.bin/prism"));
        fs::write(dir.join("package-lock.json"), "{}").unwrap();
        assert!(!is_installed(&pin, &dir), "another lock file");
        fs::copy(pin.join("package-lock.json"), dir.join("package-lock.json")).unwrap();
        fs::remove_file(dir.join(DONE)).unwrap();
        assert!(!is_installed(&pin, &dir), "an unfinished install");
    }

    #[test]
    fn missing_npm_is_a_clear_error_and_writes_nothing() {
        let root = root_with_pin(false);
        let error = ensure_installed_with(root.path(), "npm-that-does-not-exist").unwrap_err();
        assert!(
            error.contains("`npm-that-does-not-exist --version`"),
            "{error}"
        );
        assert!(error.contains("install Node.js"), "{error}");
        assert!(!root.path().join(INSTALL_DIR).exists());
    }
}
