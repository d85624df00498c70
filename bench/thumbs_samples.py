#!/usr/bin/env python3
"""Builds the two per-format bench samples no common tool writes for us.

  thumbs_samples.py dng  PREVIEW.jpg OUT.dng   # DNG-style TIFF: JPEG preview + 40 MB of "sensor" data
  thumbs_samples.py pdf  IMAGE.jpg  OUT.pdf    # one A4 page with the JPEG placed on it (DCTDecode)
"""
import os
import struct
import sys


def jpeg_size(data):
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            raise ValueError("bad JPEG")
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xC2:
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + length
    raise ValueError("no SOF")


def dng(preview_path, out_path):
    """A DNG LibRaw accepts: a 5000x4000 16-bit CFA raw image (40 MB of noise, never read
    for a thumbnail) and the preview as a JPEG SubIFD at its real size."""
    preview = open(preview_path, "rb").read()
    pw, ph = jpeg_size(preview)
    rw, rh = 5000, 4000
    sensor = os.urandom(rw * rh * 2)
    sensor_off = 8
    preview_off = sensor_off + len(sensor)
    data = bytearray(b"II*\0\0\0\0\0") + sensor + preview

    def blob(b):
        if len(data) % 2:
            data.append(0)
        off = len(data)
        data.extend(b)
        return off

    def ifd(entries):
        fields = []
        for tag, typ, count, raw in sorted(entries):
            fields.append((tag, typ, count, raw.ljust(4, b"\0") if len(raw) <= 4
                           else struct.pack("<I", blob(raw))))
        off = blob(b"")
        data.extend(struct.pack("<H", len(fields)))
        for tag, typ, count, field in fields:
            data.extend(struct.pack("<HHI", tag, typ, count) + field)
        data.extend(struct.pack("<I", 0))
        return off

    short = lambda t, v: (t, 3, 1, struct.pack("<H", v))
    long_ = lambda t, v: (t, 4, 1, struct.pack("<I", v))
    raw_ifd = ifd([long_(0xFE, 0), long_(0x100, rw), long_(0x101, rh), short(0x102, 16),
                   short(0x103, 1), short(0x106, 32803), long_(0x111, sensor_off),
                   short(0x115, 1), long_(0x116, rh), long_(0x117, len(sensor)),
                   (33421, 3, 2, struct.pack("<HH", 2, 2)), (33422, 1, 4, bytes([0, 1, 1, 2]))])
    prev_ifd = ifd([long_(0xFE, 1), long_(0x100, pw), long_(0x101, ph),
                    (0x102, 3, 3, struct.pack("<HHH", 8, 8, 8)), short(0x103, 7),
                    short(0x106, 6), long_(0x111, preview_off), short(0x115, 3),
                    long_(0x116, ph), long_(0x117, len(preview))])
    ifd0 = ifd([long_(0xFE, 1), (0x10F, 2, 6, b"Hoist\0"), (0x110, 2, 6, b"Bench\0"),
                short(0x112, 1), (0x14A, 4, 2, struct.pack("<II", raw_ifd, prev_ifd)),
                (50706, 1, 4, bytes([1, 4, 0, 0])), (50708, 2, 12, b"Hoist Bench\0")])
    data[4:8] = struct.pack("<I", ifd0)
    open(out_path, "wb").write(data)


def pdf(image_path, out_path):
    img = open(image_path, "rb").read()
    w, h = jpeg_size(img)
    page_w, page_h = 595, 842
    draw_w = 500
    draw_h = int(draw_w * h / w)
    content = (b"q %d 0 0 %d 47 %d cm /Im0 Do Q 0 0 0 rg 47 80 500 20 re f"
               % (draw_w, draw_h, page_h - 60 - draw_h))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R "
        b"/Resources << /XObject << /Im0 5 0 R >> >> >>" % (page_w, page_h),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n" % (w, h, len(img))
        + img + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    open(out_path, "wb").write(out)


if __name__ == "__main__":
    kind, src, dst = sys.argv[1:4]
    {"dng": dng, "pdf": pdf}[kind](src, dst)
