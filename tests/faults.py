"""Hostile and broken inputs, made on the fly (small on disk, huge when read
naively), and a child-process runner that measures what reading them costs.

Each maker writes one file (or FIFO, link, odd name) into a folder and
returns its path.  :func:`run_child` runs ``selfeval extract`` in a child
process under an address-space limit and a timeout (the watchdog: a
regression fails the test instead of taking the machine down) and returns
its exit status, output and peak resident memory (``wait4``'s ``ru_maxrss``).
"""

from __future__ import annotations

import io
import os
import resource
import signal
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ADDRESS_SPACE_LIMIT = 2 * 1024**3  # the child's RLIMIT_AS: an allocation past 2 GiB fails (MemoryError/ENOMEM)
OCR_ADDRESS_SPACE_LIMIT = 4 * 1024**3  # the OCR engine (onnxruntime) reserves more address space than it uses
RSS_KILL_MB = 1900  # the watchdog kills a child whose resident memory passes this, whatever its address space
CHILD_TIMEOUT_S = 120.0


# -- images ----------------------------------------------------------------------
def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb(path: Path, width: int = 20000, height: int = 20000) -> Path:
    """A greyscale PNG of ``width`` × ``height`` white pixels, compressed to a
    few hundred kilobytes (the rows are streamed through zlib, never held)."""
    row = b"\x00" + b"\xff" * width
    packer = zlib.compressobj(9)
    parts = [packer.compress(row) for _ in range(height)]
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", b"".join(parts)) + _png_chunk(b"IEND", b"")
    path.write_bytes(data)
    return path


def jpeg_bomb(path: Path, width: int = 20000, height: int = 20000) -> Path:
    """A tiny JPEG whose frame header claims ``width`` × ``height``."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (8, 8), 255).save(buffer, format="JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    path.write_bytes(bytes(data))
    return path


# -- PDF -----------------------------------------------------------------------
def huge_page_pdf(path: Path, side_pt: int = 14400) -> Path:
    """One page of ``side_pt`` × ``side_pt`` points (14400 = 200 inches, the
    largest a PDF allows), covered by a 1-pixel image and no text: a "scan"
    the reader renders for OCR."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {side_pt} {side_pt}] "
         "/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>").encode(),
    ]
    content = f"q {side_pt} 0 0 {side_pt} 0 0 cm /Im0 Do Q".encode()
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
                   b"/BitsPerComponent 8 /Length 1 >>\nstream\n\xff\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


# -- Office packages -----------------------------------------------------------
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="表1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '</Relationships>'
)
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def _xlsx(path: Path, sheet_xml_parts, compress: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compress) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", _WORKBOOK)
        package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_xml_parts:
                sheet.write(part.encode("utf-8") if isinstance(part, str) else part)
    return path


def _cells(rows: list[tuple[str, ...]]) -> str:
    out = []
    for r, cells in enumerate(rows, start=1):
        out.append(f'<row r="{r}">' + "".join(
            f'<c r="{chr(65 + c)}{r}" t="inlineStr"><is><t>{text}</t></is></c>' for c, text in enumerate(cells) if text
        ) + "</row>")
    return "".join(out)


def xlsx_inflation_bomb(path: Path, inflated: int = 1024**3) -> Path:
    """An .xlsx whose worksheet part inflates to ``inflated`` bytes (blanks
    inside the sheet data), a megabyte or so on disk."""
    chunk = b" " * (1 << 20)

    def parts():
        yield _SHEET_HEAD + "<sheetData>" + _cells([("项目名称", "x")])
        for _ in range(inflated // len(chunk)):
            yield chunk
        yield "</sheetData></worksheet>"

    return _xlsx(path, parts())


def xlsx_merge_bomb(path: Path) -> Path:
    """An .xlsx with one merged range over the whole sheet (17 billion cells)."""
    return _xlsx(path, [_SHEET_HEAD + "<sheetData>" + _cells([("项目名称", "x")]) + "</sheetData>"
                        '<mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells></worksheet>'])


def xlsx_dimension_bomb(path: Path) -> Path:
    """An .xlsx declaring the whole sheet as its dimension, with one cell in
    its last corner, so that the sheet's extent is 17 billion cells."""
    return _xlsx(path, [_SHEET_HEAD + '<dimension ref="A1:XFD1048576"/><sheetData>' + _cells([("项目名称", "x")])
                        + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>end</t></is></c></row>'
                        "</sheetData></worksheet>"])


def docx_span_bomb(path: Path, span: int = 10**8) -> Path:
    """A .docx whose one table cell spans ``span`` grid columns."""
    import docx

    document = docx.Document()
    document.add_paragraph("项目支出绩效自评表")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "项目名称"
    table.cell(0, 1).text = "x"
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc = table.rows[0].cells[1]._tc
    props = tc.get_or_add_tcPr()
    grid_span = OxmlElement("w:gridSpan")
    grid_span.set(qn("w:val"), str(span))
    props.append(grid_span)
    document.save(path)
    return path


# -- files that are not files ----------------------------------------------------
def dev_zero_link(path: Path) -> Path:
    os.symlink("/dev/zero", path)
    return path


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def non_utf8_name(folder: Path, data: bytes) -> Path:
    """A file whose name holds bytes that are not UTF-8 (\\xff, and GBK 中文)."""
    raw = os.fsencode(folder) + b"/bad-\xff\xd6\xd0\xce\xc4.txt"
    with open(raw, "wb") as fh:
        fh.write(data)
    return Path(os.fsdecode(raw))


# -- the child process -------------------------------------------------------------
@dataclass(frozen=True)
class ChildRun:
    status: int  # exit status, or -signal when killed
    stdout: str
    stderr: str
    peak_rss_mb: float
    seconds: float
    timed_out: bool  # killed by the watchdog: over the timeout or over RSS_KILL_MB


def _limits(address_space: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        os.setsid()

    return apply


def run_child(args: list[str], address_space: int = ADDRESS_SPACE_LIMIT, timeout: float = CHILD_TIMEOUT_S,
              cwd: Path | None = None) -> ChildRun:
    """``python -m selfeval.cli ARGS`` in a child limited to ``address_space``
    bytes and ``timeout`` seconds (then killed), with its peak resident memory."""
    env = dict(os.environ, COLUMNS="200", OMP_NUM_THREADS="1")
    started = time.monotonic()
    with open(os.devnull, "rb") as stdin:
        proc = subprocess.Popen([sys.executable, "-m", "selfeval.cli", *args], stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, preexec_fn=_limits(address_space), cwd=cwd, env=env)
    killed = threading.Event()

    def watchdog() -> None:
        killed.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, watchdog)
    timer.start()
    done = threading.Event()

    def rss_watch() -> None:
        status = Path(f"/proc/{proc.pid}/status")
        while not done.wait(0.02):
            try:
                rss = next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmRSS"))
            except (OSError, StopIteration, ValueError):
                continue
            if rss / 1024 > RSS_KILL_MB:
                watchdog()
                return

    threading.Thread(target=rss_watch, daemon=True).start()
    out: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda k=k, s=s: out.__setitem__(k, s.read())) for k, s in
               (("stdout", proc.stdout), ("stderr", proc.stderr))]
    for t in readers:
        t.start()
    try:
        _, wait_status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
        done.set()
    for t in readers:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(wait_status)
    return ChildRun(proc.returncode, out["stdout"].decode("utf-8", "replace"), out["stderr"].decode("utf-8", "replace"),
                    usage.ru_maxrss / 1024, time.monotonic() - started, killed.is_set())
