"""Find input files and hand each to the reader for its kind.

Readers are registered by file suffix as ``"module:function"`` strings and
imported only when a file of that kind is met, so a text-only batch never
imports the PDF or OCR stack.  A reader has the signature
``read(source: Source, ctx: ReadContext) -> Document`` (the context,
:mod:`selfeval.extract.context`, holds the settings, the limits, the
deadline and a lent executor) and reports bad input as findings; it raises
only for bugs.  ``read_document`` turns even a reader bug into an
``unreadable_input`` finding naming the file, so one bad file never stops a
batch.

A reader whose output depends on an optional component (an OCR engine and
its models, an office converter) declares a function giving that
component's version in :data:`COMPONENTS`; the ``--resume`` cache key holds
it, so a new engine or model gives a fresh reading.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from selfeval.extract.context import ReadContext
from selfeval.extract.grid import Document
from selfeval.extract.ignore import IgnoreFile, ignored_by, load_ignore_file
from selfeval.extract.limits import NotRegular, TooLarge, file_kind, hash_regular, read_regular
from selfeval.extract.webpage import is_web_archive
from selfeval.findings import Finding, describe
from selfeval.settings import Settings


@dataclass(frozen=True)
class Source:
    """An input file's bytes and names, read once and given to its reader."""

    path: Path
    doc_id: str
    data: bytes
    sha256: str
    partial: bool = False  # ``data`` is only the file's start (a huge text file, read from disk as it is parsed)
    utf8: bool | None = None  # of a partial file: whether it is strict UTF-8 as a whole (found while hashing it)


Reader = Callable[[Source, ReadContext], Document]

READERS: dict[str, str] = {
    ".txt": "selfeval.extract.text:read_text",
    ".text": "selfeval.extract.text:read_text",
    ".md": "selfeval.extract.text:read_text",
    ".tsv": "selfeval.extract.text:read_text",
    ".pdf": "selfeval.extract.pdf:read_pdf",
    ".xlsx": "selfeval.extract.xlsx:read_xlsx",
    ".xlsm": "selfeval.extract.xlsx:read_xlsx",
    ".xls": "selfeval.extract.xls:read_xls",
    ".docx": "selfeval.extract.docx:read_docx",
    ".doc": "selfeval.extract.legacy:read_legacy",
    ".wps": "selfeval.extract.legacy:read_legacy",
    ".et": "selfeval.extract.legacy:read_legacy",
    ".dps": "selfeval.extract.legacy:read_legacy",
    ".ofd": "selfeval.extract.ofd:read_ofd",
    ".html": "selfeval.extract.html:read_html",
    ".htm": "selfeval.extract.html:read_html",
    ".xhtml": "selfeval.extract.html:read_html",
    ".mht": "selfeval.extract.html:read_html",
    ".mhtml": "selfeval.extract.html:read_html",
    ".png": "selfeval.extract.image:read_image",
    ".jpg": "selfeval.extract.image:read_image",
    ".jpeg": "selfeval.extract.image:read_image",
    ".tif": "selfeval.extract.image:read_image",
    ".tiff": "selfeval.extract.image:read_image",
}


STREAMING: dict[str, str] = {
    ".txt": "selfeval.extract.text:stream_text",
    ".text": "selfeval.extract.text:stream_text",
    ".md": "selfeval.extract.text:stream_text",
    ".tsv": "selfeval.extract.text:stream_text",
    ".pdf": "selfeval.extract.pdf:stream_pdf",
}
"""Readers that can give their rows one at a time (``Document.stream``):
``read_source(..., stream=True)`` uses them, so a huge file's rows are never
all held."""


OCR_VERSION = "selfeval.extract.ocr:engine_version"
OFFICE_VERSION = "selfeval.extract.soffice:version"
COMPONENTS: dict[str, tuple[str, ...]] = {
    ".doc": (OFFICE_VERSION,),  # converted by LibreOffice
    ".wps": (OFFICE_VERSION,),
    ".et": (OFFICE_VERSION,),
    ".dps": (OFFICE_VERSION,),
    ".pdf": (OCR_VERSION,),  # pages without a text layer are read by OCR
    ".png": (OCR_VERSION,),
    ".jpg": (OCR_VERSION,),
    ".jpeg": (OCR_VERSION,),
    ".tif": (OCR_VERSION,),
    ".tiff": (OCR_VERSION,),
}
"""Reader suffix -> ``"module:function"`` of each optional component the
reading depends on; the function returns the component's version as text
(e.g. ``"rapidocr 3.4.0; models PP-OCRv6_det_small.onnx:4.6MB…"``)."""


