"""Budgets checked before the work they bound is done.

Each check is a small pure function taking the limit as an argument and
returning ``None`` when within it, or the text of a ``limit_exceeded``
message naming what was too big (the caller adds the file's name and place).
The readers call them with the limits of :class:`selfeval.settings.Settings`;
readers outside this package (HTML tables, LibreOffice conversions) use the
same functions for the same budgets.

What they bound: decoded image pixels (from the header, before decoding),
the resolution a page is rendered at for OCR, inflated bytes of a zip
package (``ZipInfo.file_size``, which :mod:`zipfile` never reads past), the
extent of a worksheet and the cells its merged ranges cover, table spans
(``gridSpan``, ``colspan``, ``rowspan``), and bytes read from a file
(:func:`read_regular`, which also refuses anything but a regular file).
"""

from __future__ import annotations

import math
import os
import re
import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MPX = 1_000_000


def _mpx(pixels: float) -> str:
    return f"{pixels / MPX:,.1f} Mpx"


def pixels_problem(width: int, height: int, limit: int) -> str | None:
    """An image of ``width`` × ``height`` over ``limit`` decoded pixels."""
    if limit and width * height > limit:
        return (f"an image of {width}×{height} = {width * height} pixels ({_mpx(width * height)}) is over the "
                f"{limit}-pixel, {_mpx(limit)} limit on decoded pixels")
    return None


def downscale_size(width: int, height: int, limit: int) -> tuple[int, int]:
    """``width`` × ``height`` scaled down, keeping its proportions, to at most
    ``limit`` pixels (unchanged when it is within already)."""
    if not limit or width * height <= limit:
        return width, height
    scale = math.sqrt(limit / (width * height))
    return max(int(width * scale), 1), max(int(height * scale), 1)


def render_dpi(width_pt: float, height_pt: float, dpi: float, limit: int) -> float:
    """The resolution to render a page of ``width_pt`` × ``height_pt`` points
    at: ``dpi``, or lower so that the picture has at most ``limit`` pixels."""
    area_in = max(width_pt, 1.0) * max(height_pt, 1.0) / (72.0 * 72.0)
    if not limit or area_in * dpi * dpi <= limit:
        return dpi
    return math.floor(math.sqrt(limit / area_in) * 100) / 100


def inflated_problem(infos: Iterable[zipfile.ZipInfo], limit: int) -> str | None:
    """A zip package whose members inflate to more than ``limit`` bytes in all
    (or claim to: :mod:`zipfile` never reads past a member's ``file_size``)."""
    if not limit:
        return None
    total = 0
    biggest: zipfile.ZipInfo | None = None
    for info in infos:
        total += info.file_size
        if biggest is None or info.file_size > biggest.file_size:
            biggest = info
    if total > limit and biggest is not None:
        return (f"its parts inflate to {total:,} bytes, over the {limit:,}-byte limit "
                f"(the largest, {biggest.filename}, is {biggest.file_size:,} bytes)")
    return None


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})(?::\$?([A-Za-z]{1,3})\$?(\d{1,7}))?$")


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def ref_area(ref: str) -> int:
    """Cells of an A1-style range (``A1:XFD1048576``, ``B3``); 0 when unreadable."""
    match = _REF.match(ref.strip())
    if not match:
        return 0
    c1, r1 = _column(match.group(1)), int(match.group(2))
    c2, r2 = (_column(match.group(3)), int(match.group(4))) if match.group(3) else (c1, r1)
    return (abs(c2 - c1) + 1) * (abs(r2 - r1) + 1)


def extent_problem(rows: int, columns: int, limit: int, what: str = "the sheet") -> str | None:
    """A sheet (or table) of ``rows`` × ``columns`` over ``limit`` cells."""
    if limit and rows * columns > limit:
        return f"{what} spans {rows:,} rows × {columns:,} columns ({rows * columns:,} cells), over the {limit:,}-cell limit"
    return None


def merged_problem(areas: Iterable[int], limit: int, what: str = "the sheet") -> str | None:
    """Merged ranges whose areas add up to more than ``limit`` cells."""
    total = 0
    largest = 0
    for area in areas:
        total += area
        largest = max(largest, area)
        if limit and total > limit:
            return (f"{what} has merged ranges covering more than {limit:,} cells "
                    f"(one covers {largest:,}); they would be expanded cell by cell")
    return None


def bounded_span(span: int, limit: int) -> tuple[int, str | None]:
    """A table cell's column (or row) span within ``limit``: the span to use
    (at least 1, at most ``limit``) and the problem when it was cut."""
    span = max(span, 1)
    if limit and span > limit:
        return limit, f"a cell spans {span:,} columns, over the {limit:,}-column limit; read as {limit:,}"
    return span, None


# -- reading a file ------------------------------------------------------------
@dataclass(frozen=True)
class FileKind:
    """What a path is, after following links: ``regular`` or what else
    (``fifo``, ``socket``, ``character device``, ``block device``, ``folder``)."""

    kind: str
    link: str | None = None  # where a symbolic link points, when the path is one

    @property
    def regular(self) -> bool:
        return self.kind == "regular"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISREG, "regular"), (stat.S_ISDIR, "folder"), (stat.S_ISFIFO, "fifo"),
                       (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special file"


def file_kind(path: Path) -> FileKind:
    """What ``path`` is (links followed, nothing opened); raises OSError."""
    link = os.readlink(path) if os.path.islink(path) else None
    return FileKind(_kind(os.stat(path).st_mode), link)


class NotRegular(OSError):
    """The path is not a regular file (a FIFO, socket, device, folder)."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{kind}, not a regular file")
        self.path, self.kind = path, kind


class TooLarge(OSError):
    """The file holds more than the byte limit."""

    def __init__(self, path: Path, size: int, limit: int) -> None:
        super().__init__(f"{size:,} bytes or more is over the {limit:,}-byte limit")
        self.path, self.size, self.limit = path, size, limit


def _regular_chunks(path: Path, limit: int):
    """The bytes of the regular file at ``path`` a chunk (1 MiB) at a time,
    at most ``limit`` of them (0: no limit).  Opened without blocking, so a
    FIFO never hangs the caller; anything but a regular file (after following
    links) raises :class:`NotRegular`, a file over the limit :class:`TooLarge`
    (before more than ``limit`` + 1 bytes are read, however large it claims
    or grows to be)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(path, _kind(info.st_mode))
        if limit and info.st_size > limit:
            raise TooLarge(path, info.st_size, limit)
        got = 0
        cap = limit + 1 if limit else None
        while cap is None or got < cap:
            chunk = os.read(fd, 1 << 20 if cap is None else min(1 << 20, cap - got))
            if not chunk:
                break
            got += len(chunk)
            if limit and got > limit:
                raise TooLarge(path, got, limit)
            yield chunk
    finally:
        os.close(fd)


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them
    (0: no limit), with the checks of :func:`_regular_chunks`."""
    return b"".join(_regular_chunks(path, limit))


def hash_regular(path: Path, limit: int, head: int) -> tuple[str, bytes, bool]:
    """The sha256 of the regular file at ``path``, its first ``head`` bytes
    and whether it is strict UTF-8 as a whole, read a chunk at a time with
    the checks and limit of :func:`read_regular` (so a huge file is never
    held whole, and the text reader need not read it again to tell)."""
    import codecs
    import hashlib

    digest = hashlib.sha256()
    first = b""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8 = True
    for chunk in _regular_chunks(path, limit):
        if len(first) < head:
            first += chunk[:head - len(first)]
        digest.update(chunk)
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return digest.hexdigest(), first, utf8
