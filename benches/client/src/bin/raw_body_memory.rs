//! Peak memory of a raw-body upload: `raw_body_memory MIB [--bytes]`.
//!
//! Writes a file of MIB MiB, then sends it as the `image/png` body of the
//! generated client's `upload_thumbnail` (`Body::from_file`: opened when sent,
//! read 64 KiB at a time, with its length as the `Content-Length`) to a
//! loopback server that reads and discards the body, counting its bytes. Prints
//! one line: `mib=.. body_bytes=.. elapsed_ms=.. peak_rss_kib=..`, the peak being
//! `VmHWM` of this process (client and server together).
//!
//! `--bytes` reads the file into memory and passes the `Vec<u8>` instead (the
//! control: that peak must grow with the file).

use client_bench::peak_rss_kib;
use generated_client::runtime::Body;
use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: raw_body_memory MIB [--bytes]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(mib) = args.first().and_then(|n| n.parse::<u64>().ok()) else {
        eprintln!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let in_memory = match args.get(1).map(String::as_str) {
        None => false,
        Some("--bytes") => true,
        Some(other) => {
            eprintln!("unknown argument `{other}`\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let path = std::env::temp_dir().join(format!("raw_body_memory-{}.bin", std::process::id()));
    if let Err(error) = write_file(&path, mib) {
        eprintln!("error: could not write {}: {error}", path.display());
        return ExitCode::FAILURE;
    }
    let result = run(&path, in_memory);
    let _ = std::fs::remove_file(&path);
    match result {
        Ok((body_bytes, elapsed_ms)) if body_bytes == mib * 1024 * 1024 => {
            println!(
                "mib={mib} body_bytes={body_bytes} elapsed_ms={elapsed_ms:.1} peak_rss_kib={}",
                peak_rss_kib().map_or_else(|| "unknown".to_owned(), |kib| kib.to_string())
            );
            ExitCode::SUCCESS
        }
        Ok((body_bytes, _)) => {
            eprintln!("error: the server received {body_bytes} bytes, not the file's");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// MIB MiB of a repeating pattern, written a MiB at a time.
fn write_file(path: &PathBuf, mib: u64) -> std::io::Result<()> {
    let block: Vec<u8> = (0..1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for _ in 0..mib {
        file.write_all(&block)?;
    }
    file.flush()
}

fn run(path: &PathBuf, in_memory: bool) -> Result<(u64, f64), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let server = std::thread::spawn(move || client_bench::discard_one_request(&listener));

    let body = if in_memory {
        Body::from(std::fs::read(path)?)
    } else {
        Body::from_file(path)
    };
    let client = client_bench::generated_client(&base_url);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    runtime.block_on(
        client
            .upload_thumbnail(client_bench::itwin_id(), body)
            .send(),
    )?;
    let elapsed = started.elapsed().as_secs_f64() * 1e3;
    let body_bytes = server.join().map_err(|_| "the server panicked")??;
    Ok((body_bytes, elapsed))
}
