//! String enums, integer enums and unions, each able to hold values the spec does not
//! list yet, so a new server value never breaks decoding.

use super::docs::one_line;
use super::ident;
use super::types::type_tokens;
use crate::ir::{IntEnum, Paths, StringEnum, Union};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

pub(super) fn string_enum(name: &Ident, e: &StringEnum, attrs: TokenStream) -> TokenStream {
    let unknown = ident(&e.unknown_variant);
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let doc = format!(" `{}`", one_line(&v.wire_value));
        quote!(#[doc = #doc] #variant,)
    });
    let as_str = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire_value;
        quote!(Self::#variant => #wire,)
    });
    let known = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire_value;
        quote!(#wire => Some(Self::#variant),)
    });
    quote! {
        #attrs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this client does not know yet, kept as the server sent it
            /// (only parsing makes one: a value listed here is its variant).
            #unknown(crate::runtime::UnknownValue),
        }

        impl #name {
            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::#unknown(value) => value.as_str(),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl crate::runtime::StrEnum for #name {
            fn known(value: &str) -> Option<Self> {
                match value {
                    #(#known)*
                    _ => None,
                }
            }
            fn unknown(value: crate::runtime::UnknownValue) -> Self {
                Self::#unknown(value)
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                crate::runtime::parse_str_enum(value)
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                crate::runtime::parse_str_enum(value)
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
                crate::runtime::deserialize_str_enum(deserializer)
            }
        }
    }
}

pub(super) fn int_enum(name: &Ident, e: &IntEnum, attrs: TokenStream) -> TokenStream {
    let unknown = ident(&e.unknown_variant);
    let variants = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let doc = format!(" `{}`", v.value);
        quote!(#[doc = #doc] #variant,)
    });
    let to_value = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let value = Literal::i64_unsuffixed(v.value);
        quote!(Self::#variant => #value,)
    });
    let known = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let value = Literal::i64_unsuffixed(v.value);
        quote!(#value => Some(Self::#variant),)
    });
    quote! {
        #attrs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this client does not know yet, kept as the server sent it
            /// (only parsing makes one: a value listed here is its variant).
            #unknown(crate::runtime::UnknownInt),
        }

        impl #name {
            /// The value as it is sent on the wire.
            pub fn value(self) -> i64 {
                match self {
                    #(#to_value)*
                    Self::#unknown(value) => value.value(),
                }
            }
        }

        impl crate::runtime::IntEnum for #name {
            fn known(value: i64) -> Option<Self> {
                match value {
                    #(#known)*
                    _ => None,
                }
            }
            fn unknown(value: crate::runtime::UnknownInt) -> Self {
                Self::#unknown(value)
            }
        }

        impl From<i64> for #name {
            fn from(value: i64) -> Self {
                crate::runtime::parse_int_enum(value)
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value(), f)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <i64 as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}

pub(super) fn union(name: &Ident, u: &Union, attrs: TokenStream) -> TokenStream {
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let ty = type_tokens(&v.declared(Paths::InModels));
        let doc = (!v.tags.is_empty()).then(|| {
            let tags: Vec<String> = v
                .tags
                .iter()
                .map(|t| format!("`{}`", one_line(t)))
                .collect();
            let text = format!(" Selected by {}.", tags.join(", "));
            quote!(#[doc = #text])
        });
        quote!(#doc #variant(#ty),)
    });
    let (Some(tag), Some(unknown)) = (&u.discriminator, &u.unknown_variant) else {
        if u.variants.iter().any(|v| v.shape.is_some()) {
            return shaped_union(name, u, attrs, variants);
        }
        return quote! {
            #attrs
            #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
            #[serde(untagged)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
            }
        };
    };
    let unknown = ident(unknown);
    let unknown_doc = format!(
        " A `{}` this client does not know yet, kept as JSON.",
        one_line(tag)
    );
    let serialize_arms = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let tags = &v.tags;
        quote!(Self::#variant(value) => crate::runtime::serialize_tagged(value, #tag, &[#(#tags),*], serializer),)
    });
    let deserialize_arms = u.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let tags = v.tags.iter().map(|t| quote!(Some(#t)));
        let wrap = if v.boxed {
            quote!(|value| Self::#variant(Box::new(value)))
        } else {
            quote!(Self::#variant)
        };
        quote! {
            #(#tags)|* => ::serde_json::from_value(value).map(#wrap).map_err(::serde::de::Error::custom),
        }
    });
    let rule = format!(
        " Chosen by its `{}`; each variant is sent with one of its tags there.",
        one_line(tag)
    );
    quote! {
        #attrs
        #[doc = ""]
        #[doc = #rule]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_doc]
            #unknown(::serde_json::Value),
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                    Self::#unknown(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#tag).and_then(::serde_json::Value::as_str).map(str::to_owned);
                match tag.as_deref() {
                    #(#deserialize_arms)*
                    _ => Ok(Self::#unknown(value)),
                }
            }
        }
    }
}

/// An untagged union with object variants: serialized as the variant it holds,
/// decoded by trying variants in the order `runtime::variant_order` gives for the
/// body (see `lower::types::unions`).
fn shaped_union(
    name: &Ident,
    u: &Union,
    attrs: TokenStream,
    variants: impl Iterator<Item = TokenStream>,
) -> TokenStream {
    let rule = " Decoded as the first variant that fits, tried in this order: the object \
                variants whose required properties the body all has and that declare some \
                of its properties, the one declaring the most first (ties: more required \
                properties, then the order above); then the variants that are not plain \
                objects; then the other object variants, those missing a required \
                property last.";
    let shapes = u.variants.iter().map(|v| match &v.shape {
        Some(shape) => {
            let required = &shape.required;
            let properties = &shape.properties;
            quote!(Some(crate::runtime::VariantShape {
                required: &[#(#required),*],
                properties: &[#(#properties),*],
            }))
        }
        None => quote!(None),
    });
    let arms = u.variants.iter().enumerate().map(|(index, v)| {
        let variant = ident(&v.rust_name);
        let wrap = if v.boxed {
            quote!(|value| Self::#variant(Box::new(value)))
        } else {
            quote!(Self::#variant)
        };
        quote!(#index => ::serde_json::from_value(value.clone()).map(#wrap),)
    });
    let count = u.variants.len();
    let message = format!("the body matches no variant of `{name}`");
    quote! {
        #attrs
        #[doc = ""]
        #[doc = #rule]
        #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
        #[serde(untagged)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const SHAPES: [Option<crate::runtime::VariantShape>; #count] = [#(#shapes),*];
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                for index in crate::runtime::variant_order(&value, &SHAPES) {
                    let decoded: Result<Self, ::serde_json::Error> = match index {
                        #(#arms)*
                        _ => continue,
                    };
                    if let Ok(decoded) = decoded {
                        return Ok(decoded);
                    }
                }
                Err(::serde::de::Error::custom(#message))
            }
        }
    }
}