@cache  # installed versions do not change while the process runs
def component_versions(suffix: str) -> tuple[str, ...]:
    """The versions of the optional components a ``suffix`` reader uses
    (``"absent: …"`` for one that cannot be loaded)."""
    out = []
    for spec in COMPONENTS.get(suffix, ()):
        try:
            out.append(f"{spec}={_load_reader(spec)()}")
        except Exception as exc:  # noqa: BLE001 - any failure to load means the component is absent here
            out.append(f"{spec}=absent: {type(exc).__name__}")
    return tuple(out)


MANIFEST_NAME = "manifest.json"  # written by selfeval into every output folder
_OWN_MANIFEST = re.compile(rb'\A\s*\{\s*"tool"\s*:\s*"selfeval"')
OUTPUT_FOLDER = "(a selfeval output folder: it holds selfeval's manifest.json)"


def is_output_folder(folder: Path) -> bool:
    """True for a folder that holds selfeval's own ``manifest.json``: an
    output folder, whose tables, workbook and page images are never input."""
    try:
        with open(folder / MANIFEST_NAME, "rb") as fh:
            return bool(_OWN_MANIFEST.match(fh.read(256)))
    except OSError:
        return False


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def _load_reader(spec: str) -> Reader:
    module_name, _, func = spec.partition(":")
    return getattr(importlib.import_module(module_name), func)


@dataclass(frozen=True)
class InputFile:
    path: Path
    doc_id: str
    link: str | None = None  # the target of a symbolic link to a regular file, as the link says it


