//! Peak memory of a multipart upload: `multipart_memory MIB [--bytes]`.
//!
//! Writes a file of MIB MiB, then sends it as the file part of a
//! `multipart/form-data` body through the runtime's send path (the one every
//! generated operation takes: `runtime::Multipart` with a `FilePart::path`) to a
//! loopback server that reads and discards the body, counting its bytes. Prints
//! one line: `mib=.. body_bytes=.. elapsed_ms=.. peak_rss_kib=..`, the peak being
//! `VmHWM` of this process (client and server together). A peak that stays flat
//! as MIB grows shows the file is streamed from disk, never held whole.
//!
//! `--bytes` reads the file into memory and sends it as `FilePart::bytes`
//! instead (the control: that peak must grow with the file).

use client_bench::peak_rss_kib;
use generated_client::runtime::{self, FilePart, Multipart, PartSpec};
use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: multipart_memory MIB [--bytes]";

const FILE: PartSpec = PartSpec {
    name: "file",
    content_type: "application/octet-stream",
};
const NOTE: PartSpec = PartSpec {
    name: "note",
    content_type: "text/plain",
};

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
    let path = std::env::temp_dir().join(format!("multipart_memory-{}.bin", std::process::id()));
    if let Err(error) = write_file(&path, mib) {
        eprintln!("error: could not write {}: {error}", path.display());
        return ExitCode::FAILURE;
    }
    let result = run(&path, in_memory);
    let _ = std::fs::remove_file(&path);
    match result {
        Ok((body_bytes, elapsed_ms)) if body_bytes > mib * 1024 * 1024 => {
            println!(
                "mib={mib} body_bytes={body_bytes} elapsed_ms={elapsed_ms:.1} peak_rss_kib={}",
                peak_rss_kib().map_or_else(|| "unknown".to_owned(), |kib| kib.to_string())
            );
            ExitCode::SUCCESS
        }
        Ok((body_bytes, _)) => {
            eprintln!("error: the server received {body_bytes} bytes, less than the file");
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

    let file = if in_memory {
        FilePart::bytes(std::fs::read(path)?).file_name("big.bin")
    } else {
        FilePart::path(path)
    };
    let client = client_bench::generated_client(&base_url);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let started = Instant::now();
    runtime.block_on(async {
        use generated_client::runtime::ApiClient;
        runtime::send::<Upload, serde_json::Value>(
            client.http(),
            Upload { file },
            runtime::RequestOptions::default(),
        )
        .await
    })?;
    let elapsed = started.elapsed().as_secs_f64() * 1e3;
    let body_bytes = server.join().map_err(|_| "the server panicked")??;
    Ok((body_bytes, elapsed))
}

/// An operation with a multipart body, as a generated one is written.
#[derive(Clone)]
struct Upload {
    file: FilePart,
}

impl runtime::Operation for Upload {
    type Output = runtime::RawResponse;

    fn request(&self) -> Result<runtime::Request, runtime::Error> {
        let mut request = runtime::Request::new(
            "Upload",
            runtime::Method::POST,
            "/upload",
            "/upload".to_owned(),
        );
        let mut parts = Multipart::new("multipart/form-data");
        parts.text(&NOTE, "a large file")?;
        parts.file(&FILE, &self.file);
        request.multipart(parts);
        Ok(request)
    }

    fn decode(raw: runtime::RawResponse) -> Result<Self::Output, runtime::Error> {
        Ok(raw)
    }
}
