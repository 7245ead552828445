//! `lib.rs` of the generated crate: crate docs with a compiling example, module
//! declarations, the crate's names for the runtime's generic types, and re-exports
//! of everything its callers need.

use super::docs::{inner_doc_attrs, prose};
use super::types::type_tokens;
use crate::ir::{Api, Operation, ParamLocation, Paths, TypeDef, TypeKind, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashMap;

pub fn crate_root(api: &Api, crate_name: &str, vendored_runtime: bool) -> TokenStream {
    let title = format!("# {} client", api.title);
    let intro = format!(
        "A typed async client for {} {}, generated from its OpenAPI document. \
         [`Client`] has one method per operation; each returns a [`Request`] \
         that ends in `.send().await`.",
        api.title, api.version
    );
    let example = example(api, crate_name);
    let docs = inner_doc_attrs([
        Some(title),
        prose(api.description.as_deref()),
        Some(intro),
        Some(example),
        returns_section(api),
        features(api),
    ]);
    let error_body = type_tokens(&api.error_body.rust(Paths::InCrate));
    // The body's one name is the model's (`models::ErrorBody`); no alias repeats it.
    let body_link = match &api.error_body {
        TypeRef::Named(name) => format!("[`models::{name}`]"),
        other => format!("`{}`", other.rust(Paths::Short)),
    };
    let error_doc = " Everything that can go wrong calling the API, one variant per way \
         ([`Error::Api`]: an error status the server answered, an [`ApiError`]); \
         its methods are [`runtime::Error`]'s. See [what every method \
         returns](crate#what-every-method-returns).";
    let api_error_doc = format!(
        " An error status the server answered, with its status, headers and raw body, \
         and the body parsed as {body_link} when it is one. Its methods (`status`, \
         `retry_after`, `error_body`, ...) are [`runtime::ApiError`]'s."
    );
    let base_url = api
        .default_base_url
        .as_deref()
        .unwrap_or("http://localhost");
    let runtime = runtime_module(vendored_runtime);
    let client_modules = super::client::reexports(api);
    let root_reexports = ROOT_REEXPORTS.iter().map(|names| {
        let names = names.iter().map(|name| super::ident(name));
        quote! { pub use runtime::{#(#names),*}; }
    });
    // The crates this API's types come from, and only those.
    let crate_reexports = api.dependencies.iter().enumerate().map(|(i, krate)| {
        let doc = (i == 0).then(|| {
            quote! {
                /// Re-exported: the crates this API's types come from, so callers need no
                /// dependency of their own to name them.
            }
        });
        let name = super::ident(krate.name());
        quote! {
            #doc
            pub use ::#name;
        }
    });
    let recursion_limit = recursion_limit(api).map(|limit| {
        let limit = limit.to_string();
        quote! {
            // The types nest deeper than rustc's default limit lets it check them.
            #![recursion_limit = #limit]
        }
    });
    quote! {
        #docs
        #![forbid(unsafe_code)]
        #recursion_limit

        // prettyplease formats the generated modules; rustfmt leaves them alone so that
        // `cargo fmt` never makes the checked-in client stale.
        #[rustfmt::skip]
        pub mod models;
        #[rustfmt::skip]
        pub mod operations;
        #[rustfmt::skip]
        mod client;
        // No outer doc here: `mock.rs`'s own (inner) docs are the module's, and their
        // links resolve in the module only while no outer doc comes first.
        #[cfg(feature = "mock")]
        #[rustfmt::skip]
        pub mod mock;
        #runtime

        // In rustfmt's order (`client::schemes` before `client::{..}`), so that
        // `cargo fmt` leaves the file as generated.
        #client_modules
        pub use client::{Client, Request};
        #(#root_reexports)*
        #(#crate_reexports)*

        /// The first server the spec lists; [`Client::new`] talks to it.
        pub const DEFAULT_BASE_URL: &str = #base_url;

        #[doc = #error_doc]
        pub type Error = runtime::Error<#error_body>;
        #[doc = #api_error_doc]
        pub type ApiError = runtime::ApiError<#error_body>;
        /// The items of a paged list, from [`Request::into_stream`]: a
        /// [`Stream`](runtime::Stream) of results (see [`runtime::ItemStream`]);
        /// [`runtime::StreamExt`] has its combinators.
        pub type ItemStream<T> = runtime::ItemStream<T, #error_body>;
        /// Configures a [`Client`]; from [`Client::builder`]. Its methods (`token_fn`,
        /// `retry_policy`, `timeout`, ...) are [`runtime::ClientBuilder`]'s.
        pub type ClientBuilder = runtime::ClientBuilder<Client>;
        /// A body arriving chunk by chunk, a [`Stream`](runtime::Stream) of
        /// [`Bytes`](runtime::Bytes) results: from
        /// [`Request::send_streaming`], [`Download::into_stream`]; see [`runtime::ByteStream`].
        pub type ByteStream = runtime::ByteStream<#error_body>;
        /// A 2xx answer whose body streams; from [`Request::send_streaming`]. Its
        /// methods (`to_file`, `into_body`, ...) are [`runtime::StreamingResponse`]'s.
        pub type StreamingResponse = runtime::StreamingResponse<#error_body>;
        /// A download from a pre-signed storage URL; from [`Client::download_from`].
        /// Its methods (`to_file`, `on_progress`, `into_stream`, ...) are
        /// [`runtime::Download`]'s.
        pub type Download = runtime::Download<#error_body>;
        /// An upload to a pre-signed storage URL; from [`Client::upload_to`]. Its
        /// methods (`on_progress`, `send`, ...) are [`runtime::Upload`]'s.
        pub type Upload = runtime::Upload<#error_body>;
    }
}

/// The runtime's items the crate root re-exports under their own names (one `use` per
/// group). The runtime's other documented items are in the `runtime` module's docs.
/// The groups are in rustfmt's order and each fits on one line, so `cargo fmt` leaves
/// the checked-in crate as generated.
const ROOT_REEXPORTS: &[&[&str]] = &[
    &["AccessToken", "RawResponse", "ResponseValue"],
    &["RetryPolicy", "WaitPolicy"],
];

/// The `runtime` module: every item of the runtime (generated code names them all
/// through it), with the ones the runtime documents also documented here, inlined, so
/// that the crate's rustdoc shows the generic types behind its aliases
/// ([`ClientBuilder`](runtime::ClientBuilder) and the others) with all their methods,
/// and intra-doc links into `runtime` resolve. Rustdoc (1.95) renders an alias of
/// another crate's type with its methods only through JavaScript, keeps them out of the
/// search index, and does not document another crate's items unless they are
/// re-exported; inlining the whole crate (`#[doc(inline)] pub use ::runtime as
/// runtime`) would also show the items the runtime hides with `#[doc(hidden)] pub
/// use`, as the hiding is on the `use`, not the item.
fn runtime_module(vendored_runtime: bool) -> TokenStream {
    let source = if vendored_runtime {
        quote! { super::runtime_source }
    } else {
        quote! { ::openapi_client_runtime }
    };
    let inlined = runtime_documented_items().iter().map(|(cfgs, names)| {
        let cfgs = cfgs.iter().map(|cfg| {
            cfg.parse::<TokenStream>()
                .expect("a cfg attribute of runtime/src/lib.rs")
        });
        let names = names.iter().map(|name| super::ident(name));
        quote! {
            #[doc(inline)]
            #(#cfgs)*
            pub use #source::{#(#names),*};
        }
    });
    let vendored = vendored_runtime.then(|| {
        quote! {
            // A copy of `openapi-client-runtime` (generated with `--vendor-runtime`).
            #[path = "runtime/mod.rs"]
            mod runtime_source;
        }
    });
    // An outer doc: its links resolve at the crate root.
    let doc = " The runtime these clients share (`openapi-client-runtime`): the generic \
               types behind this crate's aliases, with all their methods ([`ClientBuilder`] \
               is [`runtime::ClientBuilder`]`<Client>`, [`Download`] is \
               [`runtime::Download`]`<E>` of this API's error body, and so on), and the rest of its public \
               API: per-call [`RequestOptions`](runtime::RequestOptions), the error \
               types of each way a call fails ([`DecodeError`](runtime::DecodeError), \
               ...), [`Bytes`](runtime::Bytes), [`Stream`](runtime::Stream) and \
               [`StreamExt`](runtime::StreamExt), and the rest. The items the crate root \
               re-exports ([`RetryPolicy`], [`AccessToken`], ...) are documented there.";
    quote! {
        #vendored
        #[doc = #doc]
        #[rustfmt::skip]
        pub mod runtime {
            #(#inlined)*
            #[doc(hidden)]
            pub use #source::*;
        }
    }
}

/// The names the runtime's `lib.rs` re-exports without `#[doc(hidden)]` and that the
/// crate root does not re-export, grouped by the `cfg` attributes of their `use`
/// (as source text). Read from the runtime's source, which the generator embeds, so a
/// name the runtime adds is documented in every crate generated after it.
fn runtime_documented_items() -> &'static [(Vec<String>, Vec<String>)] {
    static ITEMS: std::sync::OnceLock<Vec<(Vec<String>, Vec<String>)>> = std::sync::OnceLock::new();
    ITEMS.get_or_init(|| {
        let lib = crate::emit::runtime_files::RUNTIME_FILES
            .iter()
            .find(|(_, source, _)| *source == "lib.rs")
            .map(|(_, _, contents)| *contents)
            .expect("the runtime's lib.rs is embedded");
        let file = syn::parse_file(lib).expect("runtime/src/lib.rs parses");
        let at_root: std::collections::HashSet<&str> = ROOT_REEXPORTS
            .iter()
            .flat_map(|names| names.iter().copied())
            .collect();
        let mut groups: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for item in &file.items {
            let syn::Item::Use(item) = item else {
                continue;
            };
            if !matches!(item.vis, syn::Visibility::Public(_)) || is_doc_hidden(&item.attrs) {
                continue;
            }
            let cfgs: Vec<String> = item
                .attrs
                .iter()
                .filter(|attr| attr.path().is_ident("cfg"))
                .map(|attr| quote!(#attr).to_string())
                .collect();
            let mut names = Vec::new();
            use_tree_names(&item.tree, &mut names);
            names.retain(|name| !at_root.contains(name.as_str()));
            if names.is_empty() {
                continue;
            }
            match groups.iter_mut().find(|(c, _)| *c == cfgs) {
                Some((_, group)) => group.extend(names),
                None => groups.push((cfgs, names)),
            }
        }
        for (_, names) in &mut groups {
            names.sort();
            names.dedup();
        }
        groups
    })
}

/// `#[doc(hidden)]` among `attrs`.
fn is_doc_hidden(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("doc")
            && attr
                .parse_args::<syn::Ident>()
                .is_ok_and(|arg| arg == "hidden")
    })
}

/// The names a `use` tree brings in (renamed ones under their new name; not globs).
pub(super) fn use_tree_names(tree: &syn::UseTree, names: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(path) => use_tree_names(&path.tree, names),
        syn::UseTree::Name(name) => {
            if name.ident != "self" {
                names.push(name.ident.to_string());
            }
        }
        syn::UseTree::Rename(rename) => names.push(rename.rename.to_string()),
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                use_tree_names(tree, names);
            }
        }
    }
}