def printable_name(name: str) -> str:
    """A file name (or any text holding one) as valid UTF-8 text: bytes that
    are not UTF-8, which Python keeps as surrogate escapes, are written as
    ``\\xNN``; the same bytes give the same text on every run."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file system name decodes to: written as \udXXX
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def _non_regular(path: Path, doc_id: str) -> tuple[str | None, Finding | None]:
    """(link target, None) for a regular file or a link to one; (None, a
    ``skipped_file`` finding) for a FIFO, socket, device or a link to one."""
    try:
        kind = file_kind(path)
    except OSError as exc:
        return None, Finding("skipped_file", f"{printable_name(str(path))}: cannot be examined "
                             f"({describe(exc)}); skipped", doc_id=doc_id)
    if kind.regular:
        return kind.link, None
    via = f" (a link to {printable_name(kind.link)})" if kind.link else ""
    return None, Finding("skipped_file", f"{printable_name(str(path))}: a {kind.kind}{via}, not a regular file; "
                         "only regular files are read; skipped", doc_id=doc_id)


def discover(inputs: list[Path], ignored: list[dict] | None = None) -> tuple[list[InputFile], list[Finding]]:
    """Expand files and folders into a sorted list of input files.

    A folder is searched recursively; symlinked folders are not followed
    (which also makes symlink loops harmless).  Only regular files are read:
    links to regular files are followed (``InputFile.link`` says where they
    point, for the manifest), while FIFOs, sockets, devices and links to them
    are reported as ``skipped_file`` with what they are.  Names that are not
    UTF-8 get ``\\xNN`` escapes in ``doc_id`` (:func:`printable_name`).  Unsupported files found in a
    folder are reported as ``skipped_file``; a named file of an unsupported
    kind is still handed to a reader by content sniffing.  The ``doc_id`` is
    the path relative to the folder given, or the file name; where two
    different files would get the same one (``a/x.txt`` and ``b/x.txt``
    given together), each gets its path as given instead, so neither is
    lost and the choice does not depend on the order of the inputs.  Files and
    folders a ``.selfevalignore`` matches (:mod:`selfeval.extract.ignore`) are
    skipped silently; with ``ignored``, an entry per skipped path (``path``
    relative to the folder given, folders ending in ``/``; ``pattern``;
    ``ignore_file``) is appended to it, for the manifest.  Output folders
    (:func:`is_output_folder`) are skipped the same way, with the pattern
    :data:`OUTPUT_FOLDER` and their manifest as the ignore file, so an
    ``--out`` inside an input folder is never read back.
    """
    found: dict[str, list[tuple[Path, str | None]]] = {}  # doc_id -> the paths (and link targets) that would take it
    findings: list[Finding] = []
    skipped: list[dict] = []

    def add(path: Path, doc_id: str) -> None:
        link, problem = _non_regular(path, doc_id)
        if problem is not None:
            findings.append(problem)
        else:
            found.setdefault(doc_id, []).append((path, link))

    for given in inputs:
        if given.is_dir():
            for path in _walk(given, skipped):
                doc_id = printable_name(path.relative_to(given).as_posix())
                if supported(path):
                    add(path, doc_id)
                else:
                    findings.append(
                        Finding(
                            "skipped_file",
                            f"{printable_name(str(path))}: not a supported document type "
                            f"({printable_name(path.suffix) or 'no suffix'}); skipped",
                            doc_id=doc_id,
                        )
                    )
        else:
            add(given, printable_name(given.name))
    files: dict[str, InputFile] = {}
    for doc_id, paths in found.items():
        distinct: dict[Path, tuple[Path, str | None]] = {}
        for path, link in sorted(paths, key=lambda p: str(p[0])):
            distinct.setdefault(path.resolve(), (path, link))  # one file named twice (a folder and a file in it) is one
        if len(distinct) == 1:
            path, link = next(iter(distinct.values()))
            files[doc_id] = InputFile(path, doc_id, link)
        else:
            for path, link in distinct.values():
                name = printable_name(path.as_posix())
                files.setdefault(name, InputFile(path, name, link))
    ordered = [files[k] for k in sorted(files)]
    findings.sort(key=lambda f: f.doc_id)
    if ignored is not None:
        ignored.extend(sorted(skipped, key=lambda e: (e["path"], e["ignore_file"])))
    return ordered, findings


def _walk(folder: Path, skipped: list[dict]) -> Iterator[Path]:
    inherited: dict[str, list[IgnoreFile]] = {}  # folder -> the ignore files above and in it

    def ignored(path: Path, is_dir: bool) -> bool:
        hit = ignored_by(rules, path, is_dir)
        if hit is not None:
            skip(path, is_dir, hit[1], hit[0].path)
        elif is_dir and is_output_folder(path):
            skip(path, is_dir, OUTPUT_FOLDER, path / MANIFEST_NAME)
            return True
        return hit is not None

    def skip(path: Path, is_dir: bool, pattern: str, because: Path) -> None:
        relative = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
        skipped.append({"path": relative, "pattern": pattern, "ignore_file": str(because)})

    if is_output_folder(folder):
        skip(folder, True, OUTPUT_FOLDER, folder / MANIFEST_NAME)
        return
    for root, dirs, names in os.walk(folder, followlinks=False):
        rules = list(inherited.get(root, []))
        own = load_ignore_file(Path(root))
        if own is not None:
            rules.append(own)
        dirs[:] = [d for d in sorted(dirs) if not d.startswith(".") and not ignored(Path(root) / d, True)]
        for d in dirs:
            inherited[os.path.join(root, d)] = rules
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(root) / name
            if ignored(path, False):
                continue
            if path.is_symlink() and not path.exists():
                continue  # dangling link
            yield path


_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF-", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"II*\x00", ".tif"),
    (b"MM\x00*", ".tif"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls"),
]


OLE2_NAMES = (".doc", ".xls", ".wps", ".et", ".dps", ".ppt")  # Office 97-2003 and WPS files: OLE2 containers
WEB_PAGE_NAMES = (".xls", ".xlsx", ".doc", ".docx", ".et", ".wps", "")  # names reporting systems give web pages
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body|table|meta)\b", re.IGNORECASE)


TEXT_SUFFIXES = (".txt", ".text", ".md", ".tsv")  # the text reader's names (also the review page's, selfeval.report)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # reported by the reading itself
        return 0


def sniff_suffix(path: Path, data: bytes) -> str:
    """The reader suffix for a file: its content's kind where that is known
    (a PNG named .txt goes to the image reader; a web page a reporting
    system saved as .xls goes to the web page reader), else its name's
    suffix."""
    head = data[:16]
    name = path.suffix.lower()
    for magic, suffix in _MAGIC:
        if head.startswith(magic):
            if suffix == ".xls" and name in OLE2_NAMES:
                return name
            if suffix == ".xls" and "WordDocument".encode("utf-16-le") in data:
                return ".doc"  # a Word 97-2003 file under another name
            return suffix
    if head.startswith(b"PK\x03\x04"):
        if name in (".xlsx", ".xlsm", ".docx", ".ofd"):
            return name
        return ".ofd" if b"OFD.xml" in data[:4096] else ".zip"
    if name in WEB_PAGE_NAMES and looks_like_web_page(data):
        return ".mht" if is_web_archive(data) else ".html"
    return name


def looks_like_web_page(data: bytes) -> bool:
    """HTML markup at the start of the file (after a BOM and whitespace), or
    a web archive's headers."""
    if is_web_archive(data):
        return True
    head = data[:1024]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :].replace(b"\x00", b"") if bom != b"\xef\xbb\xbf" else head[len(bom) :]
    head = head.lstrip()
    return head.startswith(b"<") and bool(_HTML_START.search(head))


