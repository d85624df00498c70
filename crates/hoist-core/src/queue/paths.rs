//! File paths in the queue are stored as the operating system's bytes, not
//! as text: a name that is not valid UTF-8 (common on old archives and
//! camera cards) must still name the same file when the job runs. Paths are
//! shown to people lossily, and only there.

use rusqlite::types::{FromSqlError, ValueRef};
use std::path::{Path, PathBuf};

/// The path as stored: its exact bytes.
#[cfg(unix)]
pub(crate) fn to_sql(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

/// Elsewhere the OS's own encoding (WTF-8 on Windows) round-trips through
/// `as_encoded_bytes`; stored as the same bytes.
#[cfg(not(unix))]
pub(crate) fn to_sql(path: &Path) -> Vec<u8> {
    path.as_os_str().as_encoded_bytes().to_vec()
}

#[cfg(unix)]
fn from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn from_bytes(bytes: &[u8]) -> PathBuf {
    // Text is the only thing written on these systems today.
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Read a stored path: bytes (schema 2 on), or text written by schema 1.
pub(crate) fn from_sql(value: ValueRef<'_>) -> Result<PathBuf, FromSqlError> {
    match value {
        ValueRef::Blob(b) | ValueRef::Text(b) => Ok(from_bytes(b)),
        _ => Err(FromSqlError::InvalidType),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_names_round_trip_exactly() {
        use std::os::unix::ffi::OsStrExt;
        let raw = b"/tmp/caf\xe9 \xff.jpg";
        let p = from_bytes(raw);
        assert_eq!(p.as_os_str().as_bytes(), raw);
        assert_eq!(to_sql(&p), raw.to_vec());
        let back = from_sql(ValueRef::Blob(&to_sql(&p))).expect("blob");
        assert_eq!(back, p);
        assert_eq!(
            from_sql(ValueRef::Text(b"/tmp/plain.jpg")).expect("text"),
            PathBuf::from("/tmp/plain.jpg")
        );
    }
}
