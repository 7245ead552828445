//! Reads an OpenAPI document and emits a typed async Rust client crate.
//!
//! The pipeline, one folder per stage, each reading only the one before it (and the
//! shared services):
//!
//! ```text
//!  spec text + overlays
//!    -> source    text -> typed document: parse, overlays, Swagger 2.0 -> 3.0,
//!                 3.1 -> 3.0, lenient repairs, $refs (one walker: source::structure)
//!    -> lower     typed document -> IR: every naming and typing decision
//!    -> ir        the model: plain data the emitter reads, nothing else
//!    -> emit      IR -> token streams -> formatted files (emit::render), Cargo.toml
//!    -> changes   IR -> API summary (api.yaml), old summary vs new -> change report
//!
//!  shared:  diagnostics  Diagnostic(s), JSON pointers, locating (line, overlay,
//!                        Swagger 2.0 source), the panic guard
//!           naming       Rust names: case, compound words, keywords, the runtime's
//!                        reserved names
//! ```
//!
//! [`generate`] runs them all (and [`lower_source`] the first two); the xtask and the
//! tests call them. The pipeline is in this file, from [`generate`] down.

#![warn(unreachable_pub)]

pub mod changes;
pub mod diagnostics;
pub mod emit;
pub mod ir;
pub mod lower;
pub mod naming;
pub mod source;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use runtime_files::runtime_version;

use changes::surface;
use diagnostics::guard;
use emit::{render, runtime_files};
use source::overlay;

use indexmap::IndexMap;

/// The generated crate's API summary (see [`surface`]), relative to the crate root.
pub const SURFACE_FILE: &str = "api.yaml";

/// What to generate and how to label it.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The package name of the generated crate.
    pub crate_name: String,
    pub crate_version: String,
    /// The spec's path as it should appear in messages and headers.
    pub spec_path: String,
    /// The command that regenerates the output, named in every file's header.
    pub command: String,
    /// Compound words kept whole in identifiers (`iModel`), beside those the document
    /// spells itself (see `words`); see [`naming`].
    pub words: Vec<String>,
    /// Words the document spells that should still be split (`xCoordinate`).
    pub split_words: Vec<String>,
    /// Rust names for schemas the general naming rules name poorly, by JSON pointer
    /// (`#/components/schemas/Error/properties/error` -> `ErrorInfo`), as typify's
    /// `TypeSpacePatch` does; a pointer that names no generated type is a warning.
    pub renames: Vec<(String, String)>,
    /// Adds an empty `[workspace]` so the crate builds outside any workspace.
    pub standalone: bool,
    /// Where the generated crate gets the runtime from.
    pub runtime: RuntimeDependency,
    /// The `[dev-dependencies]` of a crate with tests of its own, as manifest lines
    /// (`name = requirement`): `generated-client`'s. Empty for a crate without tests,
    /// which then depends on nothing it does not use.
    pub dev_dependencies: Vec<String>,
    /// Puts the types no operation uses behind the `unused-schemas` Cargo feature
    /// (see [`lower::gate_unused_schemas`]); for documents like GitHub's, whose
    /// webhook payloads are most of the types.
    pub gate_unused_schemas: bool,
    /// Overlays applied to the spec, in this order, before anything else reads it
    /// (see [`overlay`]); named in every file's header.
    pub overlays: Vec<overlay::OverlaySource>,
}

impl Settings {
    /// Settings for crate `crate_name` from the spec at `spec_path`, as
    /// `cargo xtask codegen --spec --out` starts from: version 0.1.0, a standalone
    /// crate depending on the runtime by version, no tests, no overlays, no naming
    /// words or renames. Change what differs with struct update syntax.
    pub fn new(crate_name: impl Into<String>, spec_path: impl Into<String>) -> Self {
        Self {
            crate_name: crate_name.into(),
            crate_version: "0.1.0".to_owned(),
            spec_path: spec_path.into(),
            command: "cargo xtask codegen".to_owned(),
            words: Vec::new(),
            split_words: Vec::new(),
            renames: Vec::new(),
            standalone: true,
            runtime: RuntimeDependency::Version(runtime_version().to_owned()),
            dev_dependencies: Vec::new(),
            gate_unused_schemas: false,
            overlays: Vec::new(),
        }
    }
}

/// How a generated crate gets `openapi-client-runtime`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeDependency {
    /// A path dependency, relative to the generated crate's directory
    /// (`../runtime` for `generated-client`).
    Path(String),
    /// A version requirement, for a runtime taken from a registry.
    Version(String),
    /// A copy of the runtime's sources in `src/runtime/` and its dependencies in
    /// the crate's manifest: the crate needs nothing else (`--vendor-runtime`).
    Vendored,
}

/// The generated crate: relative path -> file contents, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFiles {
    pub files: IndexMap<String, String>,
    /// Warnings about items that were generated with a fallback.
    pub warnings: Diagnostics,
    /// The compound words names kept whole (configured, or spelled by the document).
    pub words: Vec<String>,
}

