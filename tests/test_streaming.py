"""Forms are streamed, not files: a reader's rows become forms and table
rows as they come, so no stage holds all of a file's records.

Not timed: these count what is alive and what was read, never seconds or
bytes (the memory figures are in bench/RESULTS.md, ``python -m bench memory``)."""

from __future__ import annotations

import weakref
from pathlib import Path

import pytest

import selfeval.extract.text as text_reader
from selfeval.extract.readers import InputFile, read_document
from selfeval.extract.split import split_forms, stream_forms
from selfeval.output import stream as stream_writer
from selfeval.output.stream import TableWriter
from selfeval.pipeline import read_file, run
from selfeval.settings import Settings

SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt").resolve()
COPIES = 8  # 216 forms in one file


def many_forms(folder: Path, copies: int = COPIES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "many.txt"
    path.write_text("\n".join([SEED.read_text(encoding="utf-8")] * copies), encoding="utf-8")
    return path


class Watch:
    """A sink whose per-file out records, at each form, how many rows the
    reader had made and how many form records handed on are still alive."""

    def __init__(self, made: list[int]) -> None:
        self.made = made
        self.seen: list[tuple[int, int]] = []  # (rows read so far, records alive)
        self.alive: dict[int, weakref.ref] = {}  # the records handed on that are still alive
        self.files: list[str] = []

    # the Sink face
    def open_file(self):
        return self

    def add_rows(self, rows) -> None:
        pass

    # the FormsOut face
    def begin(self, doc_id, source_path) -> None:
        self.files.append(doc_id)

    def add_form(self, form, findings) -> None:
        if form is not None:
            key = id(form)
            self.alive[key] = weakref.ref(form, lambda _, key=key: self.alive.pop(key, None))
        self.seen.append((self.made[0], len(self.alive)))

    def finish(self, head, summary) -> None:
        pass

    def discard(self) -> None:
        pass


def counting_rows(monkeypatch) -> list[int]:
    made = [0]
    real = text_reader._rows

    def rows(*args, **kwargs):
        for row in real(*args, **kwargs):
            made[0] += 1
            yield row

    monkeypatch.setattr(text_reader, "_rows", rows)
    return made


def test_the_writer_gets_the_first_form_before_the_file_is_read(tmp_path, monkeypatch):
    path = many_forms(tmp_path)
    made = counting_rows(monkeypatch)
    watch = Watch(made)
    batch = run([path], Settings(), sink=watch)
    total = made[0]
    assert batch.manifest()["totals"]["forms"] == 27 * COPIES and len(watch.seen) == 27 * COPIES
    first_rows, _ = watch.seen[0]
    # the first form went on after about one form's rows were read, not the file's
    assert 0 < first_rows < total / COPIES, (first_rows, total)
    # and so on through the file: the middle copy's first form went on before the copies after it were read
    middle = COPIES // 2
    assert watch.seen[27 * middle][0] < total * (middle + 1) / COPIES, (watch.seen[27 * middle], total)


def test_no_more_than_a_few_form_records_are_alive_at_once(tmp_path, monkeypatch):
    path = many_forms(tmp_path)
    watch = Watch(counting_rows(monkeypatch))
    run([path], Settings(), sink=watch)
    most = max(alive for _, alive in watch.seen)
    assert most <= 3, most  # the form handed on, the one being read, and the one whose successor decides it


@pytest.mark.parametrize("name", sorted(p.name for p in Path("fixtures/variants").iterdir() if p.is_file())
                         + ["../forms/seed-2020-rongchang-27-forms.txt"])
def test_streamed_forms_are_the_forms_of_the_whole_document(name):
    doc = read_document(InputFile(Path("fixtures/variants") / name, name), Settings())
    whole, stray = split_forms(doc.rows)
    streamed_stray: list = []
    streamed = list(stream_forms(iter(doc.rows), streamed_stray))
    assert [(f.index, f.seq, f.rows) for f in streamed] == [(f.index, f.seq, f.rows) for f in whole]
    assert streamed_stray == stray


def test_a_title_only_document_and_print_titles_split_as_a_whole():
    from selfeval.extract.grid import SourceRow

    titled = [SourceRow(("项目支出绩效自评表",), 1), SourceRow(("a", "b"), 2),
              SourceRow(("项目支出绩效自评表",), 3), SourceRow(("c",), 4)]
    stray: list = []
    assert [f.rows for f in stream_forms(iter(titled), stray)] == [f.rows for f in split_forms(titled)[0]]
    paged = [SourceRow(("前言",), 1, page=1), SourceRow(("项目序号：1",), 2, page=1), SourceRow(("x",), 3, page=1),
             SourceRow(("项目序号：1",), 1, page=2), SourceRow(("y",), 2, page=2),
             SourceRow(("项目序号：2",), 3, page=2)]
    stray = []
    streamed = list(stream_forms(iter(paged), stray))
    whole, whole_stray = split_forms(paged)
    assert [(f.index, f.seq, f.rows) for f in streamed] == [(f.index, f.seq, f.rows) for f in whole]
    assert len(streamed) == 2 and len(streamed[0].rows) == 4 and stray == whole_stray == paged[:1]


def test_rows_held_past_the_spill_limit_give_the_same_bytes(tmp_path, monkeypatch):
    path = many_forms(tmp_path / "in", 3)
    with TableWriter(tmp_path / "held", ("csv", "parquet")) as writer:
        run([path], Settings(), sink=writer)
    monkeypatch.setattr(stream_writer, "SPILL_ROWS", 50)
    with TableWriter(tmp_path / "spilled", ("csv", "parquet"), row_group_rows=64) as writer:
        run([path], Settings(), sink=writer)
    assert not list((tmp_path / "spilled").glob(".*.tmp"))  # the spill files are gone
    for name in ("forms", "funding", "indicators", "findings"):
        assert (tmp_path / "held" / f"{name}.csv").read_bytes() == (tmp_path / "spilled" / f"{name}.csv").read_bytes()
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "held" / "indicators.parquet").equals(
        pq.read_table(tmp_path / "spilled" / "indicators.parquet"))


