//! Finding the asset of a reservation by what the library shows (name, size
//! and creation time), for vendors whose listings need not carry the id we
//! hold. The rule is to compare and never guess: exactly one candidate is the
//! asset, none is absence, several are a question for a person.

use super::{FileSpec, Lookup};
use crate::error::ApiError;
use crate::model::{Page, RemoteAsset};

/// Slack before the reservation time, for clock skew between us and the server.
const WINDOW_SLACK_MS: i64 = 10 * 60 * 1000;
/// Pages read before the library counts as too long to search.
pub(crate) const MAX_PAGES: usize = 50;

/// Could `a` be the asset made from `file`, reserved at `since_ms`? Unknown
/// fields (null size or time) do not rule it out.
pub(crate) fn plausible(a: &RemoteAsset, file: &FileSpec, since_ms: i64) -> bool {
    a.status != "deleted"
        && a.name.as_deref() == Some(file.name.as_str())
        && a.size.is_none_or(|s| s == file.size)
        && !older_than_window(a, since_ms)
}

/// Created before the window opened (lists are newest first).
pub(crate) fn older_than_window(a: &RemoteAsset, since_ms: i64) -> bool {
    a.created_at
        .is_some_and(|t| t.saturating_mul(1000) < since_ms - WINDOW_SLACK_MS)
}

/// One candidate is the asset; none is absence; more is a question.
pub(crate) fn verdict(mut candidates: Vec<RemoteAsset>, file: &FileSpec) -> Lookup {
    match candidates.len() {
        0 => Lookup::Absent,
        1 => Lookup::Found(candidates.remove(0)),
        n => Lookup::Ambiguous(format!(
            "{n} assets named '{}' of {} bytes were created since the upload began ({})",
            file.name,
            file.size,
            candidates
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Walk a library newest first, keeping the assets `keep` accepts, until the
/// window is behind us. A definitive error reading the list makes the answer
/// unknowable (the list path is inferred for some vendors); passing errors
/// are returned for a later retry.
pub(crate) async fn scan<F, Fut>(
    mut page: F,
    since_ms: i64,
    mut keep: impl FnMut(&RemoteAsset) -> bool,
) -> Result<Result<Vec<RemoteAsset>, String>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Page<RemoteAsset>, ApiError>>,
{
    let mut cursor = None;
    let mut out = Vec::new();
    for _ in 0..MAX_PAGES {
        let p = match page(cursor.take()).await {
            Ok(p) => p,
            Err(e) if e.retryable => return Err(e),
            Err(e) => return Ok(Err(format!("the library could not be searched: {e}"))),
        };
        let behind = p.items.iter().any(|a| older_than_window(a, since_ms));
        out.extend(p.items.into_iter().filter(|a| keep(a)));
        match p.next {
            Some(n) if !behind => cursor = Some(n),
            _ => return Ok(Ok(out)),
        }
    }
    Ok(Err(format!(
        "the library is too long to search (more than {MAX_PAGES} pages since the upload began)"
    )))
}
