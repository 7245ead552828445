//! Helpers shared by the tests that run the built `xtask` binary (hand-written).

use std::path::Path;
use std::process::{Command, Output};

/// Runs the built `xtask` with `args` in `dir`.
pub fn xtask(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("xtask runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
