//! The library cache: each account + destination's listing, kept in the
//! state database (schema 6, `library_assets` and `library_state`), so the
//! library opens from disk at once and answers offline.
//!
//! Rows are keyed by (scope, asset id), the scope being
//! [`JobTarget::scope`] like the queue's `dest_key`: two accounts at one
//! destination never see each other's cache. A refresh writes rows with
//! upserts, so a page listed twice never makes a duplicate; the columns a
//! refresh does not know (the local file an asset came from, its job) are
//! kept.

use crate::error::CoreError;
use crate::model::{JobId, JobTarget, ProviderKind, RemoteAsset};
use crate::queue::{now_millis, now_secs, paths, Queue};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use super::query::AssetKind;

/// One cached asset: the provider's record plus what this machine knows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CachedAsset {
    #[serde(flatten)]
    pub asset: RemoteAsset,
    pub kind: AssetKind,
    /// When `url` stops working (signed URLs), Unix ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_expires_ms: Option<i64>,
    /// The file it was uploaded from, when this machine uploaded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_path: Option<PathBuf>,
    /// The queue row that uploaded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<JobId>,
}

impl CachedAsset {
    /// Whether `url` is missing or lapses within `margin_ms` of `now_ms`.
    pub fn url_expired(&self, now_ms: i64, margin_ms: i64) -> bool {
        self.asset.url.is_none() || self.url_expires_ms.is_some_and(|t| t <= now_ms + margin_ms)
    }
}

/// Where the cache of one scope stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshState {
    /// When the last complete pass over the listing ended (Unix ms).
    pub last_complete_ms: Option<i64>,
    /// Number of the pass in progress, or of the last one.
    pub pass: i64,
    pub pass_started_ms: Option<i64>,
    /// The next page of the pass in progress.
    pub cursor: Option<String>,
    /// `None` idle, `walk` (following cursors) or `head` (catching up with
    /// assets that appeared at the top while walking).
    pub phase: Option<String>,
}

/// The cache of one scope.
#[derive(Clone, Debug)]
pub struct LibraryCache {
    pub(crate) queue: Queue,
    pub(crate) scope: String,
    /// [`scope_key`] of `scope`: the rows' key.
    pub(crate) key: i64,
    pub(crate) provider: ProviderKind,
}

pub(crate) const ASSET_COLS: &str = "asset_id, name, content_type, kind, size, width, height, \
    created_at, status, uploader, url, url_expires_ms, thumbnail_url, local_path, job_id";

pub(crate) fn row_to_cached(r: &Row<'_>) -> rusqlite::Result<CachedAsset> {
    let name: String = r.get(1)?;
    let kind: String = r.get(3)?;
    let local = match r.get_ref(13)? {
        ValueRef::Null => None,
        v => paths::from_sql(v).ok(),
    };
    Ok(CachedAsset {
        asset: RemoteAsset {
            id: r.get(0)?,
            name: (!name.is_empty()).then_some(name),
            content_type: r.get(2)?,
            size: r.get::<_, Option<i64>>(4)?.map(|s| s.max(0) as u64),
            width: r.get(5)?,
            height: r.get(6)?,
            created_at: r.get(7)?,
            status: r.get(8)?,
            uploader: r.get(9)?,
            url: r.get(10)?,
            thumbnail_url: r.get(12)?,
            upload_expires_at_ms: None,
        },
        kind: AssetKind::parse(&kind).unwrap_or(AssetKind::Other),
        url_expires_ms: r.get(11)?,
        local_path: local,
        job_id: r.get(14)?,
    })
}

/// When a fetched asset URL stops working: read from the URL where it says
/// (SigV4 `X-Amz-Date` + `X-Amz-Expires`, an absolute `Expires` or
/// `X-Sandbox-Expires` in Unix seconds), else the vendor's documented
/// lifetime from `fetched_ms`; `None` for URLs that are not signed.
pub fn url_expiry_ms(provider: ProviderKind, url: Option<&str>, fetched_ms: i64) -> Option<i64> {
    let url = url?;
    if let Some(t) = crate::provider::runflow::sigv4_expiry_ms(url) {
        return Some(t);
    }
    if let Ok(parsed) = url::Url::parse(url) {
        for (k, v) in parsed.query_pairs() {
            if k.eq_ignore_ascii_case("expires") || k.eq_ignore_ascii_case("x-sandbox-expires") {
                if let Ok(secs) = v.parse::<i64>() {
                    return secs.checked_mul(1000);
                }
            }
        }
    }
    let ttl = crate::provider::spec::spec(provider)
        .library
        .signed_url_ttl_secs?;
    Some(fetched_ms + ttl as i64 * 1000)
}

