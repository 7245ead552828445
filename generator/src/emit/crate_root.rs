//! `lib.rs` of the generated crate: crate docs with a compiling example, module
//! declarations, the crate's names for the runtime's generic types, and re-exports
//! of everything its callers need.

use super::docs::{inner_doc_attrs, prose};
use super::types::type_tokens;
use crate::ir::{Api, Operation, ParamLocation, Paths, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

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
    quote! {
        #docs
        #![forbid(unsafe_code)]

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
        pub use runtime::{DecodeError, RawResponse, ResponseValue};
        pub use runtime::{Jitter, RequestOptions, RetryPolicy};
        pub use runtime::{Progress, RetryContext, UploadBody, WaitError, WaitPolicy};
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
