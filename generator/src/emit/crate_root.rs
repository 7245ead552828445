//! `lib.rs` of the generated crate: crate docs with a compiling example, module
//! declarations, the crate-level names the runtime relies on, and re-exports.

use super::docs::{inner_doc_attrs, prose};
use super::types::{rust_type, Context};
use crate::ir::{Api, Operation, ParamLocation, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

pub fn crate_root(api: &Api, crate_name: &str) -> TokenStream {
    let title = format!("# {} client", api.title);
    let intro = format!(
        "A typed async client for {} {}, generated from its OpenAPI document. \
         [`Client`] has one method per operation; each returns a request builder \
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
    let error_body = rust_type(&api.error_body, Context::Elsewhere);
    let base_url = api
        .default_base_url
        .as_deref()
        .unwrap_or("http://localhost");
    quote! {
        #docs
        #![forbid(unsafe_code)]

        // prettyplease formats the generated modules; rustfmt leaves them alone so that
        // `cargo fmt` never makes the checked-in client stale.
        #[rustfmt::skip]
        pub mod models;
        #[rustfmt::skip]
        pub mod operations;
        pub mod runtime;

        pub use runtime::{AccessToken, TokenProvider};
        pub use runtime::{ApiError, DecodeError, Error};
        pub use runtime::{Client, ClientBuilder, RequestOptions, RetryPolicy};
        pub use runtime::{RawResponse, ResponseValue, Success};

        /// The body of non-2xx answers, parsed when it matches; the raw body is always kept.
        pub type ErrorBody = #error_body;

        /// The first server the spec lists; [`Client::new`] talks to it.
        pub const DEFAULT_BASE_URL: &str = #base_url;
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
