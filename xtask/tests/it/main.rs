//! xtask's integration tests: one test binary, one module per subject
//! (hand-written). `cargo test -p xtask --test it` runs them all.

mod api_changes;
mod cli;
mod generated_client;
mod overlays;
mod support;
mod user_crate;
