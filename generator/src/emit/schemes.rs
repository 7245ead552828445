//! The generated `schemes` module: one constant per security scheme of the spec,
//! named after its key (`api_key` -> `API_KEY`), typed by how its credential
//! travels, and the statement that gives each operation its requirement.
//!
//! Constants rather than a builder method per scheme: a scheme's key can be any
//! string, and a method named after it could collide with the builder's own
//! (`timeout`, `accept`) or another scheme's; constants live in a module of their
//! own, and their types (`ApiKeyScheme`, `BasicScheme`, ...) let the builder's
//! generic methods take only the credential that fits, at compile time:
//! `Client::builder().api_key(schemes::API_KEY, key)`.

use super::docs::{doc_attrs, one_line, prose};
use super::ident;
use crate::ir::{Api, Operation, ParamLocation, SchemeKind, SecurityScheme};
use proc_macro2::TokenStream;
use quote::quote;

/// The `schemes` module, when the spec declares any scheme.
pub(super) fn module(api: &Api) -> Option<TokenStream> {
    if api.security_schemes.is_empty() {
        return None;
    }
    let constants = api.security_schemes.iter().map(constant);
    let docs = doc_attrs([
        Some("The API's security schemes (`components.securitySchemes`), one constant each, named after its key. Give a scheme its credential once, on the [`ClientBuilder`](crate::ClientBuilder), with the method its constant's type takes: [`api_key`](crate::runtime::ClientBuilder::api_key), [`basic_auth`](crate::runtime::ClientBuilder::basic_auth), [`http_credentials`](crate::runtime::ClientBuilder::http_credentials), or for bearer, OAuth 2 and OpenID Connect schemes the client's token ([`bearer_token`](crate::runtime::ClientBuilder::bearer_token), [`token_fn`](crate::runtime::ClientBuilder::token_fn)) or one of the scheme's own ([`scheme_token`](crate::runtime::ClientBuilder::scheme_token)).".to_owned()),
        Some("Each operation then sends exactly what its security requirement asks: the first of its alternatives whose schemes all have a credential, nothing for an operation that declares none. A credential never goes to an operation that does not name its scheme.".to_owned()),
    ]);
    Some(quote! {
        #docs
        pub mod schemes {
            use crate::runtime;
            #(#constants)*
        }
    })
}

fn constant(scheme: &SecurityScheme) -> TokenStream {
    let name = ident(&scheme.rust_name);
    let key = &scheme.wire_name;
    let (handle, kind, how) = match &scheme.kind {
        SchemeKind::Bearer { .. } => (
            Some(quote!(BearerScheme)),
            quote!(Bearer),
            "HTTP bearer: `Authorization: Bearer <token>`, the client's token unless the scheme has its own ([`scheme_token`](crate::runtime::ClientBuilder::scheme_token)).".to_owned(),
        ),
        SchemeKind::OAuth2 => (
            Some(quote!(BearerScheme)),
            quote!(Bearer),
            "OAuth 2: an access token sent as `Authorization: Bearer <token>`, from the client's token provider unless the scheme has its own ([`scheme_token`](crate::runtime::ClientBuilder::scheme_token)).".to_owned(),
        ),
        SchemeKind::OpenIdConnect { .. } => (
            Some(quote!(BearerScheme)),
            quote!(Bearer),
            "OpenID Connect: a token sent as `Authorization: Bearer <token>`, from the client's token provider unless the scheme has its own ([`scheme_token`](crate::runtime::ClientBuilder::scheme_token)).".to_owned(),
        ),
        SchemeKind::Basic => (
            Some(quote!(BasicScheme)),
            quote!(Basic),
            "HTTP basic: user and password from [`basic_auth`](crate::runtime::ClientBuilder::basic_auth).".to_owned(),
        ),
        SchemeKind::Http { scheme } => (
            Some(quote!(HttpScheme)),
            quote!(Http(#scheme)),
            format!("HTTP `{}`: `Authorization: {} <credentials>`, from [`http_credentials`](crate::runtime::ClientBuilder::http_credentials).", one_line(scheme), one_line(scheme)),
        ),
        SchemeKind::ApiKey { location, name } => {
            let (kind, place) = match location {
                ParamLocation::Query => (quote!(ApiKeyQuery(#name)), "query parameter"),
                ParamLocation::Cookie => (quote!(ApiKeyCookie(#name)), "cookie"),
                ParamLocation::Header | ParamLocation::Path => (quote!(ApiKeyHeader(#name)), "header"),
            };
            (
                Some(quote!(ApiKeyScheme)),
                kind,
                format!("An API key in the {place} `{}`, from [`api_key`](crate::runtime::ClientBuilder::api_key).", one_line(name)),
            )
        }
        SchemeKind::MutualTls => (
            None,
            quote!(MutualTls),
            "Mutual TLS: a client certificate, configured on a `reqwest::Client` given to [`http_client`](crate::runtime::ClientBuilder::http_client); nothing is added to requests.".to_owned(),
        ),
    };
    let docs = doc_attrs([
        Some(format!("`{}`: {how}", one_line(key))),
        prose(scheme.description.as_deref()),
    ]);
    let value = quote!(&runtime::SecurityScheme { key: #key, kind: runtime::SchemeKind::#kind });
    match handle {
        Some(handle) => quote! {
            #docs
            pub const #name: runtime::#handle = runtime::#handle(#value);
        },
        None => quote! {
            #docs
            pub const #name: &runtime::SecurityScheme = #value;
        },
    }
}

/// The statement that gives `op`'s request its requirement, when the spec
/// declares security at all: `request.security(SECURITY)` with a constant of
/// alternatives, each the schemes it applies together.
pub(super) fn requirement(op: &Operation, api: &Api) -> Option<TokenStream> {
    let requirement = requirement_value(op.security.as_ref()?, api);
    Some(quote! {
        const SECURITY: runtime::Requirement = #requirement;
        request.security(SECURITY);
    })
}

/// `Some(&[...])` for the requirement `Client::get_link` sends, `None` for the
/// client's token.
pub(super) fn link_requirement(api: &Api) -> TokenStream {
    match &api.link_security {
        Some(requirement) => {
            let requirement = requirement_value(requirement, api);
            quote!(Some(#requirement))
        }
        None => quote!(None),
    }
}

/// `&[&[scheme, ...], ...]`: the alternatives, each its schemes.
fn requirement_value(requirement: &[Vec<String>], api: &Api) -> TokenStream {
    let alternatives = requirement.iter().map(|keys| {
        let schemes = keys.iter().filter_map(|key| {
            let scheme = api.security_schemes.iter().find(|s| s.wire_name == *key)?;
            let name = ident(&scheme.rust_name);
            Some(match scheme.kind {
                SchemeKind::MutualTls => quote!(crate::schemes::#name),
                _ => quote!(crate::schemes::#name.0),
            })
        });
        quote!(&[#(#schemes),*])
    });
    quote!(&[#(#alternatives),*])
}
