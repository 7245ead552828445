//! `operations.rs`: one `Client` method and one request builder per operation.
//!
//! Required inputs (path parameters, required query/header parameters, a required body)
//! are arguments of the `Client` method; everything optional is a setter on the builder,
//! which ends in `.send().await`. All sending, decoding and error handling is in the
//! runtime; a generated `send` only assembles a `runtime::Request`.

use super::docs::{doc_attrs, prose};
use super::ident;
use super::types::{argument_into, argument_type, rust_type, Context};
use crate::ir::{
    Api, BodyEncoding, Operation, Param, ParamLocation, PathPart, Success, SuccessBody, TypeKind,
    TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

pub fn operations(api: &Api) -> TokenStream {
    let methods = api.operations.iter().map(client_method);
    let builders = api.operations.iter().map(|op| builder(op, api));
    let status_enums = api.operations.iter().filter_map(status_enum);
    quote! {
        #![doc = " One method on [`Client`] per operation in the spec, and the request builder each returns."]
        // Required parameters are arguments however many the spec has, spec prose becomes
        // docs as written, and deprecated operations still use their types.
        #![allow(
            deprecated,
            clippy::doc_lazy_continuation,
            clippy::large_enum_variant,
            clippy::too_many_arguments
        )]
        use crate::runtime::Client;

        impl Client {
            #(#methods)*
        }

        #(#builders)*
        #(#status_enums)*
    }
}

/// The per-status answer enum of an operation whose success statuses differ in body.
fn status_enum(op: &Operation) -> Option<TokenStream> {
    let Success::ByStatus {
        enum_name,
        variants,
    } = &op.success
    else {
        return None;
    };
    let name = ident(enum_name);
    let doc = format!(
        " What [`Client::{}`](Client::{}) answers on success, by status.",
        op.rust_name.trim_start_matches("r#"),
        op.rust_name
    );
    let variants = variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let description = op
            .responses
            .iter()
            .find(|r| r.status == crate::ir::StatusSpec::Code(v.status))
            .map(|r| r.description.as_str())
            .unwrap_or_default();
        let docs = match prose(Some(description)) {
            Some(text) => doc_attrs([Some(format!("`{}`: {text}", v.status))]),
            None => doc_attrs([Some(format!("`{}`", v.status))]),
        };
        match &v.body {
            SuccessBody::Json(ty) => {
                let ty = rust_type(ty, Context::Elsewhere);
                quote!(#docs #variant(#ty),)
            }
            SuccessBody::Bytes => quote!(#docs #variant(::bytes::Bytes),),
            SuccessBody::Empty => quote!(#docs #variant,),
        }
    });
    Some(quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub enum #name {
            #(#variants)*
            /// A 2xx status the spec does not declare, with the raw response.
            Undeclared(crate::RawResponse),
        }
    })
}

/// An input of the operation: a parameter or the body, with its Rust name and type.
struct Input<'a> {
    name: &'a str,
    ty: &'a TypeRef,
    required: bool,
    doc: Option<String>,
}

fn inputs(op: &Operation) -> Vec<Input<'_>> {
    let params = op.params.iter().map(|p| Input {
        name: &p.rust_name,
        ty: &p.ty,
        required: p.required,
        doc: Some(param_doc(p)),
    });
    let body = op.body.iter().map(|b| Input {
        name: "body",
        ty: &b.ty,
        required: b.required,
        doc: Some(match prose(b.description.as_deref()) {
            Some(d) => format!("Request body (`{}`): {d}", b.media_type),
            None => format!("Request body (`{}`).", b.media_type),
        }),
    });
    params.chain(body).collect()
}

fn param_doc(p: &Param) -> String {
    let place = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    };
    match prose(p.description.as_deref()) {
        Some(d) => format!("`{}` ({place} parameter): {d}", p.wire_name),
        None => format!("`{}` ({place} parameter).", p.wire_name),
    }
}

