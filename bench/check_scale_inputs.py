#!/usr/bin/env python3
"""Inputs for bench/check_scale.sh: a plan whose body is one long line, and a PDF whose text
layer is one long paragraph of Chinese (a Type0 font, Identity-H, whose character codes are
the Unicode code points, with a ToUnicode map saying so; no font program: the text layer is
what the checker reads). Sizes in bytes of the file written.

    check_scale_inputs.py line 800000 out.txt
    check_scale_inputs.py pdf 2097152 out.pdf
"""
import sys
import zlib

UNIT = "城关镇工矿仓储用地1.00公顷，"
TITLE = "示例县2025年度国有建设用地供应计划"


def long_line(size: int) -> bytes:
    n = max(size - len(TITLE.encode()) - 2, 0) // len(UNIT.encode())
    return (TITLE + "\n" + UNIT * n + "\n").encode()


def cjk_pdf(size: int) -> bytes:
    # About four bytes of content stream per character ("XXXX" in a hex string).
    text = UNIT * max(size // (4 * len(UNIT) + 2), 1)
    lines = [text[i : i + 50] for i in range(0, len(text), 50)]
    ops = ["BT /F1 10 Tf 14 TL 40 800 Td"]
    ops += ["<" + "".join(f"{ord(c):04X}" for c in l) + "> Tj T*" for l in lines]
    ops.append("ET")
    content = "\n".join(ops).encode("ascii")
    ranges = [f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in range(0x100)]
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "".join(
            f"{len(ranges[i:i + 100])} beginbfrange\n" + "\n".join(ranges[i : i + 100]) + "\nendbfrange\n"
            for i in range(0, 256, 100)
        )
        + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")
    packed = zlib.compress(cmap)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [7 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 /CIDToGIDMap /Identity >>",
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 683 /StemV 80 >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 8 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


if __name__ == "__main__":
    kind, size, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    data = long_line(size) if kind == "line" else cjk_pdf(size)
    with open(path, "wb") as f:
        f.write(data)
