//! Camera RAW previews. The containers are built here to each format's layout (TIFF IFDs,
//! RAF header, CR3 boxes) around self-made JPEG previews; a small green thumbnail sits next
//! to the big red/blue preview so the tests also check that the right preview is chosen.

mod common;

use common::*;
use hoist_thumbs::{render, SourceFormat};

fn big_preview() -> Vec<u8> {
    jpeg_bytes(&halves(1024, 683), 85)
}

fn small_thumb() -> Vec<u8> {
    jpeg_bytes(&solid(160, 120, GREEN), 85)
}

/// Lossless-JPEG "sensor data": a SOF3 frame, which must never be taken for a preview.
fn fake_sensor_data() -> Vec<u8> {
    let mut v = vec![
        0xFF, 0xD8, 0xFF, 0xC3, 0, 11, 14, 0x0F, 0xA0, 0x17, 0x70, 1, 1, 0x11, 0,
    ];
    v.extend(std::iter::repeat_n(0x5A, 4096));
    v
}

fn check(name: &str, bytes: &[u8], camera: Option<&str>) -> hoist_thumbs::Rendered {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), name, bytes);
    let r = render(&p, 256).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(r.format, SourceFormat::Raw, "{name}");
    assert_eq!(r.meta.camera.as_deref(), camera, "{name}");
    r
}

#[test]
fn cr2_strip_preview_with_orientation() {
    let mut t = TiffBuilder::new(b"II*\0");
    t.data.extend_from_slice(b"CR\x02\0\0\0\0\0"); // CR2 header continues to 16 bytes
    let big = t.blob(&jpeg_bytes(&red_corner(1024, 683), 85));
    let big_len = t.data.len() as u32 - big;
    let small = small_thumb();
    let small_off = t.blob(&small);
    let raw = fake_sensor_data();
    let raw_off = t.blob(&raw);
    let ifd3 = t.ifd(
        vec![
            (0x0103, Value::Short(6)),
            (0x0111, Value::Long(raw_off)),
            (0x0117, Value::Long(raw.len() as u32)),
        ],
        0,
        false,
    );
    let ifd1 = t.ifd(
        vec![
            (0x0201, Value::Long(small_off)),
            (0x0202, Value::Long(small.len() as u32)),
        ],
        ifd3,
        false,
    );
    t.ifd(
        vec![
            (0x0103, Value::Short(6)),
            (0x010F, Value::Ascii("Canon".into())),
            (0x0110, Value::Ascii("Canon EOS 5D Mark IV".into())),
            (0x0112, Value::Short(8)),
            (0x0132, Value::Ascii("2023:07:14 09:08:07".into())),
            (0x0111, Value::Long(big)),
            (0x0117, Value::Long(big_len)),
        ],
        ifd1,
        true,
    );
    let r = check("IMG_0001.CR2", &t.data, Some("Canon EOS 5D Mark IV"));
    // Orientation 8 = rotate 270 clockwise: the red top-left corner goes bottom-left.
    assert_eq!((r.image.width(), r.image.height()), (171, 256));
    assert!(near(pixel(&r.image, 0.25, 0.75), RED), "red bottom-left");
    assert!(near(pixel(&r.image, 0.25, 0.25), BLUE));
    assert_eq!(r.meta.orientation, 8);
    assert_eq!(r.meta.taken_at.as_deref(), Some("2023-07-14T09:08:07"));
}

#[test]
fn nef_subifd_jpg_from_raw() {
    // The builder writes little-endian TIFF; the reader handles both byte orders.
    let mut t = TiffBuilder::new(b"II*\0");
    let big = big_preview();
    let big_off = t.blob(&big);
    let small = small_thumb();
    let small_off = t.blob(&small);
    let sub_preview = t.ifd(
        vec![
            (0x0201, Value::Long(big_off)),
            (0x0202, Value::Long(big.len() as u32)),
        ],
        0,
        false,
    );
    let sub_raw = t.ifd(vec![(0x0103, Value::Short(34713))], 0, false);
    t.ifd(
        vec![
            (0x010F, Value::Ascii("NIKON CORPORATION".into())),
            (0x0110, Value::Ascii("NIKON Z 6".into())),
            (0x0201, Value::Long(small_off)),
            (0x0202, Value::Long(small.len() as u32)),
            (0x014A, Value::Longs(vec![sub_preview, sub_raw])),
        ],
        0,
        true,
    );
    let r = check("DSC_0001.NEF", &t.data, Some("NIKON Z 6"));
    assert_eq!((r.image.width(), r.image.height()), (256, 171));
    assert_halves(&r.image);
}

#[test]
fn arw_ifd0_preview() {
    let mut t = TiffBuilder::new(b"II*\0");
    let big = big_preview();
    let off = t.blob(&big);
    t.ifd(
        vec![
            (0x010F, Value::Ascii("SONY".into())),
            (0x0110, Value::Ascii("ILCE-7M3".into())),
            (0x0201, Value::Long(off)),
            (0x0202, Value::Long(big.len() as u32)),
        ],
        0,
        true,
    );
    let r = check("DSC00001.ARW", &t.data, Some("SONY ILCE-7M3"));
    assert_halves(&r.image);
}

