//! The generated `servers` module: the spec's first server with its variables as
//! typed settings (`Server::default().port(Port::V443).url()`), a module per
//! operation server with variables (`servers::files::Server`, a
//! `runtime::OperationServer`), and the statements that send an operation with
//! servers of its own there.

use super::docs::{doc_attrs, one_line, prose};
use super::ident;
use crate::ir::{Api, Operation, Server, ServerVariable};
use proc_macro2::TokenStream;
use quote::quote;

/// The `servers` module, when the spec's first server has variables or an
/// operation's server has some.
pub(super) fn module(api: &Api) -> Option<TokenStream> {
    let document = api.servers.first().filter(|s| !s.variables.is_empty());
    let mut seen: Vec<&str> = Vec::new();
    let operation_servers: Vec<(&Server, Vec<&Operation>)> = api
        .operations
        .iter()
        .filter_map(|op| {
            let server = op.servers.first()?;
            server.module.as_ref().map(|module| (server, module))
        })
        .filter(|(_, module)| {
            let new = !seen.contains(&module.as_str());
            seen.push(module);
            new
        })
        .map(|(server, module)| {
            let users = api
                .operations
                .iter()
                .filter(|op| {
                    op.servers.first().and_then(|s| s.module.as_deref()) == Some(module.as_str())
                })
                .collect();
            (server, users)
        })
        .collect();
    if document.is_none() && operation_servers.is_empty() {
        return None;
    }
    let mut module_docs = Vec::new();
    if document.is_some() {
        module_docs.push("The spec's first server, with its variables as typed settings. Its default is [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL); another choice goes to [`ClientBuilder::base_url`](crate::runtime::ClientBuilder::base_url): `Client::builder().base_url(servers::Server::default().url())`. A base URL set that way takes every request, including those of operations the spec sends to servers of their own.".to_owned());
    }
    if !operation_servers.is_empty() {
        module_docs.push("The servers the spec gives some operations of their own, with variables: one module each, whose `Server` holds the variables' values (their defaults to start with). Set one on the client with [`ClientBuilder::server`](crate::runtime::ClientBuilder::server) to send its operations there: `Client::builder().server(servers::<module>::Server::default()...)`. A [`ClientBuilder::base_url`](crate::runtime::ClientBuilder::base_url) still takes every request.".to_owned());
    }
    let docs = doc_attrs(module_docs.into_iter().map(Some));
    let document = document.map(|server| server_items(server, None));
    let operation_servers = operation_servers.iter().map(|(server, users)| {
        let module = ident(server.module.as_deref().unwrap_or_default());
        let methods: Vec<String> = users
            .iter()
            .map(|op| {
                let name = op.rust_name.trim_start_matches("r#");
                format!("[`Client::{name}`](crate::Client::{name})")
            })
            .collect();
        let docs = doc_attrs([Some(format!(
            "The server `{}` of {}, with its variables as typed settings: `Client::builder().server({}::Server::default())`.",
            one_line(&server.url),
            methods.join(", "),
            module.to_string().trim_start_matches("r#"),
        ))]);
        let items = server_items(server, Some(&server.origin));
        quote! {
            #docs
            pub mod #module {
                #items
            }
        }
    });
    Some(quote! {
        #docs
        pub mod servers {
            #document
            #(#operation_servers)*
        }
    })
}