/// What every method returns, said once: each method's doc names only its own body
/// and statuses and links here.
fn returns_section(api: &Api) -> Option<String> {
    if api.operations.is_empty() {
        return None;
    }
    let envelope = api.operations.iter().any(|op| {
        matches!(
            op.success,
            crate::ir::Success::Json {
                envelope: Some(_),
                ..
            }
        )
    });
    let envelope = envelope.then_some(
        " Where the spec wraps the entity in one property of the body (an \
         envelope, `{\"iModel\": {...}}`), `T` is the entity: a body without that property, \
         or with it `null`, is [`Error::UnexpectedShape`](runtime::Error::UnexpectedShape), \
         and [`Request::send_raw`] gives the whole body.",
    );
    Some(format!(
        "# What every method returns\n\n\
         Each [`Client`] method returns a [`Request`]; `.send().await` gives a \
         `Result<_, `[`Error`]`>`:\n\n\
         - On a 2xx status the method's doc names, its body: a JSON body the spec \
         declares is a [`ResponseValue<T>`](ResponseValue), which derefs to the typed `T` \
         and keeps the status and headers (`status()`, `headers()`, `into_inner()`).{} \
         A method whose spec gives no schema returns the [`RawResponse`] (status, headers, \
         body; [`RawResponse::json`] decodes it into a type of yours), and one with a \
         body per status a `ResponseValue` of an enum with a variant per status.\n\
         - On a 2xx the spec does not declare for the method: \
         [`Error::UndeclaredStatus`](runtime::Error::UndeclaredStatus), with the raw \
         response.\n\
         - On any other status: [`Error::Api`](runtime::Error::Api), an [`ApiError`] \
         with the status, headers and raw body, and the spec's error body parsed when it \
         is one ([`ApiError::error_body`](runtime::ApiError::error_body)).\n\
         - Connecting, timing out, decoding, retrying and waiting fail with the other \
         variants of [`Error`] (see [`runtime::Error`]).",
        envelope.unwrap_or_default()
    ))
}

