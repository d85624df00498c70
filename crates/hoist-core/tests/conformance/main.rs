//! Conformance: the documented request and response shapes of each dialect,
//! as the adapters send and read them.
//!
//! * The sandbox's own shapes (field names, timestamps, nullable fields,
//!   status codes, auth headers, error bodies) are pinned by raw HTTP in the
//!   sandbox's suite (`crates/hoist-sandbox/tests/`), once.
//! * `confirm`: each adapter against the real sandbox reads the confirm
//!   answers into the same typed outcomes.
//! * `flora`, `runflow`, `segmentflow`: each adapter is fed recorded
//!   responses covering every documented variant by a loopback server that
//!   also records what the adapter sent (auth header, idempotency header,
//!   body field names).
//! * `wrong_provider`: a provider pointed at another provider's endpoint
//!   fails with one message naming what answered and what was expected.

#[path = "../common/mod.rs"]
mod common;
mod support;

mod confirm;
mod flora;
mod runflow;
mod segmentflow;
mod wrong_provider;
