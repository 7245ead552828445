//! A 3.1 `const` ([`TypeKind::Const`](crate::ir::TypeKind::Const)): a unit struct
//! that is always serialized as its value and checks it when decoded, so a struct
//! field of its type fills itself and the caller never sets it.

use super::docs::one_line;
use crate::ir::Literal;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

pub(super) fn constant(name: &Ident, value: &Literal, attrs: TokenStream) -> TokenStream {
    let (ty, expr, serialize, expected) = match value {
        Literal::Str(s) => (
            quote!(&str),
            quote!(#s),
            quote!(serializer.serialize_str(Self::VALUE)),
            quote!(crate::runtime::ConstValue::Str(Self::VALUE)),
        ),
        Literal::Int(i) => {
            let i = proc_macro2::Literal::i64_suffixed(*i);
            (
                quote!(i64),
                quote!(#i),
                quote!(serializer.serialize_i64(Self::VALUE)),
                quote!(crate::runtime::ConstValue::Int(Self::VALUE)),
            )
        }
        Literal::Bool(b) => (
            quote!(bool),
            quote!(#b),
            quote!(serializer.serialize_bool(Self::VALUE)),
            quote!(crate::runtime::ConstValue::Bool(Self::VALUE)),
        ),
        // Lowering makes constants of strings, integers and booleans only.
        Literal::Float(f) => panic!("a const of a number ({f}) is not lowered to a type"),
    };
    let shown = match value {
        Literal::Str(s) => format!("\"{}\"", one_line(s)),
        Literal::Int(i) => i.to_string(),
        Literal::Bool(b) => b.to_string(),
        Literal::Float(f) => f.to_string(),
    };
    let doc = format!(
        " Always `{shown}` (a `const`): sent as that value without being set, and \
         checked when decoded."
    );
    quote! {
        #attrs
        #[doc = ""]
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct #name;

        impl #name {
            /// The value on the wire.
            pub const VALUE: #ty = #expr;
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #serialize
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::runtime::deserialize_const(deserializer, #expected).map(|()| Self)
            }
        }
    }
}