impl GeneratedFiles {
    /// The same crate with package version `version` in its `Cargo.toml`: what
    /// generating again with `Settings::crate_version = version` gives, without doing it
    /// (`cargo xtask codegen` bumps the version after it has seen the API change).
    pub fn with_version(mut self, version: &str) -> Self {
        if let Some(manifest) = self.files.get_mut("Cargo.toml") {
            *manifest = emit::with_package_version(manifest, version);
        }
        self
    }
}

/// A spec file's bytes as text, or the error for the first byte that is not UTF-8,
/// located (line, column, the line shown) in `spec_path`. A UTF-8 byte-order mark is
/// kept here and skipped by the parser.
pub fn decode_source<'b>(bytes: &'b [u8], spec_path: &str) -> Result<&'b str, Diagnostics> {
    source::decode(bytes).map_err(|diagnostic| {
        let mut diagnostics = Diagnostics::new(spec_path);
        diagnostics.push(diagnostic);
        // The line as far as it can be shown: the bad byte becomes U+FFFD.
        diagnostics.locate(&String::from_utf8_lossy(bytes));
        diagnostics
    })
}

/// Loads, lowers and emits `source`. On error nothing is generated and every problem
/// found comes back, located in `source`.
pub fn generate(source: &str, settings: &Settings) -> Result<GeneratedFiles, Diagnostics> {
    with_deep_stack(|| {
        guard::catch(|| generate_on_this_thread(source, settings))
            .unwrap_or_else(|panic| Err(panic.into_diagnostics(&settings.spec_path, source)))
    })
}

/// Stack for the pipeline. Typing a document recurses through serde's untagged and
/// flattened types several frames per nesting level; the parsers allow 128 levels,
/// which can exceed a default 2 MiB thread stack in debug builds. Only the pages
/// used are committed, so a generous reservation costs nothing.
const PIPELINE_STACK: usize = 256 << 20;

/// Runs `work` on a scoped thread with [`PIPELINE_STACK`], or on this thread if the
/// OS refuses to create one. A panic in `work` is resumed here unchanged.
fn with_deep_stack<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let slot = std::sync::Mutex::new(Some(work));
    let take = || slot.lock().ok().and_then(|mut work| work.take());
    let result = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("openapi-pipeline".to_owned())
            .stack_size(PIPELINE_STACK)
            .spawn_scoped(scope, || take().map(|work| work()));
        match spawned.map(|handle| handle.join()) {
            Ok(Ok(result)) => result,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => None,
        }
    });
    match result.or_else(|| take().map(|work| work())) {
        Some(result) => result,
        None => unreachable!("the work runs on the worker or, failing that, here"),
    }
}

/// Path and text (or the internal error) of each Rust file.
type RenderedFiles = [(&'static str, Result<String, String>); 5];

/// The Rust files, in order, and the API surface text. `models.rs` is emitted
/// and rendered on a second thread while this one does the rest: for a big document
/// the two halves take about as long as each other, and token streams cannot cross
/// threads, so each file is built where it is rendered.
fn emit_and_render(
    api: &ir::Api,
    settings: &Settings,
    header: &str,
    source: &str,
) -> (RenderedFiles, String) {
    let models = || render::render(emit::models(api), header);
    // On its own thread, a panic is caught there, where its place is known.
    let models_guarded = || guard::catch(models);
    let (lib, client, models, operations, mocks, surface) = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("render-models".to_owned())
            .stack_size(PIPELINE_STACK)
            .spawn_scoped(scope, models_guarded);
        let vendored = settings.runtime == RuntimeDependency::Vendored;
        let lib = render::render(
            emit::crate_root(api, &settings.crate_name, vendored),
            header,
        );
        let client = render::render(emit::client(api), header);
        let operations = render::render(emit::operations(api), header);
        let mocks = render::render(emit::mocks(api), header);
        let surface = surface::Surface::of(api)
            .with_spec(&spec_text(source, &settings.overlays))
            .to_text(header);
        let models = match worker {
            Ok(handle) => match handle.join() {
                Ok(Ok(models)) => models,
                Ok(Err(panic)) => guard::rethrow(panic),
                Err(panic) => std::panic::resume_unwind(panic),
            },
            // No second thread to be had: do it here.
            Err(_) => models(),
        };
        (lib, client, models, operations, mocks, surface)
    });
    let files = [
        ("src/lib.rs", lib),
        ("src/client.rs", client),
        ("src/models.rs", models),
        ("src/operations.rs", operations),
        ("src/mock.rs", mocks),
    ];
    (files, surface)
}