impl LibraryCache {
    /// The cache of `target` in the state database `queue` opened.
    pub fn new(queue: Queue, target: &JobTarget) -> LibraryCache {
        LibraryCache {
            queue,
            key: scope_key(&target.scope()),
            scope: target.scope(),
            provider: target.destination.provider,
        }
    }

    /// Open the state database in `state_dir` (creating or migrating it)
    /// for `target`'s cache. Needs no engine: reading the cache is safe
    /// while another Hoist runs the queue.
    pub fn open(state_dir: &Path, target: &JobTarget) -> Result<LibraryCache, CoreError> {
        Ok(Self::new(Queue::open(state_dir)?, target))
    }

    pub fn scope(&self) -> &str {
        &self.scope
    }

    pub fn provider(&self) -> ProviderKind {
        self.provider
    }

    pub async fn state(&self) -> Result<RefreshState, CoreError> {
        let scope = self.scope.clone();
        self.queue.call(move |c| read_state(c, &scope)).await
    }

    pub(crate) async fn set_state(&self, st: RefreshState) -> Result<(), CoreError> {
        let scope = self.scope.clone();
        self.queue
            .write(move |c| {
                c.execute(
                    "INSERT INTO library_state (scope, last_complete_ms, pass, pass_started_ms, cursor, phase) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(scope) DO UPDATE SET \
                     last_complete_ms=?2, pass=?3, pass_started_ms=?4, cursor=?5, phase=?6",
                    params![scope, st.last_complete_ms, st.pass, st.pass_started_ms, st.cursor, st.phase],
                )
                .map(|_| ())
            })
            .await
    }

    /// Write listed assets (one transaction), marking them seen by `pass`
    /// (0: seen outside a refresh, e.g. by a search or a `get`). Returns how
    /// many of them the cache already had as seen by `pass`.
    pub async fn upsert(&self, items: Vec<RemoteAsset>, pass: i64) -> Result<usize, CoreError> {
        let scope = self.key;
        let provider = self.provider;
        self.queue
            .write(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let now = now_millis();
                let mut already = 0;
                {
                    let mut seen = tx.prepare_cached(
                        "SELECT seen_pass FROM library_assets WHERE scope=?1 AND asset_id=?2",
                    )?;
                    let mut put = tx.prepare_cached(
                        "INSERT INTO library_assets (scope, asset_id, name, content_type, kind, size, width, height, \
                         created_at, status, uploader, url, url_expires_ms, thumbnail_url, seen_pass, updated_ms) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) \
                         ON CONFLICT(scope, asset_id) DO UPDATE SET name=?3, content_type=?4, kind=?5, \
                         size=?6, width=COALESCE(?7, width), height=COALESCE(?8, height), \
                         created_at=COALESCE(?9, created_at), status=?10, uploader=COALESCE(?11, uploader), \
                         url=?12, url_expires_ms=?13, thumbnail_url=?14, \
                         seen_pass=MAX(seen_pass, ?15), updated_ms=?16",
                    )?;
                    for a in &items {
                        let was: Option<i64> = seen
                            .query_row(params![scope, a.id], |r| r.get(0))
                            .optional()?;
                        if pass > 0 && was == Some(pass) {
                            already += 1;
                        }
                        let kind = AssetKind::of(a.content_type.as_deref(), a.name.as_deref());
                        put.execute(params![
                            scope,
                            a.id,
                            a.name.clone().unwrap_or_default(),
                            a.content_type,
                            kind.as_str(),
                            a.size.map(|s| s as i64),
                            a.width,
                            a.height,
                            a.created_at,
                            a.status,
                            a.uploader,
                            a.url,
                            url_expiry_ms(provider, a.url.as_deref(), now),
                            a.thumbnail_url,
                            pass,
                            now,
                        ])?;
                    }
                }
                tx.commit()?;
                Ok(already)
            })
            .await
    }

    /// End a complete pass: forget what the pass did not list (deleted on
    /// the server) unless it was written since the pass began (an upload of
    /// this machine), and record the time.
    pub(crate) async fn finish_pass(&self, pass: i64, started_ms: i64) -> Result<i64, CoreError> {
        let (key, scope) = (self.key, self.scope.clone());
        self.queue
            .write(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.prepare_cached(
                    "DELETE FROM library_assets WHERE scope=?1 AND seen_pass < ?2 AND updated_ms < ?3",
                )?
                .execute(params![key, pass, started_ms])?;
                let now = now_millis();
                tx.prepare_cached(
                    "UPDATE library_state SET last_complete_ms=?2, cursor=NULL, phase=NULL WHERE scope=?1",
                )?
                .execute(params![scope, now])?;
                tx.commit()?;
                Ok(now)
            })
            .await
    }

    /// One cached asset.
    pub async fn get(&self, asset_id: &str) -> Result<Option<CachedAsset>, CoreError> {
        let (scope, id) = (self.key, asset_id.to_string());
        self.queue
            .call(move |c| {
                c.prepare_cached(&format!(
                    "SELECT {ASSET_COLS} FROM library_assets WHERE scope=?1 AND asset_id=?2"
                ))?
                .query_row(params![scope, id], row_to_cached)
                .optional()
            })
            .await
    }

    /// Number of cached assets.
    pub async fn len(&self) -> Result<u64, CoreError> {
        let scope = self.key;
        self.queue
            .call(move |c| {
                c.prepare_cached("SELECT COUNT(*) FROM library_assets WHERE scope=?1")?
                    .query_row([scope], |r| r.get::<_, i64>(0))
                    .map(|n| n as u64)
            })
            .await
    }

    pub async fn is_empty(&self) -> Result<bool, CoreError> {
        Ok(self.len().await? == 0)
    }
}

