"""The forms a report page holds, read as its script reads them (tests only)."""

from __future__ import annotations

import base64
import gzip
import json
import re

CHUNK = re.compile(r'<script type="application/gzip" class="form-chunk" id="c(\d+)">([^<]*)</script>')
INDEX = re.compile(r'<script type="application/json" id="form-index">(.*?)</script>', re.S)


def forms_of(html: str) -> list[tuple[str, str]]:
    """(key, HTML) of every form of the page, in the page's order."""
    keys = [entry[0] for entry in json.loads(INDEX.search(html).group(1))]
    parts: list[str] = []
    for match in CHUNK.finditer(html):
        parts += [item[0] for item in json.loads(gzip.decompress(base64.b64decode(match.group(2))).decode("utf-8"))]
    assert len(parts) == len(keys)
    return list(zip(keys, parts, strict=True))


def decoded(html: str) -> str:
    """The page with every form's HTML as a ``<template class="form-tpl" data-key=…>`` at the
    place of the compressed chunks: one document to search."""
    forms = "".join(f'<template class="form-tpl" data-key="{key}">{part}</template>' for key, part in forms_of(html))
    first = CHUNK.search(html)
    if first is None:
        return html
    rest = CHUNK.sub("", html[first.start():])
    return html[:first.start()] + forms + rest
