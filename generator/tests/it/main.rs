//! The generator's integration tests: one test binary, one module per subject
//! (hand-written). `cargo test -p generator --test it` runs them all;
//! `cargo test -p generator --test it snapshots::` runs one module.

mod dependencies;
mod diff;
mod errors;
mod fixtures_compile;
mod fuzz;
mod gating;
mod lowering_scale;
mod merging;
mod overlays;
mod paging_detection;
mod runtime_names;
mod snapshots;
mod spec;
mod support;
