//! Spelling [`TypeRef`]s as Rust types.

use super::ident;
use crate::ir::TypeRef;
use proc_macro2::TokenStream;
use quote::quote;

/// Where a type is written: inside `models.rs` a model is `IModel`, elsewhere
/// `crate::models::IModel`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Models,
    Elsewhere,
}

/// The Rust type for `ty`. Prelude names (`Option`, `String`, `Vec`) are safe to use
/// unqualified because the naming scope never hands them to a generated type.
pub fn rust_type(ty: &TypeRef, context: Context) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Bool => quote!(bool),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::F32 => quote!(f32),
        TypeRef::F64 => quote!(f64),
        TypeRef::Uuid => quote!(::uuid::Uuid),
        TypeRef::DateTime => quote!(::chrono::DateTime<::chrono::Utc>),
        TypeRef::Date => quote!(::chrono::NaiveDate),
        TypeRef::Bytes => quote!(::bytes::Bytes),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::Vec(inner) => {
            let inner = rust_type(inner, context);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner, context);
            quote!(::std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Nullable(inner) => {
            let inner = rust_type(inner, context);
            quote!(Option<#inner>)
        }
        TypeRef::Named(name) => {
            let name = ident(name);
            match context {
                Context::Models => quote!(#name),
                Context::Elsewhere => quote!(crate::models::#name),
            }
        }
    }
}

/// The argument type a caller passes: `impl Into<String>` for strings, so `&str` works.
pub fn argument_type(ty: &TypeRef, context: Context) -> TokenStream {
    match ty {
        TypeRef::String => quote!(impl Into<String>),
        TypeRef::Bytes => quote!(impl Into<::bytes::Bytes>),
        other => rust_type(other, context),
    }
}

/// Converts an argument of [`argument_type`] into the stored type; `None` when it
/// already is one (so the emitter can use field-init shorthand).
pub fn argument_into(ty: &TypeRef, value: TokenStream) -> Option<TokenStream> {
    match ty {
        TypeRef::String | TypeRef::Bytes => Some(quote!(#value.into())),
        _ => None,
    }
}
