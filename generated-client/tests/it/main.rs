//! The generated client's integration tests: one test binary, one module per
//! subject (hand-written; `cargo xtask codegen` does not touch `tests/`).
//! `cargo test -p generated-client --all-features --test it` runs them all;
//! `cargo test -p generated-client --all-features --test it pagination::` runs one module.

mod client;
mod contract;
mod errors;
mod headers;
mod links;
mod live_api;
mod long_running;
mod mock;
mod operations;
mod overlays;
mod pagination;
mod responses;
mod security;
mod shape;
mod support;
