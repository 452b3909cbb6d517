"""Legacy Word and WPS files (.doc, .wps, .et, .dps) through LibreOffice.

Word 97-2003 and WPS Office files are OLE2 containers in formats no Python
reader parses faithfully (merged cells, tables).  They are converted with
LibreOffice headless (:mod:`selfeval.extract.soffice`), then read by the
reader of the converted kind: a text document (``WordDocument`` stream:
.doc, .wps) as .docx, a spreadsheet (``Workbook``/``Book``: .et) as .xlsx,
a presentation (.dps) as PDF.  The kind comes from the container's streams,
else from the name.  The document keeps its own name, kind (``doc``,
``wps``…) and provenance (``table N`` for documents, sheet names for
spreadsheets, pages for presentations).

Without LibreOffice, or when the conversion fails or runs out of time,
the file is one ``unreadable_input`` finding saying why and what to do,
and the batch goes on.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from selfeval.extract import soffice
from selfeval.extract.grid import Document
from selfeval.extract.office import OLE2_MAGIC, has_stream
from selfeval.extract.readers import Source
from selfeval.settings import Settings

BY_NAME = {".doc": "docx", ".wps": "docx", ".dot": "docx", ".et": "xlsx", ".ett": "xlsx", ".dps": "pdf", ".ppt": "pdf"}
NOUN = {"docx": "text document", "xlsx": "spreadsheet", "pdf": "presentation"}


def target_of(source: Source) -> str:
    """What to convert to: by the OLE2 container's streams, else the name."""
    data = source.data
    if data.startswith(OLE2_MAGIC):
        if has_stream(data, "WordDocument"):
            return "docx"
        if has_stream(data, "Workbook") or has_stream(data, "Book"):
            return "xlsx"
        if has_stream(data, "PowerPoint Document"):
            return "pdf"
    return BY_NAME.get(source.path.suffix.lower(), "docx")


def read_legacy(source: Source, settings: Settings) -> Document:
    suffix = source.path.suffix.lower() or ".doc"
    kind = suffix.lstrip(".")
    doc = Document(source.doc_id, str(source.path), kind=kind)
    if not source.data:
        return doc.refuse(f"{source.path}: the file is empty; obtain the document again")
    if source.data.startswith(OLE2_MAGIC) and has_stream(source.data, "EncryptedPackage"):
        return doc.refuse(f"{source.path}: the file is password-protected (encrypted); save an unprotected copy")
    target = target_of(source)
    done = soffice.convert(source.data, suffix, target, settings)
    if done.data is None:
        return doc.refuse(
            f"{source.path}: a {kind} {NOUN[target]} is read by converting it with LibreOffice, and that failed: "
            f"{done.problem}; or save it as .{target} and read that"
        )
    converted = replace(source, data=done.data)
    if target == "docx":
        from selfeval.extract.docx import read_docx

        result = read_docx(converted, settings)
    elif target == "xlsx":
        from selfeval.extract.xlsx import read_xlsx

        result = read_xlsx(converted, settings)
    else:  # the PDF reader reads from disk: the converted bytes are put in a file of their own for it
        from selfeval.extract.pdf import read_pdf

        with tempfile.TemporaryDirectory(prefix="selfeval-converted-") as tmp:
            pdf = Path(tmp) / "converted.pdf"
            pdf.write_bytes(done.data)
            result = read_pdf(converted, settings, on_disk=pdf)
    result.kind = kind
    return result
