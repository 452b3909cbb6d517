"""Bytes to text: the encodings archived pasted forms really come in.

Order of trust: a byte-order mark; UTF-16 recognised by its NUL pattern;
strict UTF-8; strict GB18030 (a superset of GBK and GB2312).  When none
decodes cleanly the text is decoded as UTF-8 with replacement characters and
the caller reports it (``encoding_repaired``), so nothing is silently lost.
Binary files (images, archives, executables) are recognised and refused.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # control characters other than tab, LF, FF, CR


@dataclass(frozen=True)
class Decoded:
    text: str | None  # None when the bytes are not text at all
    encoding: str
    replaced: int = 0  # characters that could not be decoded and were replaced
    reason: str = ""  # why the bytes are not text, when text is None


_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def _utf16_without_bom(data: bytes) -> str | None:
    """Recognise BOM-less UTF-16 by NULs in the high bytes of ASCII."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.2 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.2 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    """A NUL, or control characters (other than tab/CR/LF/FF) making up more
    than 5% of a sample and at least 8 of them: a stray control character in a
    pasted form is kept (and shows up in the cell), not a reason to refuse it."""
    sample = text[:8192]
    if not sample:
        return False
    controls = len(_CONTROL.findall(sample))
    return "\x00" in sample or (controls >= 8 and controls > 0.05 * len(sample))


def decode_bytes(data: bytes) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            return _checked(text, encoding, text.count("\ufffd"))
    utf16 = _utf16_without_bom(data)
    if utf16:
        text = data.decode(utf16, errors="replace")
        return _checked(text, utf16, text.count("\ufffd"))
    try:
        return _checked(data.decode("utf-8"), "utf-8", 0)
    except UnicodeDecodeError:
        pass
    try:
        return _checked(data.decode("gb18030"), "gb18030", 0)
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    return _checked(text, "utf-8", text.count("\ufffd"))


def _checked(text: str, encoding: str, replaced: int) -> Decoded:
    if _looks_binary(text):
        return Decoded(None, encoding, reason="the file holds binary data, not text")
    return Decoded(text, encoding, replaced)