fn client_method(op: &Operation) -> TokenStream {
    crate::guard::at(&op.origin);
    let name = ident(&op.rust_name);
    let builder = ident(&op.builder_name);
    let inputs = inputs(op);
    let args = inputs.iter().filter(|i| i.required).map(|i| {
        let arg = ident(i.name);
        let ty = argument_type(i.ty, Context::Elsewhere);
        quote!(#arg: #ty)
    });
    let paging = op
        .pagination
        .as_ref()
        .map(|_| quote!(max_items: None, next_link: None,));
    let fields = inputs.iter().map(|i| {
        let field = ident(i.name);
        if i.required {
            match argument_into(i.ty, quote!(#field)) {
                Some(value) => quote!(#field: #value),
                None => quote!(#field),
            }
        } else {
            quote!(#field: None)
        }
    });
    let sends = format!("Sends `{}` to `{}`.", op.method.as_str(), op.path_template);
    let argument_docs: Vec<String> = inputs
        .iter()
        .filter(|i| i.required)
        .filter_map(|i| {
            i.doc
                .as_ref()
                .map(|d| format!("- `{}`: {d}", i.name.trim_start_matches("r#")))
        })
        .collect();
    let arguments =
        (!argument_docs.is_empty()).then(|| format!("Arguments:\n{}", argument_docs.join("\n")));
    let optional: Vec<String> = inputs
        .iter()
        .filter(|i| !i.required)
        .map(|i| {
            format!(
                "[`{}::{}`]({0}::{})",
                op.builder_name,
                i.name.trim_start_matches("r#"),
                i.name
            )
        })
        .collect();
    let setters = (!optional.is_empty()).then(|| {
        format!(
            "Optional inputs are set on the builder: {}.",
            optional.join(", ")
        )
    });
    let returns = format!("Returns {}.", returns_doc(&op.success));
    let docs = doc_attrs([
        prose(op.summary.as_deref()),
        prose(op.description.as_deref()),
        Some(sends),
        arguments,
        setters,
        Some(returns),
    ]);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #docs
        #deprecated
        pub fn #name(&self, #(#args),*) -> #builder {
            #builder {
                client: self.clone(),
                #(#fields,)*
                #paging
                options: Default::default(),
            }
        }
    }
}

fn returns_doc(success: &Success) -> String {
    match success {
        Success::Json { ty, statuses } => format!(
            "{} on {} as [`Success::Declared`](crate::Success::Declared); another 2xx is [`Success::Undeclared`](crate::Success::Undeclared) with the raw response; any other status is [`Error::Api`](crate::Error::Api)",
            named_doc(ty),
            status_list(statuses)
        ),
        Success::Bytes { statuses } => format!(
            "the body bytes on {}; any other status is [`Error::Api`](crate::Error::Api)",
            status_list(statuses)
        ),
        Success::ByStatus { enum_name, .. } => format!(
            "a [`ResponseValue`](crate::ResponseValue) holding [`{enum_name}`], with one variant per declared success status (and `Undeclared` for any other 2xx); any other status is [`Error::Api`](crate::Error::Api)"
        ),
        Success::Raw => "the [`RawResponse`](crate::RawResponse) (status, headers, body) on any 2xx, since the spec gives no schema for it: decode the body into your own type with [`RawResponse::json`](crate::RawResponse::json); any other status is [`Error::Api`](crate::Error::Api)".to_owned(),
    }
}

fn named_doc(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(name) => format!("[`{name}`](crate::models::{name})"),
        _ => "the decoded body".to_owned(),
    }
}

fn status_list(statuses: &[u16]) -> String {
    statuses
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn builder(op: &Operation, api: &Api) -> TokenStream {
    crate::guard::at(&op.origin);
    let builder = ident(&op.builder_name);
    let inputs = inputs(op);
    let fields = inputs.iter().map(|i| {
        let field = ident(i.name);
        let ty = rust_type(i.ty, Context::Elsewhere);
        if i.required {
            quote!(#field: #ty,)
        } else {
            quote!(#field: Option<#ty>,)
        }
    });
    let setters = inputs.iter().filter(|i| !i.required).map(|i| {
        let field = ident(i.name);
        let ty = argument_type(i.ty, Context::Elsewhere);
        let value = argument_into(i.ty, quote!(value)).unwrap_or_else(|| quote!(value));
        let docs = doc_attrs([i.doc.clone()]);
        quote! {
            #docs
            pub fn #field(mut self, value: #ty) -> Self {
                self.#field = Some(#value);
                self
            }
        }
    });
    let doc = format!(
        " Request builder for [`Client::{}`](Client::{}); finish with [`Self::send`].",
        op.rust_name.trim_start_matches("r#"),
        op.rust_name
    );
    let send = send(op, api);
    let paging = op.pagination.as_ref().map(|p| paging(op, p));
    let paging_field = op
        .pagination
        .as_ref()
        .map(|_| quote!(max_items: Option<u64>, next_link: Option<String>,));
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until `.send().await`"]
        pub struct #builder {
            client: Client,
            #(#fields)*
            #paging_field
            options: crate::runtime::RequestOptions,
        }

        impl #builder {
            #(#setters)*

            /// Adds a header to this call only (e.g. `Prefer: return=representation`).
            pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.options = self.options.header(name, value);
                self
            }

            /// Sets this call's timeout per attempt, replacing the client's.
            pub fn with_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options = self.options.timeout(timeout);
                self
            }

            /// Sets this call's retry policy, replacing the client's.
            pub fn with_retry(mut self, policy: crate::runtime::RetryPolicy) -> Self {
                self.options = self.options.retry(policy);
                self
            }

            #send
            #paging
        }
    }
}

