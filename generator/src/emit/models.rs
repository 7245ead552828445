//! `models.rs`: one Rust type per [`TypeDef`].

use super::docs::{doc_attrs, prose};
use super::ident;
use super::types::{argument_into, argument_type, rust_type, Context};
use crate::ir::{Api, Field, StringEnum, TypeDef, TypeKind, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

pub fn models(api: &Api) -> TokenStream {
    let defs = api.types.iter().map(type_def);
    quote! {
        #![doc = " Request and response types, one per schema in the spec."]
        #![allow(clippy::derive_partial_eq_without_eq)]
        #(#defs)*
    }
}

fn type_def(def: &TypeDef) -> TokenStream {
    let origin = format!("Generated from `{}`.", def.origin);
    let docs = doc_attrs([prose(def.description.as_deref()), Some(origin)]);
    let deprecated = def.deprecated.then(|| quote!(#[deprecated]));
    let name = ident(&def.rust_name);
    match &def.kind {
        TypeKind::Struct(s) => {
            let derive_default = s.fields.iter().all(|f| !f.required || is_optional(&f.ty));
            let derives = if derive_default {
                quote!(#[derive(Debug, Clone, Default, PartialEq, ::serde::Serialize, ::serde::Deserialize)])
            } else {
                quote!(#[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)])
            };
            let fields = s.fields.iter().map(field);
            let constructor = (!derive_default).then(|| constructor(&def.rust_name, &s.fields));
            quote! {
                #docs
                #deprecated
                #derives
                pub struct #name {
                    #(#fields)*
                }
                #constructor
            }
        }
        TypeKind::Enum(e) => string_enum(&name, e, docs, deprecated),
        TypeKind::Alias(target) => {
            let target = rust_type(target, Context::Models);
            quote! {
                #docs
                pub type #name = #target;
            }
        }
    }
}

fn is_optional(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Nullable(_))
}

/// A field's type: `Option<T>` unless required; a required nullable field is already
/// `Option<T>` and is sent as `null`.
fn field_type(field: &Field) -> TokenStream {
    if field.required || is_optional(&field.ty) {
        rust_type(&field.ty, Context::Models)
    } else {
        let inner = rust_type(&field.ty, Context::Models);
        quote!(Option<#inner>)
    }
}

fn field(field: &Field) -> TokenStream {
    let docs = doc_attrs([prose(field.description.as_deref())]);
    let deprecated = field.deprecated.then(|| quote!(#[deprecated]));
    let name = ident(&field.rust_name);
    let ty = field_type(field);
    let plain_name = field
        .rust_name
        .strip_prefix("r#")
        .unwrap_or(&field.rust_name);
    let rename = (plain_name != field.wire_name).then(|| {
        let wire = &field.wire_name;
        quote!(rename = #wire,)
    });
    let skip = (!field.required).then(|| quote!(skip_serializing_if = "Option::is_none",));
    let serde = (rename.is_some() || skip.is_some()).then(|| quote!(#[serde(#rename #skip)]));
    quote! {
        #docs
        #deprecated
        #serde
        pub #name: #ty,
    }
}

/// `new(required...)` for structs that cannot derive `Default`; optional fields start as `None`.
fn constructor(type_name: &str, fields: &[Field]) -> TokenStream {
    let name = ident(type_name);
    let required: Vec<&Field> = fields
        .iter()
        .filter(|f| f.required && !is_optional(&f.ty))
        .collect();
    let args = required.iter().map(|f| {
        let arg = ident(&f.rust_name);
        let ty = argument_type(&f.ty);
        quote!(#arg: #ty)
    });
    let inits = fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        if f.required && !is_optional(&f.ty) {
            match argument_into(&f.ty, quote!(#field)) {
                Some(value) => quote!(#field: #value),
                None => quote!(#field),
            }
        } else {
            quote!(#field: None)
        }
    });
    let listed = required
        .iter()
        .map(|f| format!("`{}`", f.wire_name))
        .collect::<Vec<_>>()
        .join(", ");
    let doc = format!(
        " A value with the required fields ({listed}) set and every optional field `None`."
    );
    quote! {
        impl #name {
            #[doc = #doc]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
        }
    }
}

/// A string enum that survives values added to the API later: unknown values decode
/// into the catch-all variant and encode back unchanged.
fn string_enum(
    name: &proc_macro2::Ident,
    e: &StringEnum,
    docs: TokenStream,
    deprecated: Option<TokenStream>,
) -> TokenStream {
    let unknown = ident(&e.unknown_variant);
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let doc = format!(" `{}`", v.wire_value);
        quote!(#[doc = #doc] #variant,)
    });
    let as_str = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire_value;
        quote!(Self::#variant => #wire,)
    });
    let from_str = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire_value;
        quote!(#wire => Self::#variant,)
    });
    let from_str_owned = from_str.clone();
    quote! {
        #docs
        #deprecated
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            /// A value this client does not know yet, kept as the server sent it.
            #unknown(String),
        }

        impl #name {
            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::#unknown(value) => value,
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    #(#from_str_owned)*
                    _ => Self::#unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <String as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}
