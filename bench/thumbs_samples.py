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
    preview = open(preview_path, "rb").read()
    sensor = os.urandom(40 << 20)
    # Layout: header | sensor | preview | IFDs
    sensor_off = 8
    preview_off = sensor_off + len(sensor)
    ifd_off = preview_off + len(preview)

    def ifd(entries, next_off=0):
        out = struct.pack("<H", len(entries))
        for tag, typ, count, value in sorted(entries):
            out += struct.pack("<HHII", tag, typ, count, value)
        return out + struct.pack("<I", next_off)

    sub_preview = ifd([(0xFE, 4, 1, 1), (0x103, 3, 1, 7), (0x111, 4, 1, preview_off),
                       (0x117, 4, 1, len(preview))])
    sub_raw_off = ifd_off + len(sub_preview)
    sub_raw = ifd([(0xFE, 4, 1, 0), (0x103, 3, 1, 1), (0x111, 4, 1, sensor_off),
                   (0x117, 4, 1, len(sensor))])
    ifd0_off = sub_raw_off + len(sub_raw)
    make = b"Hoist\0\0\0"
    make_off = ifd0_off + 2 + 3 * 12 + 4
    ifd0 = ifd([(0x10F, 2, 6, make_off), (0x112, 3, 1, 1),
                (0x14A, 4, 2, make_off + len(make))])
    subifds = struct.pack("<II", ifd_off, sub_raw_off)
    with open(out_path, "wb") as f:
        f.write(b"II*\0" + struct.pack("<I", ifd0_off))
        f.write(sensor)
        f.write(preview)
        f.write(sub_preview + sub_raw + ifd0 + make + subifds)


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