/// The crate's Cargo features, when it has any.
fn features(api: &Api) -> Option<String> {
    let gated = api
        .types
        .iter()
        .filter(|t| t.feature.as_deref() == Some(crate::ir::UNUSED_SCHEMAS_FEATURE))
        .count();
    (gated > 0).then(|| {
        format!(
            "# Features\n\n`{}`: the {gated} model types that no operation uses (such as \
             webhook payloads), for code that handles them on its own. Off by default: \
             the client does not need them, and they take time to compile.",
            crate::ir::UNUSED_SCHEMAS_FEATURE
        )
    })
}

/// A doc-test that builds a client and, when the spec has a simple `GET`, calls it.
fn example(api: &Api, crate_name: &str) -> String {
    let krate = crate_name.replace('-', "_");
    let call = api
        .operations
        .iter()
        .find_map(example_call)
        .map(|call| format!("let response = client{call}.send().await?;\nprintln!(\"{{}}\", response.status());\n"))
        .unwrap_or_default();
    format!(
        "```no_run\n\
         # async fn example() -> Result<(), {krate}::Error> {{\n\
         let client = {krate}::Client::builder()\n    .bearer_token(std::env::var(\"ACCESS_TOKEN\").unwrap_or_default())\n    .build()?;\n\
         {call}\
         # Ok(())\n\
         # }}\n\
         ```"
    )
}

