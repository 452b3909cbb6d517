"""Saved web pages to text: the charset of an HTML file, and the HTML part
of a web archive (``.mht``/``.mhtml``, as browsers and Word save pages).

The charset is taken, in this order of trust, from a byte-order mark, the
page's own declaration (``<meta charset=…>``, ``<meta http-equiv=
"Content-Type" content="…; charset=…">`` or an ``<?xml … encoding=…?>``
declaration, looked for in the first 4 KB), and a sniff (strict UTF-8, then
strict GB18030: :mod:`selfeval.extract.decode`), except that bytes that are
valid UTF-8 and not all ASCII are UTF-8 whatever the page declares (GBK
text is valid UTF-8 by accident only in a few characters; pages converted
to UTF-8 keep their old ``charset=gb2312`` often).  GB2312 and GBK are read
as GB18030, their superset: pages labelled GB2312 routinely hold GBK-only
characters.  A declaration that does not decode the bytes is overruled by
the sniff (servers and editors mislabel pages); when nothing decodes them
cleanly, undecodable bytes are replaced and counted for the caller to
report.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import re
from dataclasses import dataclass

from selfeval.extract.decode import decode_bytes

_META = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_GB = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "csgb2312", "gb18030", "x-euc-cn", "windows-936"}
_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


@dataclass(frozen=True)
class PageText:
    """A page's decoded HTML, the charset used, and how many characters
    could not be decoded (replaced by U+FFFD)."""

    html: str
    encoding: str
    replaced: int = 0


def codec_name(label: str) -> str | None:
    """The Python codec for a charset label, GB2312/GBK as GB18030; None
    for a label Python does not know."""
    label = label.strip().lower()
    if label in _GB:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if name in ("gb2312", "gbk") else name


def declared_charset(data: bytes) -> str | None:
    """The codec the page declares in its first 4 KB, or None."""
    head = data[:4096]
    match = _META.search(head) or _XML_DECL.search(head)
    return codec_name(match.group(1).decode("ascii", "replace")) if match else None


def decode_html(data: bytes, charset: str | None = None) -> PageText:
    """Decode an HTML page's bytes (``charset``: one a container such as a
    web archive's part header gave)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            return PageText(text, encoding, text.count("\ufffd"))
    if not data.isascii():
        try:
            return PageText(data.decode("utf-8"), "utf-8")  # non-ASCII valid as UTF-8 is UTF-8, whatever is declared
        except UnicodeDecodeError:
            pass
    for candidate in (codec_name(charset) if charset else None, declared_charset(data)):
        if candidate and not candidate.startswith("utf-16"):
            try:
                return PageText(data.decode(candidate), candidate)
            except UnicodeDecodeError:
                continue  # mislabelled: the sniff decides
    decoded = decode_bytes(data)
    if decoded.text is None:
        text = data.decode("utf-8", errors="replace")
        return PageText(text, "utf-8", text.count("\ufffd"))
    return PageText(decoded.text, decoded.encoding, decoded.replaced)


def is_web_archive(data: bytes) -> bool:
    """A MIME web archive (MHTML): mail-style headers announcing a
    ``multipart/related`` body."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (head.startswith(b"mime-version") or head.startswith(b"from:") or head.startswith(b"content-type")) and (
        b"multipart/related" in head or b"text/html" in head
    )


def archive_html(data: bytes) -> tuple[bytes, str | None] | None:
    """The first ``text/html`` part of a web archive, its bytes (transfer
    encoding undone) and the charset its header names; None when there is
    none."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload, part.get_content_charset()
    return None
