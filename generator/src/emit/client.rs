//! `client.rs` of the generated crate: its `Client` (a newtype of the runtime's
//! `HttpClient` that knows the spec's server and error body) and `Request<O>`, the
//! one request type every operation returns. Per-call options and sending are
//! written here once, as calls into the runtime; each operation adds only its
//! setters (in `operations.rs`).

use crate::ir::Api;
use proc_macro2::TokenStream;
use quote::quote;

/// `pub use client::{...};` for the modules of `client.rs` the crate root shows:
/// `schemes` and `servers`, when the spec has them.
pub(super) fn reexports(api: &Api) -> TokenStream {
    let schemes = super::schemes::module(api).map(|_| {
        quote!(
            pub use client::schemes;
        )
    });
    let servers = super::servers::module(api).map(|_| {
        quote!(
            pub use client::servers;
        )
    });
    quote!(#schemes #servers)
}

pub fn client(api: &Api) -> TokenStream {
    let schemes = super::schemes::module(api);
    let servers = super::servers::module(api);
    let link_security = super::schemes::link_requirement(api);
    // `send_and_wait`, when some operation is long-running.
    let waiters = super::waiters::any(api).then(super::waiters::request_methods);
    let wait_policy = waiters.is_some().then(|| quote!(WaitPolicy,));
    // What each operation's method starts from; a document without operations has
    // no use for it.
    let start_request = (!api.operations.is_empty()).then(|| {
        quote! {
            pub(crate) fn request<O>(&self, operation: O) -> Request<O> {
                Request {
                    client: self.clone(),
                    operation,
                    options: runtime::RequestOptions::new(),
                    max_items: None,
                }
            }
        }
    });
    let error_body = super::types::type_tokens(&api.error_body.rust(crate::ir::Paths::InCrate));
    quote! {
        #![doc = " The API client and the request every operation returns."]
        use crate::{runtime, ClientBuilder, Download, Error, ItemStream, RawResponse, ResponseValue, RetryPolicy, StreamingResponse, Upload, #wait_policy DEFAULT_BASE_URL};

        /// The API client: one method per operation. Cheap to clone: clones share one
        /// connection pool and configuration, so create one and pass it around.
        #[derive(Debug, Clone)]
        pub struct Client {
            pub(crate) http: runtime::HttpClient,
        }

        impl From<runtime::HttpClient> for Client {
            fn from(http: runtime::HttpClient) -> Self {
                Client { http }
            }
        }

        impl runtime::ApiClient for Client {
            type ErrorBody = #error_body;
            const DEFAULT_BASE_URL: &'static str = DEFAULT_BASE_URL;
            const USER_AGENT: &'static str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

            fn http(&self) -> &runtime::HttpClient {
                &self.http
            }
        }

        impl Client {
            /// A client for [`DEFAULT_BASE_URL`], authenticating with `token` (an OAuth
            /// access token, with or without the `Bearer ` prefix).
            pub fn new(token: impl Into<String>) -> Result<Client, Error> {
                Client::builder().bearer_token(token).build()
            }

            /// A client for another server (a mock, a proxy, a regional deployment).
            pub fn with_base_url(base_url: impl Into<String>, token: impl Into<String>) -> Result<Client, Error> {
                Client::builder().base_url(base_url).bearer_token(token).build()
            }

            /// A builder for every other setting.
            pub fn builder() -> ClientBuilder {
                ClientBuilder::new()
            }

            /// The base URL requests are sent to, without a trailing slash.
            pub fn base_url(&self) -> &str {
                self.http.base_url()
            }

            /// Downloads from a pre-signed storage URL: a `download` link the API
            /// returned (any generated link type, or a `&str`), streamed and resumed after
            /// a cut; the client's token and default headers are never sent there.
            pub fn download_from(&self, link: impl runtime::Href) -> Download {
                self.http.download(link)
            }

            /// Uploads a file or bytes to a pre-signed storage URL: an `upload` link the
            /// API returned (any generated link type, or a `&str`); the client's token
            /// and default headers are never sent there.
            pub fn upload_to(&self, link: impl runtime::Href, body: impl Into<runtime::UploadBody>) -> Upload {
                self.http.upload(link, body)
            }

            /// Follows a link the API returned (a `_links` entry, or any URL on the API)
            /// with a `GET`, with the credentials the spec's document-level `security`
            /// asks for (as an operation without `security` of its own: none when it
            /// asks for none), and decodes the JSON answer as `T`.
            /// Only a link to this client's own origin (scheme, host and port of
            /// [`Self::base_url`]) is followed: any other is an error and nothing is sent,
            /// so the token never leaves for another host. Storage links are for
            /// [`Self::download_from`].
            pub async fn get_link<T: ::serde::de::DeserializeOwned>(&self, link: impl runtime::Href) -> Result<ResponseValue<T>, Error> {
                const SECURITY: Option<runtime::Requirement> = #link_security;
                runtime::get_link(&self.http, &link, runtime::RequestOptions::new(), SECURITY).await
            }

            #start_request
        }

        /// One call to the API, from a [`Client`] method: the operation's inputs
        /// (required ones were arguments; optional ones are setters here), per-call
        /// options, and `.send().await`.
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until `.send().await`"]
        pub struct Request<O> {
            // Read by the waiters of long-running operations (`runtime::LongRunning::poll`).
            pub(crate) client: Client,
            // Each operation's setters (in `operations.rs`) write its inputs here.
            pub(crate) operation: O,
            // Read by the waiters and by the mocks (`mock.rs`), which match the call these make.
            pub(crate) options: runtime::RequestOptions,
            max_items: Option<u64>,
        }

        impl<O: runtime::Operation> Request<O> {
            /// Adds a header to this call only (e.g. `Prefer: return=representation`);
            /// see [`RequestOptions::header`](crate::runtime::RequestOptions::header).
            pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.options = self.options.header(name, value);
                self
            }

            /// Adds a query parameter the spec does not declare to this call only.
            pub fn with_query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.options = self.options.query(name, value);
                self
            }

            /// Sets this call's timeout per attempt, replacing the client's.
            pub fn with_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.options = self.options.timeout(timeout);
                self
            }

            /// Sets this call's retry policy, replacing the client's.
            pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
                self.options = self.options.retry(policy);
                self
            }

            /// Sends the request and waits for the answer: the operation's typed value
            /// (with status and headers) on a declared 2xx, [`Error::UndeclaredStatus`](runtime::Error::UndeclaredStatus)
            /// with the raw response on another 2xx, [`Error::Api`](runtime::Error::Api) otherwise.
            pub async fn send(self) -> Result<O::Output, Error> {
                runtime::send(&self.client.http, self.operation, self.options).await
            }

            /// Sends the request and returns the 2xx answer undecoded: status, headers
            /// and body, which [`RawResponse::json`] decodes as any type (such as the
            /// whole envelope of an operation that returns the entity inside it).
            /// Other statuses are errors, as with [`Self::send`].
            pub async fn send_raw(self) -> Result<RawResponse, Error> {
                runtime::send(&self.client.http, Raw(self.operation), self.options).await
            }

            /// Sends the request and returns a 2xx answer before its body is read: the
            /// body streams as it arrives, with no size limit (for files and other
            /// large bodies). Other statuses are errors, as with [`Self::send`].
            pub async fn send_streaming(self) -> Result<StreamingResponse, Error> {
                runtime::send_streaming(&self.client.http, self.operation, self.options).await
            }
        }

        impl<O: runtime::PagedOperation> Request<O> {
            /// Stops [`Self::into_stream`] after this many items; the last page asks only
            /// for the items still needed.
            pub fn max_items(mut self, max_items: u64) -> Self {
                self.max_items = Some(max_items);
                self
            }

            /// Streams the items of every page, fetching the next page only when the
            /// stream needs it, so one page is held in memory at a time. A short page is
            /// not the end (servers cap page sizes): the stream ends at an empty page, at
            /// a page that names no next one when the list gives next links or
            /// continuation tokens, at [`Self::max_items`], or after the first error;
            /// [`Self::send`] still fetches a single page.
            pub fn into_stream(self) -> ItemStream<O::Item> {
                runtime::stream(self.client.http, self.operation, self.options, self.max_items)
            }
        }

        /// An operation answered undecoded, for [`Request::send_raw`].
        #[derive(Debug, Clone)]
        struct Raw<O>(O);

        impl<O: runtime::Operation> runtime::Operation for Raw<O> {
            type Output = RawResponse;

            fn request(&self) -> Result<runtime::Request, runtime::Error> {
                self.0.request()
            }

            fn decode(raw: RawResponse) -> Result<RawResponse, runtime::Error> {
                Ok(raw)
            }
        }
        #waiters
        #schemes
        #servers
    }
}
