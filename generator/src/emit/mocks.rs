//! `mock.rs`, behind the generated crate's `mock` feature: a `MockServer` with one
//! typed helper per operation, and the `Mock<O>` those helpers return.
//!
//! A helper takes its client method's arguments and calls that method, so the mock
//! holds exactly the `Request<O>` the client would send; its setters are the
//! request's setters. What to match, how to answer and how to count is in the
//! runtime's `mock` module; per operation this file only spells signatures and the
//! operation's success answer (`runtime::mock::MockOperation`).

use super::docs::doc_attrs;
use super::ident;
use super::operations::inputs;
use super::types::type_tokens;
use crate::ir::{Api, BodyKind, Operation, Paths, StatusSpec, Success, TypeRef};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub(crate) fn mocks(api: &Api) -> TokenStream {
    let helpers = api.operations.iter().map(helper);
    let setters = api.operations.iter().filter_map(setters);
    let answers = api.operations.iter().map(mock_operation);
    let error_body = super::types::type_tokens(&api.error_body.rust(crate::ir::Paths::InCrate));
    let generic = generic(!api.operations.is_empty(), &error_body);
    let helpers = (!api.operations.is_empty()).then(|| quote!(impl MockServer { #(#helpers)* }));
    quote! {
        #![doc = " Typed mocks for the tests of code that uses this client (the `mock` feature): a loopback [`MockServer`] with one helper per operation, taking the same arguments as the [`Client`] method and the same setters as its [`Request`], that matches exactly the request the client sends for them."]
        #![doc = ""]
        #![doc = " Unset optional inputs match any value. Answer with [`Mock::respond`](crate::mock::Mock::respond) (the operation's success type), [`Mock::respond_error`](crate::mock::Mock::respond_error) (a status and the spec's error body) or the other `respond_*` methods; [`Mock::expect`](crate::mock::Mock::expect) sets how many calls are expected, checked by [`MockServer::verify`](crate::mock::MockServer::verify) and when the server is dropped."]
        // Deprecated operations have mocks too, and a mock takes the same
        // arguments as its method, however many the spec requires.
        #![allow(deprecated, clippy::too_many_arguments)]
        use crate::{runtime, Client, Request};

        /// How many calls a mock expects: `1`, `0`, `2..`, `..=3`.
        pub use crate::runtime::mock::Times;

        #generic

        #helpers

        #(#setters)*
        #(#answers)*
    }
}

/// `MockServer` and `Mock<O>`: the same for every API, thin over the runtime (with
/// `mock()`, which starts a `Mock`, when there are operations to mock).
fn generic(has_operations: bool, error_body: &TokenStream) -> TokenStream {
    let start_mock = has_operations.then(|| {
        quote! {
            fn mock<'a, O>(server: &'a MockServer, label: &'static str, request: Request<O>) -> Mock<'a, O> {
                Mock {
                    server,
                    label,
                    request,
                    expectation: runtime::mock::Expectation::new(),
                }
            }
        }
    });
    quote! {
        /// A server on loopback for tests, with one mock helper per operation.
        /// Point the code under test at it with [`MockServer::client`], or with
        /// [`Client::builder`]`().base_url(server.uri())`.
        #[derive(Debug)]
        pub struct MockServer {
            server: runtime::mock::MockServer,
            client: Client,
        }

        impl MockServer {
            /// Starts a server on a free loopback port.
            pub async fn start() -> MockServer {
                let server = runtime::mock::MockServer::start().await;
                let client = server.client();
                MockServer { server, client }
            }

            /// The server's base URL, e.g. `http://127.0.0.1:43121`.
            pub fn uri(&self) -> String {
                self.server.uri()
            }

            /// A client of this server, without credentials and with retries off, so
            /// each call is one request.
            pub fn client(&self) -> Client {
                self.client.clone()
            }

            /// Panics, listing the requests received, if a mock was not called as often
            /// as [`Mock::expect`] said. Dropping the server checks the same.
            pub async fn verify(&self) {
                self.server.verify().await;
            }
        }

        /// A mock of one call, from a [`MockServer`] helper: set optional inputs to match
        /// them, say how to answer and how often it is expected, then `.mount().await`.
        #[must_use = "a mock does nothing until `.mount().await`"]
        pub struct Mock<'a, O> {
            server: &'a MockServer,
            label: &'static str,
            request: Request<O>,
            expectation: runtime::mock::Expectation,
        }

        #start_mock

        // A free function, so no setter name is taken by it.
        fn map<'a, O>(mut mock: Mock<'a, O>, set: impl FnOnce(Request<O>) -> Request<O>) -> Mock<'a, O> {
            mock.request = set(mock.request);
            mock
        }

        impl<O: runtime::mock::MockOperation> Mock<'_, O> {
            /// Matches only calls with this extra header ([`Request::with_header`]).
            pub fn with_header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
                map(self, |request| request.with_header(name, value))
            }

            /// Matches only calls with this extra query parameter ([`Request::with_query`]).
            pub fn with_query(self, name: impl Into<String>, value: impl Into<String>) -> Self {
                map(self, |request| request.with_query(name, value))
            }

            /// Answers with `body`, the operation's success type, as the spec declares it,
            /// with the first success status the spec lists (see [`Self::respond_status`]).
            pub fn respond(mut self, body: &O::Body) -> Self {
                self.expectation = self.expectation.body(O::body(body));
                self
            }

            /// Answers with `status`; without a `respond*` body, the body is empty.
            pub fn respond_status(mut self, status: u16) -> Self {
                self.expectation = self.expectation.status(status);
                self
            }

            /// Adds a header to the answer; a name given twice sends both values.
            pub fn respond_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.expectation = self.expectation.header(name, value);
                self
            }

            /// Answers with `status` and the spec's error body, as JSON.
            pub fn respond_error(mut self, status: u16, body: &#error_body) -> Self {
                self.expectation = self
                    .expectation
                    .status(status)
                    .body(runtime::mock::Body::json(body, "application/json"));
                self
            }

            /// Answers with `status` and any serialisable `body`, as JSON.
            pub fn respond_json<T: ::serde::Serialize + ?Sized>(mut self, status: u16, body: &T) -> Self {
                self.expectation = self
                    .expectation
                    .status(status)
                    .body(runtime::mock::Body::json(body, "application/json"));
                self
            }

            /// Answers with `status` and `body` as it is, sent as `content_type`.
            pub fn respond_bytes(mut self, status: u16, content_type: &str, body: impl Into<crate::runtime::Bytes>) -> Self {
                self.expectation = self
                    .expectation
                    .status(status)
                    .body(runtime::mock::Body::bytes(body, content_type));
                self
            }

            /// Expects this many matching calls (`1`, `0`, `1..`), checked by
            /// [`MockServer::verify`] and when the server is dropped.
            pub fn expect(mut self, times: impl Into<Times>) -> Self {
                self.expectation = self.expectation.times(times);
                self
            }

            /// Mounts the mock on its server.
            ///
            /// # Panics
            ///
            /// When the client would not send this call (an invalid header value), or
            /// the answer is not valid HTTP.
            pub async fn mount(self) {
                self.server
                    .server
                    .mount(self.label, &self.request.operation, &self.request.options, self.expectation)
                    .await;
            }
        }
    }
}

