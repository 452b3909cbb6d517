"""Characters a scan may have misread, caught by the language.

OCR engines read some characters as others of nearly the same shape, and
sure of it: 人力 as 人刀, 慰问 as 慰间, at confidence 0.99 and more.  The
form's arithmetic cannot see these, so a text cell read by OCR is tried
against a lexicon of Chinese words (drawn from jieba's dictionary of
349 046 words with their frequencies, kept in ``selfeval/data`` so that a
reading does not depend on the jieba installed): a character of a look-alike set (:data:`LOOK_ALIKES`)
that stands in no word of the lexicon there, and that one of its look-alikes
would make part of a common word, is reported as ``ocr_suspect`` with that
reading proposed.  The value is kept as read: a form's own wording (a name,
a typo, a word newer than the lexicon) looks the same, and only a reviewer
with the page can tell.

Only what a reviewer is not already asked to check is said: a cell already
doubted (read under the confidence threshold) is not tried again, and a
character counts as standing in a word when any word of the lexicon, common
or rare, holds it there; the word proposed must be common
(:data:`COMMON`).
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import re
import sys
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from selfeval.extract.grid import SourceRow
from selfeval.findings import Finding, finding_at
from selfeval.normalize.ocr_check import field_names, on_field, row_fields
from selfeval.normalize.records import FormRecord
from selfeval.settings import Settings

# Sets of printed characters that differ by a stroke or a stroke's length, and that
# OCR engines are known to read as one another.
LOOK_ALIKES = (
    "力刀", "问间", "己已巳", "未末", "日曰", "人入八", "土士", "干千于", "天夭", "王玉", "大太犬", "白自",
    "贝见页", "折拆析", "拨拔", "侯候", "戊戌戍", "冶治", "茶荼", "往住", "休体", "仓仑", "鸟乌", "准淮", "设没",
    "券卷", "辨辩辫", "即既", "免兔", "今令", "拾抬", "特持", "侍待", "狠狼", "环坏", "决诀", "冲沖",
    "项顶", "须预", "具且",
)
COMMON = 50  # a word proposed has at least this frequency in the lexicon
WORD_LENGTHS = (2, 3, 4)


@functools.cache
def _others() -> dict[str, str]:
    """Character -> the characters it may have been read for."""
    out: dict[str, str] = {}
    for group in LOOK_ALIKES:
        for ch in group:
            out[ch] = out.get(ch, "") + "".join(c for c in group if c != ch and c not in out.get(ch, ""))
    return out


LEXICON = "look_alike_words.json"  # in selfeval/data: written by ``python -m selfeval.normalize.ocr_words``


@functools.cache
def lexicon() -> tuple[frozenset[str], frozenset[str]]:
    """(every pair of characters, one of them a look-alike, that stands in some
    word of the dictionary, common or rare; the common words holding a
    look-alike), from ``selfeval/data/look_alike_words.json``."""
    data = json.loads(resources.files("selfeval.data").joinpath(LEXICON).read_text(encoding="utf-8"))
    pairs = data["pairs"]
    return frozenset(pairs[j:j + 2] for j in range(0, len(pairs), 2)), frozenset(data["words"].split(" "))


def build_lexicon(dictionary: str, version: str) -> dict:
    """The data of :func:`lexicon` from the text of jieba's dictionary (``dict.txt``:
    a line per word, ``word frequency tag``)."""
    others = _others()
    found = re.findall(r"^([^ \n]*[" + "".join(others) + r"][^ \n]*) (\d+)", dictionary, re.M)
    pairs = {w[j:j + 2] for w, _ in found for j in range(len(w) - 1) if w[j] in others or w[j + 1] in others}
    common = {w for w, f in found if len(w) in WORD_LENGTHS and int(f) >= COMMON}
    return {"source": f"jieba {version} dict.txt", "look_alikes": list(LOOK_ALIKES), "common": COMMON,
            "pairs": "".join(sorted(pairs)), "words": " ".join(sorted(common))}


def jieba_dictionary() -> str | None:
    """The text of the installed jieba's dictionary, read without importing jieba;
    None when it is not installed (the test extra installs it)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        return None
    return (Path(spec.origin).parent / "dict.txt").read_text(encoding="utf-8")


def write_lexicon(path: Path) -> bool:
    """Write the lexicon's data file from jieba's dictionary; True when it changed."""
    text = jieba_dictionary()
    if text is None:
        raise SystemExit("jieba is not installed: pip install jieba")
    new = json.dumps(build_lexicon(text, importlib.metadata.version("jieba")), ensure_ascii=False, indent=0) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == new:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def _word_at(text: str, i: int, words: frozenset[str]) -> str | None:
    """A word of ``words`` that holds ``text[i]`` where it stands, shortest first."""
    for n in WORD_LENGTHS:
        for j in range(max(0, i - n + 1), min(i, len(text) - n) + 1):
            if text[j:j + n] in words:
                return text[j:j + n]
    return None


def misreadings(text: str) -> list[tuple[int, str, str]]:
    """(position, the look-alike proposed, the common word it makes) for each
    character of ``text`` that stands in no word with the character before
    it or after it, where a look-alike of it would stand in a common word."""
    pairs, common = lexicon()
    others = _others()
    out = []
    for i, ch in enumerate(text):
        if ch not in others or text[max(0, i - 1):i + 1] in pairs or text[i:i + 2] in pairs:
            continue
        for alt in others[ch]:
            word = _word_at(text[:i] + alt + text[i + 1:], i, common)
            if word:
                out.append((i, alt, word))
    return out


def word_suspects(form: FormRecord, rows: Iterable[SourceRow], settings: Settings) -> list[Finding]:
    """``ocr_suspect`` findings for the text cells of ``form`` read by OCR (see the
    module's docstring), one per cell, naming its record and column."""
    threshold = settings.ocr_confidence_threshold
    funding = {r.place: r for r in form.funding}
    indicators = {i.place: i for i in form.indicators}
    out = []
    for row in rows:
        if row.confidence is None:
            continue
        found = {col: hits for col, conf in enumerate(row.confidence)
                 if conf is not None and conf >= threshold and (hits := misreadings(row.cells[col]))}
        if not found:  # most rows: the fields they became need not be worked out
            continue
        money, ind = funding.get(row.place), indicators.get(row.place)
        columns = row_fields(form, row, money, ind)
        names = field_names(form, row, money, ind)
        for col, hits in sorted(found.items()):
            field = columns.get(col)
            if field is None:  # a label, or a cell no field took
                continue
            text = row.cells[col]
            said = "; ".join(f"{text[i]!r} may be a misread {alt!r} (making {word!r})" for i, alt, word in hits)
            finding = finding_at(
                "ocr_suspect",
                f"{names.get(col, field)}: OCR read {text!r}, a character of which stands in no word there: {said}. "
                "The value is kept as read: check it against the scan",
                row.place, text=text,
            )
            out.append(on_field(finding, form, row, money, ind, field))
    return out

if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else str(resources.files("selfeval.data").joinpath(LEXICON)))
    print(f"{target}: " + ("written" if write_lexicon(target) else "already current"))
