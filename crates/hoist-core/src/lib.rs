//! Hoist's engine: everything below the window.
//!
//! * [`provider`] turns each vendor's API into the same normalized steps
//!   (reserve, renew, confirm, list, get, attach).
//! * [`transfer`] streams a file to a signed storage URL.
//! * [`queue`] is the persistent SQLite queue with write-ahead state changes.
//! * [`accounts`] names destinations; their keys live in the OS keychain.
//! * [`redact`] keeps keys and signed URLs out of logs and diagnostics.
//! * [`text`] makes server text (names, error messages) safe to print.
//! * [`sync`] watches folders and queues what appears in them, once.
//! * [`engine`] runs the queue: one [`Engine`] handle, commands in, events out,
//!   shared unchanged by the CLI and the desktop shell.

pub mod accounts;
pub mod control;
pub mod destination;
pub mod engine;
pub mod error;
pub mod library;
pub mod model;
pub mod provider;
// Private to the core: front ends use `Engine`, `control` and
// `sync::control`. Integration tests see it with `test-support`.
#[cfg(feature = "test-support")]
pub mod queue;
#[cfg(not(feature = "test-support"))]
mod queue;
pub mod reason;
pub mod redact;
pub mod retry;
pub mod scan;
pub mod state_dir;
pub mod sync;
pub mod text;
pub mod transfer;

pub use engine::{Engine, EngineConfig, EngineEvent, LibraryActionError};
pub use error::{ApiError, CoreError};
pub use model::{Destination, JobId, JobSnapshot, JobState, JobTarget, ProviderKind, RemoteAsset};
pub use queue::{EngineLock, JobFilter, JobRow, QueueTally};
