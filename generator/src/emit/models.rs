//! `models.rs`: one Rust type per [`TypeDef`]. Enums and unions are in [`super::enums`].

use super::constants::constant;
use super::docs::{doc_attrs, prose};
use super::enums::{int_enum, string_enum, union};
use super::ident;
use super::types::{argument_into, type_tokens};
use crate::ir::{Access, Api, Field, Literal, Paths, Struct, TypeDef, TypeKind, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

pub fn models(api: &Api) -> TokenStream {
    let defs = api
        .types
        .iter()
        .filter(|t| t.feature.is_none())
        .map(|t| type_def(t, api));
    let gated = gated_modules(api);
    quote! {
        #![doc = " Request and response types, one per schema in the spec."]
        // Spec prose becomes docs as written, deprecated schemas still refer to each
        // other, constructors take every required field, and a field's type is as
        // deep as its schema (arrays of arrays nine levels down).
        #![allow(
            deprecated,
            clippy::derive_partial_eq_without_eq,
            clippy::doc_lazy_continuation,
            clippy::large_enum_variant,
            clippy::too_many_arguments,
            clippy::type_complexity
        )]
        #(#defs)*
        #gated
    }
}

/// What the type carries in webhooks and callbacks (`api.events`): one line each,
/// ``The request body of the `POST` of the `newPet` webhook.``.
fn event_payloads(def: &TypeDef, api: &Api) -> Option<String> {
    let lines: Vec<String> = api
        .events
        .iter()
        .flat_map(|event| {
            event
                .payloads()
                .filter(|(_, payload)| payload.ty.named() == Some(def.rust_name.as_str()))
                .map(move |(what, payload)| {
                    format!(
                        "The {what} (`{}`) of {}.",
                        payload.media_type,
                        event.describe()
                    )
                })
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n\n"))
}

/// Types behind a Cargo feature live in a private module compiled only with it and
/// re-exported, so their paths (`models::WebhookPush`) do not depend on the feature.
fn gated_modules(api: &Api) -> TokenStream {
    api.features()
        .into_iter()
        .map(|feature| {
            let module = ident(&feature.replace('-', "_"));
            let defs = api
                .types
                .iter()
                .filter(|t| t.feature.as_deref() == Some(feature))
                .map(|t| type_def(t, api));
            let doc = format!(" Compiled with the `{feature}` feature.");
            quote! {
                #[cfg(feature = #feature)]
                pub use #module::*;

                #[doc = #doc]
                #[cfg(feature = #feature)]
                mod #module {
                    #[allow(unused_imports)]
                    use super::*;
                    #(#defs)*
                }
            }
        })
        .collect()
}

fn type_def(def: &TypeDef, api: &Api) -> TokenStream {
    crate::diagnostics::guard::at(&def.origin);
    let origin = format!("Generated from `{}`.", def.origin);
    let docs = doc_attrs([
        prose(def.description.as_deref()),
        event_payloads(def, api),
        Some(origin),
    ]);
    let deprecated = def.deprecated.then(|| quote!(#[deprecated]));
    let name = ident(&def.rust_name);
    let attrs = quote!(#docs #deprecated);
    match &def.kind {
        TypeKind::Struct(s) => structure(&name, &def.rust_name, s, attrs),
        TypeKind::Enum(e) => string_enum(&name, e, attrs),
        TypeKind::IntEnum(e) => int_enum(&name, e, attrs),
        TypeKind::Union(u) => union(&name, u, attrs),
        TypeKind::Const(value) => constant(&name, value, attrs),
        TypeKind::Alias(target) => {
            let target = type_tokens(&target.rust(Paths::InModels));
            quote! {
                #attrs
                pub type #name = #target;
            }
        }
    }
}

fn structure(
    name: &proc_macro2::Ident,
    rust_name: &str,
    s: &Struct,
    attrs: TokenStream,
) -> TokenStream {
    let derive_default = !s.fields.iter().any(Field::is_constructor_argument);
    let derives = if derive_default {
        quote!(#[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)])
    };
    let fields = s.fields.iter().map(|f| field(rust_name, f));
    let defaults = s.fields.iter().filter_map(|f| default_fn(rust_name, f));
    let additional = s.additional.as_ref().map(|a| {
        let field = ident(&a.rust_name);
        let ty = type_tokens(&a.declared(Paths::InModels));
        quote! {
            /// Properties the spec does not list, kept as the server sent them.
            #[serde(flatten)]
            pub #field: #ty,
        }
    });
    let constructor = (!derive_default).then(|| constructor(rust_name, s));
    let href = s.href.as_ref().map(|href| {
        let field = ident(&href.rust_name);
        let value = if href.optional {
            quote!(self.#field.as_deref())
        } else {
            quote!(Some(&self.#field))
        };
        quote! {
            /// A link: [`Client::download_from`](crate::Client::download_from),
            /// [`Client::upload_to`](crate::Client::upload_to) and
            /// [`Client::get_link`](crate::Client::get_link) take it as it is.
            impl crate::runtime::Href for #name {
                fn href(&self) -> Option<&str> {
                    #value
                }
            }
        }
    });
    quote! {
        #attrs
        #derives
        pub struct #name {
            #(#fields)*
            #additional
        }
        #constructor
        #href
        #(#defaults)*
    }
}

fn field(struct_name: &str, field: &Field) -> TokenStream {
    let access = match field.access {
        Access::ReadOnly => Some("Read-only: set by the server, never sent.".to_owned()),
        Access::WriteOnly => {
            Some("Write-only: sent in requests, never returned (so never required).".to_owned())
        }
        Access::ReadWrite => None,
    };
    let default = field.default.as_ref().map(|d| {
        if field.default_value.is_some() {
            format!("Defaults to `{d}`: a body without the field decodes as that value.")
        } else {
            format!("Defaults to `{d}`.")
        }
    });
    let tri_state = field.is_tri_state().then(|| {
        "Absent (not sent), `null` or a value: [`Nullable`](crate::runtime::Nullable).".to_owned()
    });
    let constant = field
        .constant
        .then(|| "Filled in: always sent as its `const` value.".to_owned());
    let docs = doc_attrs([
        prose(field.description.as_deref()),
        access,
        default,
        tri_state,
        constant,
    ]);
    let deprecated = field.deprecated.then(|| quote!(#[deprecated]));
    let name = ident(&field.rust_name);
    let ty = type_tokens(&field.declared(Paths::InModels));
    let plain_name = field
        .rust_name
        .strip_prefix("r#")
        .unwrap_or(&field.rust_name);
    let rename = (plain_name != field.wire_name).then(|| {
        let wire = &field.wire_name;
        quote!(rename = #wire,)
    });
    // What a body without the field decodes as: the spec's `default`, else the
    // type's own default for fields that may be absent and are not an `Option`
    // (which serde fills in by itself).
    let default_attr = if field.default_value.is_some() {
        let function = default_fn_name(struct_name, field);
        Some(quote!(default = #function,))
    } else if field.constant
        || field.is_tri_state()
        || (!field.required && field.ty.is_collection())
    {
        Some(quote!(default,))
    } else {
        None
    };
    let skip = if field.access == Access::ReadOnly {
        Some(quote!(skip_serializing,))
    } else if field.constant {
        None
    } else if field.is_tri_state() {
        Some(quote!(
            skip_serializing_if = "crate::runtime::Nullable::is_absent",
        ))
    } else if field.is_option() && !field.required {
        Some(quote!(skip_serializing_if = "Option::is_none",))
    } else if !field.required && field.ty.is_collection() {
        let is_empty = match field.ty {
            TypeRef::Vec(_) => "Vec::is_empty",
            _ => "::std::collections::BTreeMap::is_empty",
        };
        Some(quote!(skip_serializing_if = #is_empty,))
    } else {
        None
    };
    let serde = (rename.is_some() || skip.is_some() || default_attr.is_some())
        .then(|| quote!(#[serde(#rename #default_attr #skip)]));
    quote! {
        #docs
        #deprecated
        #serde
        pub #name: #ty,
    }
}

/// The function serde calls for a field with a `default` that the body leaves out.
fn default_fn_name(struct_name: &str, field: &Field) -> String {
    let plain = field
        .rust_name
        .strip_prefix("r#")
        .unwrap_or(&field.rust_name);
    format!("__default_{struct_name}_{plain}")
}

/// `fn __default_Widget_color() -> Option<WidgetColor>`: the spec's `default` as the
/// field's declared type.
fn default_fn(struct_name: &str, field: &Field) -> Option<TokenStream> {
    let literal = field.default_value.as_ref()?;
    let inner = match &field.ty {
        TypeRef::Nullable(inner) => inner.as_ref(),
        other => other,
    };
    let value = match (literal, inner) {
        (Literal::Str(s), TypeRef::Named(name)) => {
            let name = ident(name);
            quote!(#name::from(#s))
        }
        (Literal::Int(i), TypeRef::Named(name)) => {
            let name = ident(name);
            let i = proc_macro2::Literal::i64_suffixed(*i);
            quote!(#name::from(#i))
        }
        (Literal::Str(s), _) => quote!(String::from(#s)),
        (Literal::Int(i), _) => {
            let i = proc_macro2::Literal::i64_unsuffixed(*i);
            quote!(#i)
        }
        (Literal::Float(f), _) => {
            let f = proc_macro2::Literal::f64_unsuffixed(*f);
            quote!(#f)
        }
        (Literal::Bool(b), _) => quote!(#b),
    };
    let value = if field.boxed {
        quote!(Box::new(#value))
    } else {
        value
    };
    let value = if field.is_tri_state() {
        quote!(crate::runtime::Nullable::Value(#value))
    } else if field.is_option() {
        quote!(Some(#value))
    } else {
        value
    };
    let name = ident(&default_fn_name(struct_name, field));
    let ty = type_tokens(&field.declared(Paths::InModels));
    Some(quote! {
        #[allow(non_snake_case)]
        fn #name() -> #ty {
            #value
        }
    })
}

/// `new(required...)` for structs that cannot derive `Default`; the rest start empty.
fn constructor(type_name: &str, s: &Struct) -> TokenStream {
    let name = ident(type_name);
    let required: Vec<&Field> = s
        .fields
        .iter()
        .filter(|f| f.is_constructor_argument())
        .collect();
    let args = required.iter().map(|f| {
        let arg = ident(&f.rust_name);
        let ty = type_tokens(&f.ty.argument(Paths::InModels));
        quote!(#arg: #ty)
    });
    let inits = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        if f.is_constructor_argument() {
            let value = argument_into(&f.ty, quote!(#field));
            match (value, f.boxed) {
                (Some(value), true) => quote!(#field: Box::new(#value)),
                (None, true) => quote!(#field: Box::new(#field)),
                (Some(value), false) => quote!(#field: #value),
                (None, false) => quote!(#field),
            }
        } else {
            quote!(#field: Default::default())
        }
    });
    let additional = s.additional.as_ref().map(|a| {
        let field = ident(&a.rust_name);
        quote!(#field: Default::default(),)
    });
    let listed = required
        .iter()
        .map(|f| format!("`{}`", f.wire_name))
        .collect::<Vec<_>>()
        .join(", ");
    let doc =
        format!(" A value with the required fields ({listed}) set and every optional field empty.");
    quote! {
        impl #name {
            #[doc = #doc]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits,)* #additional }
            }
        }
    }
}
