//! Client runtime shared by every generated operation: the HTTP client, request
//! building, response decoding and the error type.
//!
//! Generated operations build a [`Request`], hand it to [`Client::execute`] and
//! decode the [`RawResponse`] with [`decode_json`] or [`decode_bytes`]. Callers
//! normally only touch [`Client`], [`ClientBuilder`], [`Success`] and [`Error`].
// Hand-written runtime, copied verbatim into generated crates by the generator; edit it in generator/runtime/.

mod auth;
mod client;
mod encode;
mod error;
mod options;
mod paginate;
mod request;
mod response;
mod retry;

pub use auth::{AccessToken, BoxError, StaticToken, TokenFuture, TokenProvider};
pub use client::{Client, ClientBuilder};
pub use encode::{encode_path_segment, query_text};
pub use error::{ApiError, DecodeError, Error};
pub use options::RequestOptions;
pub use paginate::{paginate, ItemStream, Page, PageCursor, Paging, DEFAULT_PAGE_SIZE};
pub use request::Request;
pub use response::{decode_bytes, decode_json, RawResponse, ResponseValue, Success, ANY_SUCCESS};
pub use retry::{Jitter, RetryPolicy};

/// Re-exported so callers can name response bodies without depending on `bytes`.
pub use bytes::Bytes;
/// Re-exported so callers can inspect statuses and headers without depending on `reqwest`.
pub use reqwest::{header::HeaderMap, Method, StatusCode};
