//! The remote library: what lives on the provider, browsed from this machine.
//!
//! * [`cache`]: a copy of each destination's listing in the state database
//!   (schema 6), so the library opens at once and answers offline;
//! * [`refresh`]: follows the provider's cursors page by page into the cache;
//! * [`query`]: paged, searched, filtered and sorted slices of the cache;
//! * [`download`]: originals to disk, streamed, resumable, under safe names;
//! * [`names`]: local file names made safe from remote ones;
//! * [`preview`]: thumbnails of remote assets, made on this machine.

pub mod cache;
pub mod download;
pub mod names;
mod preview;
pub mod query;
pub mod refresh;

pub use cache::{CachedAsset, LibraryCache, RefreshState};
pub use download::{download_original, DownloadError, DownloadOptions, Downloaded, Overwrite};
pub use preview::*;
pub use query::{AssetKind, LibraryPage, LibraryQuery, SortBy};
pub use refresh::{Refresh, RefreshError, RefreshStep};
