//! Opaque page cursors (`hex("v1:n:<seq>")`): what a client passes back to get the
//! next or previous page of a listing.

use super::PageStart;

pub fn next(seq: i64) -> String {
    hex::encode(format!("v1:n:{seq}"))
}

pub fn prev(seq: i64) -> String {
    hex::encode(format!("v1:p:{seq}"))
}

/// `None` if the cursor was not issued by this server.
pub fn decode(s: &str) -> Option<PageStart> {
    let raw = String::from_utf8(hex::decode(s).ok()?).ok()?;
    let rest = raw.strip_prefix("v1:")?;
    let (dir, seq) = rest.split_once(':')?;
    let seq: i64 = seq.parse().ok()?;
    match dir {
        "n" => Some(PageStart::After(seq)),
        "p" => Some(PageStart::Before(seq)),
        _ => None,
    }
}
