//! Running other programs: the one [`cargo`] command, one way to run a command and
//! report its failure ([`run`], [`output`]), tools installed on first use
//! ([`installed`]), and one measured run ([`measure`]: wall clock, an optional limit,
//! and the peak memory and CPU time GNU time gives when the machine has it).

use std::fs;
use std::io;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The cargo that runs this xtask (`CARGO`, else the one on `PATH`), in the workspace root.
pub fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.current_dir(crate::project_root());
    command
}

/// `program arg ...`, for messages.
pub fn shown(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `command` with the terminal as its output; not starting or failing is an error
/// that names it.
pub fn run(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("error: cannot run `{}`: {e}", shown(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("error: `{}` failed ({status})", shown(command)))
    }
}

/// Runs `command` and returns its stdout; a failure is an error with its stderr.
pub fn output(command: &mut Command) -> Result<String, String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("error: cannot run `{}`: {e}", shown(command)))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "error: `{}` failed ({}):\n{}",
            shown(command),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ))
    }
}

/// The workspace's target directory as cargo sees it (`CARGO_TARGET_DIR` and all).
pub fn target_dir() -> Result<PathBuf, String> {
    let metadata = output(cargo().args(["metadata", "--no-deps", "--format-version", "1"]))?;
    let metadata: serde_json::Value =
        serde_json::from_str(&metadata).map_err(|e| format!("error: cargo metadata: {e}"))?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| "error: cargo metadata gave no target_directory".to_owned())
}

/// Where `cargo install` puts the tools of `cargo xtask bench` and `corpus --vs`.
pub const TOOLS_DIR: &str = "target/bench-tools";

/// The binary `bin` of crate `krate` (a version requirement such as `~1.20`), installed
/// into [`TOOLS_DIR`] with `cargo install --locked` the first time.
pub fn installed(krate: &str, version: &str, bin: &str) -> Result<PathBuf, String> {
    let tools = crate::project_root().join(TOOLS_DIR);
    let path = tools.join("bin").join(bin);
    if !path.is_file() {
        eprintln!("==> installing {krate} {version} into {TOOLS_DIR} (once; minutes on 2 cores)");
        run(cargo()
            .args(["install", krate, "--version", version, "--locked", "--root"])
            .arg(&tools)
            .stdin(Stdio::null()))?;
    }
    Ok(path)
}

/// The version of `krate` that [`installed`] put in place, from cargo's install record.
pub fn installed_version(krate: &str) -> Option<String> {
    let record = crate::project_root().join(TOOLS_DIR).join(".crates.toml");
    fs::read_to_string(record).ok()?.lines().find_map(|line| {
        let rest = line.trim_start_matches('"').strip_prefix(krate)?;
        rest.strip_prefix(' ')?
            .split_whitespace()
            .next()
            .map(str::to_owned)
    })
}

/// How a measured process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    /// Killed at the limit.
    TimedOut,
}

/// A finished process: how it ended, its time, and its output.
#[derive(Debug, Clone)]
pub struct Measured {
    pub exit: Exit,
    pub wall: Duration,
    /// User + system time and peak resident set (KiB) of the process and everything it
    /// waited for, when GNU time measured it.
    pub cpu: Option<Duration>,
    pub peak_kib: Option<u64>,
    pub stdout: String,
    pub stderr: String,
}

impl Measured {
    pub fn ok(&self) -> bool {
        self.exit == Exit::Code(0)
    }
}

