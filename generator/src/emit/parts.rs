//! Multipart bodies in `operations.rs`: the struct of an operation's parts, and
//! the statements that turn it into a `runtime::Multipart`. Every decision
//! (part kinds, names, content types) is the IR's ([`crate::ir::MultipartBody`]).

use super::docs::{doc_attrs, prose};
use super::ident;
use super::types::type_tokens;
use crate::ir::{Operation, PartField, PartKind, Paths, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

/// `pub struct UploadDocumentBody { ... }`, for an operation with a multipart body.
pub(super) fn parts_struct(op: &Operation) -> Option<TokenStream> {
    let body = op.body.as_ref()?;
    let parts = body.multipart.as_ref()?;
    let name = ident(&parts.rust_name);
    let plain = op.rust_name.trim_start_matches("r#");
    let docs = doc_attrs([Some(format!(
        "The parts of the `{}` body of [`Client::{plain}`](crate::Client::{plain}), one per property, sent in this order.",
        body.media_type
    ))]);
    let fields = parts.parts.iter().map(|part| {
        let field = ident(&part.rust_name);
        let ty = type_tokens(&part.ty.rust(Paths::InCrate));
        let docs = doc_attrs([Some(part_doc(part)), prose(part.description.as_deref())]);
        quote! {
            #docs
            pub #field: #ty,
        }
    });
    let headers = parts.headers_field.as_ref().map(|field| {
        let field = ident(field);
        let declared: Vec<String> = parts
            .parts
            .iter()
            .filter(|part| !part.headers.is_empty())
            .map(|part| {
                let names: Vec<String> = part.headers.iter().map(|h| format!("`{h}`")).collect();
                format!("`{}`: {}", part.wire_name, names.join(", "))
            })
            .collect();
        let docs = doc_attrs([Some(format!(
            "Headers of the parts, by part name, as the spec's `encoding` declares them ({}).",
            declared.join("; ")
        ))]);
        quote! {
            #docs
            pub #field: crate::runtime::PartHeaders,
        }
    });
    Some(quote! {
        #docs
        #[derive(Debug, Clone)]
        pub struct #name {
            #(#fields)*
            #headers
        }
    })
}

/// `` `file` (a file part, `application/octet-stream`; may carry the headers `X-Checksum`). ``
fn part_doc(part: &PartField) -> String {
    let kind = match (part.kind, part.repeated) {
        (PartKind::Text, false) => "a text part",
        (PartKind::Text, true) => "a text part per item",
        (PartKind::Json, _) => "a JSON part",
        (PartKind::File, false) => "a file part",
        (PartKind::File, true) => "a file part per item",
    };
    let headers = if part.headers.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = part.headers.iter().map(|h| format!("`{h}`")).collect();
        format!("; may carry the headers {}", names.join(", "))
    };
    format!(
        "`{}` ({kind}, `{}`{headers}).",
        part.wire_name, part.content_type
    )
}

/// The statements that set the request's multipart body from `body`, an
/// expression of a reference to the parts struct.
pub(super) fn body_statement(op: &Operation, body: TokenStream) -> TokenStream {
    let Some(request_body) = &op.body else {
        return TokenStream::new();
    };
    let media = &request_body.media_type;
    let Some(parts) = &request_body.multipart else {
        // The spec names no parts: the caller's `runtime::Parts`, as given.
        return quote! {
            let mut parts = runtime::Multipart::new(#media);
            parts.extend(#body);
            request.multipart(parts);
        };
    };
    let statements = parts.parts.iter().map(|part| {
        let field = ident(&part.rust_name);
        let name = &part.wire_name;
        let content_type = &part.content_type;
        let spec = quote!(&runtime::PartSpec { name: #name, content_type: #content_type });
        match part.kind {
            PartKind::Text => quote!(parts.text(#spec, &body.#field)?;),
            PartKind::Json => quote!(parts.json(#spec, &body.#field)?;),
            PartKind::File => match &part.ty {
                TypeRef::Vec(_) => quote! {
                    for file in &body.#field {
                        parts.file(#spec, file);
                    }
                },
                TypeRef::Nullable(_) => quote! {
                    if let Some(file) = &body.#field {
                        parts.file(#spec, file);
                    }
                },
                _ => quote!(parts.file(#spec, &body.#field);),
            },
        }
    });
    let headers = parts.headers_field.as_ref().map(|field| {
        let field = ident(field);
        quote!(parts.part_headers(&body.#field);)
    });
    quote! {
        let body = #body;
        let mut parts = runtime::Multipart::new(#media);
        #(#statements)*
        #headers
        request.multipart(parts);
    }
}