/// The rows' key for a scope: 64 bits of its BLAKE3 hash. A scope's text
/// (account id and destination JSON) is long; repeated in every index
/// entry, it made the indexes of a 100,000-asset library several times
/// larger and slower to walk.
pub(crate) fn scope_key(scope: &str) -> i64 {
    let h = blake3::hash(scope.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h.as_bytes()[..8]);
    i64::from_le_bytes(b)
}

fn read_state(c: &Connection, scope: &str) -> rusqlite::Result<RefreshState> {
    Ok(c.prepare_cached(
        "SELECT last_complete_ms, pass, pass_started_ms, cursor, phase FROM library_state WHERE scope=?1",
        )?
        .query_row(
        [scope],
        |r| {
            Ok(RefreshState {
                last_complete_ms: r.get(0)?,
                pass: r.get(1)?,
                pass_started_ms: r.get(2)?,
                cursor: r.get(3)?,
                phase: r.get(4)?,
            })
        },
    )
    .optional()?
    .unwrap_or_default())
}

/// A job became ready (called inside the queue's finishing transaction):
/// its asset enters the cache at once, linked to the local file and the
/// job, so the library shows an upload before the next refresh.
pub(crate) fn record_upload(
    tx: &Connection,
    job_id: JobId,
    asset_id: &str,
    url: Option<&str>,
) -> rusqlite::Result<()> {
    let job = tx
        .prepare_cached(
            "SELECT dest_key, name, content_type, size, path, destination FROM jobs WHERE id=?1",
        )?
        .query_row([job_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, SqlValue>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .optional()?;
    let Some((scope, name, content_type, size, path, destination)) = job else {
        return Ok(());
    };
    let scope = scope_key(&scope);
    let provider = serde_json::from_str::<crate::model::Destination>(&destination)
        .map(|d| d.provider)
        .unwrap_or(ProviderKind::Flora);
    let now = now_millis();
    let kind = AssetKind::of(Some(&content_type), Some(&name));
    tx.prepare_cached(
        "INSERT INTO library_assets (scope, asset_id, name, content_type, kind, size, created_at, status, \
         url, url_expires_ms, local_path, job_id, seen_pass, updated_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'ready', ?8, ?9, ?10, ?11, 0, ?12) \
         ON CONFLICT(scope, asset_id) DO UPDATE SET local_path=?10, job_id=?11, \
         url=COALESCE(?8, url), url_expires_ms=COALESCE(?9, url_expires_ms), status='ready', updated_ms=?12",
    )?
    .execute(params![
            scope,
            asset_id,
            name,
            content_type,
            kind.as_str(),
            size,
            now_secs(),
            url,
            url_expiry_ms(provider, url, now),
            path,
            job_id,
            now,
        ])?;
    Ok(())
}