/// `/usr/bin/time` if it is GNU time (Debian's optional `time` package).
fn gnu_time() -> Option<&'static Path> {
    let time = Path::new("/usr/bin/time");
    Command::new(time)
        .args(["-f", "%M", "-o", "/dev/null", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
        .then_some(time)
}

/// Runs `command` to its end, or kills it past `limit`; its output goes through the
/// files `scratch.out` and `scratch.err` (no pipes to drain while waiting). Without a
/// limit it runs under GNU time when there is one, for its peak memory and CPU time (a
/// limit needs the process itself as the child, to kill it).
pub fn measure(command: Command, limit: Option<Duration>, scratch: &Path) -> io::Result<Measured> {
    let (out, err, time_file) = (
        scratch.with_extension("out"),
        scratch.with_extension("err"),
        scratch.with_extension("time"),
    );
    let mut command = match gnu_time().filter(|_| limit.is_none()) {
        Some(time) => {
            let _ = fs::remove_file(&time_file);
            let mut timed = Command::new(time);
            timed.args(["-f", "%U %S %M", "-o"]).arg(&time_file);
            timed.arg(command.get_program()).args(command.get_args());
            for (key, value) in command.get_envs() {
                match value {
                    Some(value) => timed.env(key, value),
                    None => timed.env_remove(key),
                };
            }
            if let Some(dir) = command.get_current_dir() {
                timed.current_dir(dir);
            }
            timed
        }
        None => command,
    };
    command
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out)?)
        .stderr(fs::File::create(&err)?);
    let started = Instant::now();
    let mut child = command.spawn()?;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if limit.is_some_and(|limit| started.elapsed() > limit) {
            child.kill()?;
            child.wait()?;
            break None;
        }
        // Most corpus documents take a few milliseconds: poll finely at first.
        std::thread::sleep(if started.elapsed() < Duration::from_secs(1) {
            Duration::from_millis(1)
        } else {
            Duration::from_millis(20)
        });
    };
    let wall = started.elapsed();
    let exit = match status {
        None => Exit::TimedOut,
        Some(status) => match (status.code(), status.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, signal) => Exit::Signal(signal.unwrap_or(0)),
        },
    };
    // The last line is GNU time's; a killed child adds a "Command terminated" line before it.
    let times = fs::read_to_string(&time_file).unwrap_or_default();
    let fields: Vec<f64> = times
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let (cpu, peak_kib) = match fields[..] {
        [user, system, peak] => (
            Some(Duration::from_secs_f64(user + system)),
            Some(peak as u64),
        ),
        _ => (None, None),
    };
    let read = |path: &Path| fs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned());
    let measured = Measured {
        exit,
        wall,
        cpu,
        peak_kib,
        stdout: read(&out)?,
        stderr: read(&err)?,
    };
    for path in [out, err, time_file] {
        let _ = fs::remove_file(path);
    }
    Ok(measured)
}

/// The peak resident set (KiB) and CPU time (user + system) of this process so far,
/// from `/proc/self` (Linux); zero where it cannot be read.
pub fn own_usage() -> (u64, Duration) {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    // Fields 14 and 15 of `stat` (after the parenthesised name): user and system time in
    // clock ticks, which Linux fixes at 100 a second for user space.
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    (peak, Duration::from_millis(ticks * 10))
}

/// CPU, cores, memory and rustc, for the header of a report.
pub fn machine() -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map_or("unknown CPU", |l| l.trim_start_matches([' ', '\t', ':']));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let kib = m.lines().find_map(|l| l.strip_prefix("MemTotal:"))?;
            kib.trim().trim_end_matches("kB").trim().parse::<u64>().ok()
        })
        .map_or("unknown".to_owned(), |kib| {
            format!("{:.1} GiB", kib as f64 / 1048576.0)
        });
    let rustc = output(Command::new("rustc").arg("--version")).unwrap_or_default();
    format!("{cores} cores ({cpu}), {memory} RAM, {}", rustc.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, limit: Option<Duration>) -> Measured {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        measure(command, limit, &dir.path().join("child")).unwrap()
    }

    #[test]
    fn exit_codes_signals_timeouts_and_output() {
        let limit = Some(Duration::from_millis(300));
        let cases: [(&str, Exit, &str); 4] = [
            ("echo out; echo err >&2", Exit::Code(0), "out\n"),
            ("exit 3", Exit::Code(3), ""),
            ("kill -SEGV $$", Exit::Signal(11), ""),
            ("sleep 5", Exit::TimedOut, ""),
        ];
        for (script, exit, stdout) in cases {
            let measured = sh(script, limit);
            assert_eq!(
                (measured.exit, measured.stdout.as_str()),
                (exit, stdout),
                "{script}"
            );
        }
        assert!(sh("sleep 5", limit).wall < Duration::from_secs(2));
    }

    #[test]
    fn gnu_time_measures_a_run_without_a_limit() {
        let measured = sh("exit 2", None);
        assert_eq!(measured.exit, Exit::Code(2));
        assert_eq!(measured.peak_kib.is_some(), gnu_time().is_some());
    }

    #[test]
    fn reads_its_own_usage() {
        let (peak, _) = own_usage();
        assert!(peak > 0);
    }
}