/// `Server` with a field and setter per variable, its `Default` (the spec's
/// defaults), `url()`, and the enums of its variables; with `id`, an
/// operation's server, also `runtime::OperationServer`.
fn server_items(server: &Server, id: Option<&str>) -> TokenStream {
    let fields = server.variables.iter().map(|v| {
        let name = ident(&v.rust_name);
        let ty = field_type(v);
        quote!(#name: #ty,)
    });
    let defaults = server.variables.iter().map(|v| {
        let name = ident(&v.rust_name);
        match &v.choices {
            Some(choices) => {
                let ty = ident(&choices.enum_name);
                let variant = ident(&choices.default_variant);
                quote!(#name: #ty::#variant,)
            }
            None => {
                let default = &v.default;
                quote!(#name: ::std::string::String::from(#default),)
            }
        }
    });
    let setters = server.variables.iter().map(setter);
    let enums = server
        .variables
        .iter()
        .filter_map(|v| v.choices.as_ref().map(|c| (v, c)))
        .map(|(v, choices)| {
            let name = ident(&choices.enum_name);
            let docs = doc_attrs([
                Some(format!(
                    "The values of server variable `{}`.",
                    one_line(&v.wire_name)
                )),
                prose(v.description.as_deref()),
            ]);
            let variants = choices.variants.iter().map(|variant| {
                let rust = ident(&variant.rust_name);
                let doc = format!(" `{}`", one_line(&variant.wire_value));
                quote!(#[doc = #doc] #rust,)
            });
            let arms = choices.variants.iter().map(|variant| {
                let rust = ident(&variant.rust_name);
                let wire = &variant.wire_value;
                quote!(#name::#rust => #wire,)
            });
            quote! {
                #docs
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
                pub enum #name {
                    #(#variants)*
                }

                impl #name {
                    /// The value as the URL carries it.
                    pub fn as_str(self) -> &'static str {
                        match self {
                            #(#arms)*
                        }
                    }
                }
            }
        });
    let url = url_expr(server);
    let server_docs = doc_attrs([
        Some(format!("The server `{}`.", one_line(&server.url))),
        prose(server.description.as_deref()),
        Some(
            "[`Server::default`] holds each variable's default; the setters change one.".to_owned(),
        ),
    ]);
    let operation_server = id.map(|id| {
        quote! {
            impl crate::runtime::OperationServer for Server {
                const ID: &'static str = #id;

                fn url(&self) -> ::std::string::String {
                    Server::url(self)
                }
            }
        }
    });
    quote! {
        #server_docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct Server {
            #(#fields)*
        }

        impl Default for Server {
            fn default() -> Self {
                Server {
                    #(#defaults)*
                }
            }
        }

        impl Server {
            #(#setters)*

            /// The base URL: the template with every variable filled in.
            pub fn url(&self) -> ::std::string::String {
                #url
            }
        }

        #operation_server
        #(#enums)*
    }
}

fn field_type(v: &ServerVariable) -> TokenStream {
    match &v.choices {
        Some(choices) => {
            let ty = ident(&choices.enum_name);
            quote!(#ty)
        }
        None => quote!(::std::string::String),
    }
}

fn setter(v: &ServerVariable) -> TokenStream {
    let name = ident(&v.rust_name);
    let docs = doc_attrs([
        Some(format!(
            "Sets `{{{}}}` (default `{}`).",
            one_line(&v.wire_name),
            one_line(&v.default)
        )),
        prose(v.description.as_deref()),
    ]);
    match &v.choices {
        Some(choices) => {
            let ty = ident(&choices.enum_name);
            quote! {
                #docs
                pub fn #name(mut self, value: #ty) -> Self {
                    self.#name = value;
                    self
                }
            }
        }
        None => quote! {
            #docs
            pub fn #name(mut self, value: impl Into<::std::string::String>) -> Self {
                self.#name = value.into();
                self
            }
        },
    }
}

/// `format!("https://{}.example.com", self.name)`, with `{`/`}` of text that no
/// variable declares kept as written.
fn url_expr(server: &Server) -> TokenStream {
    let mut format = String::new();
    let mut arguments = Vec::new();
    let mut rest = server.url.as_str();
    while !rest.is_empty() {
        let next = server
            .variables
            .iter()
            .filter_map(|v| {
                let placeholder = format!("{{{}}}", v.wire_name);
                rest.find(&placeholder).map(|at| (at, placeholder.len(), v))
            })
            .min_by_key(|(at, _, _)| *at);
        let Some((at, length, variable)) = next else {
            format.push_str(&rest.replace('{', "{{").replace('}', "}}"));
            break;
        };
        format.push_str(&rest[..at].replace('{', "{{").replace('}', "}}"));
        format.push_str("{}");
        let name = ident(&variable.rust_name);
        arguments.push(match variable.choices {
            Some(_) => quote!(self.#name.as_str()),
            None => quote!(self.#name),
        });
        rest = &rest[at + length..];
    }
    if arguments.is_empty() {
        return quote!(::std::string::String::from(#format));
    }
    if let ("{}", [argument]) = (format.as_str(), &arguments[..]) {
        // The URL is one variable (`{origin}`): `format!("{}", ..)` is clippy's
        // `useless_format`.
        return quote!(::std::string::ToString::to_string(&#argument));
    }
    quote!(format!(#format, #(#arguments),*))
}

/// `request.server("...")` for an operation with servers of its own, and
/// `request.server_id("...")` when the caller may choose its variables.
pub(super) fn operation_server(op: &Operation) -> Option<TokenStream> {
    let server = op.servers.first()?;
    let url = &server.default_url;
    let id = server.module.as_ref().map(|_| {
        let origin = &server.origin;
        quote!(request.server_id(#origin);)
    });
    Some(quote!(request.server(#url); #id))
}
