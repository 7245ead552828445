//! The hand-written runtime (`generator/runtime/`), copied verbatim into every
//! generated crate as `src/runtime/`. Keeping it as real files means it is compiled,
//! linted and tested like any other code (it is, inside `generated-client`).

/// `(file name, contents)` of each runtime file.
pub const RUNTIME_FILES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("../runtime/mod.rs")),
    ("auth.rs", include_str!("../runtime/auth.rs")),
    ("client.rs", include_str!("../runtime/client.rs")),
    ("encode.rs", include_str!("../runtime/encode.rs")),
    ("error.rs", include_str!("../runtime/error.rs")),
    ("options.rs", include_str!("../runtime/options.rs")),
    ("paginate.rs", include_str!("../runtime/paginate.rs")),
    ("request.rs", include_str!("../runtime/request.rs")),
    ("response.rs", include_str!("../runtime/response.rs")),
    ("retry.rs", include_str!("../runtime/retry.rs")),
];
