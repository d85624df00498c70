//! Camera RAW: we never demosaic. Every RAW format embeds a JPEG preview (often full size);
//! we find the smallest one that still has twice the thumbnail's resolution and decode it
//! with the scaled JPEG path. Metadata (camera, date, orientation) comes from the container.
//!
//! - TIFF-structured (CR2, NEF, ARW, DNG, PEF, ORF, RW2, SRW...): walk IFD0, its chain,
//!   SubIFDs and the EXIF IFD; previews are `JPEGInterchangeFormat`/`Length` pairs, JPEG-
//!   compressed single strips (lossless-JPEG raw data is told apart by its SOF3 marker), or
//!   Panasonic's `JpgFromRaw` (tag 0x2E).
//! - RAF: the header holds the preview's offset and length (offsets 84 and 88, big endian).
//! - CR3 (ISO base media): the `PRVW` preview lives in the Canon `uuid` box; camera and date in
//!   the `CMT1`/`CMT2` TIFF blocks.
//! - Anything else, or when the structure gives nothing (e.g. ORF keeps its big preview in the
//!   maker note): scan the file for JPEG start markers and validate each frame header.
//!
//! Written here rather than with `rawler`/`rawloader`: those decode sensor data and refuse
//! cameras they do not know; preview extraction needs only container parsing.

use std::path::Path;

use super::jpeg::{self, Sof};
use super::raw_io::{scan_soi, Bytes, FileBytes, Mem};
use super::Decoded;
use crate::error::ThumbError;
use crate::meta::{self, CaptureMeta};

/// Candidates beyond this many found by the byte scan are ignored.
const MAX_SCAN_HITS: usize = 64;
/// IFDs visited at most (guards against loops and hostile files).
const MAX_IFDS: usize = 64;
/// Bytes read to find a candidate's frame header (EXIF and ICC segments come first).
const HEADER_PROBE: usize = 256 << 10;
/// A preview found by scanning has no recorded length: read at most this much of it.
const MAX_PREVIEW: usize = 48 << 20;
/// Largest `moov` box read for CR3 metadata.
const MAX_MOOV: usize = 8 << 20;

#[derive(Debug, Clone, Copy)]
struct Candidate {
    offset: usize,
    len: usize,
    sof: Sof,
}

pub(crate) fn decode(path: &Path, target: u32) -> Result<Decoded, ThumbError> {
    let data = FileBytes::open(path)?;
    let (mut candidates, container_meta) = find_previews(&data);
    if candidates.is_empty() {
        candidates = scan(&data, 0, data.len());
    }
    if candidates.is_empty() {
        return Err(ThumbError::decode("raw", "no embedded JPEG preview found"));
    }
    let mut last_err = None;
    for c in preference_order(candidates, target) {
        let Some(bytes) = data.read(c.offset, c.len) else {
            continue;
        };
        match jpeg::decode_bytes(&bytes, target) {
            Ok(mut d) => {
                if let Some(cm) = &container_meta {
                    if cm.orientation != 0 {
                        d.meta.orientation = cm.orientation;
                    }
                    d.meta.camera = cm.camera.clone().or(d.meta.camera);
                    d.meta.taken_at = cm.taken_at.clone().or(d.meta.taken_at);
                }
                if d.meta.orientation == 0 {
                    d.meta.orientation = 1;
                }
                d.apply_orientation = d.meta.orientation;
                return Ok(d);
            }
            Err(e) => {
                tracing::debug!(offset = c.offset, err = %e, "RAW preview candidate rejected");
                last_err = Some(e);
            }
        }
    }
    Err(last_err.unwrap_or_else(|| ThumbError::decode("raw", "no decodable preview")))
}

/// Smallest preview with a long edge of at least 2x target first, then bigger ones, then the
/// smaller ones (largest first).
fn preference_order(mut c: Vec<Candidate>, target: u32) -> Vec<Candidate> {
    let edge = |c: &Candidate| c.sof.width.max(c.sof.height);
    let want = target.saturating_mul(2);
    c.sort_by_key(|c| {
        let e = edge(c);
        if e >= want {
            (0, e as i64)
        } else {
            (1, -(e as i64))
        }
    });
    c.dedup_by_key(|c| c.offset);
    c
}

/// Candidates and container metadata from the file's structure.
fn find_previews(data: &dyn Bytes) -> (Vec<Candidate>, Option<CaptureMeta>) {
    let head = data.get(0, 16.min(data.len())).unwrap_or_default();
    if head.starts_with(b"FUJIFILMCCD-RAW") {
        return (raf(data), None);
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return cr3(data);
    }
    let le = head.starts_with(b"II");
    if le || head.starts_with(b"MM") {
        let t = Tiff { d: data, le };
        if let Some(ifd0) = t.u32(4) {
            let mut out = Vec::new();
            let meta = walk_tiff(&t, ifd0 as usize, &mut out);
            return (out, Some(meta));
        }
    }
    (Vec::new(), None)
}

fn candidate(data: &dyn Bytes, offset: usize, len: usize) -> Option<Candidate> {
    let end = offset.checked_add(len)?.min(data.len());
    if offset >= end {
        return None;
    }
    let head = data.get(offset, (end - offset).min(HEADER_PROBE))?;
    let sof = jpeg::sof(&head)?;
    sof.is_photo().then_some(Candidate {
        offset,
        len: end - offset,
        sof,
    })
}

