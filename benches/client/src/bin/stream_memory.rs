//! Peak memory of streaming a long list: `stream_memory ITEMS [--raw | --collect]`.
//!
//! Starts the local server with a list of ITEMS iModels, walks it with the generated
//! client's `into_stream()` (pages of 100, `$top`/`$skip`), dropping each item, and
//! prints one line: `items=.. requests=.. elapsed_ms=.. peak_rss_kib=..`, the peak
//! being `VmHWM` of this process (client, server and runtime together). Run once per
//! list size, in a fresh process each time, by `cargo xtask bench`: a flat peak from
//! 1,000 to 100,000 items shows one page is held at a time.
//!
//! `--raw` walks the same pages with the hand-written reqwest loop instead;
//! `--collect` keeps every item in a `Vec` (the control: that peak must grow).

use client_bench::{baseline::Baseline, generated_client, itwin_id, peak_rss_kib, server};
use futures_util::StreamExt;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: stream_memory ITEMS [--raw | --collect]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(items) = args
        .first()
        .and_then(|n| n.replace('_', "").parse::<usize>().ok())
    else {
        eprintln!("{USAGE}");
        return ExitCode::FAILURE;
    };
    let mode = match args.get(1).map(String::as_str) {
        None => Mode::Stream,
        Some("--raw") => Mode::Raw,
        Some("--collect") => Mode::Collect,
        Some(other) => {
            eprintln!("unknown argument `{other}`\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let server = server::Server::start(items);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let started = Instant::now();
    let counted = runtime.block_on(walk(&server.base_url(), mode));
    let elapsed = started.elapsed();
    match counted {
        Ok(count) if count == items as u64 => {
            println!(
                "items={count} requests={} elapsed_ms={:.1} peak_rss_kib={}",
                server.requests(),
                elapsed.as_secs_f64() * 1e3,
                peak_rss_kib().map_or_else(|| "unknown".to_owned(), |kib| kib.to_string())
            );
            ExitCode::SUCCESS
        }
        Ok(count) => {
            eprintln!("error: streamed {count} items, expected {items}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Stream,
    Raw,
    Collect,
}

async fn walk(base_url: &str, mode: Mode) -> Result<u64, Box<dyn std::error::Error>> {
    match mode {
        Mode::Raw => Ok(Baseline::new(base_url, client_bench::TOKEN)
            .stream_count(itwin_id(), 100)
            .await
            .map_err(|e| e.to_string())?),
        Mode::Stream | Mode::Collect => {
            let client = generated_client(base_url);
            let mut stream = client.get_imodels(itwin_id()).top(100).into_stream();
            let mut kept = Vec::new();
            let mut count = 0u64;
            while let Some(item) = stream.next().await {
                let item = item?;
                count += 1;
                if matches!(mode, Mode::Collect) {
                    kept.push(item);
                } else {
                    std::hint::black_box(item);
                }
            }
            std::hint::black_box(kept);
            Ok(count)
        }
    }
}
