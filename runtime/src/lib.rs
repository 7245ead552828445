//! The runtime of clients generated from OpenAPI documents by `imodels-codegen`:
//! the HTTP client, per-call options, sending with retries, authentication,
//! response decoding, pagination and the error type.
//!
//! A generated crate depends on this one and adds only what its spec knows: a
//! `Client` newtype of [`HttpClient`] implementing [`ApiClient`] (its default base
//! URL and error body type), one [`Operation`] per spec operation (inputs, path,
//! query, body, media types, response types), and re-exports of what its callers
//! need, so they depend on the generated crate alone. Its `Request<O>` holds an
//! operation with its [`RequestOptions`] and ends in [`send`] (or [`stream`] for a
//! [`PagedOperation`]).
//!
//! Items marked hidden in the docs are called by generated code only.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.
#![forbid(unsafe_code)]

mod auth;
mod body;
mod client;
mod constant;
mod encode;
mod error;
mod form;
mod headers;
mod json_path;
mod link;
mod link_header;
mod media;
#[cfg(feature = "mock")]
pub mod mock;
mod multipart;
mod nullable;
mod open_enum;
mod operation;
mod options;
mod paginate;
mod request;
mod reserved;
mod response;
mod retry;
mod security;
mod style;
mod transfer;
mod variants;
mod wait;

pub use auth::{AccessToken, BoxError, StaticToken, TokenFuture, TokenProvider};
pub use body::Body;
pub use client::{ApiClient, ClientBuilder, HttpClient, OperationServer};
#[doc(hidden)]
pub use constant::{deserialize_const, ConstValue};
#[doc(hidden)]
pub use encode::{encode_path_segment, expand_path};
pub use error::{ApiError, DeadlineError, DecodeError, Error, ShapeError, TransferError, Unparsed};
#[doc(hidden)]
pub use form::FormField;
pub use headers::{required_response_header, response_header, HeaderError, ResponseHeaders};
#[doc(hidden)]
pub use link::get_link;
pub use link::{ForeignOriginError, Href};
pub use multipart::{FilePart, PartHeaders, Parts};
#[doc(hidden)]
pub use multipart::{Multipart, PartSpec};
pub use nullable::Nullable;
#[doc(hidden)]
pub use open_enum::{parse_int_enum, parse_str_enum, IntEnum, StrEnum};
pub use open_enum::{UnknownInt, UnknownValue};
#[doc(hidden)]
pub use operation::{send, send_streaming, stream};
pub use operation::{Operation, PagedOperation};
pub use options::RequestOptions;
pub use paginate::{paginate, ItemStream, Page, PageCursor, PaginationError, Paging};
#[doc(hidden)]
pub use request::Request;
pub use reserved::{CLIENT_METHODS, MOCK_METHODS, MOCK_SERVER_METHODS, REQUEST_METHODS};
#[doc(hidden)]
pub use response::{decode_bytes, decode_json, ANY_SUCCESS};
#[doc(hidden)]
pub use response::{decode_json_in, deserialize_str_enum};
pub use response::{RawResponse, ResponseValue};
pub use retry::{Jitter, RetryContext, RetryPolicy};
pub use security::{ApiKeyScheme, BasicScheme, BearerScheme, HttpScheme};
#[doc(hidden)]
pub use security::{Requirement, SchemeKind, SecurityScheme};
#[doc(hidden)]
pub use style::{path_param, AsJson, Param, Style};
pub use transfer::{ByteStream, Download, Progress, StreamingResponse, Upload, UploadBody};
#[doc(hidden)]
pub use variants::{serialize_tagged, variant_order, VariantShape};
#[doc(hidden)]
pub use wait::{parse_id, send_and_wait, Finish, IdSource, LongRunning, ReturnId, Then, Wait};
pub use wait::{poll_until, Poll, StateField, WaitError, WaitPolicy};

/// Re-exported so callers can name response bodies without depending on `bytes`.
pub use bytes::Bytes;
/// Re-exported so callers can use streams without depending on `futures-util`.
pub use futures_util::{Stream, StreamExt};
/// Re-exported so callers can inspect statuses and headers without depending on `reqwest`.
pub use reqwest::{header::HeaderMap, Method, StatusCode};
