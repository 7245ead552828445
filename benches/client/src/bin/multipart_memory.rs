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

use client_bench::upload_probe::{self, Framing};
use generated_client::runtime::{self, ApiClient, FilePart, Multipart, PartSpec};
use std::process::ExitCode;

const FILE: PartSpec = PartSpec {
    name: "file",
    content_type: "application/octet-stream",
};
const NOTE: PartSpec = PartSpec {
    name: "note",
    content_type: "text/plain",
};

fn main() -> ExitCode {
    upload_probe::run(
        "multipart_memory",
        Framing::Framed,
        |path, in_memory, client, runtime| {
            let file = if in_memory {
                FilePart::bytes(std::fs::read(path)?).file_name("big.bin")
            } else {
                FilePart::path(path)
            };
            runtime.block_on(runtime::send::<Upload, serde_json::Value>(
                client.http(),
                Upload { file },
                runtime::RequestOptions::default(),
            ))?;
            Ok(())
        },
    )
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