def test_a_file_over_its_budget_midway_leaves_none_of_its_forms(tmp_path, monkeypatch):
    """The writer had the first forms already: they are dropped with the file."""
    from selfeval.extract.context import OverBudget

    path = many_forms(tmp_path / "in", 3)
    real = text_reader._rows

    def rows(*args, **kwargs):
        for n, row in enumerate(real(*args, **kwargs)):
            if n == 400:  # past the first forms
                raise OverBudget()
            yield row

    monkeypatch.setattr(text_reader, "_rows", rows)
    with TableWriter(tmp_path / "out", ("csv",)) as writer:
        batch = run([path], Settings(), sink=writer)
    assert writer.counts["forms"] == 0 and writer.counts["findings"] == 1
    assert batch.files[0].failed and batch.manifest()["totals"]["forms"] == 0
    assert "limit_exceeded" in (tmp_path / "out" / "findings.csv").read_text(encoding="utf-8")


def test_a_cached_many_form_file_is_read_back_the_same(tmp_path):
    path = many_forms(tmp_path / "in", 2)
    fresh = read_file(InputFile(path, path.name), Settings()).result
    settings = Settings(cache_dir=tmp_path / "cache")
    run([path], settings)
    entries = list((tmp_path / "cache").glob("*.jsonl"))
    assert len(entries) == 1 and len(entries[0].read_bytes().splitlines()) == 2 + 27 * 2 + 1  # one line per form
    again = run([path], settings).files[0]
    assert again.forms == fresh.forms and again.findings == fresh.findings
    assert again.manifest_entry() | {"seconds": 0} == fresh.manifest_entry() | {"seconds": 0}


TEXTS = sorted(str(p) for folder in ("fixtures/variants", "fixtures/bad", "fixtures/tokens", "fixtures/forms")
               for p in Path(folder).glob("*") if p.suffix in (".txt", ".md", ".tsv"))


def _shapes(tmp_path: Path) -> list[Path]:
    """Line breaks and encodings the from-disk decoding must read as the whole decoding does."""
    seed = SEED.read_text(encoding="utf-8")
    made = {
        "crlf-and-lone-cr.txt": seed.replace("\n", "\r\n", 40).replace("\n", "\r", 3).encode("utf-8") + b"\r",
        "mixed-gb18030-utf8.txt": seed[:3000].encode("gb18030") + b"\n" + seed[3000:6000].encode("utf-8"),
        "damaged-utf8-bom.txt": b"\xef\xbb\xbf" + seed[:4000].encode("utf-8") + b"\xff\xfe\n" + seed[4000:].encode(),
        "binary.txt": b"\x00\x01\x02" * 5000,
        "png-named-txt.txt": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    }
    paths = []
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    return paths


