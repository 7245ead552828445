//! The generated client against hand-written `reqwest` + `serde_json`, in one run, on
//! one local server: `cargo bench -p client-bench`.
//!
//! - `get_imodels/{generated,raw_reqwest}/N`: one `GET /?iTwinId=..&$top=N` answered
//!   with an `IModelList` of N items (1, 100, 10,000), decoded into typed structs. The
//!   generated side is `client.get_imodels(id).top(N).send().await?.into_inner()`.
//! - `stream/{generated,raw_reqwest}/100000`: every item of a 100,000-item list, pages
//!   of 100 (`$top`/`$skip`, 1,000 requests): `into_stream()` against a hand-written
//!   page loop.
//!
//! - `decode/{runtime,serde_json_generated_types,serde_json_baseline_types}/10000`: no
//!   network, the 10,000-item body decoded three ways, to split the gap between the
//!   two clients: the generated runtime's `RawResponse::json` (which tracks the JSON
//!   path for error messages), plain `serde_json::from_slice` into the generated
//!   types, and into the hand-written ones.
//!
//! The server runs on its own thread and single-threaded runtime; the client on a
//! single-threaded runtime here, so each has one of the two cores. Throughput is in
//! items per second; one request per iteration, so requests per second at size N is
//! that number divided by N. `cargo xtask bench` prints the ratios from the results.
//!
//! Under `cargo test --benches` (criterion's test mode: each benchmark runs once)
//! the stream is 1,000 items, so the debug build stays fast.

use client_bench::baseline::Baseline;
use client_bench::{generated_client, generated_list, generated_stream_count, itwin_id};
use client_bench::{server, server::Server, TOKEN};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use std::time::Duration;

const SIZES: [i64; 3] = [1, 100, 10_000];
const STREAM_ITEMS: u64 = 100_000;
const PAGE: i64 = 100;

fn main() {
    // `cargo bench` passes `--bench`; criterion's test mode (no `--bench`) runs once.
    let bench_mode = std::env::args().any(|arg| arg == "--bench");
    let stream_items = if bench_mode { STREAM_ITEMS } else { 1_000 };
    let server = Server::start(stream_items as usize);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let generated = generated_client(&server.base_url());
    let raw = Baseline::new(server.base_url(), TOKEN);
    let id = itwin_id();
    let mut criterion = Criterion::default().configure_from_args();

    let mut group = criterion.benchmark_group("get_imodels");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for size in SIZES {
        group.throughput(Throughput::Elements(size as u64));
        group.bench_with_input(BenchmarkId::new("generated", size), &size, |b, &size| {
            b.to_async(&runtime).iter(|| async {
                let list = generated_list(&generated, id, size).await;
                assert_eq!(list.imodels.len() as i64, size);
                list
            })
        });
        group.bench_with_input(BenchmarkId::new("raw_reqwest", size), &size, |b, &size| {
            b.to_async(&runtime).iter(|| async {
                let list = raw.get_imodels(id, size).await.expect("raw request");
                assert_eq!(list.imodels.len() as i64, size);
                list
            })
        });
    }
    group.finish();

    let mut group = criterion.benchmark_group("stream");
    group
        .throughput(Throughput::Elements(stream_items))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.bench_function(BenchmarkId::new("generated", stream_items), |b| {
        b.to_async(&runtime).iter(|| async {
            let count = generated_stream_count(&generated, id, PAGE).await;
            assert_eq!(count, stream_items);
        })
    });
    group.bench_function(BenchmarkId::new("raw_reqwest", stream_items), |b| {
        b.to_async(&runtime).iter(|| async {
            let count = raw.stream_count(id, PAGE).await.expect("raw pages");
            assert_eq!(count, stream_items);
        })
    });
    group.finish();

    let body = bytes::Bytes::from(server::imodel_list(10_000));
    let mut group = criterion.benchmark_group("decode");
    group
        .throughput(Throughput::Elements(10_000))
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function(BenchmarkId::new("runtime", 10_000), |b| {
        b.iter(|| {
            let raw = generated_client::RawResponse::new(
                reqwest::StatusCode::OK,
                reqwest::header::HeaderMap::new(),
                body.clone(),
            );
            raw.json::<generated_client::models::IModelList>()
                .expect("decodes")
        })
    });
    group.bench_function(
        BenchmarkId::new("serde_json_generated_types", 10_000),
        |b| {
            b.iter(|| {
                serde_json::from_slice::<generated_client::models::IModelList>(&body)
                    .expect("decodes")
            })
        },
    );
    group.bench_function(BenchmarkId::new("serde_json_baseline_types", 10_000), |b| {
        b.iter(|| {
            serde_json::from_slice::<client_bench::baseline::IModelList>(&body).expect("decodes")
        })
    });
    group.finish();

    criterion.final_summary();
}
