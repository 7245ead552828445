//! One child process under limits, measured: a wall-clock limit (the child is killed
//! past it), an address-space limit (`setrlimit(RLIMIT_AS)` between fork and exec, so
//! an allocation past it fails in the child, which aborts), and its peak resident set
//! and CPU time from `wait4`, the kernel's own accounting of that one process.

use std::fs;
use std::io;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub wall: Duration,
    /// `None`: no limit.
    pub address_space_bytes: Option<u64>,
}

/// How the child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    /// Killed at [`Limits::wall`].
    TimedOut,
}

#[derive(Debug, Clone)]
pub struct Measured {
    pub exit: Exit,
    pub wall: Duration,
    /// User + system.
    pub cpu: Duration,
    pub peak_rss_kib: u64,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `command` to its end or its limits, its output going through the files
/// `scratch.out` and `scratch.err` (no pipes to drain while waiting).
pub fn run(mut command: Command, limits: Limits, scratch: &Path) -> io::Result<Measured> {
    let out_path = scratch.with_extension("out");
    let err_path = scratch.with_extension("err");
    command
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path)?)
        .stderr(fs::File::create(&err_path)?);
    let bytes = limits
        .address_space_bytes
        .map_or(libc::RLIM_INFINITY, |b| b as libc::rlim_t);
    // SAFETY: between fork and exec only async-signal-safe calls are allowed;
    // setrlimit is one, and the closure allocates nothing.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                Ok(())
            } else {
                Err(io::Error::last_os_error())
            }
        });
    }
    let started = Instant::now();
    let child = command.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data that wait4 fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut timed_out = false;
    loop {
        let flags = if timed_out { 0 } else { libc::WNOHANG };
        // SAFETY: `pid` is our child, not yet reaped; the pointers are to live locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
        if reaped == pid {
            break;
        }
        if reaped < 0 {
            let error = io::Error::last_os_error();
            if error.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        if started.elapsed() > limits.wall {
            // SAFETY: the child is not reaped yet, so its pid cannot have been reused.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            timed_out = true;
            continue;
        }
        // Most documents take a few milliseconds; poll finely at first.
        std::thread::sleep(if started.elapsed() < Duration::from_secs(1) {
            Duration::from_millis(1)
        } else {
            Duration::from_millis(20)
        });
    }
    let wall = started.elapsed();
    let exit = if timed_out {
        Exit::TimedOut
    } else if libc::WIFEXITED(status) {
        Exit::Code(libc::WEXITSTATUS(status))
    } else {
        Exit::Signal(libc::WTERMSIG(status))
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    let measured = Measured {
        exit,
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        // Linux reports kilobytes.
        peak_rss_kib: usage.ru_maxrss as u64,
        stdout: String::from_utf8_lossy(&fs::read(&out_path)?).into_owned(),
        stderr: String::from_utf8_lossy(&fs::read(&err_path)?).into_owned(),
    };
    let _ = fs::remove_file(&out_path);
    let _ = fs::remove_file(&err_path);
    Ok(measured)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(wall_ms: u64) -> Limits {
        Limits {
            wall: Duration::from_millis(wall_ms),
            address_space_bytes: Some(1 << 30),
        }
    }

    fn sh(script: &str, limits: Limits) -> Measured {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        run(command, limits, &dir.path().join("child")).unwrap()
    }

    #[test]
    fn exit_codes_signals_timeouts_and_output() {
        let cases: [(&str, Exit, &str); 4] = [
            ("echo out; echo err >&2", Exit::Code(0), "out\n"),
            ("exit 3", Exit::Code(3), ""),
            ("kill -SEGV $$", Exit::Signal(libc::SIGSEGV), ""),
            ("sleep 5", Exit::TimedOut, ""),
        ];
        for (script, exit, stdout) in cases {
            let measured = sh(script, limits(300));
            assert_eq!(measured.exit, exit, "{script}");
            assert_eq!(measured.stdout, stdout, "{script}");
        }
        assert!(sh("sleep 5", limits(300)).wall < Duration::from_secs(2));
    }

    #[test]
    fn the_address_space_limit_applies_to_the_child() {
        // 64 MiB is too little for `sh` to map 256 MiB in one go.
        let small = Limits {
            address_space_bytes: Some(64 << 20),
            ..limits(5_000)
        };
        let measured = sh(
            "x=$(head -c 268435456 /dev/zero | tr '\\0' a); echo ${#x}",
            small,
        );
        assert_ne!(measured.stdout.trim(), "268435456");
    }
}