/// `max_items` and `into_stream` for a paged list operation.
fn paging(op: &Operation, pagination: &crate::ir::Pagination) -> TokenStream {
    let top = &op.params[pagination.top_param];
    let skip = &op.params[pagination.skip_param];
    let (top_setter, skip_setter) = (ident(&top.rust_name), ident(&skip.rust_name));
    // The cursor counts in i64; an i32 parameter saturates rather than wrapping.
    let cursor_value = |ty: &TypeRef, value: TokenStream| match ty {
        TypeRef::I32 => quote!(i32::try_from(#value).unwrap_or(i32::MAX)),
        _ => value,
    };
    let widen = |ty: &TypeRef, field: &proc_macro2::Ident| match ty {
        TypeRef::I32 => quote!(self.#field.map(i64::from)),
        _ => quote!(self.#field),
    };
    let (top_value, skip_value) = (
        cursor_value(&top.ty, quote!(top)),
        cursor_value(&skip.ty, quote!(skip)),
    );
    let (top_start, skip_start) = (widen(&top.ty, &top_setter), widen(&skip.ty, &skip_setter));
    let item = rust_type(&pagination.item_type, Context::Elsewhere);
    let items_field = ident(&pagination.items_field);
    let items = if pagination.items_optional {
        quote!(page.#items_field.unwrap_or_default())
    } else {
        quote!(page.#items_field)
    };
    let next_link = match &pagination.next_link {
        None => quote!(None),
        Some(link) => {
            let mut expr = quote!(page);
            let mut optional = false;
            for step in &link.path {
                let field = ident(&step.field);
                expr = match (optional, step.optional) {
                    (false, false) => quote!(#expr.#field),
                    (false, true) => quote!(#expr.#field.as_ref()),
                    (true, false) => quote!(#expr.map(|v| &v.#field)),
                    (true, true) => quote!(#expr.and_then(|v| v.#field.as_ref())),
                };
                optional |= step.optional;
            }
            if optional {
                quote!(#expr.cloned())
            } else {
                quote!(Some(#expr.clone()))
            }
        }
    };
    let top_wire = &top.wire_name;
    let skip_wire = &skip.wire_name;
    let stream_doc = doc_attrs([
        Some(
            "Streams the items of every page, fetching the next page only when the stream \
             needs it, so one page is held in memory at a time."
                .to_owned(),
        ),
        Some(format!(
            "Pages are asked for with `{top_wire}` (the page size: [`Self::{}`], default {}) \
             and `{skip_wire}` (starting at [`Self::{}`], default 0); the stream ends at a short \
             or empty page, at [`Self::max_items`], or after the first error. [`Self::send`] \
             still fetches a single page.",
            top.rust_name.trim_start_matches("r#"),
            100,
            skip.rust_name.trim_start_matches("r#"),
        )),
    ]);
    quote! {
        /// Stops [`Self::into_stream`] after this many items; the last page asks only for
        /// the items still needed.
        pub fn max_items(mut self, max_items: u64) -> Self {
            self.max_items = Some(max_items);
            self
        }

        #stream_doc
        pub fn into_stream(self) -> crate::runtime::ItemStream<#item> {
            let paging = crate::runtime::Paging::new(#top_start, #skip_start).max_items(self.max_items);
            Box::pin(crate::runtime::paginate(paging, move |cursor| {
                let request = self.clone();
                async move {
                    let page = match cursor {
                        crate::runtime::PageCursor::Offset { top, skip } => {
                            request.#top_setter(#top_value).#skip_setter(#skip_value).send().await?
                        }
                        crate::runtime::PageCursor::Link(link) => {
                            let mut request = request;
                            request.next_link = Some(link);
                            request.send().await?
                        }
                    };
                    let page = page.into_inner()?;
                    let next_link = #next_link;
                    Ok(crate::runtime::Page::new(#items, next_link))
                }
            }))
        }
    }
}

fn send(op: &Operation, api: &Api) -> TokenStream {
    let operation_id = &op.wire_name;
    let template = &op.path_template;
    let method = ident(op.method.as_str());
    let (path_locals, path) = path_expr(op, api);
    // A paged builder carries the next-page link `into_stream` was given.
    let follow_link = op.pagination.as_ref().map(|_| {
        quote! {
            if let Some(link) = self.next_link {
                request.follow_link(link);
            }
        }
    });
    let constant_query = op
        .constant_query
        .iter()
        .map(|(key, value)| quote!(request.query(#key, #value);));
    let params = op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
        .map(|p| param_statement(p, api));
    let body = op.body.as_ref().map(|b| {
        // `value` is a reference to the body, whether it is required or set.
        let media = &b.media_type;
        let add = match b.encoding {
            BodyEncoding::Json => quote!(request.json_body(value)?;),
            BodyEncoding::Form => quote!(request.form_body(value)?;),
            BodyEncoding::Text => {
                quote!(request.body(::bytes::Bytes::from(value.clone()), #media);)
            }
            BodyEncoding::Bytes => quote!(request.body(value.clone(), #media);),
        };
        if b.required {
            quote!({ let value = &self.body; #add })
        } else {
            quote!(if let Some(value) = &self.body { #add })
        }
    });
    let accept = op.accept.as_ref().map(|a| quote!(request.accept(#a);));
    let status_slice = |codes: &[u16]| {
        if (200..300).all(|code| codes.contains(&code)) {
            return quote!(crate::runtime::ANY_SUCCESS);
        }
        let codes = codes
            .iter()
            .map(|c| proc_macro2::Literal::u16_unsuffixed(*c));
        quote!(&[#(#codes),*])
    };
    let (returns, decode) = match &op.success {
        Success::Json { ty, statuses } => {
            let ty = rust_type(ty, Context::Elsewhere);
            (quote!(crate::Success<#ty>), {
                let statuses = status_slice(statuses);
                quote!(crate::runtime::decode_json(raw, #statuses))
            })
        }
        Success::Bytes { statuses } => (quote!(crate::Success<::bytes::Bytes>), {
            let statuses = status_slice(statuses);
            quote!(crate::runtime::decode_bytes(raw, #statuses))
        }),
        Success::Raw => (quote!(crate::RawResponse), quote!(Ok(raw))),
        Success::ByStatus {
            enum_name,
            variants,
        } => {
            let name = ident(enum_name);
            let arms = variants.iter().map(|v| {
                let variant = ident(&v.rust_name);
                let status = proc_macro2::Literal::u16_unsuffixed(v.status);
                match &v.body {
                    SuccessBody::Json(_) => quote!(#status => #name::#variant(raw.json()?),),
                    SuccessBody::Bytes => quote!(#status => #name::#variant(raw.body().clone()),),
                    SuccessBody::Empty => quote!(#status => #name::#variant,),
                }
            });
            (
                quote!(crate::ResponseValue<#name>),
                quote! {
                    let status = raw.status();
                    let headers = raw.headers().clone();
                    let value = match status.as_u16() {
                        #(#arms)*
                        _ => #name::Undeclared(raw),
                    };
                    Ok(crate::ResponseValue::new(status, headers, value))
                },
            )
        }
    };
    quote! {
        /// Sends the request and waits for the answer.
        pub async fn send(self) -> Result<#returns, crate::Error> {
            #path_locals
            let mut request = crate::runtime::Request::new(
                #operation_id,
                ::reqwest::Method::#method,
                #template,
                #path,
            );
            #(#constant_query)*
            #(#params)*
            #body
            #accept
            #follow_link
            request.options(self.options);
            let raw = self.client.execute(request).await?;
            #decode
        }
    }
}

/// Statements that percent-encode each path parameter into a local, then the path as
/// `format!("/{imodel_id}/changesets/{changeset_id}")` (inline arguments keep the macro
/// input a plain string, which formats cleanly), or a plain string without parameters.
fn path_expr(op: &Operation, api: &Api) -> (TokenStream, TokenStream) {
    let mut format = String::new();
    let mut locals = Vec::new();
    for part in &op.path {
        match part {
            PathPart::Literal(text) => format.push_str(&text.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(index) => {
                let field_name = &op.params[*index].rust_name;
                let plain = field_name.trim_start_matches("r#");
                let local_name = if crate::naming::KEYWORDS.contains(&plain) || plain.ends_with('_')
                {
                    format!("{}_segment", plain.trim_end_matches('_'))
                } else {
                    plain.to_owned()
                };
                format.push('{');
                format.push_str(&local_name);
                format.push('}');
                let local = ident(&local_name);
                let field = ident(field_name);
                let value = display(&op.params[*index].ty, quote!(&self.#field), api);
                locals.push(quote!(let #local = crate::runtime::encode_path_segment(#value);));
            }
        }
    }
    if locals.is_empty() {
        (quote!(), quote!(String::from(#format)))
    } else {
        (quote!(#(#locals)*), quote!(format!(#format)))
    }
}

fn param_statement(p: &Param, api: &Api) -> TokenStream {
    let field = ident(&p.rust_name);
    let wire = &p.wire_name;
    let add = |value: TokenStream| match p.location {
        ParamLocation::Header => quote!(request.header(#wire, #value)?;),
        ParamLocation::Cookie => quote!(request.cookie(#wire, #value)?;),
        _ => quote!(request.query(#wire, #value);),
    };
    let statement = |value: TokenStream| match &p.ty {
        TypeRef::Vec(inner) => {
            let each = add(display(inner, quote!(item), api));
            quote!(for item in #value { #each })
        }
        other => add(display(other, value, api)),
    };
    if p.required {
        statement(quote!(&self.#field))
    } else {
        let inner = statement(quote!(value));
        quote!(if let Some(value) = &self.#field { #inner })
    }
}

/// An expression that `Display`s as the wire form of `value` (a reference): the
/// value itself when its type has a `Display` that is its wire form, RFC 3339 for
/// date-times, and `runtime::query_text` (JSON text, strings unquoted) for the rest.
fn display(ty: &TypeRef, value: TokenStream, api: &Api) -> TokenStream {
    match ty {
        TypeRef::DateTime => quote!(&#value.to_rfc3339_opts(::chrono::SecondsFormat::AutoSi, true)),
        ty if has_wire_display(ty, api, 0) => value,
        _ => quote!(&crate::runtime::query_text(#value)),
    }
}

/// Whether the Rust type's `Display` is its wire form (scalars and generated enums).
fn has_wire_display(ty: &TypeRef, api: &Api, depth: usize) -> bool {
    match ty {
        TypeRef::String
        | TypeRef::Bool
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::F32
        | TypeRef::F64
        | TypeRef::Uuid
        | TypeRef::Date => true,
        TypeRef::Named(name) if depth < 8 => {
            match api.types.iter().find(|t| &t.rust_name == name) {
                Some(def) => match &def.kind {
                    TypeKind::Enum(_) | TypeKind::IntEnum(_) => true,
                    TypeKind::Alias(target) => has_wire_display(target, api, depth + 1),
                    TypeKind::Struct(_) | TypeKind::Union(_) => false,
                },
                None => false,
            }
        }
        _ => false,
    }
}