/// `server.get_imodel(imodel_id)`: the client method's arguments, its request mocked.
fn helper(op: &Operation) -> TokenStream {
    crate::diagnostics::guard::at(&op.origin);
    let name = ident(&op.rust_name);
    let builder = ident(&op.builder_name);
    let required: Vec<_> = inputs(op).into_iter().filter(|i| i.required).collect();
    let args = required.iter().map(|i| {
        let arg = ident(i.name);
        let ty = type_tokens(&i.ty.argument(Paths::InCrate));
        quote!(#arg: #ty)
    });
    let forwarded = required.iter().map(|i| ident(i.name));
    let plain = op.rust_name.trim_start_matches("r#");
    let label = plain.to_owned();
    let answer = match &op.success {
        Success::Json { ty, envelope, .. } => {
            let answer = match ty {
                TypeRef::Named(type_name) => format!(
                    "Answer with [`Mock::respond`] and a [`{type_name}`](crate::models::{type_name})"
                ),
                _ => "Answer with [`Mock::respond`] and the success type".to_owned(),
            };
            match envelope {
                Some(envelope) => format!(
                    "{answer} (sent in its envelope, as the `{}` property of the body)",
                    envelope.property
                ),
                None => answer,
            }
        }
        Success::Bytes { .. } => "Answer with [`Mock::respond`] and the body bytes".to_owned(),
        Success::Raw | Success::ByStatus { .. } => {
            "The spec gives no single success type: answer with [`Mock::respond`] and any JSON, or [`Mock::respond_status`] alone".to_owned()
        }
    };
    // A multipart body's boundary is new on every call: its parts are compared.
    let unmatched_body = op
        .body
        .as_ref()
        .and_then(|b| b.multipart.as_ref())
        .map(|_| {
            " A multipart body matches part by part (names, file names, content types, headers, bytes), whatever its boundary.".to_owned()
        });
    let docs = doc_attrs([
        Some(format!(
            "Mocks [`Client::{plain}`](crate::Client::{plain}): matches the `{} {}` request it sends with these arguments, and the optional inputs set on the returned [`Mock`].{}",
            op.method.as_str(),
            op.path_template,
            unmatched_body.unwrap_or_default()
        )),
        Some(format!(
            "{answer}, or [`Mock::respond_error`] and the spec's error body."
        )),
    ]);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #docs
        #deprecated
        pub fn #name(&self, #(#args),*) -> Mock<'_, crate::operations::#builder> {
            mock(self, #label, self.client.#name(#(#forwarded),*))
        }
    }
}

