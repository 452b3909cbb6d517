"""The ``--resume`` cache: :class:`ResultCache`, and its format, a
FileResult as plain JSON and back.

A file's entry is found by its key, the sha256 of everything that can change
what the file reads as: the file's bytes, its doc_id and path, the tool
version and cache format, the settings that change readings
(:func:`selfeval.settings.reading_settings`), every data file of the package
(vocabularies, templates, units: :func:`data_digest`) and the versions of
the optional components its reader uses (OCR engine and models:
:data:`selfeval.extract.readers.COMPONENTS`).  Change any of them and the
file is read afresh.

Cache files live in the output folder, which may be shared or copied, so
they are untrusted: they are never unpickled.  Every class is written and
read by the explicit codecs here; reading checks each value's type and
raises :class:`CacheFormatError` for anything unexpected (the pipeline then
ignores the entry and processes the file again).  Each field goes through the
codec of its declared type, so a new field of a known type needs no change
here, and a field of an unknown type fails loudly instead of being dropped.

Decimals are written as strings (``str(Decimal)`` reads back exactly);
tuples and sets become lists (sets sorted, so a result always gives the same
bytes); strings are ASCII-escaped, so any text the readers produced
(including lone surrogates) survives.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from selfeval import __version__
from selfeval.extract.grid import Place
from selfeval.extract.readers import InputFile, component_versions
from selfeval.findings import Finding
from selfeval.formstream import Collect, emit
from selfeval.normalize import vocab
from selfeval.normalize.records import FormRecord, FundingRecord, IndicatorRecord
from selfeval.normalize.values import Value
from selfeval.output.writers import new_tmp_file, remove_stale_tmp
from selfeval.results import FileResult, FileSummary, Tally
from selfeval.settings import Settings, reading_settings

CACHE_FORMAT = 6  # bump whenever FileResult or the records change shape (3: JSON, selfeval.cache; 4: findings name their field; 5: department forms; 6: one JSON line per form)


class CacheFormatError(ValueError):
    """A cache entry that is not a FileResult written by this module."""


# -- scalars ------------------------------------------------------------------
def _check(value: Any, types: type | tuple[type, ...], optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise CacheFormatError(f"unexpected boolean {value!r}")
    if not isinstance(value, types):
        raise CacheFormatError(f"unexpected {type(value).__name__} {value!r}")
    return value


def _dec_out(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dec_in(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(_check(value, str))
    except InvalidOperation as exc:
        raise CacheFormatError(f"not a decimal: {value!r}") from exc


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(_check(v, str) for v in _check(value, list))


def _obj(value: Any, cls: type) -> dict:
    """A JSON object with exactly the fields of ``cls``."""
    _check(value, dict)
    expected = {f.name for f in fields(cls)}
    if set(value) != expected:
        raise CacheFormatError(f"{cls.__name__}: fields {sorted(set(value) ^ expected)} differ")
    return value


# -- codecs by declared type ------------------------------------------------------
# Every field of a cached class is written and read by the codec of its declared
# type (the annotation string).  A field of a type not listed here makes
# writing fail with CacheFormatError (the result is then not cached, and the
# round-trip test fails), so a new kind of field cannot be silently dropped.
def _scalar(types: type | tuple[type, ...], optional: bool):
    return (lambda v: v), (lambda v: _check(v, types, optional))


def _float_in(v: Any) -> float | None:
    v = _check(v, (int, float), optional=True)
    return None if v is None else float(v)


def _list_of(name: str, container=list):
    def out(v):
        items = list(v)
        if container is set:
            items.sort(key=_place_key)
        return [_encode(name, x) for x in items]

    def into(v):
        return container(_decode(name, x) for x in _check(v, list))

    return out, into


def _optional(name: str):
    return (lambda v: None if v is None else _encode(name, v)), (lambda v: None if v is None else _decode(name, v))


def _record(cls: type):
    return (lambda v: _record_out(cls, v)), (lambda v: _record_in(cls, v))


def _place_key(place: Place) -> tuple:
    return (place.sheet or "", place.page or 0, place.line)


_CODECS: dict[str, tuple] = {
    "str": _scalar(str, False),
    "str | None": _scalar(str, True),
    "int": _scalar(int, False),
    "int | None": _scalar(int, True),
    "bool | None": _scalar(bool, True),
    "float": ((lambda v: v), lambda v: float(_check(v, (int, float)))),
    "float | None": ((lambda v: v), _float_in),
    "Decimal | None": (_dec_out, _dec_in),
    "tuple[str, ...]": (list, _strs),
    "Place": _record(Place),
    "Place | None": _optional("Place"),
    "Value": _record(Value),
    "Value | None": _optional("Value"),
    "Finding": _record(Finding),
    "FundingRecord": _record(FundingRecord),
    "IndicatorRecord": _record(IndicatorRecord),
    "FormRecord": _record(FormRecord),
    "list[Finding]": _list_of("Finding"),
    "list[FundingRecord]": _list_of("FundingRecord"),
    "list[IndicatorRecord]": _list_of("IndicatorRecord"),
    "list[FormRecord]": _list_of("FormRecord"),
    "set[Place]": _list_of("Place", set),
}


def _codec(type_name: str) -> tuple:
    try:
        return _CODECS[type_name]
    except KeyError:
        raise CacheFormatError(f"no cache codec for type {type_name!r}; add one to selfeval.cache") from None


def _encode(type_name: str, value: Any) -> Any:
    return _codec(type_name)[0](value)


def _decode(type_name: str, value: Any) -> Any:
    return _codec(type_name)[1](value)


def _type_name(f) -> str:
    return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", repr(f.type))


def _record_out(cls: type, record: Any) -> dict:
    return {f.name: _encode(_type_name(f), getattr(record, f.name)) for f in fields(cls)}


def _record_in(cls: type, d: Any) -> Any:
    d = _obj(d, cls)
    values = {f.name: _decode(_type_name(f), d[f.name]) for f in fields(cls)}
    try:
        return cls(**values)
    except ValueError as exc:  # e.g. an unknown finding code
        raise CacheFormatError(str(exc)) from exc


# -- the public functions ------------------------------------------------------------
def to_dict(result: FileResult) -> dict:
    """A FileResult as JSON-ready data (forms with their funding and indicator
    records, Decimals as strings, Values, Places, findings)."""
    return _record_out(FileResult, result)


def from_dict(d: Any) -> FileResult:
    """The FileResult :func:`to_dict` made; CacheFormatError for anything else."""
    return _record_in(FileResult, d)


def dumps(result: FileResult, format_version: int) -> bytes:
    """The cache file's bytes: ``{"format": N, "result": {...}}``."""
    return json.dumps({"format": format_version, "result": to_dict(result)},
                      ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")


def loads(data: bytes, format_version: int) -> FileResult:
    """A FileResult from a cache file's bytes; CacheFormatError when it is not one."""
    try:
        doc = json.loads(data.decode("ascii"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CacheFormatError(f"not a cache file ({type(exc).__name__})") from exc
    if not isinstance(doc, dict) or doc.get("format") != format_version or set(doc) != {"format", "result"}:
        raise CacheFormatError("not a cache file of this format")
    return from_dict(doc["result"])


def _no_constant(name: str) -> Any:
    raise CacheFormatError(f"{name} is not allowed in a cache file")


# -- an entry, one line per form ---------------------------------------------------------
# A cache entry (and a worker's reply: the same format) is JSON lines, so a
# huge file's result is written and read one form at a time:
#   {"format": N}
#   {"begin": [doc_id, source_path]}
#   {"form": FormRecord | null, "findings": [Finding, ...]}     one per form, in order
#   {"end": FileResult}                                        without forms: the findings of no form
def _line(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii") + b"\n"


class EntryWriter:
    """A :class:`selfeval.formstream.FormsOut` writing an entry to ``path``
    (through a temporary name beside it).  :meth:`finish` puts it in place,
    unless ``only_cacheable`` and the result is not :func:`cacheable`
    (then nothing is left).  ``written`` says whether it was put in place."""

    def __init__(self, path: Path, only_cacheable: bool = False) -> None:
        self.path = Path(path)
        self.only_cacheable = only_cacheable
        self.written = False
        self.cacheable = False  # set by finish: whether the result it holds may be cached
        self._ok = True
        self._open()

    def _open(self) -> None:
        fd, tmp = new_tmp_file(self.path.parent, self.path.name)
        self._tmp = Path(tmp)
        self._fh = os.fdopen(fd, "wb")
        self._fh.write(_line({"format": CACHE_FORMAT}))

    def begin(self, doc_id: str, source_path: str) -> None:
        if self._fh is not None:
            self._fh.write(_line({"begin": [doc_id, source_path]}))

    def add_form(self, form, findings) -> None:
        if self._fh is None:
            return
        self._ok = self._ok and cacheable_findings(findings)
        try:
            self._fh.write(_line({"form": None if form is None else _encode("FormRecord", form),
                                  "findings": _encode("list[Finding]", findings)}))
        except (CacheFormatError, ValueError):  # a value JSON cannot hold (NaN, a new type): not kept
            self._drop()

    def finish(self, head: FileResult, summary: FileSummary) -> None:
        if self._fh is None:
            return
        self.cacheable = self._ok and cacheable(head)
        if self.only_cacheable and not self.cacheable:
            self._drop()
            return
        try:
            self._fh.write(_line({"end": to_dict(head)}))
        except (CacheFormatError, ValueError):
            self._drop()
            return
        self._fh.close()
        self._fh = None
        os.replace(self._tmp, self.path)
        self.written = True

    def discard(self) -> None:
        self._drop()
        self._open()
        self._ok = True

    def _drop(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self._tmp.unlink(missing_ok=True)

    def close(self) -> None:
        """Remove the temporary of an entry not finished."""
        self._drop()


def replay(path: Path, out) -> bool:
    """Hand the entry at ``path`` to ``out`` form by form (a FormsOut); False
    (and ``out`` discards what it got) when there is none or it is damaged."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError:  # missing or unreadable: the file is read again
        return False
    with fh:
        try:
            _replay(fh, out)
        except (CacheFormatError, OSError):
            out.discard()
            return False
    return True


def _replay(fh, out) -> None:
    if _parsed(fh.readline()) != {"format": CACHE_FORMAT}:
        raise CacheFormatError("not a cache entry of this format")
    begin = _parsed(fh.readline())
    names = begin.get("begin") if set(begin) == {"begin"} else None
    if not (isinstance(names, list) and len(names) == 2 and all(isinstance(n, str) for n in names)):
        raise CacheFormatError("an entry begins with its names")
    out.begin(*names)
    tally = Tally()
    for raw in fh:
        line = _parsed(raw)
        if set(line) == {"end"}:
            head = from_dict(line["end"])
            if head.forms or fh.read(1):
                raise CacheFormatError("an entry's end holds forms, or something follows it")
            tally.add(head.findings)
            out.finish(head, tally.summary(head))
            return
        if set(line) != {"form", "findings"}:
            raise CacheFormatError("not a line of a cache entry")
        form = None if line["form"] is None else _decode("FormRecord", line["form"])
        findings = _decode("list[Finding]", line["findings"])
        tally.add(findings, 0 if form is None else 1)
        out.add_form(form, findings)
    raise CacheFormatError("the entry has no end (cut short)")


def _parsed(raw: bytes) -> dict:
    try:
        line = json.loads(raw.decode("ascii"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CacheFormatError(f"not a cache entry ({type(exc).__name__})") from exc
    if not isinstance(line, dict):
        raise CacheFormatError("not a cache entry")
    return line


# -- the cache ------------------------------------------------------------------------
def data_digest(root=None) -> str:
    """sha256 over every file under the package's data folder (or ``root``),
    by relative path and bytes, in sorted order."""
    digest = hashlib.sha256()

    def walk(folder, prefix: str) -> None:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            name = f"{prefix}{entry.name}"
            if entry.is_dir():
                walk(entry, name + "/")
            else:
                data = entry.read_bytes()
                digest.update(f"{name}\0{len(data)}\0".encode())
                digest.update(data)

    walk(vocab.data_dir() if root is None else root, "")
    return digest.hexdigest()


def cacheable(result: FileResult) -> bool:
    """Results that depend on the machine (a missing optional reader, a time
    budget, a memory limit) are not cached: the next run should try again."""
    return cacheable_findings(result.findings)


def cacheable_findings(findings: list[Finding]) -> bool:
    return not any(f.code in ("unreadable_input", "limit_exceeded") and f.line is None for f in findings)


class ResultCache:
    """The ``--resume`` cache in ``folder``, for runs with ``settings``.

    Picklable (a folder and two strings), so the key can be made where the
    file is read, under the file's time budget."""

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = Path(folder)
        parts = (CACHE_FORMAT, __version__, reading_settings(settings), data_digest())
        self.batch_digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()

    def key(self, item: InputFile, sha256: str, suffix: str) -> str:
        """The entry's key for a file with these bytes (``sha256``), read by the ``suffix`` reader."""
        parts = (self.batch_digest, sha256, item.doc_id, str(item.path), component_versions(suffix))
        return hashlib.sha256(repr(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.jsonl"

    def replay(self, key: str, out) -> bool:
        """Hand the cached result to ``out`` form by form (a FormsOut); False
        when there is none or it is damaged (the file is then read again and
        its entry rewritten; ``out`` has discarded what it got)."""
        return replay(self.path(key), out)

    def writer(self, key: str) -> EntryWriter:
        """A FormsOut keeping the result it is handed under ``key`` when it is :func:`cacheable`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return EntryWriter(self.path(key), only_cacheable=True)

    def load(self, key: str) -> FileResult | None:
        """The cached result as a whole, or None when there is none or it is damaged."""
        collect = Collect()
        return collect.result if self.replay(key, collect) else None

    def store(self, key: str, result: FileResult) -> bool:
        """Keep ``result`` under ``key`` when it is :func:`cacheable`; False when it was not stored."""
        if not cacheable(result):
            return False
        writer = self.writer(key)
        emit(result, writer)
        return writer.written

    def clean(self) -> list[Path]:
        """Remove what no run of this version reads again: the temporaries a
        killed run left, and the entries of other cache formats (before format
        6 an entry was one ``KEY.json``; an entry's first line names its
        format).  Returns the paths removed."""
        if not self.folder.is_dir():
            return []
        removed = remove_stale_tmp(self.folder)
        current = _line({"format": CACHE_FORMAT})
        for entry in sorted(os.scandir(self.folder), key=lambda e: e.name):
            if not entry.is_file(follow_symlinks=False):
                continue
            path = Path(entry.path)
            first = _first_line(path, len(current)) if path.suffix == ".jsonl" else None
            if path.suffix == ".json" or first not in (None, current):
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed


def _first_line(path: Path, size: int) -> bytes | None:
    """The first ``size`` bytes of ``path`` (None when it cannot be read)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError:
        return None
