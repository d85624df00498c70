//! Random access to a RAW file without reading all of it: IFD walking reads a few small
//! pieces (cached in 4 KiB pages) and previews are read whole. A 60 MB RAW whose preview is found from its structure
//! costs the header pages plus the preview, the lightcraft approach in
//! performance-and-style.md A1 (a tenth of the bytes, which matters on network drives).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::error::ThumbError;

const PAGE: usize = 4096;
/// Pages kept at most (IFD walks touch a handful).
const MAX_PAGES: usize = 1024;

/// Byte access by offset: a slice in memory, or a file read on demand.
pub(crate) trait Bytes {
    /// `n` bytes at `off`, or None when they are not all there.
    fn get(&self, off: usize, n: usize) -> Option<Cow<'_, [u8]>>;
    /// Total length.
    fn len(&self) -> usize;
}

/// Bytes already in memory (tests).
#[cfg(test)]
pub(crate) struct Mem<'a>(pub &'a [u8]);

#[cfg(test)]
impl Bytes for Mem<'_> {
    fn get(&self, off: usize, n: usize) -> Option<Cow<'_, [u8]>> {
        self.0.get(off..off.checked_add(n)?).map(Cow::Borrowed)
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

/// A file read on demand.
pub(crate) struct FileBytes {
    file: RefCell<File>,
    len: usize,
    pages: RefCell<HashMap<usize, Vec<u8>>>,
}

impl FileBytes {
    pub(crate) fn open(path: &Path) -> Result<Self, ThumbError> {
        let file = File::open(path).map_err(|e| ThumbError::io(path, e))?;
        let len = file.metadata().map_err(|e| ThumbError::io(path, e))?.len() as usize;
        Ok(Self {
            file: RefCell::new(file),
            len,
            pages: RefCell::new(HashMap::new()),
        })
    }

    /// Reads `n` bytes at `off` straight from the file (not cached).
    pub(crate) fn read(&self, off: usize, n: usize) -> Option<Vec<u8>> {
        if off.checked_add(n)? > self.len {
            return None;
        }
        let mut file = self.file.borrow_mut();
        file.seek(SeekFrom::Start(off as u64)).ok()?;
        let mut buf = vec![0u8; n];
        file.read_exact(&mut buf).ok()?;
        Some(buf)
    }

    fn page(&self, index: usize) -> Option<Vec<u8>> {
        if let Some(p) = self.pages.borrow().get(&index) {
            return Some(p.clone());
        }
        let off = index * PAGE;
        let n = PAGE.min(self.len.checked_sub(off)?);
        let data = self.read(off, n)?;
        let mut pages = self.pages.borrow_mut();
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(index, data.clone());
        Some(data)
    }
}

impl Bytes for FileBytes {
    fn get(&self, off: usize, n: usize) -> Option<Cow<'_, [u8]>> {
        let end = off.checked_add(n)?;
        if end > self.len {
            return None;
        }
        if n > PAGE {
            return self.read(off, n).map(Cow::Owned);
        }
        let (first, last) = (off / PAGE, (end.max(1) - 1) / PAGE);
        let mut out = Vec::with_capacity(n);
        for index in first..=last {
            let page = self.page(index)?;
            let start = if index == first {
                off - index * PAGE
            } else {
                0
            };
            let stop = if index == last {
                end - index * PAGE
            } else {
                page.len()
            };
            out.extend_from_slice(page.get(start..stop)?);
        }
        Some(Cow::Owned(out))
    }

    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_reads_match_memory() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("f");
        std::fs::write(&p, &data).expect("write");
        let f = FileBytes::open(&p).expect("open");
        for (off, n) in [(0, 4), (4094, 4), (4000, 300), (8190, 5000), (19_996, 4)] {
            assert_eq!(
                f.get(off, n).as_deref(),
                Some(&data[off..off + n]),
                "{off}+{n}"
            );
        }
        assert!(f.get(19_998, 4).is_none());
    }
}
