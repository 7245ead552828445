//! The generator in process: `generate()` as a whole and each stage on its own
//! (`load`, `lower`, `emit`, `render`), so the slow stage shows.
//!
//! ```sh
//! cargo bench -p generator --bench pipeline
//! ```
//!
//! Specs: `spec/imodels.yaml` always; GitHub's REST description (13 MB, 1,223
//! operations) when `cargo xtask corpus` has cached it in
//! `target/corpus/cache/specs/github.json` (or `BENCH_GITHUB_SPEC` names a copy).
//! Without it only iModels is measured, and a note says how to fetch it.
//!
//! Run by `cargo test --benches` (criterion's test mode: every benchmark once, no
//! timing), only iModels is used, so that stays fast in a debug build.

use criterion::{BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput};
use generator::emit::render;
use generator::{emit, ir, lower, naming, source, Diagnostic, Settings};
use proc_macro2::TokenStream;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A spec to measure and the settings `cargo xtask codegen --spec` would use for it.
struct Spec {
    name: &'static str,
    source: String,
    settings: Settings,
    /// Big enough that criterion's default sampling would run for minutes.
    large: bool,
}

fn project_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_owned()
}

fn settings(name: &str, spec_path: &str, words: &[&str]) -> Settings {
    Settings {
        command: "cargo bench -p generator".to_owned(),
        words: words.iter().map(|w| (*w).to_owned()).collect(),
        runtime: generator::RuntimeDependency::Vendored,
        ..Settings::new(name, spec_path)
    }
}

fn imodels() -> Spec {
    let path = project_root().join("spec/imodels.yaml");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Spec {
        name: "imodels",
        source,
        // The words of spec/naming.toml.
        settings: settings(
            "generated-client",
            "spec/imodels.yaml",
            &["iModel", "iTwin"],
        ),
        large: false,
    }
}

/// GitHub's description from the corpus cache, or `None` with a note on how to get it.
fn github() -> Option<Spec> {
    let path = std::env::var_os("BENCH_GITHUB_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target/corpus/cache/specs/github.json"));
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(Spec {
            name: "github",
            source,
            settings: settings("github", &path.display().to_string(), &[]),
            large: true,
        }),
        Err(_) => {
            eprintln!(
                "note: {} is absent, so only spec/imodels.yaml is benchmarked; \
                 fetch GitHub's REST description with `cargo xtask corpus --only github` \
                 (or point BENCH_GITHUB_SPEC at a copy) and run again",
                path.display()
            );
            None
        }
    }
}

/// The output of each stage, computed once, as input for the next stage's benchmark.
struct Stages {
    document: source::Loaded,
    naming: naming::Naming,
    api: ir::Api,
    tokens: Vec<TokenStream>,
    header: String,
}

fn load_stage(spec: &Spec) -> source::Loaded {
    match source::load(&spec.source) {
        Ok(loaded) => loaded,
        Err(errors) => panic!("{} does not load: {errors:?}", spec.name),
    }
}

fn lower_stage(loaded: &source::Loaded, naming: &naming::Naming) -> ir::Api {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    lower::lower(&loaded.document, &loaded.pointed, naming, &mut diagnostics)
}

/// The four Rust files `generate()` emits, in its order.
fn emit_stage(api: &ir::Api, crate_name: &str) -> Vec<TokenStream> {
    vec![
        emit::crate_root(api, crate_name, false),
        emit::client(api),
        emit::models(api),
        emit::operations(api),
    ]
}

fn render_stage(tokens: Vec<TokenStream>, header: &str) -> Vec<String> {
    tokens
        .into_iter()
        .map(|tokens| render::render(tokens, header).expect("generated code renders"))
        .collect()
}

