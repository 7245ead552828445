//! In `operations.rs`, per operation: the struct of its declared success headers
//! (`<Op>Headers`, a `runtime::ResponseHeaders`) and the enum of its own error
//! bodies (`<Op>Error`), as `lower::response_headers` and `lower::error_bodies`
//! decided them.

use super::docs::{doc_attrs, prose};
use super::ident;
use super::types::type_tokens;
use crate::ir::{Operation, Paths, StatusSpec};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The method's name as docs link it (`get_pet`, without `r#`).
fn method(op: &Operation) -> &str {
    op.rust_name.trim_start_matches("r#")
}

/// The lines the `Client` method's docs give them.
pub(super) fn method_doc(op: &Operation) -> Option<String> {
    let headers = op.response_headers.as_ref().map(|h| {
        format!(
            "Its declared response headers, typed: `response.headers_as::<{0}>()` (see [`{0}`](crate::operations::{0})).",
            h.rust_name
        )
    });
    let errors = op.errors.as_ref().map(|e| {
        format!(
            "Its own error bodies, by status: [`{0}::from_api_error`](crate::operations::{0}::from_api_error) on the [`ApiError`](crate::runtime::ApiError) of an [`Error::Api`](crate::runtime::Error::Api).",
            e.enum_name
        )
    });
    let lines: Vec<String> = headers.into_iter().chain(errors).collect();
    (!lines.is_empty()).then(|| lines.join("\n\n"))
}

/// `<Op>Headers` and its `runtime::ResponseHeaders` impl.
pub(super) fn headers_struct(op: &Operation) -> Option<TokenStream> {
    let headers = op.response_headers.as_ref()?;
    let name = ident(&headers.rust_name);
    let doc = format!(
        " The headers [`Client::{0}`](crate::Client::{0}) declares on success, typed: read them with [`ResponseValue::headers_as`](crate::ResponseValue::headers_as). A declared header that is present but malformed (or required and missing) is a [`HeaderError`](crate::runtime::HeaderError); the raw map is [`ResponseValue::headers`](crate::ResponseValue::headers).",
        method(op)
    );
    let fields = headers.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let ty = type_tokens(&f.ty.rust(Paths::InCrate));
        let ty = if f.required { ty } else { quote!(Option<#ty>) };
        let presence = if f.required { "required" } else { "optional" };
        let docs = match prose(f.description.as_deref()) {
            Some(text) => doc_attrs([Some(format!("`{}` ({presence}): {text}", f.wire_name))]),
            None => doc_attrs([Some(format!("`{}` ({presence}).", f.wire_name))]),
        };
        let deprecated = f.deprecated.then(|| quote!(#[deprecated]));
        quote!(#docs #deprecated pub #field: #ty,)
    });
    let reads = headers.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let wire = &f.wire_name;
        if f.required {
            quote!(#field: runtime::required_response_header(headers, #wire)?,)
        } else {
            quote!(#field: runtime::response_header(headers, #wire)?,)
        }
    });
    Some(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }

        impl runtime::ResponseHeaders for #name {
            fn from_headers(headers: &runtime::HeaderMap) -> Result<Self, runtime::HeaderError> {
                Ok(Self {
                    #(#reads)*
                })
            }
        }
    })
}

/// `<Op>Error`, with `from_api_error`.
pub(super) fn error_enum(op: &Operation) -> Option<TokenStream> {
    let errors = op.errors.as_ref()?;
    let name = ident(&errors.enum_name);
    let doc = format!(
        " The error bodies [`Client::{0}`](crate::Client::{0}) declares, by status: decode one from the [`ApiError`](crate::runtime::ApiError) of an [`Error::Api`](crate::runtime::Error::Api) with [`{1}::from_api_error`] (the error keeps the status and raw body either way).",
        method(op),
        errors.enum_name
    );
    let variants = errors.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let status = status_text(&v.status);
        let description = op
            .responses
            .iter()
            .find(|r| r.status == v.status)
            .map(|r| r.description.as_str());
        let docs = match prose(description) {
            Some(text) => doc_attrs([Some(format!("{status}: {text}"))]),
            None => doc_attrs([Some(status)]),
        };
        match &v.body {
            Some(ty) => {
                let ty = type_tokens(&ty.rust(Paths::InCrate));
                quote!(#docs #variant(#ty),)
            }
            None => quote!(#docs #variant,),
        }
    });
    let undeclared = errors.undeclared.then(|| {
        quote! {
            /// A status the operation declares no response for (the body is on the error).
            Undeclared,
        }
    });
    let arms = errors.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let pattern = match &v.status {
            StatusSpec::Code(code) => {
                let code = Literal::u16_unsuffixed(*code);
                quote!(#code)
            }
            StatusSpec::Range(digit) => {
                let (low, high) = (
                    Literal::u16_unsuffixed(digit * 100),
                    Literal::u16_unsuffixed(digit * 100 + 99),
                );
                quote!(#low..=#high)
            }
            StatusSpec::Default => quote!(_),
        };
        let value = match &v.body {
            Some(_) => quote!(Self::#variant(error.body_as()?)),
            None => quote!(Self::#variant),
        };
        quote!(#pattern => #value,)
    });
    let fallback = errors.undeclared.then(|| quote!(_ => Self::Undeclared,));
    // Only `default`: no status to tell apart.
    let body = match errors.variants.as_slice() {
        [only] if only.status == StatusSpec::Default => {
            let variant = ident(&only.rust_name);
            match &only.body {
                Some(_) => quote!(Ok(Self::#variant(error.body_as()?))),
                None => quote!(Ok(Self::#variant)),
            }
        }
        _ => quote! {
            Ok(match error.status().as_u16() {
                #(#arms)*
                #fallback
            })
        },
    };
    Some(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub enum #name {
            #(#variants)*
            #undeclared
        }

        impl #name {
            /// The body of `error` as the operation declares it for its status
            /// (its code, else its range, else `default`); a body that is not
            /// that type is a [`DecodeError`](crate::runtime::DecodeError).
            #[allow(clippy::match_overlapping_arm)]
            pub fn from_api_error<E>(error: &runtime::ApiError<E>) -> Result<Self, runtime::DecodeError> {
                #body
            }
        }
    })
}

fn status_text(status: &StatusSpec) -> String {
    match status {
        StatusSpec::Code(code) => format!("`{code}`"),
        StatusSpec::Range(digit) => format!("`{digit}XX`"),
        StatusSpec::Default => "`default`".to_owned(),
    }
}
