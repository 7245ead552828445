//! `operations.rs`: per operation, one `Client` method, the struct of its inputs, its
//! setters on `Request<Op>`, and its `runtime::Operation` impl.
//!
//! Required inputs (path parameters, required query/header parameters, a required body)
//! are arguments of the `Client` method; everything optional is a setter on the
//! `Request`, which ends in `.send().await`. Per-call options, sending, decoding,
//! errors and paging are in the runtime (and the crate root's generic `Request<O>`);
//! an operation only says how its inputs become a `runtime::Request` and how its
//! answer decodes.

use super::docs::{doc_attrs, prose};
use super::ident;
use super::types::{argument_into, type_tokens};
use crate::ir::{
    Api, BodyEncoding, FormField, Operation, Param, ParamLocation, ParamStyle, PathPart, Paths,
    Success, SuccessBody, TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

pub fn operations(api: &Api) -> TokenStream {
    if api.operations.is_empty() {
        // Nothing to import or implement (only schemas, or only webhooks).
        return quote! {
            #![doc = " One method on [`Client`](crate::Client) per operation in the spec, and the inputs of each; this spec has no operations."]
        };
    }
    let methods = api.operations.iter().map(|op| client_method(op, api));
    let builders = api.operations.iter().map(|op| operation(op, api));
    let status_enums = api.operations.iter().filter_map(status_enum);
    let part_structs = api.operations.iter().filter_map(super::parts::parts_struct);
    let header_structs = api
        .operations
        .iter()
        .filter_map(super::response_types::headers_struct);
    let error_enums = api
        .operations
        .iter()
        .filter_map(super::response_types::error_enum);
    quote! {
        #![doc = " One method on [`Client`] per operation in the spec, and the inputs of each: the `O` of the [`Request<O>`](crate::Request) it returns."]
        // Required parameters are arguments however many the spec has, spec prose becomes
        // docs as written, and deprecated operations still use their types.
        #![allow(
            deprecated,
            clippy::doc_lazy_continuation,
            clippy::large_enum_variant,
            clippy::too_many_arguments
        )]
        use crate::{runtime, Client, Request};

        impl Client {
            #(#methods)*
        }

        #(#builders)*
        #(#status_enums)*
        #(#part_structs)*
        #(#header_structs)*
        #(#error_enums)*
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
        " What [`Client::{0}`](Client::{0}) answers on success, by status.",
        op.rust_name.trim_start_matches("r#"),
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
        match v.body.payload(Paths::InCrate) {
            Some(payload) => {
                let payload = type_tokens(&payload);
                quote!(#docs #variant(#payload),)
            }
            None => quote!(#docs #variant,),
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
/// Shared with the mocks, whose helpers take the same arguments and setters.
pub(super) struct Input<'a> {
    pub(super) name: &'a str,
    pub(super) ty: &'a TypeRef,
    pub(super) required: bool,
    doc: Option<String>,
}

pub(super) fn inputs(op: &Operation) -> Vec<Input<'_>> {
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
    let place = p.location.as_str();
    match prose(p.description.as_deref()) {
        Some(d) => format!("`{}` ({place} parameter): {d}", p.wire_name),
        None => format!("`{}` ({place} parameter).", p.wire_name),
    }
}

fn client_method(op: &Operation, api: &Api) -> TokenStream {
    crate::diagnostics::guard::at(&op.origin);
    let name = ident(&op.rust_name);
    let builder = ident(&op.builder_name);
    let inputs = inputs(op);
    let args = inputs.iter().filter(|i| i.required).map(|i| {
        let arg = ident(i.name);
        let ty = type_tokens(&i.ty.argument(Paths::InCrate));
        quote!(#arg: #ty)
    });
    let fields = inputs.iter().map(|i| {
        let field = ident(i.name);
        if !i.required {
            quote!(#field: None)
        } else if let Some(value) = argument_into(i.ty, quote!(#field)) {
            quote!(#field: #value)
        } else {
            quote!(#field)
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
        .map(|i| format!("`{}`", i.name.trim_start_matches("r#")))
        .collect();
    let setters = (!optional.is_empty()).then(|| {
        format!(
            "Optional inputs are setters on the returned [`Request`]: {}.",
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
        super::response_types::method_doc(op),
        super::waiters::waiting_doc(op, api),
    ]);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #docs
        #deprecated
        pub fn #name(&self, #(#args),*) -> Request<#builder> {
            self.request(#builder { #(#fields,)* })
        }
    }
}

/// What this method returns, and no more: what every method returns is said once,
/// in the crate docs' section this links to.
fn returns_doc(success: &Success) -> String {
    let every = "([what every method returns](crate#what-every-method-returns))";
    match success {
        Success::Json {
            ty,
            statuses,
            envelope: None,
        } => format!("{} on {} {every}", named_doc(ty), status_list(statuses)),
        Success::Json {
            ty,
            statuses,
            envelope: Some(envelope),
        } => format!(
            "{} on {}: the `{}` property of the {} body {every}",
            named_doc(ty),
            status_list(statuses),
            envelope.property,
            named_doc(&envelope.wrapper),
        ),
        Success::Bytes { statuses } => {
            format!("the body bytes on {} {every}", status_list(statuses))
        }
        Success::ByStatus { enum_name, .. } => format!(
            "[`{enum_name}`], one variant per declared success status (`Undeclared` for \
             another 2xx) {every}"
        ),
        Success::Raw => format!(
            "the [`RawResponse`](crate::RawResponse) on any 2xx: the spec gives no schema \
             for it {every}"
        ),
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

/// The inputs struct, its setters on `Request<Op>`, and its `runtime::Operation` impl.
fn operation(op: &Operation, api: &Api) -> TokenStream {
    crate::diagnostics::guard::at(&op.origin);
    let name = ident(&op.builder_name);
    let inputs = inputs(op);
    let fields = inputs.iter().map(|i| {
        let field = ident(i.name);
        let ty = type_tokens(&i.ty.rust(Paths::InCrate));
        if i.required {
            quote!(#field: #ty,)
        } else {
            quote!(#field: Option<#ty>,)
        }
    });
    let setters: Vec<TokenStream> = inputs
        .iter()
        .filter(|i| !i.required)
        .map(|i| {
            let field = ident(i.name);
            let ty = type_tokens(&i.ty.argument(Paths::InCrate));
            let value = argument_into(i.ty, quote!(value)).unwrap_or_else(|| quote!(value));
            let docs = doc_attrs([i.doc.clone()]);
            quote! {
                #docs
                pub fn #field(mut self, value: #ty) -> Self {
                    self.operation.#field = Some(#value);
                    self
                }
            }
        })
        .collect();
    let setters = (!setters.is_empty()).then(|| quote!(impl Request<#name> { #(#setters)* }));
    // Through `doc_attrs`, which makes spec text (the path) safe for rustdoc.
    let doc = doc_attrs([Some(format!(
        "The inputs of [`Client::{0}`](Client::{0}) (`{1} {2}`).",
        op.rust_name.trim_start_matches("r#"),
        op.method.as_str(),
        op.path_template
    ))]);
    let operation_impl = operation_impl(op, api);
    let paged = op.pagination.as_ref().map(|p| paged_impl(op, p));
    let waiter = super::waiters::waiter(op, api);
    quote! {
        #doc
        #[derive(Debug, Clone)]
        pub struct #name {
            #(#fields)*
        }

        #setters
        #operation_impl
        #paged
        #waiter
    }
}

/// `runtime::PagedOperation` for a paged list operation: where its page size,
/// offset and continuation token go, and how a page's items, next link and token
/// are found.
fn paged_impl(op: &Operation, pagination: &crate::ir::Pagination) -> TokenStream {
    let name = ident(&op.builder_name);
    let top = pagination.top_param.map(|i| &op.params[i]);
    let skip = pagination.skip_param.map(|i| &op.params[i]);
    // The cursor counts in i64; an i32 parameter saturates rather than wrapping.
    let set = |param: Option<&Param>, value: TokenStream| {
        param.map(|p| {
            let field = ident(&p.rust_name);
            let value = match p.ty {
                TypeRef::I32 => quote!(i32::try_from(#value).unwrap_or(i32::MAX)),
                _ => value,
            };
            quote!(self.#field = Some(#value);)
        })
    };
    let start = |param: Option<&Param>| match param {
        Some(p) => {
            let field = ident(&p.rust_name);
            match p.ty {
                TypeRef::I32 => quote!(self.#field.map(i64::from)),
                _ => quote!(self.#field),
            }
        }
        None => quote!(None),
    };
    let (top_start, skip_start) = (start(top), start(skip));
    let set_top = set(top, quote!(top));
    let set_skip = set(skip, quote!(skip));
    // A list without one of them ignores that part of the cursor.
    let (top_arg, skip_arg) = (
        if set_top.is_some() {
            quote!(top)
        } else {
            quote!(_top)
        },
        if set_skip.is_some() {
            quote!(skip)
        } else {
            quote!(_skip)
        },
    );
    let item = type_tokens(&pagination.item_type.rust(Paths::InCrate));
    let items = match &pagination.items_field {
        None => quote!(page),
        Some(field) => {
            let field = ident(field);
            if pagination.items_optional {
                quote!(page.#field.unwrap_or_default())
            } else {
                quote!(page.#field)
            }
        }
    };
    let page_size = proc_macro2::Literal::i64_unsuffixed(pagination.default_page_size);
    // Only a list that can carry a next-page link (or token) reads one.
    let next_link = pagination
        .next_link
        .as_ref()
        .map(field_path)
        .map(|link| quote!(let next_link = #link;));
    let next_token = pagination
        .next_token
        .as_ref()
        .map(field_path)
        .map(|token| quote!(let next_token = #token;));
    let link_value = match next_link {
        Some(_) => quote!(next_link),
        None => quote!(None),
    };
    let page_value = match next_token {
        Some(_) => quote!(runtime::Page::new(#items, #link_value).with_token(next_token)),
        None => quote!(runtime::Page::new(#items, #link_value)),
    };
    let linked = pagination.linked().then(|| {
        quote!(
            const LINKED: bool = true;
        )
    });
    let set_token = pagination.token_param.map(|i| {
        let field = ident(&op.params[i].rust_name);
        quote! {
            fn set_token(&mut self, token: String) {
                self.#field = Some(token);
            }
        }
    });
    quote! {
        impl runtime::PagedOperation for #name {
            type Item = #item;
            const PAGE_SIZE: i64 = #page_size;
            #linked

            fn page_start(&self) -> (Option<i64>, Option<i64>) {
                (#top_start, #skip_start)
            }

            fn set_page(&mut self, #top_arg: i64, #skip_arg: i64) {
                #set_top
                #set_skip
            }

            #set_token

            fn page(output: Self::Output) -> runtime::Page<#item> {
                let page = output.into_inner();
                #next_link
                #next_token
                #page_value
            }
        }
    }
}

/// An `Option<String>` expression for the string at `path` in `page`
/// (`page._links.as_ref().and_then(|v| v.next.as_ref()).map(|v| &v.href).cloned()`).
fn field_path(path: &crate::ir::NextLink) -> TokenStream {
    if let [step] = path.path.as_slice() {
        let field = ident(&step.field);
        return if step.optional {
            // `as_ref` reads an `Option` and a `runtime::Nullable` alike.
            quote!(page.#field.as_ref().cloned())
        } else {
            quote!(Some(page.#field.clone()))
        };
    }
    let mut expr = quote!(page);
    let mut optional = false;
    for step in &path.path {
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

/// `runtime::Operation`: the request the inputs make, and how a 2xx decodes.
fn operation_impl(op: &Operation, api: &Api) -> TokenStream {
    let name = ident(&op.builder_name);
    let operation_id = &op.wire_name;
    let template = &op.path_template;
    let method = ident(op.method.as_str());
    let path = path_expr(op);
    let constant_query: Vec<TokenStream> = op
        .constant_query
        .iter()
        .map(|(key, value)| quote!(request.query(#key, #value);))
        .collect();
    let params: Vec<TokenStream> = op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
        .map(param_statement)
        .collect();
    let body = op.body.as_ref().map(|b| {
        let media = &b.media_type;
        // The statement that adds the body, given as a reference and as a
        // value to clone (`&self.body` and `self.body`, or `value` for both).
        let add = |by_ref: TokenStream, place: TokenStream| match b.encoding {
            BodyEncoding::Json => quote!(request.json_body(#by_ref, #media)?;),
            BodyEncoding::Form => {
                let fields = b.form_fields.iter().filter_map(form_field);
                quote!(request.form_body(#by_ref, &[#(#fields),*])?;)
            }
            BodyEncoding::Text => {
                quote!(request.body(crate::runtime::Bytes::from(#place.clone()), #media);)
            }
            BodyEncoding::Bytes => quote!(request.body(#place.clone(), #media);),
            BodyEncoding::Multipart => {
                let set = super::parts::body_statement(op, by_ref);
                quote!({ #set })
            }
        };
        if b.required {
            add(quote!(&self.body), quote!(self.body))
        } else {
            let add = add(quote!(value), quote!(value));
            quote!(if let Some(value) = &self.body { #add })
        }
    });
    let accept = op.accept.as_ref().map(|a| quote!(request.accept(#a);));
    let security = super::schemes::requirement(op, api);
    let server = super::servers::operation_server(op);
    let changed = !constant_query.is_empty()
        || !params.is_empty()
        || body.is_some()
        || accept.is_some()
        || security.is_some()
        || server.is_some();
    let binding = if changed {
        quote!(let mut request)
    } else {
        quote!(let request)
    };
    let status_slice = |codes: &[u16]| {
        if (200..300).all(|code| codes.contains(&code)) {
            return quote!(runtime::ANY_SUCCESS);
        }
        let codes = codes
            .iter()
            .map(|c| proc_macro2::Literal::u16_unsuffixed(*c));
        quote!(&[#(#codes),*])
    };
    let output = type_tokens(&op.success.output(Paths::InCrate));
    let decode = match &op.success {
        Success::Json {
            statuses,
            envelope: None,
            ..
        } => {
            let statuses = status_slice(statuses);
            quote!(runtime::decode_json(raw, #statuses))
        }
        Success::Json {
            statuses,
            envelope: Some(envelope),
            ..
        } => {
            let statuses = status_slice(statuses);
            let property = &envelope.property;
            quote!(runtime::decode_json_in(raw, #statuses, #property))
        }
        Success::Bytes { statuses } => {
            let statuses = status_slice(statuses);
            quote!(runtime::decode_bytes(raw, #statuses))
        }
        Success::Raw => quote!(Ok(raw)),
        Success::ByStatus {
            enum_name,
            variants,
        } => {
            let enum_name = ident(enum_name);
            let arms = variants.iter().map(|v| {
                let variant = ident(&v.rust_name);
                let status = proc_macro2::Literal::u16_unsuffixed(v.status);
                match &v.body {
                    SuccessBody::Json(_) => quote!(#status => #enum_name::#variant(raw.json()?),),
                    SuccessBody::Bytes => {
                        quote!(#status => #enum_name::#variant(raw.body().clone()),)
                    }
                    SuccessBody::Empty => quote!(#status => #enum_name::#variant,),
                }
            });
            quote! {
                let status = raw.status();
                let headers = raw.headers().clone();
                let value = match status.as_u16() {
                    #(#arms)*
                    _ => #enum_name::Undeclared(raw),
                };
                Ok(crate::ResponseValue::new(status, headers, value))
            }
        }
    };
    quote! {
        impl runtime::Operation for #name {
            type Output = #output;

            // `#[inline]` keeps these out of the crate's own build: they are compiled
            // (with the serde code of their bodies) where a caller sends the operation,
            // so the crate builds fast and a program pays only for what it calls.
            #[inline]
            fn request(&self) -> Result<runtime::Request, runtime::Error> {
                #binding = runtime::Request::new(
                    #operation_id,
                    runtime::Method::#method,
                    #template,
                    #path,
                );
                #(#constant_query)*
                #(#params)*
                #body
                #accept
                #security
                #server
                Ok(request)
            }

            #[inline]
            fn decode(raw: crate::RawResponse) -> Result<Self::Output, runtime::Error> {
                #decode
            }
        }
    }
}

/// The path: `runtime::expand_path(template, &[(name, runtime::path_param(..)?)])?`,
/// the runtime expanding each parameter by its style and putting the path together,
/// or the template itself as a `String` when it has no parameters. A parameter the
/// template names twice (`/b/{x}/{x}`) is expanded once.
fn path_expr(op: &Operation) -> TokenStream {
    let template = op
        .path
        .iter()
        .map(|part| match part {
            PathPart::Literal(text) => text.clone(),
            PathPart::Param(index) => format!("{{{}}}", op.params[*index].wire_name),
        })
        .collect::<String>();
    let mut expanded = Vec::new();
    let mut values = Vec::new();
    for part in &op.path {
        let PathPart::Param(index) = part else {
            continue;
        };
        if expanded.contains(index) {
            continue;
        }
        expanded.push(*index);
        let param = &op.params[*index];
        let name = &param.wire_name;
        let field = ident(&param.rust_name);
        let descriptor = descriptor(param);
        let value = json_wrapped(param, quote!(&self.#field));
        values.push(quote!((#name, runtime::path_param(#descriptor, #value)?)));
    }
    if values.is_empty() {
        quote!(String::from(#template))
    } else {
        quote!(runtime::expand_path(#template, &[#(#values),*])?)
    }
}

/// `&runtime::Param::form("name")`: the parameter's wire name and serialization, as
/// the IR decided them.
fn descriptor(p: &Param) -> TokenStream {
    let param = param_tokens(&p.wire_name, p.style, p.explode, p.allow_reserved);
    quote!(&#param)
}

/// A `runtime::Param` expression, in the short form the runtime has for the
/// locations' defaults (`form` exploded, `simple`).
fn param_tokens(name: &str, style: ParamStyle, explode: bool, allow_reserved: bool) -> TokenStream {
    let param = match (style, explode) {
        (ParamStyle::Form, true) => quote!(runtime::Param::form(#name)),
        (ParamStyle::Simple, false) => quote!(runtime::Param::simple(#name)),
        (style, explode) => {
            let style = style_tokens(style);
            quote!(runtime::Param::new(#name, #style, #explode))
        }
    };
    if allow_reserved {
        quote!(#param.reserved())
    } else {
        param
    }
}

fn style_tokens(style: ParamStyle) -> TokenStream {
    match style {
        ParamStyle::Simple => quote!(runtime::Style::Simple),
        ParamStyle::Label => quote!(runtime::Style::Label),
        ParamStyle::Matrix => quote!(runtime::Style::Matrix),
        ParamStyle::Form => quote!(runtime::Style::Form),
        ParamStyle::SpaceDelimited => quote!(runtime::Style::SpaceDelimited),
        ParamStyle::PipeDelimited => quote!(runtime::Style::PipeDelimited),
        ParamStyle::DeepObject => quote!(runtime::Style::DeepObject),
    }
}

/// One property of a form body: `runtime::FormField::Styled(..)` or `Json("name")`;
/// `None` for one the runtime sends that way anyway (`form` exploded, the default
/// for a property it is not told about).
fn form_field(field: &FormField) -> Option<TokenStream> {
    let name = &field.wire_name;
    if field.json {
        return Some(quote!(runtime::FormField::Json(#name)));
    }
    if (field.style, field.explode, field.allow_reserved) == (ParamStyle::Form, true, false) {
        return None;
    }
    let param = param_tokens(name, field.style, field.explode, field.allow_reserved);
    Some(quote!(runtime::FormField::Styled(#param)))
}

/// `value`, or `&runtime::AsJson(value)` for a parameter with JSON `content`.
fn json_wrapped(p: &Param, value: TokenStream) -> TokenStream {
    if p.content.is_some() {
        quote!(&runtime::AsJson(#value))
    } else {
        value
    }
}

/// The statement that adds a query, header or cookie parameter: the runtime
/// serializes it by its descriptor, and an optional one that is `None` adds nothing.
fn param_statement(p: &Param) -> TokenStream {
    let field = ident(&p.rust_name);
    let descriptor = descriptor(p);
    let method = match p.location {
        ParamLocation::Header => quote!(header_param),
        ParamLocation::Cookie => quote!(cookie_param),
        ParamLocation::Query | ParamLocation::Path => quote!(query_param),
    };
    if p.content.is_none() {
        return quote!(request.#method(#descriptor, &self.#field)?;);
    }
    // JSON text of `None` would be `null`: an absent parameter is not sent.
    let add = |value: TokenStream| match p.location {
        ParamLocation::Query => {
            let name = &p.wire_name;
            quote!(request.query_json(#name, #value)?;)
        }
        _ => {
            let value = json_wrapped(p, value);
            quote!(request.#method(#descriptor, #value)?;)
        }
    };
    if p.required {
        add(quote!(&self.#field))
    } else {
        let statement = add(quote!(value));
        quote!(if let Some(value) = &self.#field { #statement })
    }
}