fn raf(data: &dyn Bytes) -> Vec<Candidate> {
    let be = |o: usize| {
        data.get(o, 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    match (be(84), be(88)) {
        (Some(off), Some(len)) => candidate(data, off, len).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Canon's preview box: `uuid` eaf42b5e-1c98-4b88-b9fb-b7dc406e4d16 holding `PRVW`.
const CANON_PREVIEW_UUID: [u8; 16] = [
    0xea, 0xf4, 0x2b, 0x5e, 0x1c, 0x98, 0x4b, 0x88, 0xb9, 0xfb, 0xb7, 0xdc, 0x40, 0x6e, 0x4d, 0x16,
];

fn cr3(data: &dyn Bytes) -> (Vec<Candidate>, Option<CaptureMeta>) {
    let mut out = Vec::new();
    let mut meta = CaptureMeta::default();
    let mut pos = 0usize;
    let len = data.len();
    while pos + 8 <= len {
        let Some(h) = data.get(pos, 16.min(len - pos)) else {
            break;
        };
        let size32 = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        let kind: [u8; 4] = [h[4], h[5], h[6], h[7]];
        let (size, header) = match size32 {
            0 => (len - pos, 8),
            1 if h.len() >= 16 => {
                let mut a = [0u8; 8];
                a.copy_from_slice(&h[8..16]);
                (u64::from_be_bytes(a) as usize, 16)
            }
            1 => break,
            n => (n as usize, 8),
        };
        if size < header {
            break;
        }
        let end = pos.saturating_add(size).min(len);
        let body = pos + header;
        if &kind == b"uuid" && data.get(body, 16).as_deref() == Some(&CANON_PREVIEW_UUID[..]) {
            out.extend(scan(data, body + 16, end));
        } else if &kind == b"moov" && end - body <= MAX_MOOV {
            if let Some(moov) = data.get(body, end - body) {
                cr3_meta(&moov, &mut meta);
            }
        }
        pos = end;
    }
    (out, Some(meta))
}

/// CMT1 is IFD0 (make, model, orientation) and CMT2 the EXIF IFD, each a TIFF structure.
fn cr3_meta(moov: &[u8], meta: &mut CaptureMeta) {
    for tag in [b"CMT1", b"CMT2"] {
        let Some(p) = find(moov, tag) else { continue };
        let Some(size) = p
            .checked_sub(4)
            .and_then(|s| moov.get(s..p))
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        else {
            continue;
        };
        let start = p + 4;
        let end = (p - 4).saturating_add(size).min(moov.len());
        if start >= end {
            continue;
        }
        let tiff = &moov[start..end];
        let mem = Mem(tiff);
        let t = Tiff {
            d: &mem,
            le: tiff.starts_with(b"II"),
        };
        if let Some(ifd0) = t.u32(4) {
            let mut ignore = Vec::new();
            let m = walk_tiff(&t, ifd0 as usize, &mut ignore);
            if m.orientation != 0 {
                meta.orientation = m.orientation;
            }
            meta.camera = meta.camera.take().or(m.camera);
            meta.taken_at = m.taken_at.or(meta.taken_at.take());
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Every JPEG start (FF D8 FF) in `[from, to)` whose frame header is a photo frame.
fn scan(data: &dyn Bytes, from: usize, to: usize) -> Vec<Candidate> {
    let mut out = Vec::new();
    let to = to.min(data.len());
    scan_soi(data, from, to, |pos| {
        if let Some(c) = candidate(data, pos, (to - pos).min(MAX_PREVIEW)) {
            out.push(c);
        }
        out.len() < MAX_SCAN_HITS
    });
    out
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

    fn ascii(&self, e: &Entry) -> Option<String> {
        let pos = self.data_pos(e)?;
        if e.count > 4096 {
            return None;
        }
        let b = self.d.get(pos, e.count as usize)?;
        let s = String::from_utf8_lossy(&b)
            .trim_matches(|c: char| c == '\0' || c.is_whitespace())
            .to_string();
        (!s.is_empty()).then_some(s)
    }
}

/// Visits IFD0, its chain, SubIFDs and the EXIF IFD; collects previews and metadata.
fn walk_tiff(t: &Tiff, ifd0: usize, out: &mut Vec<Candidate>) -> CaptureMeta {
    let mut meta = CaptureMeta::default();
    let (mut make, mut model, mut date, mut date_original) = (None, None, None, None);
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
        let is_ifd0 = ifd == ifd0;
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
        if is_ifd0 {
            make = find(0x010F).and_then(|e| t.ascii(e));
            model = find(0x0110).and_then(|e| t.ascii(e));
            date = find(0x0132).and_then(|e| t.ascii(e));
            if let Some(o @ 1..=8) = val(0x0112) {
                meta.orientation = o as u16;
            }
        }
        if let Some(e) = find(0x9003) {
            date_original = date_original.or(t.ascii(e));
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
    meta.camera = meta::camera_name(make, model);
    meta.taken_at = date_original
        .or(date)
        .and_then(|d| meta::normalise_exif_date(&d));
    meta
}

#[cfg(test)]
mod tests {
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
        let (c, m) = find_previews(&Mem(&d));
        assert!(c.is_empty());
        assert_eq!(m.map(|m| m.orientation), Some(0));
    }

    #[test]
    fn scan_ignores_lossless_frames() {
        // A lossless (SOF3) JPEG header is raw sensor data, not a preview.
        let mut d = vec![0u8; 16];
        d.extend_from_slice(&[
            0xFF, 0xD8, 0xFF, 0xC3, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0,
        ]);
        assert!(scan(&Mem(&d), 0, d.len()).is_empty());
    }
}
