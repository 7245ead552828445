//! After emission: the generated crate's API summary ([`surface`], written as
//! `api.yaml`) and what changed between two of them ([`diff`], the change report).

pub mod diff;
pub mod surface;