/// Resident memory of this process now and at its peak (`VmRSS`, `VmHWM` in
/// `/proc/self/status`), in MiB; zeros where there is no such file.
fn rss_mib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kib| kib / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Runs every stage once, timing each, and prints the split with the memory held
/// after each stage: the quick answer to "which stage is slow" before criterion's
/// detailed numbers. Render is split further into the steps `render::render` takes
/// (`syn` parse, `prettyplease`, blank lines), as render.rs does them at the time of
/// writing. Stages run one after another here; `generate()` (the `all` benchmark)
/// emits and renders `models.rs` on a second thread alongside the other files.
fn stages(spec: &Spec) -> Stages {
    let started = Instant::now();
    let document = load_stage(spec);
    let load = started.elapsed();
    let after_load = rss_mib();
    let naming = naming::Naming::new(spec.settings.words.iter().cloned());
    let started = Instant::now();
    let api = lower_stage(&document, &naming);
    let lower = started.elapsed();
    let after_lower = rss_mib();
    let started = Instant::now();
    let tokens = emit_stage(&api, &spec.settings.crate_name);
    let emit = started.elapsed();
    let after_emit = rss_mib();
    let header = generator::header(&spec.settings);
    let started = Instant::now();
    let rendered = render_stage(tokens.clone(), &header);
    let render = started.elapsed();
    let after_render = rss_mib();
    let total = load + lower + emit + render;
    let share = |d: Duration| 100.0 * d.as_secs_f64() / total.as_secs_f64().max(1e-9);
    let lines: usize = rendered.iter().map(|text| text.lines().count()).sum();
    eprintln!(
        "{}: one pass {:.1} ms = load {:.1} ms ({:.0}%) + lower {:.1} ms ({:.0}%) + emit {:.1} ms ({:.0}%) + render {:.1} ms ({:.0}%); {} KiB of spec -> {lines} lines of Rust",
        spec.name,
        ms(total),
        ms(load),
        share(load),
        ms(lower),
        share(lower),
        ms(emit),
        share(emit),
        ms(render),
        share(render),
        spec.source.len() / 1024,
    );
    eprintln!(
        "{}: resident MiB (now/peak) after load {}/{}, lower {}/{}, emit {}/{}, render {}/{}",
        spec.name,
        after_load.0,
        after_load.1,
        after_lower.0,
        after_lower.1,
        after_emit.0,
        after_emit.1,
        after_render.0,
        after_render.1,
    );
    let (mut parse, mut unparse) = (Duration::ZERO, Duration::ZERO);
    for tokens in tokens.iter().cloned() {
        let started = Instant::now();
        let file: syn::File = syn::parse2(tokens).expect("generated code parses");
        parse += started.elapsed();
        let started = Instant::now();
        black_box(prettyplease::unparse(&file));
        unparse += started.elapsed();
    }
    eprintln!(
        "{}: render's steps: syn parse {:.1} ms, prettyplease {:.1} ms, the rest (blank lines, header) {:.1} ms",
        spec.name,
        ms(parse),
        ms(unparse),
        ms(render.saturating_sub(parse + unparse)),
    );
    Stages {
        document,
        naming,
        api,
        tokens,
        header,
    }
}

fn configure(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, spec: &Spec) {
    group.throughput(Throughput::Bytes(spec.source.len() as u64));
    if spec.large {
        // One iteration takes a second or more: ten of them, each timed alone.
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(10));
    } else {
        group
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
    }
}

fn bench_spec(c: &mut Criterion, spec: &Spec) {
    let stages = stages(spec);

    let mut group = c.benchmark_group(format!("generate/{}", spec.name));
    configure(&mut group, spec);
    group.bench_function("all", |b| {
        b.iter(|| generator::generate(black_box(&spec.source), &spec.settings).expect("generates"))
    });
    group.finish();

    let mut group = c.benchmark_group(format!("stage/{}", spec.name));
    configure(&mut group, spec);
    group.bench_function("load", |b| b.iter(|| load_stage(black_box(spec))));
    group.bench_function("lower", |b| {
        b.iter(|| lower_stage(black_box(&stages.document), &stages.naming))
    });
    group.bench_function("emit", |b| {
        b.iter(|| emit_stage(black_box(&stages.api), &spec.settings.crate_name))
    });
    group.bench_function("render", |b| {
        b.iter_batched(
            || stages.tokens.clone(),
            |tokens| render_stage(tokens, &stages.header),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then
    // criterion runs each benchmark once as a test: leave out the 13 MB spec there.
    let bench_mode = std::env::args().any(|arg| arg == "--bench");
    let mut specs = vec![imodels()];
    if bench_mode {
        specs.extend(github());
    }
    // `generate()` runs on a thread with a deep stack; the stage functions are called
    // here directly, so give them the same room.
    let worker = std::thread::Builder::new()
        .name("pipeline-bench".to_owned())
        .stack_size(256 << 20)
        .spawn(move || {
            let mut criterion = Criterion::default().configure_from_args();
            for spec in &specs {
                bench_spec(&mut criterion, spec);
            }
            criterion.final_summary();
        })
        .expect("spawn the benchmark thread");
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
}
