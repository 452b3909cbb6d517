"""OFD documents (GB/T 33190, the national fixed-layout format): reported,
with the way to read them.

No maintained Python library gives an OFD page's text with its positions
fit for this project: ``easyofd`` (the one in use) parses text blocks but
calls itself unfinished, and it depends on PyMuPDF (AGPL-3.0) and
``pymupdf4llm``; ``ofdparser`` is its abandoned predecessor.  So an OFD
file is an ``unreadable_input`` finding that says what it is and how to
read it: convert it to PDF (every OFD reader prints or saves as PDF) and
read the PDF, whose text layer the PDF reader reads.  A file named .ofd
that is no OFD package is named as such.
"""

from __future__ import annotations

import io
import zipfile

from selfeval.extract.grid import Document
from selfeval.extract.readers import Source
from selfeval.settings import Settings

WORKAROUND = (
    "convert it to PDF (open it in an OFD reader such as 数科OFD阅读器 or 福昕OFD and save or print it as PDF, "
    "or run easyofd's OFD2PDF) and read the PDF"
)


def is_ofd(data: bytes) -> bool:
    """A zip package whose root holds ``OFD.xml``, the OFD entry file."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return any(name.lower() == "ofd.xml" for name in package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def read_ofd(source: Source, settings: Settings) -> Document:
    doc = Document(source.doc_id, str(source.path), kind="ofd")
    if not is_ofd(source.data):
        return doc.refuse(f"{source.path}: not an OFD document (no OFD.xml package inside); obtain the file again")
    return doc.refuse(
        f"{source.path}: an OFD document (GB/T 33190); OFD files are not read directly "
        f"(no maintained Python library gives their text with positions); {WORKAROUND}"
    )
