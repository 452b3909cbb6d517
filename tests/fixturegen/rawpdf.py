"""Small hand-built PDFs for the pages reportlab will not make: text whose
font maps to private-use code points or U+FFFD, text in a CID font with no
Unicode mapping at all, a page that is only an image (a scan), a file with
no pages, and broken files.

``build_pdf`` writes a valid file (cross-reference table and all) from page
descriptions; the others derive bad files from good ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawPage:
    """One page: ``kind`` is "text" (Latin text that reads normally), "pua"
    (text mapped to private-use code points), "fffd" (text mapped to
    U+FFFD), "cid" (a CID font without any Unicode mapping) or "scan" (an
    image over the whole page, no text)."""

    kind: str
    text: str = "ITEM 1 BUDGET 13.04"


_W, _H = 595, 842


def _tounicode(target: int) -> bytes:
    """A ToUnicode CMap sending codes 0x20..0x7E to ``target`` (+ offset
    unless the target is U+FFFD)."""
    step = 0 if target == 0xFFFD else 1
    lines = [f"<{c:02X}> <{target + step * (c - 0x20):04X}>" for c in range(0x20, 0x7F)]
    body = "\n".join(lines)
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Custom def 1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{len(lines)} beginbfchar\n{body}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()


def build_pdf(pages: list[RawPage]) -> bytes:
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes, extra: str = "") -> int:
        return add(f"<< /Length {len(data)} {extra}>>\nstream\n".encode() + data + b"\nendstream")

    catalog = add(b"")  # filled in below
    tree = add(b"")
    kids: list[int] = []
    for page in pages:
        resources = ""
        if page.kind == "scan":
            pixels = bytes((x * 7 + y * 3) % 256 for y in range(16) for x in range(16))
            image = stream(pixels, "/Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray /BitsPerComponent 8 ")
            resources = f"/XObject << /Im1 {image} 0 R >>"
            content = f"q {_W} 0 0 {_H} 0 0 cm /Im1 Do Q".encode()
        elif page.kind == "cid":
            descendant = add(
                b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Unmapped "
                b"/CIDSystemInfo << /Registry (Private) /Ordering (None) /Supplement 0 >> /DW 1000 >>"
            )
            font = add(
                f"<< /Type /Font /Subtype /Type0 /BaseFont /Unmapped /Encoding /Identity-H "
                f"/DescendantFonts [{descendant} 0 R] >>".encode()
            )
            resources = f"/Font << /F1 {font} 0 R >>"
            glyphs = "".join(f"{0x0100 + ord(c):04X}" for c in page.text)
            content = f"BT /F1 12 Tf 50 750 Td <{glyphs}> Tj ET".encode()
        else:
            extra = ""
            if page.kind in ("pua", "fffd"):
                cmap = stream(_tounicode(0xE000 if page.kind == "pua" else 0xFFFD))
                extra = f"/ToUnicode {cmap} 0 R "
            font = add(f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica {extra}>>".encode())
            resources = f"/Font << /F1 {font} 0 R >>"
            content = f"BT /F1 12 Tf 50 750 Td ({page.text}) Tj ET".encode()
        body = stream(content)
        kids.append(
            add(
                f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 {_W} {_H}] "
                f"/Resources << {resources} >> /Contents {body} 0 R >>".encode()
            )
        )
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {tree} 0 R >>".encode()
    refs = " ".join(f"{k} 0 R" for k in kids)
    objects[tree - 1] = f"<< /Type /Pages /Kids [{refs}] /Count {len(kids)} >>".encode()

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def no_pages_pdf() -> bytes:
    return build_pdf([])


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    """The first ``keep`` share of a file, as an interrupted download leaves it."""
    return data[: int(len(data) * keep)]


def corrupt(data: bytes) -> bytes:
    """A PDF header followed by bytes that are no PDF structure."""
    return b"%PDF-1.7\n" + bytes((i * 37 + 11) % 256 for i in range(4000))