def test_a_huge_text_file_read_from_disk_reads_as_the_whole(tmp_path, monkeypatch):
    """Past STREAM_FILE_BYTES a text file is decoded from disk line by line:
    the same rows, forms, findings and counts as decoding it whole."""
    from selfeval.extract import readers

    paths = [Path(p) for p in TEXTS] + _shapes(tmp_path)
    whole = {p.name: read_file(InputFile(p, p.name), Settings()).result for p in paths}
    monkeypatch.setattr(readers, "STREAM_FILE_BYTES", 0)
    seen = []
    real = text_reader.FileText.open

    def opened(path, head, utf8=None):
        seen.append(Path(path).name)
        assert utf8 is not None  # found by the pass that hashed the file
        return real(path, head, utf8)

    def read_again(*args):
        raise AssertionError("the file was read again to tell whether it is UTF-8")

    monkeypatch.setattr(text_reader.FileText, "open", staticmethod(opened))
    monkeypatch.setattr(text_reader.FileText, "_valid_utf8", staticmethod(read_again))
    for p in paths:
        streamed = read_file(InputFile(p, p.name), Settings()).result
        expected = whole[p.name]
        assert streamed.forms == expected.forms, p.name
        assert [f.message for f in streamed.findings] == [f.message for f in expected.findings], p.name
        assert streamed.findings == expected.findings, p.name
        assert (streamed.lines, streamed.lines_used, streamed.lines_reported, streamed.kind, streamed.sha256) == (
            expected.lines, expected.lines_used, expected.lines_reported, expected.kind, expected.sha256), p.name
    assert "crlf-and-lone-cr.txt" in seen and "seed-gb18030-crlf.txt" in seen and "png-named-txt.txt" not in seen


def test_a_huge_text_file_that_changes_while_read_keeps_none_of_its_forms(tmp_path, monkeypatch):
    from selfeval.extract import readers

    path = many_forms(tmp_path, 2)
    monkeypatch.setattr(readers, "STREAM_FILE_BYTES", 0)
    real = text_reader._rows

    def rows(*args, **kwargs):
        for n, row in enumerate(real(*args, **kwargs)):
            if n == 100:
                with open(path, "ab") as fh:  # someone appends to the file as it is read
                    fh.write(b"\n")
            yield row

    monkeypatch.setattr(text_reader, "_rows", rows)
    result = read_file(InputFile(path, path.name), Settings()).result
    # the change is seen at the next pass over the file: none of its forms are kept, and it says why
    assert not result.forms and result.failed
    assert [f.code for f in result.findings] == ["unreadable_input"]
    assert "changed while it was read" in result.findings[0].message


def _without_seconds(manifest: dict) -> dict:
    for entry in manifest["inputs"]:
        entry.pop("seconds")
    return manifest


def test_a_streamed_batch_keeps_its_summaries_on_disk_and_its_manifest_is_the_same(tmp_path):
    import gc
    import json
    import shutil

    from selfeval.results import FileSummary

    folder = tmp_path / "in"
    shutil.copytree("fixtures/variants", folder)
    (folder / "zz-notes.txt").write_text("会议纪要\n今天讨论了预算。\n", encoding="utf-8")  # no form: a failed input
    (folder / "zz-link.txt").symlink_to(folder / "seed-pipes.md")  # an input that is a link: named in its entry
    with TableWriter(tmp_path / "out-stream", ("csv",)) as writer:
        streamed = run([folder], Settings(), sink=writer)
    with TableWriter(tmp_path / "out-kept", ("csv",)) as writer:
        kept = run([folder], Settings(keep_results=True), sink=writer)
    gc.collect()
    alive = [o for o in gc.get_objects() if isinstance(o, FileSummary)]
    # only the failed input's summary (with its errors) stays in memory; the others are read back from disk
    assert [s.doc_id for s in alive] == ["zz-notes.txt"] and len(streamed.files) == len(kept.files) == 10
    assert streamed.failed_inputs == kept.failed_inputs == ["zz-notes.txt"]
    assert [f.code for f in streamed.files[-1].errors] == ["no_forms_found"] and not streamed.files[-2].errors
    assert [f.doc_id for f in streamed.files] == [f.doc_id for f in kept.files]
    assert [f.doc_id for f in streamed.files[-3:]] == ["seed-utf8-bom.txt", "zz-link.txt", "zz-notes.txt"]
    manifest = streamed.manifest()
    assert manifest["inputs"][-2]["link"].endswith("seed-pipes.md") and "link" not in manifest["inputs"][-1]
    text = "".join(streamed.manifest_text())
    assert text == json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    assert _without_seconds(json.loads(text)) == _without_seconds(kept.manifest())
    streamed.files.close()  # the failed inputs and their errors are known without reading the summaries back
    assert streamed.failed_inputs == ["zz-notes.txt"]
    assert [f.code for f in streamed.failed_files[0].errors] == ["no_forms_found"]


@pytest.mark.parametrize("inputs", [[], ["missing.txt"]])
def test_the_manifest_text_of_a_batch_with_no_or_only_missing_inputs(tmp_path, inputs):
    import json

    with TableWriter(tmp_path / "out", ("csv",)) as writer:
        batch = run([tmp_path / name for name in inputs], Settings(), sink=writer)
    assert "".join(batch.manifest_text()) == json.dumps(batch.manifest(), ensure_ascii=False, indent=2) + "\n"
