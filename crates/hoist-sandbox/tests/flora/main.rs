//! FLORA dialect over real loopback HTTP.

#[path = "../common/mod.rs"]
mod common;

mod persistence;
mod reading;
mod refusals;
mod upload;
