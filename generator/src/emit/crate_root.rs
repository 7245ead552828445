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
        features(api),
    ]);
    let error_body = type_tokens(&api.error_body.rust(Paths::InCrate));
    let base_url = api
        .default_base_url
        .as_deref()
        .unwrap_or("http://localhost");
    let runtime = if vendored_runtime {
        quote! {
            // A copy of `openapi-client-runtime` (generated with `--vendor-runtime`).
            #[doc(hidden)]
            pub mod runtime;
        }
    } else {
        quote! {
            #[doc(hidden)]
            pub use ::openapi_client_runtime as runtime;
        }
    };
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
        /// Typed mocks for tests (the `mock` feature).
        #[cfg(feature = "mock")]
        #[rustfmt::skip]
        pub mod mock;
        #runtime

        pub use client::{Client, Request};
        pub use runtime::{AccessToken, BoxError, TokenProvider};
        pub use runtime::{Bytes, HeaderMap, StatusCode};
        pub use runtime::{DeadlineError, DecodeError, PaginationError, TransferError};
        pub use runtime::{Jitter, RequestOptions, RetryPolicy};
        pub use runtime::{Progress, RetryContext, UploadBody, WaitError, WaitPolicy};
        pub use runtime::{RawResponse, ResponseValue};
        pub use runtime::{Stream, StreamExt};
        /// Re-exported: the crates this API's types come from, so callers need no
        /// dependency of their own to name them.
        pub use ::chrono;
        pub use ::serde_json;
        pub use ::uuid;

        /// The body of non-2xx answers, parsed when it matches; the raw body is always kept.
        pub type ErrorBody = #error_body;

        /// The first server the spec lists; [`Client::new`] talks to it.
        pub const DEFAULT_BASE_URL: &str = #base_url;

        /// Everything that can go wrong calling the API.
        pub type Error = runtime::Error<ErrorBody>;
        /// A non-2xx answer, with its body parsed as [`ErrorBody`] when it is one.
        pub type ApiError = runtime::ApiError<ErrorBody>;
        /// The items of a paged list, from [`Request::into_stream`].
        pub type ItemStream<T> = runtime::ItemStream<T, ErrorBody>;
        /// Configures a [`Client`]; from [`Client::builder`].
        pub type ClientBuilder = runtime::ClientBuilder<Client>;
        /// A body arriving chunk by chunk: [`Request::send_streaming`], [`Download::into_stream`].
        pub type ByteStream = runtime::ByteStream<ErrorBody>;
        /// A 2xx answer whose body streams; from [`Request::send_streaming`].
        pub type StreamingResponse = runtime::StreamingResponse<ErrorBody>;
        /// A download from a pre-signed storage URL; from [`Client::download_from`].
        pub type Download = runtime::Download<ErrorBody>;
        /// An upload to a pre-signed storage URL; from [`Client::upload_to`].
        pub type Upload = runtime::Upload<ErrorBody>;

    }
}

/// The crate's Cargo features, when it has any.
fn features(api: &Api) -> Option<String> {
    let gated = api
        .types
        .iter()
        .filter(|t| t.feature.as_deref() == Some(crate::lower::UNUSED_SCHEMAS_FEATURE))
        .count();
    (gated > 0).then(|| {
        format!(
            "# Features\n\n`{}`: the {gated} model types that no operation uses (such as \
             webhook payloads), for code that handles them on its own. Off by default: \
             the client does not need them, and they take time to compile.",
            crate::lower::UNUSED_SCHEMAS_FEATURE
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
            TypeKind::Enum(_) | TypeKind::IntEnum(_) => 2,
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
