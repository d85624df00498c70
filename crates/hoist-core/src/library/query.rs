//! Slices of the cache for a window or a command: searched by name,
//! filtered by type and status, sorted by date, name or size, paged by
//! offset (a virtualized grid asks for the rows it shows). Every sort has an
//! index led by the scope (schema 6), so a page of a 100,000-asset library
//! is read without sorting the library.

use super::cache::{row_to_cached, CachedAsset, LibraryCache, ASSET_COLS};
use crate::error::CoreError;
use rusqlite::params_from_iter;
use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};

/// What sort of file an asset is, from its content type (or name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    Image,
    Video,
    Audio,
    Document,
    Other,
}

impl AssetKind {
    pub const ALL: [AssetKind; 5] = [
        AssetKind::Image,
        AssetKind::Video,
        AssetKind::Audio,
        AssetKind::Document,
        AssetKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Image => "image",
            AssetKind::Video => "video",
            AssetKind::Audio => "audio",
            AssetKind::Document => "document",
            AssetKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<AssetKind> {
        AssetKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
    }

    /// From the content type, else guessed from the name's extension.
    pub fn of(content_type: Option<&str>, name: Option<&str>) -> AssetKind {
        let guessed;
        let ct = match content_type.filter(|c| !c.is_empty() && *c != "application/octet-stream") {
            Some(c) => c,
            None => {
                guessed = name
                    .and_then(|n| mime_guess::from_path(n).first_raw())
                    .unwrap_or("");
                guessed
            }
        };
        let ct = ct.to_ascii_lowercase();
        let (top, sub) = ct.split_once('/').unwrap_or((&ct, ""));
        match top {
            "image" => AssetKind::Image,
            "video" => AssetKind::Video,
            "audio" => AssetKind::Audio,
            "text" => AssetKind::Document,
            "application"
                if sub == "pdf"
                    || sub.starts_with("vnd.ms-")
                    || sub.starts_with("vnd.openxmlformats")
                    || sub.starts_with("vnd.oasis")
                    || sub == "msword"
                    || sub == "rtf" =>
            {
                AssetKind::Document
            }
            _ => AssetKind::Other,
        }
    }
}

impl std::str::FromStr for AssetKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AssetKind::parse(s).ok_or_else(|| {
            format!("'{s}' is not a type: use image, video, audio, document or other")
        })
    }
}

/// The order of a slice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    /// Creation time on the provider.
    #[default]
    Date,
    /// Name, without case.
    Name,
    Size,
}

impl std::str::FromStr for SortBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "date" => Ok(SortBy::Date),
            "name" => Ok(SortBy::Name),
            "size" => Ok(SortBy::Size),
            _ => Err(format!("'{s}' is not a sort order: use date, name or size")),
        }
    }
}

/// Which slice of the cache to read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LibraryQuery {
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
    pub kind: Option<AssetKind>,
    /// `ready`, `pending_upload`, `failed`…
    pub status: Option<String>,
    pub sort: SortBy,
    /// Newest, last by name or largest first.
    pub descending: bool,
    pub offset: u64,
    pub limit: u32,
}

impl Default for LibraryQuery {
    fn default() -> Self {
        LibraryQuery {
            search: None,
            kind: None,
            status: None,
            sort: SortBy::Date,
            descending: true,
            offset: 0,
            limit: 100,
        }
    }
}

/// One slice, and how many assets match in all (for a scrollbar).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LibraryPage {
    pub items: Vec<CachedAsset>,
    pub total: u64,
    pub offset: u64,
}

/// Largest slice one call returns.
pub const MAX_SLICE: u32 = 1000;

impl LibraryCache {
    /// A slice of the cache (never the network).
    pub async fn query(&self, q: &LibraryQuery) -> Result<LibraryPage, CoreError> {
        let mut args: Vec<SqlValue> = vec![SqlValue::Integer(self.key)];
        let mut w = String::from("scope = ?1");
        if let Some(s) = q.search.as_deref().filter(|s| !s.is_empty()) {
            let escaped = s
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            args.push(SqlValue::Text(format!("%{escaped}%")));
            w.push_str(&format!(" AND name LIKE ?{} ESCAPE '\\'", args.len()));
        }
        if let Some(k) = q.kind {
            args.push(SqlValue::Text(k.as_str().into()));
            w.push_str(&format!(" AND kind = ?{}", args.len()));
        }
        if let Some(s) = &q.status {
            args.push(SqlValue::Text(s.clone()));
            w.push_str(&format!(" AND status = ?{}", args.len()));
        }
        let dir = if q.descending { "DESC" } else { "ASC" };
        let order = match q.sort {
            SortBy::Date => format!("created_at {dir}, asset_id {dir}"),
            SortBy::Name => format!("name COLLATE NOCASE {dir}, asset_id {dir}"),
            SortBy::Size => format!("size {dir}, asset_id {dir}"),
        };
        let limit = q.limit.clamp(1, MAX_SLICE);
        let offset = q.offset;
        let select = format!(
            "SELECT {ASSET_COLS} FROM library_assets WHERE {w} ORDER BY {order} LIMIT {limit} OFFSET {offset}"
        );
        let count = format!("SELECT COUNT(*) FROM library_assets WHERE {w}");
        self.queue
            .call(move |c| {
                let mut stmt = c.prepare_cached(&select)?;
                let items = stmt
                    .query_map(params_from_iter(args.iter()), row_to_cached)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let total: i64 =
                    c.query_row(&count, params_from_iter(args.iter()), |r| r.get(0))?;
                Ok(LibraryPage {
                    items,
                    total: total as u64,
                    offset,
                })
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_type_or_the_name() {
        assert_eq!(AssetKind::of(Some("image/png"), None), AssetKind::Image);
        assert_eq!(AssetKind::of(Some("video/mp4"), None), AssetKind::Video);
        assert_eq!(
            AssetKind::of(Some("application/pdf"), None),
            AssetKind::Document
        );
        assert_eq!(
            AssetKind::of(Some("application/octet-stream"), Some("a.jpg")),
            AssetKind::Image
        );
        assert_eq!(AssetKind::of(None, Some("x.bin")), AssetKind::Other);
        assert_eq!("VIDEO".parse::<AssetKind>(), Ok(AssetKind::Video));
        assert!("movies".parse::<AssetKind>().is_err());
    }
}