def _failed(item: InputFile, message: str, sha: str = "") -> Document:
    doc = Document(item.doc_id, printable_name(str(item.path)), kind="unreadable", sha256=sha, readable=False)
    doc.findings.append(Finding("unreadable_input", message, doc_id=item.doc_id))
    return doc


STREAM_FILE_BYTES = 8 * 1024 * 1024  # a text file larger than this is read from disk as it is parsed
HEAD_BYTES = 64 * 1024  # what is kept of such a file for telling its kind and encoding


def load_source(item: InputFile, ctx: ReadContext, stream: bool = False) -> Source | Document:
    """The file's bytes and sha256, within its limits; a Document holding
    the finding when it cannot be read (missing, unreadable, too big).  With
    ``stream``, of a text file over STREAM_FILE_BYTES only the start is kept
    (``Source.partial``): its reader reads the rest from disk, line by line."""
    path, doc_id = item.path, item.doc_id
    shown = printable_name(str(path))
    limit = ctx.limits.max_file_bytes
    try:
        if stream and path.suffix.lower() in TEXT_SUFFIXES and _size(path) > STREAM_FILE_BYTES:
            sha, head, utf8 = hash_regular(path, limit, HEAD_BYTES)
            return Source(path, doc_id, head, sha, partial=True, utf8=utf8)
        data = read_regular(path, limit)
    except TooLarge as big:
        doc = Document(doc_id, shown, kind="skipped", readable=False)
        doc.findings.append(
            Finding(
                "limit_exceeded",
                f"{shown}: {big.size} bytes is over the {limit}-byte limit; "
                "raise --max-file-mb to read it (0: no limit)",
                doc_id=doc_id,
            )
        )
        return doc
    except NotRegular as odd:
        return _failed(item, f"{shown}: a {odd.kind}, not a regular file; only regular files are read")
    except OSError as exc:
        return _failed(item, f"{shown}: cannot read the file ({describe(exc)}); check it exists and is readable")
    return Source(path, doc_id, data, hashlib.sha256(data).hexdigest())


def read_source(source: Source, ctx: ReadContext, stream: bool = False) -> Document:
    """The Document the reader for the file's kind makes of ``source``; never raises for bad input.
    With ``stream``, a reader in :data:`STREAMING` gives its rows as ``Document.stream``."""
    item = InputFile(source.path, source.doc_id)
    path, sha = source.path, source.sha256
    suffix = sniff_suffix(path, source.data)
    spec = (STREAMING.get(suffix) if stream else None) or READERS.get(suffix)
    if source.partial and spec != STREAMING.get(suffix):  # not text after all (a PNG named .txt): read it whole
        whole = load_source(item, ctx)
        if isinstance(whole, Document):
            return whole
        return read_source(whole, ctx, stream)
    if spec is None:
        return _failed(item, f"{path}: not a supported document type ({suffix or 'no suffix'})", sha)
    try:
        reader = _load_reader(spec)
    except ImportError as exc:
        return _failed(
            item,
            f"{path}: the reader for {suffix} files is not installed ({describe(exc)}); "
            "install selfeval with its optional dependencies",
            sha,
        )
    try:
        doc = reader(source, ctx)
    except MemoryError:  # over the worker's memory limit: the pipeline reports it as such
        raise
    except Exception as exc:  # a reader bug must not stop the batch; it is reported, not hidden
        return _failed(item, f"{path}: the {suffix} reader failed ({describe(exc)}); please report this file", sha)
    doc.sha256 = sha
    return doc


def read_document(item: InputFile, ctx: ReadContext | Settings) -> Document:
    """Read one input file into a Document; never raises for bad input."""
    if isinstance(ctx, Settings):
        ctx = ReadContext.of(ctx)
    source = load_source(item, ctx)
    return source if isinstance(source, Document) else read_source(source, ctx)
