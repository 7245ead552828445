//! Names a generated crate cannot give its own items, because the types it wraps
//! around this runtime already use them. The generator reads this file (it is
//! included by path, so the two cannot drift), and its tests check that the
//! generated `Client` and `Request<O>` have exactly these methods.
// Hand-written: the runtime crate `openapi-client-runtime`, also copied verbatim into crates generated with `--vendor-runtime`.

/// Methods of every generated `Request<O>`: per-call options, sending and paging.
/// Operation setters are methods of the same type, so none may take these names.
pub const REQUEST_METHODS: &[&str] = &[
    "with_header",
    "with_query",
    "with_timeout",
    "with_retry",
    "send",
    "send_streaming",
    "send_raw",
    "send_and_wait",
    "send_and_wait_with",
    "max_items",
    "into_stream",
];

/// Methods of every generated `Client` besides its operations.
pub const CLIENT_METHODS: &[&str] = &[
    "new",
    "with_base_url",
    "builder",
    "base_url",
    "download_from",
    "upload_to",
    "get_link",
    "request",
    "clone",
];

/// Methods of every generated `mock::MockServer` besides its operations' helpers,
/// which take the operations' `Client` method names: those may not take these.
pub const MOCK_SERVER_METHODS: &[&str] = &["start", "uri", "client", "verify"];

/// Methods of every generated `mock::Mock<O>`: matching per-call extras, answering,
/// counting and mounting. The operation's setters are methods of the same type (with
/// the names they have on `Request<O>`), so none may take these.
pub const MOCK_METHODS: &[&str] = &[
    "with_header",
    "with_query",
    "respond",
    "respond_status",
    "respond_header",
    "respond_error",
    "respond_json",
    "respond_bytes",
    "expect",
    "mount",
];