/// The request's setters again on `Mock<Op>`, each setting the mocked request's input.
fn setters(op: &Operation) -> Option<TokenStream> {
    let builder = ident(&op.builder_name);
    let setters: Vec<TokenStream> = inputs(op)
        .into_iter()
        .filter(|i| !i.required)
        .map(|i| {
            let setter = ident(i.name);
            let ty = type_tokens(&i.ty.argument(Paths::InCrate));
            let doc = format!(
                " Matches only calls that set it to `value` ([`Request::{}`](crate::Request::{})).",
                i.name.trim_start_matches("r#"),
                i.name
            );
            quote! {
                #[doc = #doc]
                pub fn #setter(self, value: #ty) -> Self {
                    map(self, |request| request.#setter(value))
                }
            }
        })
        .collect();
    (!setters.is_empty()).then(|| {
        quote! {
            impl Mock<'_, crate::operations::#builder> {
                #(#setters)*
            }
        }
    })
}

/// The operation's success answer: its body type, status and media type.
fn mock_operation(op: &Operation) -> TokenStream {
    let builder = ident(&op.builder_name);
    let (body, status, encode) = match &op.success {
        Success::Json {
            ty,
            statuses,
            envelope,
        } => {
            let status = first(statuses);
            let media = media_type(op, status, |b| matches!(b, BodyKind::Json(_)))
                .unwrap_or("application/json");
            // The entity goes back into its envelope, as the server sends it.
            let encode = match envelope {
                None => quote!(runtime::mock::Body::json(body, #media)),
                Some(envelope) => {
                    let property = &envelope.property;
                    quote!(runtime::mock::Body::json(
                        &::std::collections::BTreeMap::from([(#property, body)]),
                        #media
                    ))
                }
            };
            (type_tokens(&ty.rust(Paths::InCrate)), status, encode)
        }
        Success::Bytes { statuses } => {
            let status = first(statuses);
            let media = media_type(op, status, |b| matches!(b, BodyKind::Bytes))
                .unwrap_or("application/octet-stream");
            (
                type_tokens(&TypeRef::Bytes.rust(Paths::InCrate)),
                status,
                quote!(runtime::mock::Body::bytes(body.clone(), #media)),
            )
        }
        Success::ByStatus { variants, .. } => {
            let status = variants.first().map_or(200, |v| v.status);
            any_json(op, status)
        }
        Success::Raw => {
            let status = op
                .responses
                .iter()
                .find_map(|r| match r.status {
                    StatusSpec::Code(code) if (200..300).contains(&code) => Some(code),
                    _ => None,
                })
                .unwrap_or(200);
            any_json(op, status)
        }
    };
    let status = Literal::u16_unsuffixed(status);
    quote! {
        impl runtime::mock::MockOperation for crate::operations::#builder {
            type Body = #body;
            const STATUS: u16 = #status;
            fn body(body: &Self::Body) -> runtime::mock::Body {
                #encode
            }
        }
    }
}

/// Any JSON, for answers the spec gives no one type for.
fn any_json(op: &Operation, status: u16) -> (TokenStream, u16, TokenStream) {
    let media = media_type(op, status, |_| true)
        .filter(|m| *m == "application/json" || m.ends_with("+json"))
        .unwrap_or("application/json");
    (
        type_tokens(&TypeRef::Json.rust(Paths::InCrate)),
        status,
        quote!(runtime::mock::Body::json(body, #media)),
    )
}

fn first(statuses: &[u16]) -> u16 {
    statuses.first().copied().unwrap_or(200)
}

/// The first media type the response for `status` declares with a body `kind` wants.
fn media_type(op: &Operation, status: u16, kind: impl Fn(&BodyKind) -> bool) -> Option<&str> {
    op.responses
        .iter()
        .filter(|r| r.status == StatusSpec::Code(status))
        .flat_map(|r| &r.content)
        .find(|c| kind(&c.body))
        .map(|c| c.media_type.as_str())
}
