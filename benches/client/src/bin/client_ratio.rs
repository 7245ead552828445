//! The generated client against hand-written reqwest, interleaved: `client_ratio
//! [--rounds N] [--quick]`, run by `cargo xtask bench`.
//!
//! Criterion (`cargo bench -p client-bench`) measures each side for seconds on end, one
//! after the other, so on a busy machine a load spike can land on one side only. Here
//! the two sides alternate in short batches (about 25 ms each, the order swapped every
//! round) against the same server, and each side's time per operation is the median
//! over the rounds; the ratio is of those medians. One line per case:
//!
//! `case=get_imodels/100 a=generated b=raw_reqwest a_us=.. b_us=.. ratio=..`
//!
//! `ratio` is b / a: the generated side's throughput as a share of the other's (1.0 is
//! equal; 0.95 is the target). The decode cases take the network out: the same
//! 10,000-item body through the runtime's `RawResponse::json` (JSON path tracking and
//! the top-level shape check) against plain `serde_json` into the same generated
//! types, and those against the hand-written types.

use client_bench::baseline::{self, Baseline};
use client_bench::{generated_client, generated_list, generated_stream_count, itwin_id};
use client_bench::{server, server::Server, TOKEN};
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::time::{Duration, Instant};

type Op<'a> = Box<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + 'a>> + 'a>;

struct Case<'a> {
    name: String,
    a: (&'static str, Op<'a>),
    b: (&'static str, Op<'a>),
}

const BATCH: Duration = Duration::from_millis(25);
const STREAM_ITEMS: usize = 100_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1)?.parse::<usize>().ok())
        .unwrap_or(if quick { 3 } else { 21 })
        .max(1);
    let stream_items = if quick { 1_000 } else { STREAM_ITEMS };
    let server = Server::start(stream_items);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let generated = generated_client(&server.base_url());
    let raw = Baseline::new(server.base_url(), TOKEN);
    let id = itwin_id();
    let body = bytes::Bytes::from(server::imodel_list(10_000));

    let mut cases: Vec<Case<'_>> = Vec::new();
    for size in [1i64, 100, 10_000] {
        let (generated, raw) = (&generated, &raw);
        cases.push(Case {
            name: format!("get_imodels/{size}"),
            a: (
                "generated",
                Box::new(move || {
                    Box::pin(async move {
                        let list = generated_list(generated, id, size).await;
                        assert_eq!(list.imodels.len() as i64, size);
                        black_box(list);
                    })
                }),
            ),
            b: (
                "raw_reqwest",
                Box::new(move || {
                    Box::pin(async move {
                        let list = raw.get_imodels(id, size).await.expect("raw");
                        assert_eq!(list.imodels.len() as i64, size);
                        black_box(list);
                    })
                }),
            ),
        });
    }
    {
        let (generated, raw) = (&generated, &raw);
        cases.push(Case {
            name: format!("stream/{stream_items}"),
            a: (
                "generated",
                Box::new(move || {
                    Box::pin(async move {
                        let count = generated_stream_count(generated, id, 100).await;
                        assert_eq!(count, stream_items as u64);
                    })
                }),
            ),
            b: (
                "raw_reqwest",
                Box::new(move || {
                    Box::pin(async move {
                        let count = raw.stream_count(id, 100).await.expect("raw");
                        assert_eq!(count, stream_items as u64);
                    })
                }),
            ),
        });
    }
    let decode_runtime = || {
        let raw = generated_client::RawResponse::new(
            reqwest::StatusCode::OK,
            reqwest::header::HeaderMap::new(),
            body.clone(),
        );
        black_box(
            raw.json::<generated_client::models::IModelList>()
                .expect("decodes"),
        );
    };
    let decode_generated_types = || {
        black_box(
            serde_json::from_slice::<generated_client::models::IModelList>(&body).expect("decodes"),
        );
    };
    let decode_baseline_types = || {
        black_box(serde_json::from_slice::<baseline::IModelList>(&body).expect("decodes"));
    };
    cases.push(Case {
        name: "decode/10000 (runtime vs serde_json)".to_owned(),
        a: ("runtime", sync_op(decode_runtime)),
        b: ("serde_json", sync_op(decode_generated_types)),
    });
    cases.push(Case {
        name: "decode/10000 (generated vs hand-written types)".to_owned(),
        a: ("generated_types", sync_op(decode_generated_types)),
        b: ("baseline_types", sync_op(decode_baseline_types)),
    });

    for case in &cases {
        let (a, b) = runtime.block_on(measure(case, rounds));
        println!(
            "case={} a={} b={} a_us={:.2} b_us={:.2} ratio={:.3}",
            case.name,
            case.a.0,
            case.b.0,
            a * 1e6,
            b * 1e6,
            b / a
        );
    }
}

fn sync_op<'a>(f: impl Fn() + Copy + 'a) -> Op<'a> {
    Box::new(move || Box::pin(async move { f() }))
}

/// Median seconds per operation of each side, over `rounds` interleaved batches.
async fn measure(case: &Case<'_>, rounds: usize) -> (f64, f64) {
    // Warm up both sides (connections, allocator) and size the batches.
    let mut per_op = [0.0f64; 2];
    for (side, (_, op)) in [&case.a, &case.b].into_iter().enumerate() {
        op().await;
        let started = Instant::now();
        op().await;
        per_op[side] = started.elapsed().as_secs_f64();
    }
    let slowest = per_op[0].max(per_op[1]).max(1e-9);
    let batch = ((BATCH.as_secs_f64() / slowest) as usize).clamp(1, 100_000);
    let mut samples = [Vec::with_capacity(rounds), Vec::with_capacity(rounds)];
    for round in 0..rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for side in order {
            let op = if side == 0 { &case.a.1 } else { &case.b.1 };
            let started = Instant::now();
            for _ in 0..batch {
                op().await;
            }
            samples[side].push(started.elapsed().as_secs_f64() / batch as f64);
        }
    }
    (median(&mut samples[0]), median(&mut samples[1]))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 0 {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}
