//! Listing one dialect's assets: filters (workspace, project, name, status, org) and
//! keyset pages over `seq`, newest first, in either direction.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection};

use super::assets::{map_row, AssetRow, Status, COLS};
use crate::error::Dialect;

/// Where a page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageStart {
    /// Newest first.
    First,
    /// Items older than (below) this seq, newest first.
    After(i64),
    /// Items newer than (above) this seq; returned newest first.
    Before(i64),
}

/// Filters for listing one dialect's assets.
#[derive(Clone, Debug)]
pub struct ListFilter {
    pub dialect: Dialect,
    pub workspace_id: Option<String>,
    pub project_id: Option<String>,
    /// Case-insensitive substring of the name.
    pub query: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only rows whose meta has this org id (Runflow/Segmentflow org scoping).
    pub org_id: Option<String>,
}

fn where_clause(f: &ListFilter, args: &mut Vec<SqlValue>) -> String {
    let mut w = vec!["a.dialect = ?".to_string()];
    args.push(SqlValue::Text(f.dialect.as_str().into()));
    if let Some(ws) = &f.workspace_id {
        w.push("a.workspace_id = ?".into());
        args.push(SqlValue::Text(ws.clone()));
    }
    if let Some(p) = &f.project_id {
        w.push(
            "EXISTS (SELECT 1 FROM attachments t WHERE t.dialect = a.dialect \
             AND t.asset_id = a.id AND t.project_id = ?)"
                .into(),
        );
        args.push(SqlValue::Text(p.clone()));
    }
    if let Some(q) = &f.query {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        w.push("a.name LIKE ? ESCAPE '\\'".into());
        args.push(SqlValue::Text(format!("%{escaped}%")));
    }
    if let Some(s) = f.status {
        w.push("a.status = ?".into());
        args.push(SqlValue::Text(s.as_str().into()));
    }
    if let Some(o) = &f.org_id {
        w.push("json_extract(a.meta, '$.org_id') = ?".into());
        args.push(SqlValue::Text(o.clone()));
    }
    w.join(" AND ")
}

/// One page, newest first, plus whether more exist beyond it in the direction walked.
pub fn list(
    c: &Connection,
    f: &ListFilter,
    start: PageStart,
    limit: i64,
) -> rusqlite::Result<(Vec<AssetRow>, bool)> {
    let mut args = Vec::new();
    let mut w = where_clause(f, &mut args);
    let order = match start {
        PageStart::First => "DESC",
        PageStart::After(seq) => {
            w.push_str(" AND a.seq < ?");
            args.push(SqlValue::Integer(seq));
            "DESC"
        }
        PageStart::Before(seq) => {
            w.push_str(" AND a.seq > ?");
            args.push(SqlValue::Integer(seq));
            "ASC"
        }
    };
    args.push(SqlValue::Integer(limit + 1));
    let cols = COLS
        .split(", ")
        .map(|c| format!("a.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {cols} FROM assets a WHERE {w} ORDER BY a.seq {order} LIMIT ?");
    let mut stmt = c.prepare_cached(&sql)?;
    let mut rows = stmt
        .query_map(params_from_iter(args), map_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    if order == "ASC" {
        rows.reverse();
    }
    Ok((rows, more))
}

pub fn count(c: &Connection, f: &ListFilter) -> rusqlite::Result<i64> {
    let mut args = Vec::new();
    let w = where_clause(f, &mut args);
    let sql = format!("SELECT COUNT(*) FROM assets a WHERE {w}");
    c.query_row(&sql, params_from_iter(args), |r| r.get(0))
}