/// `.get_imodels(uuid::Uuid::nil())` for the first GET whose required inputs have
/// simple literal spellings.
fn example_call(op: &Operation) -> Option<String> {
    if op.method != crate::ir::HttpMethod::Get || op.body.as_ref().is_some_and(|b| b.required) {
        return None;
    }
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.required) {
        if p.location == ParamLocation::Cookie {
            return None;
        }
        args.push(match &p.ty {
            TypeRef::Uuid => "uuid::Uuid::nil()".to_owned(),
            TypeRef::String => "\"id\"".to_owned(),
            TypeRef::I32 | TypeRef::I64 => "1".to_owned(),
            TypeRef::U8 | TypeRef::U16 | TypeRef::U32 | TypeRef::U64 => "1".to_owned(),
            TypeRef::Bool => "true".to_owned(),
            _ => return None,
        });
    }
    Some(format!(".{}({})", op.rust_name, args.join(", ")))
}

/// rustc's default `recursion_limit`.
const DEFAULT_RECURSION_LIMIT: usize = 128;

/// A `recursion_limit` for a crate whose types nest deeper than rustc's default lets
/// it check: proving an answer type `Send` walks every type it holds by value, a few
/// steps per level, so a chain of some 64 structs each holding the next, or a type 40
/// `Vec`s deep, fails to build (E0275, "overflow evaluating the requirement"). `None`
/// for the usual crate, whose types nest a few levels.
fn recursion_limit(api: &Api) -> Option<usize> {
    let defs: HashMap<&str, &TypeDef> = api
        .types
        .iter()
        .map(|def| (def.rust_name.as_str(), def))
        .collect();
    let mut depths = Depths {
        defs,
        known: HashMap::new(),
    };
    let deepest = api
        .types
        .iter()
        .map(|def| depths.of_def(def))
        .max()
        .unwrap_or(0);
    // Room for the runtime's own types around the answer.
    let needed = deepest + 64;
    (needed > DEFAULT_RECURSION_LIMIT).then(|| needed.next_power_of_two())
}

