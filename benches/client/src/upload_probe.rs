//! What the upload memory probes (`multipart_memory`, `raw_body_memory`) share:
//! their command line (`MIB [--bytes]`), the file they write, the loopback server
//! that reads and discards one request, and the line they print,
//! `mib=.. body_bytes=.. elapsed_ms=.. peak_rss_kib=..`, the peak being `VmHWM` of
//! the process (client and server together).

use std::error::Error;
use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// How the bytes on the wire relate to the file's.
#[derive(Clone, Copy)]
pub enum Framing {
    /// The body is the file, byte for byte.
    Exact,
    /// The file travels inside a framed body (multipart): more bytes than the file.
    Framed,
}

/// Runs a probe named `name`: writes a file of `MIB` MiB, calls `send` with its
/// path, whether `--bytes` asked for it to be read into memory first (the
/// control, whose peak must grow with the file), the generated client on the
/// loopback server, and a runtime to drive it; checks what the server received
/// and prints the line.
pub fn run<F>(name: &str, framing: Framing, send: F) -> ExitCode
where
    F: FnOnce(
        &Path,
        bool,
        &generated_client::Client,
        &tokio::runtime::Runtime,
    ) -> Result<(), Box<dyn Error>>,
{
    let usage = format!("usage: {name} MIB [--bytes]");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(mib) = args.first().and_then(|n| n.parse::<u64>().ok()) else {
        eprintln!("{usage}");
        return ExitCode::FAILURE;
    };
    let in_memory = match args.get(1).map(String::as_str) {
        None => false,
        Some("--bytes") => true,
        Some(other) => {
            eprintln!("unknown argument `{other}`\n{usage}");
            return ExitCode::FAILURE;
        }
    };
    let path = std::env::temp_dir().join(format!("{name}-{}.bin", std::process::id()));
    if let Err(error) = write_file(&path, mib) {
        eprintln!("error: could not write {}: {error}", path.display());
        return ExitCode::FAILURE;
    }
    let result = upload(&path, in_memory, send);
    let _ = std::fs::remove_file(&path);
    let file_bytes = mib * 1024 * 1024;
    match result {
        Ok((body_bytes, elapsed_ms)) => {
            let complete = match framing {
                Framing::Exact => body_bytes == file_bytes,
                Framing::Framed => body_bytes > file_bytes,
            };
            if !complete {
                eprintln!(
                    "error: the server received {body_bytes} bytes for a file of {file_bytes}"
                );
                return ExitCode::FAILURE;
            }
            println!(
                "mib={mib} body_bytes={body_bytes} elapsed_ms={elapsed_ms:.1} peak_rss_kib={}",
                crate::peak_rss_kib().map_or_else(|| "unknown".to_owned(), |kib| kib.to_string())
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// MIB MiB of a repeating pattern, written a MiB at a time.
fn write_file(path: &Path, mib: u64) -> std::io::Result<()> {
    let block: Vec<u8> = (0..1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for _ in 0..mib {
        file.write_all(&block)?;
    }
    file.flush()
}

/// The body's length as the server counted it, and the send's milliseconds.
fn upload<F>(path: &Path, in_memory: bool, send: F) -> Result<(u64, f64), Box<dyn Error>>
where
    F: FnOnce(
        &Path,
        bool,
        &generated_client::Client,
        &tokio::runtime::Runtime,
    ) -> Result<(), Box<dyn Error>>,
{
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let server = std::thread::spawn(move || crate::discard_one_request(&listener));
    let client = crate::generated_client(&base_url);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    send(path, in_memory, &client, &runtime)?;
    let elapsed = started.elapsed().as_secs_f64() * 1e3;
    let body_bytes = server.join().map_err(|_| "the server panicked")??;
    Ok((body_bytes, elapsed))
}