#[test]
fn dng_jpeg_preview_subifd_beside_lossless_raw() {
    let mut t = TiffBuilder::new(b"II*\0");
    let raw = fake_sensor_data();
    let raw_off = t.blob(&raw);
    let big = big_preview();
    let big_off = t.blob(&big);
    let raw_ifd = t.ifd(
        vec![
            (0x00FE, Value::Long(0)),
            (0x0103, Value::Short(7)),
            (0x0111, Value::Long(raw_off)),
            (0x0117, Value::Long(raw.len() as u32)),
        ],
        0,
        false,
    );
    let preview_ifd = t.ifd(
        vec![
            (0x00FE, Value::Long(1)),
            (0x0103, Value::Short(7)),
            (0x0111, Value::Long(big_off)),
            (0x0117, Value::Long(big.len() as u32)),
        ],
        0,
        false,
    );
    t.ifd(
        vec![
            (0x010F, Value::Ascii("Google".into())),
            (0x0110, Value::Ascii("Pixel 8".into())),
            (0x014A, Value::Longs(vec![raw_ifd, preview_ifd])),
        ],
        0,
        true,
    );
    let r = check("PXL_0001.dng", &t.data, Some("Google Pixel 8"));
    assert_halves(&r.image);
}

#[test]
fn orf_preview_found_by_scanning() {
    // Olympus keeps the big preview inside the maker note: nothing in the IFDs points to it.
    let mut t = TiffBuilder::new(b"IIRO");
    let makernote = {
        let mut m = b"OLYMPUS\0II\x03\0".to_vec();
        m.extend(std::iter::repeat_n(0u8, 64));
        m.extend_from_slice(&big_preview());
        m
    };
    let mn = t.blob(&makernote);
    let exif = t.ifd(vec![(0x927C, Value::Long(mn))], 0, false);
    t.ifd(
        vec![
            (0x010F, Value::Ascii("OLYMPUS CORPORATION".into())),
            (0x0110, Value::Ascii("E-M1MarkII".into())),
            (0x0112, Value::Short(1)),
            (0x8769, Value::Long(exif)),
        ],
        0,
        true,
    );
    let r = check(
        "P1010001.ORF",
        &t.data,
        Some("OLYMPUS CORPORATION E-M1MarkII"),
    );
    assert_halves(&r.image);
}

#[test]
fn raf_header_offsets() {
    let mut d = b"FUJIFILMCCD-RAW 0201FF383501".to_vec();
    d.resize(100, 0);
    let jpeg = with_exif(
        &big_preview(),
        &exif_tiff(1, "FUJIFILM", "X-T4", "2022:01:02 03:04:05"),
    );
    let off = 256u32;
    d[84..88].copy_from_slice(&off.to_be_bytes());
    d[88..92].copy_from_slice(&(jpeg.len() as u32).to_be_bytes());
    d.resize(off as usize, 0);
    d.extend_from_slice(&jpeg);
    d.extend(std::iter::repeat_n(0x33, 2048)); // "sensor data"
    let r = check("DSCF0001.RAF", &d, Some("FUJIFILM X-T4"));
    assert_eq!(r.meta.taken_at.as_deref(), Some("2022-01-02T03:04:05"));
    assert_halves(&r.image);
}

fn bmff_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind);
    b.extend_from_slice(body);
    b
}

#[test]
fn cr3_prvw_and_cmt_boxes() {
    let ftyp = bmff_box(b"ftyp", b"crx \0\0\0\x01crx isom");
    // moov > uuid(Canon) > CMT1 (IFD0 as TIFF)
    let mut ifd0 = TiffBuilder::new(b"II*\0");
    ifd0.ifd(
        vec![
            (0x010F, Value::Ascii("Canon".into())),
            (0x0110, Value::Ascii("Canon EOS R6".into())),
            (0x0112, Value::Short(3)),
        ],
        0,
        true,
    );
    let mut canon = vec![
        0x85, 0xc0, 0xb6, 0x87, 0x82, 0x0f, 0x11, 0xe0, 0x81, 0x11, 0xf4, 0xce, 0x46, 0x2b, 0x6a,
        0x48,
    ];
    canon.extend(bmff_box(b"CMT1", &ifd0.data));
    canon.extend(bmff_box(b"THMB", &{
        let mut v = vec![0u8; 16];
        v.extend(small_thumb());
        v
    }));
    let moov = bmff_box(b"moov", &bmff_box(b"uuid", &canon));
    let mut prvw_uuid = vec![
        0xea, 0xf4, 0x2b, 0x5e, 0x1c, 0x98, 0x4b, 0x88, 0xb9, 0xfb, 0xb7, 0xdc, 0x40, 0x6e, 0x4d,
        0x16,
    ];
    prvw_uuid.extend_from_slice(&[0u8; 8]);
    prvw_uuid.extend(bmff_box(b"PRVW", &{
        let mut v = vec![0u8; 16];
        v.extend(jpeg_bytes(&red_corner(1024, 683), 85));
        v
    }));
    let mdat = bmff_box(b"mdat", &jpeg_bytes(&solid(2048, 1365, GREEN), 70));
    let file: Vec<u8> = [ftyp, moov, bmff_box(b"uuid", &prvw_uuid), mdat].concat();
    let r = check("IMG_0001.CR3", &file, Some("Canon EOS R6"));
    // Orientation 3 = rotate 180: the red corner goes bottom-right.
    assert_eq!(r.meta.orientation, 3);
    assert!(near(pixel(&r.image, 0.75, 0.75), RED), "red bottom-right");
    assert!(near(pixel(&r.image, 0.25, 0.25), BLUE));
}
