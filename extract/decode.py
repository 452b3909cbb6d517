"""Bytes to text: the encodings archived pasted forms really come in.

Order of trust: a byte-order mark; UTF-16 recognised by its NUL pattern;
strict UTF-8; strict GB18030 (a superset of GBK and GB2312); then line by
line, each line strict UTF-8 or else strict GB18030 (a GB18030 file with a
line pasted in as UTF-8 keeps both).  A line neither decodes is decoded with
replacement characters and the caller reports it (``encoding_repaired``), so
nothing is silently lost.
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
    text, replaced, used = _per_line(data)
    return _checked(text, "/".join(used) or "utf-8", replaced)


def _utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _per_line(data: bytes) -> tuple[str, int, list[str]]:
    """Bytes that are not UTF-8 as a whole, line by line.  When most lines
    with non-ASCII bytes are UTF-8, the others are UTF-8 with a few damaged
    bytes (replaced).  Otherwise the file is GB18030, and a line GB18030
    cannot decode but UTF-8 can was pasted in as UTF-8 (so a GB18030 file
    with one UTF-8 line keeps both); a line neither decodes takes whichever
    replaces fewer characters.  Returns the text, the replacements and the
    encodings used, in order."""
    lines = data.split(b"\n")
    foreign = [line for line in lines if not line.isascii()]
    as_utf8 = sum(1 for line in foreign if _utf8(line))
    order = ("utf-8",) if as_utf8 > len(foreign) - as_utf8 else ("gb18030", "utf-8")
    parts: list[str] = []
    replaced = 0
    used: dict[str, None] = {}
    for line in lines:
        if line.isascii():
            parts.append(line.decode("ascii"))
            continue
        for encoding in order:
            try:
                text = line.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            text, encoding = min(((line.decode(e, errors="replace"), e) for e in order),
                                 key=lambda pair: pair[0].count("\ufffd"))
            replaced += text.count("\ufffd")
        used[encoding] = None
        parts.append(text)
    return "\n".join(parts), replaced, list(used)


def _checked(text: str, encoding: str, replaced: int) -> Decoded:
    if _looks_binary(text):
        return Decoded(None, encoding, reason="the file holds binary data, not text")
    return Decoded(text, encoding, replaced)
