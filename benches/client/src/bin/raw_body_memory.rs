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

use client_bench::upload_probe::{self, Framing};
use generated_client::runtime::Body;
use std::process::ExitCode;

fn main() -> ExitCode {
    upload_probe::run(
        "raw_body_memory",
        Framing::Exact,
        |path, in_memory, client, runtime| {
            let body = if in_memory {
                Body::from(std::fs::read(path)?)
            } else {
                Body::from_file(path)
            };
            runtime.block_on(
                client
                    .upload_thumbnail(client_bench::itwin_id(), body)
                    .send(),
            )?;
            Ok(())
        },
    )
}