fn generate_on_this_thread(
    source: &str,
    settings: &Settings,
) -> Result<GeneratedFiles, Diagnostics> {
    let api = lower_source_on_this_thread(source, settings)?;
    let warnings = api.1;
    let api = api.0;
    let header = header(settings);
    let mut files = IndexMap::new();
    let description = format!("Typed async client for {} {}", api.title, api.version);
    let manifest = emit::cargo_toml(
        &settings.crate_name,
        &settings.crate_version,
        &description,
        &header,
        settings.standalone,
        &settings.runtime,
        &api.dependencies,
        &api.features(),
        &settings.dev_dependencies,
    );
    files.insert("Cargo.toml".to_owned(), manifest);
    let (rendered, surface_text) = emit_and_render(&api, settings, &header, source);
    for (path, text) in rendered {
        let text = text.map_err(|message| {
            let mut diagnostics = Diagnostics::new(&settings.spec_path);
            diagnostics.push(Diagnostic::error(
                "#",
                format!("internal error in {path}: {message}"),
            ));
            diagnostics
        })?;
        files.insert(path.to_owned(), text);
    }
    files.insert(SURFACE_FILE.to_owned(), surface_text);
    if settings.runtime == RuntimeDependency::Vendored {
        for (name, source, contents) in runtime_files::RUNTIME_FILES {
            let runtime_header = format!("{header} Copied from runtime/src/{source}.");
            files.insert(
                format!("src/runtime/{name}"),
                format!("// {runtime_header}\n{contents}"),
            );
        }
    }
    let words = api.words.clone();
    Ok(GeneratedFiles {
        files,
        warnings,
        words,
    })
}

/// Loads and lowers `source` into the IR, with the warnings found on the way.
pub fn lower_source(
    source: &str,
    settings: &Settings,
) -> Result<(ir::Api, Diagnostics), Diagnostics> {
    with_deep_stack(|| {
        guard::catch(|| lower_source_on_this_thread(source, settings))
            .unwrap_or_else(|panic| Err(panic.into_diagnostics(&settings.spec_path, source)))
    })
}

fn lower_source_on_this_thread(
    source: &str,
    settings: &Settings,
) -> Result<(ir::Api, Diagnostics), Diagnostics> {
    let mut diagnostics = Diagnostics::new(&settings.spec_path);
    let (loaded, provenance) = source::load_overlaid(source, &settings.overlays);
    let locate = |diagnostics: &mut Diagnostics| {
        diagnostics::locate::locate_overlaid(diagnostics, source, &provenance, &settings.overlays)
    };
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(items) => {
            diagnostics.items = items;
            locate(&mut diagnostics);
            return Err(diagnostics);
        }
    };
    let mut words: Vec<String> = settings.words.clone();
    words.extend(loaded.words.iter().cloned());
    words.retain(|word| !settings.split_words.contains(word));
    words.sort();
    words.dedup();
    let naming = naming::Naming::new(words.iter().cloned()).with_renames(&settings.renames);
    diagnostics.items.extend(loaded.warnings);
    let mut api = lower::lower(
        &loaded.document,
        &loaded.pointed,
        &naming,
        &mut diagnostics.items,
    );
    api.words = words;
    if settings.gate_unused_schemas {
        lower::gate_unused_schemas(&mut api);
    }
    if diagnostics.has_errors() {
        diagnostics.keep_first_error_per_place();
        locate(&mut diagnostics);
        return Err(diagnostics);
    }
    locate(&mut diagnostics);
    Ok((api, diagnostics))
}

/// `@generated by `cargo xtask codegen` from spec/imodels.yaml; do not edit.`, with
/// ` with overlays a.yaml, b.yaml` after the spec when there are any, so a reviewer
/// sees that the code holds more than the spec.
pub fn header(settings: &Settings) -> String {
    format!(
        "@generated by `{}` from {}; do not edit.",
        settings.command,
        sources(settings)
    )
}

/// The spec's path, then the overlays applied to it: `spec/imodels.yaml with overlay
/// spec/overlays/10-create-operation.yaml`.
pub fn sources(settings: &Settings) -> String {
    let overlays: Vec<&str> = settings.overlays.iter().map(|o| o.path.as_str()).collect();
    match overlays.as_slice() {
        [] => settings.spec_path.clone(),
        [one] => format!("{} with overlay {one}", settings.spec_path),
        many => format!("{} with overlays {}", settings.spec_path, many.join(", ")),
    }
}

/// The text whose digest says whether the API's source changed: the spec, then each
/// overlay's path and text (the spec alone when there are none, as before overlays).
fn spec_text<'s>(
    source: &'s str,
    overlays: &[overlay::OverlaySource],
) -> std::borrow::Cow<'s, str> {
    if overlays.is_empty() {
        return source.into();
    }
    let mut text = source.to_owned();
    for overlay in overlays {
        text.push_str(&format!("\n# overlay {}\n{}", overlay.path, overlay.text));
    }
    text.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_version_is_what_generating_with_it_gives() {
        let source = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses: {'204': {description: ok}}\n";
        let settings = |version: &str| Settings {
            crate_version: version.to_owned(),
            command: "test".to_owned(),
            runtime: RuntimeDependency::Path("../runtime".to_owned()),
            dev_dependencies: vec!["tokio = \"1\"".to_owned()],
            ..Settings::new("versioned", "spec.yaml")
        };
        let old = generate(source, &settings("0.1.0")).expect("generates");
        let new = generate(source, &settings("0.2.0")).expect("generates");
        assert!(new.files["Cargo.toml"].contains("\nversion = \"0.2.0\"\n"));
        assert_ne!(old, new);
        assert_eq!(old.with_version("0.2.0"), new);
    }
}
