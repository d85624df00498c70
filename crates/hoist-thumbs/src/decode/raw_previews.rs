//! The other embedded previews of a TIFF-structured RAW (CR2, NEF, ARW, DNG, PEF, ORF,
//! RW2, SRW...): LibRaw 0.20 (Debian 12) hands out only the one thumbnail it judges best, so
//! when that one is damaged we look for the rest ourselves. Only the structure is read here:
//! IFD0 and its chain, SubIFDs and the EXIF IFD; previews are `JPEGInterchangeFormat`/`Length`
//! pairs, JPEG-compressed single strips (lossless-JPEG sensor data is told apart by its SOF3
//! marker) and Panasonic's `JpgFromRaw`. Orientation, camera and date come from LibRaw.

use super::jpeg::{self, Sof};
use super::raw_io::Bytes;

/// IFDs visited at most (guards against loops and hostile files).
const MAX_IFDS: usize = 64;
/// Bytes read to find a candidate's frame header (EXIF and ICC segments come first).
const HEADER_PROBE: usize = 256 << 10;

/// An embedded JPEG preview: where it is and its frame size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Preview {
    pub offset: usize,
    pub len: usize,
    pub sof: Sof,
}

/// Every JPEG preview the TIFF structure points to, largest first.
pub(crate) fn find(data: &dyn Bytes) -> Vec<Preview> {
    let head = data.get(0, 8.min(data.len())).unwrap_or_default();
    let le = head.starts_with(b"II");
    if !(le || head.starts_with(b"MM")) {
        return Vec::new();
    }
    let t = Tiff { d: data, le };
    let mut out = Vec::new();
    if let Some(ifd0) = t.u32(4) {
        walk(&t, ifd0 as usize, &mut out);
    }
    out.sort_by_key(|p| std::cmp::Reverse(p.sof.width as u64 * p.sof.height as u64));
    out.dedup_by_key(|p| p.offset);
    out
}

fn candidate(data: &dyn Bytes, offset: usize, len: usize) -> Option<Preview> {
    let end = offset.checked_add(len)?.min(data.len());
    if offset >= end {
        return None;
    }
    let head = data.get(offset, (end - offset).min(HEADER_PROBE))?;
    let sof = jpeg::sof(&head)?;
    sof.is_photo().then_some(Preview {
        offset,
        len: end - offset,
        sof,
    })
}

/// Minimal TIFF reader with bounds checks everywhere.
struct Tiff<'a> {
    d: &'a dyn Bytes,
    le: bool,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u16,
    typ: u16,
    count: u32,
    /// Position of the 4-byte value/offset field.
    field: usize,
}

impl Tiff<'_> {
    fn u16(&self, o: usize) -> Option<u16> {
        let b = self.d.get(o, 2)?;
        Some(if self.le {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        })
    }

    fn u32(&self, o: usize) -> Option<u32> {
        let b = self.d.get(o, 4)?;
        let a = [b[0], b[1], b[2], b[3]];
        Some(if self.le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }

    fn entries(&self, ifd: usize) -> Option<(Vec<Entry>, u32)> {
        let n = self.u16(ifd)? as usize;
        if n == 0 || n > 1000 {
            return None;
        }
        let mut v = Vec::with_capacity(n);
        for k in 0..n {
            let e = ifd + 2 + k * 12;
            v.push(Entry {
                tag: self.u16(e)?,
                typ: self.u16(e + 2)?,
                count: self.u32(e + 4)?,
                field: e + 8,
            });
        }
        let next = self.u32(ifd + 2 + n * 12).unwrap_or(0);
        Some((v, next))
    }

    fn type_size(typ: u16) -> usize {
        match typ {
            3 | 8 => 2,
            4 | 9 | 13 => 4,
            5 | 10 | 12 => 8,
            _ => 1,
        }
    }

    /// Where the entry's data lives (inline when it fits in 4 bytes).
    fn data_pos(&self, e: &Entry) -> Option<usize> {
        let bytes = Self::type_size(e.typ).checked_mul(e.count as usize)?;
        if bytes <= 4 {
            Some(e.field)
        } else {
            self.u32(e.field).map(|o| o as usize)
        }
    }

    fn value(&self, e: &Entry, index: usize) -> Option<u32> {
        let pos = self.data_pos(e)?;
        match e.typ {
            3 | 8 => self.u16(pos + 2 * index).map(u32::from),
            4 | 9 | 13 => self.u32(pos + 4 * index),
            1 | 7 => self.d.get(pos + index, 1).map(|b| b[0] as u32),
            _ => None,
        }
    }
}

/// Visits IFD0, its chain, SubIFDs and the EXIF IFD; collects previews.
fn walk(t: &Tiff, ifd0: usize, out: &mut Vec<Preview>) {
    let mut queue = vec![(ifd0, true)];
    let mut seen = Vec::new();
    while let Some((ifd, top)) = queue.pop() {
        if ifd == 0 || seen.contains(&ifd) || seen.len() >= MAX_IFDS {
            continue;
        }
        seen.push(ifd);
        let Some((entries, next)) = t.entries(ifd) else {
            continue;
        };
        let find = |tag: u16| entries.iter().find(|e| e.tag == tag);
        let val = |tag: u16| find(tag).and_then(|e| t.value(e, 0));
        // JPEGInterchangeFormat / Length.
        if let (Some(off), Some(len)) = (val(0x0201), val(0x0202)) {
            out.extend(candidate(t.d, off as usize, len as usize));
        }
        // JPEG-compressed single strip (old-style 6, new-style 7).
        if matches!(val(0x0103), Some(6) | Some(7)) {
            if let (Some(so), Some(sc)) = (find(0x0111), find(0x0117)) {
                if so.count == 1 {
                    if let (Some(off), Some(len)) = (t.value(so, 0), t.value(sc, 0)) {
                        out.extend(candidate(t.d, off as usize, len as usize));
                    }
                }
            }
        }
        // Panasonic RW2 JpgFromRaw: UNDEFINED bytes.
        if let Some(e) = find(0x002E) {
            if let Some(pos) = t.data_pos(e) {
                out.extend(candidate(t.d, pos, e.count as usize));
            }
        }
        if let Some(e) = find(0x014A) {
            for k in 0..(e.count as usize).min(16) {
                if let Some(o) = t.value(e, k) {
                    queue.push((o as usize, false));
                }
            }
        }
        if let Some(o) = val(0x8769) {
            queue.push((o as usize, false));
        }
        if top && next != 0 {
            queue.push((next as usize, true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::raw_io::Mem;
    use super::*;

    #[test]
    fn hostile_tiff_loops_terminate() {
        // IFD0 at 8 whose "next IFD" points to itself and a SubIFD pointing back.
        let mut d = b"II*\0\x08\0\0\0".to_vec();
        d.extend_from_slice(&1u16.to_le_bytes());
        d.extend_from_slice(&0x014Au16.to_le_bytes());
        d.extend_from_slice(&4u16.to_le_bytes());
        d.extend_from_slice(&1u32.to_le_bytes());
        d.extend_from_slice(&8u32.to_le_bytes());
        d.extend_from_slice(&8u32.to_le_bytes());
        assert!(find(&Mem(&d)).is_empty());
    }
}
