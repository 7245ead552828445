//! The runtime's integration tests, against its own API (a client and a few
//! operations written as a generated crate writes them) on loopback servers: one
//! test binary, one module per subject (hand-written). What generated code does
//! with the runtime is tested in `generated-client/tests`.
//! `cargo test -p openapi-client-runtime --test it` runs them all.

mod auth;
mod hostile;
mod pagination;
mod retry;
mod support;
mod transfer_memory;
mod transfers;
