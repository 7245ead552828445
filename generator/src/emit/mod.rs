//! Stage 3: IR -> token streams, one per generated Rust file, formatted by [`render`];
//! the manifest ([`cargo_toml`]) and the runtime's files for `--vendor-runtime`. Never
//! looks at the OpenAPI document; everything it needs is in [`crate::ir`].

mod cargo_toml;
mod client;
mod constants;
mod crate_root;
mod docs;
mod enums;
mod mocks;
mod models;
mod operations;
mod parts;
mod public_items;
pub mod render;
mod response_types;
pub(crate) mod runtime_files;
mod schemes;
mod servers;
mod types;
mod waiters;

pub use cargo_toml::{cargo_toml, with_package_version};
pub use client::client;
pub use crate_root::crate_root;
pub(crate) use mocks::mocks;
pub use models::models;
pub use operations::operations;
pub use public_items::duplicate_public_names;

use proc_macro2::{Ident, Span};

/// An identifier from an IR name, honouring the `r#` prefix the naming module adds.
pub(crate) fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}