/// How many trait-solver steps each type takes, at most, to be proven `Send`: about
/// two per struct or enum level, three per `Vec`, and so on, through aliases.
struct Depths<'a> {
    defs: HashMap<&'a str, &'a TypeDef>,
    /// `None` while a type is being measured: a loop (boxed, or through a `Vec`) is
    /// proven by coinduction and adds nothing more.
    known: HashMap<&'a str, Option<usize>>,
}

impl<'a> Depths<'a> {
    fn of_def(&mut self, def: &'a TypeDef) -> usize {
        let name = def.rust_name.as_str();
        match self.known.get(name) {
            Some(known) => return known.unwrap_or(0),
            None => {
                self.known.insert(name, None);
            }
        }
        let depth = match &def.kind {
            TypeKind::Struct(s) => {
                let mut deepest = 0;
                for f in &s.fields {
                    let wrappers = 2 * usize::from(f.boxed) + usize::from(f.is_option());
                    deepest = deepest.max(wrappers + self.of_ref(&f.ty));
                }
                if let Some(additional) = &s.additional {
                    deepest = deepest.max(4 + self.of_ref(&additional.value));
                }
                2 + deepest
            }
            TypeKind::Union(u) => {
                let mut deepest = 0;
                for v in &u.variants {
                    deepest = deepest.max(2 * usize::from(v.boxed) + self.of_ref(&v.ty));
                }
                2 + deepest
            }
            TypeKind::Alias(target) => self.of_ref(target),
            TypeKind::Enum(_) | TypeKind::IntEnum(_) | TypeKind::Const(_) => 2,
        };
        self.known.insert(name, Some(depth));
        depth
    }

    fn of_ref(&mut self, ty: &'a TypeRef) -> usize {
        match ty {
            TypeRef::Vec(inner) => 3 + self.of_ref(inner),
            TypeRef::Map(inner) => 4 + self.of_ref(inner),
            TypeRef::Nullable(inner) => 1 + self.of_ref(inner),
            TypeRef::Named(name) => match self.defs.get(name.as_str()) {
                Some(def) => self.of_def(def),
                None => 1,
            },
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    /// The root's names are the ones lowering keeps free for it: a model never takes
    /// one (see `naming::CRATE_ROOT`).
    #[test]
    fn the_root_holds_exactly_the_reserved_names() {
        let aliases = [
            "Client",
            "Request",
            "Error",
            "ApiError",
            "ItemStream",
            "ClientBuilder",
            "ByteStream",
            "StreamingResponse",
            "Download",
            "Upload",
        ];
        let mut root: Vec<&str> = super::ROOT_REEXPORTS
            .iter()
            .flat_map(|names| names.iter().copied())
            .chain(aliases)
            .collect();
        root.sort_unstable();
        let mut reserved = crate::naming::CRATE_ROOT.to_vec();
        reserved.sort_unstable();
        assert_eq!(root, reserved);
    }
}
