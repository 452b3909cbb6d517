"""What the output folder holds, as colleagues and later runs see it: file
modes from the umask, the output folder never read back as input, messages
without object reprs, and the same bytes whatever ran before and in what
order the inputs came."""

from __future__ import annotations

import gc
import io
import json
import os
import random
import re
import shutil
import stat
import tempfile
from functools import _lru_cache_wrapper
from pathlib import Path

import pytest
from typer.testing import CliRunner

from selfeval.cli import app
from selfeval.extract.readers import OUTPUT_FOLDER
from selfeval.findings import describe

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"
TABLES = ("forms", "funding", "indicators", "findings")


@pytest.fixture
def umask():
    previous = os.umask(0o022)
    os.umask(previous)

    def set_umask(mask: int) -> None:
        os.umask(mask)

    yield set_umask
    os.umask(previous)


@pytest.mark.parametrize("mask, file_mode, folder_mode", [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)])
def test_outputs_take_the_users_umask(tmp_path, umask, mask, file_mode, folder_mode):
    umask(mask)
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(SEED), "--out", str(out), "--partitioned", "--resume", "--report", "-q"])
    assert result.exit_code == 0, result.output
    files = [p for p in out.rglob("*") if p.is_file()]
    folders = [p for p in out.rglob("*") if p.is_dir()]
    assert {p.name for p in files} >= {"forms.csv", "forms.parquet", "manifest.json", "report.html", "part-0.parquet"}
    assert any(p.parent.name == ".cache" for p in files)
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {oct(file_mode)}, files
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in folders} == {oct(folder_mode)}, folders


def test_an_output_folder_inside_the_input_folder_is_never_read_back(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    out = folder / "out"
    first = runner.invoke(app, ["extract", str(folder), "--out", str(out), "--format", "csv"])
    assert first.exit_code == 0, first.output
    # a readable form inside the output folder, and a page image below it, as --report leaves them
    shutil.copy(SEED, out / "copy-of-the-seed.txt")
    (out / "pages").mkdir()
    (out / "pages" / "seed-p1.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    second = runner.invoke(app, ["extract", str(folder), "--out", str(out), "--format", "csv"])
    assert second.exit_code == 0, second.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["totals"]["inputs"] == 1 and manifest["totals"]["forms"] == 27
    assert [e["doc_id"] for e in manifest["inputs"]] == ["seed.txt"]
    assert {"path": "out/", "pattern": OUTPUT_FOLDER, "ignore_file": str(out / "manifest.json")} in manifest["ignored"]


def test_an_output_folder_given_as_input_is_skipped(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["extract", str(SEED), "--out", str(out), "--format", "csv"]).exit_code == 0
    shutil.copy(SEED, out / "seed.txt")
    again = tmp_path / "again"
    result = runner.invoke(app, ["extract", str(out), "--out", str(again), "--format", "csv"])
    manifest = json.loads((again / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["totals"]["inputs"] == 0 and manifest["ignored"][0]["path"] == "./", result.output


def test_describe_turns_an_exception_into_a_stable_phrase():
    from PIL import Image, UnidentifiedImageError

    with pytest.raises(UnidentifiedImageError) as caught:
        Image.open(io.BytesIO(b"not an image"))
    assert " at 0x" in str(caught.value)  # what PIL says: an address that differs per run
    assert describe(caught.value) == "UnidentifiedImageError: cannot identify image file"
    assert describe(PermissionError(13, "Permission denied", "/x/y.txt")) == "Permission denied"
    assert describe(ValueError(f"bad\n  part {tempfile.gettempdir()}/tmpab_12/x.pdf; at 0xdeadbeef12")) == \
        "ValueError: bad part <temporary file>; at 0x…"
    assert describe(KeyError()) == "KeyError"
    assert len(describe(RuntimeError("x" * 5000))) == len("RuntimeError: ") + 300


def test_no_message_embeds_an_exception_but_through_describe():
    embedded = re.compile(r"\{(?:exc|cause|e|err|error)(?:\.\w+)*(?:![rs])?\}")
    offenders = []
    for folder in ("selfeval", "extract", "normalize"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if embedded.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "use selfeval.findings.describe(exc):\n" + "\n".join(offenders)


# -- the same bytes, whatever ran before and whatever the order ------------------------------
def clear_memos() -> int:
    """Clear every memo of selfeval (module functions and per-object caches
    alike); returns how many there were."""
    gc.collect()
    memos = [o for o in gc.get_objects()
             if isinstance(o, _lru_cache_wrapper) and (getattr(o, "__module__", "") or "").startswith("selfeval")]
    for memo in memos:
        memo.cache_clear()
    return len(memos)


def _inputs() -> list[Path]:
    files = [SEED, *sorted((ROOT / "fixtures" / "variants").iterdir()), *sorted((ROOT / "fixtures" / "bad").iterdir()),
             ROOT / "fixtures" / "structured" / "seed-forms-1-4.xls"]
    return [p for p in files if p.is_file()]


def _lay_out(folder: Path, order: list[Path]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    for path in order:  # creation order is directory order on most file systems
        shutil.copy(path, folder / path.name)
    (folder / "unreadable.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")


def _tables(out: Path) -> dict[str, bytes]:
    return {name: (out / f"{name}.csv").read_bytes() for name in TABLES}


def test_same_bytes_after_clearing_every_memo_and_shuffling_the_inputs(tmp_path):
    folder = tmp_path / "in"
    files = _inputs()
    # warm: another batch has run in this process first
    assert runner.invoke(app, ["extract", str(ROOT / "fixtures" / "variants"), "--out", str(tmp_path / "other"),
                               "--format", "csv", "-q"]).exit_code == 0
    _lay_out(folder, files)
    warm = runner.invoke(app, ["extract", str(folder), "--out", str(tmp_path / "warm"), "--format", "csv", "-q"])
    assert warm.exit_code == 1, warm.output  # the unreadable image and the empty files
    # cold, the files laid out and given one by one in another order
    shuffled = files[:]
    random.Random(11).shuffle(shuffled)
    _lay_out(folder, shuffled)
    assert clear_memos() >= 20
    assert all(m.cache_info().currsize == 0 for m in gc.get_objects()
               if isinstance(m, _lru_cache_wrapper) and (getattr(m, "__module__", "") or "").startswith("selfeval"))
    given = [str(folder / p.name) for p in shuffled] + [str(folder / "unreadable.png")]
    random.Random(12).shuffle(given)
    cold = runner.invoke(app, ["extract", *given, "--out", str(tmp_path / "cold"), "--format", "csv", "-q"])
    assert cold.exit_code == 1, cold.output
    assert _tables(tmp_path / "warm") == _tables(tmp_path / "cold")
    findings = (tmp_path / "cold" / "findings.csv").read_text(encoding="utf-8")
    assert "unreadable.png" in findings and not re.search(r"0x[0-9a-f]{6,}|object at", findings)


def test_two_files_of_one_name_are_both_read_whatever_their_order(tmp_path):
    from selfeval.extract.readers import discover

    for folder, seqs in (("a", "1"), ("b", "2")):
        (tmp_path / folder).mkdir()
        text = SEED.read_text(encoding="utf-8")
        (tmp_path / folder / "x.txt").write_text(text.split("项目序号：2")[0] if seqs == "1" else text, encoding="utf-8")
    one, two = tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt"
    for order in ([one, two], [two, one], [tmp_path / "b", one], [one, tmp_path / "b"]):
        files, _ = discover(order)
        assert [(f.path, f.doc_id) for f in files] == [(one, one.as_posix()), (two, two.as_posix())], order
    # one file given twice (its folder and itself) is read once, under its usual doc_id
    files, _ = discover([tmp_path / "a", one])
    assert [(f.path, f.doc_id) for f in files] == [(one, "x.txt")]
    outs = []
    for i, order in enumerate(([one, two], [two, one])):
        out = tmp_path / f"out{i}"
        result = runner.invoke(app, ["extract", *map(str, order), "--out", str(out), "--format", "csv", "-q"])
        assert result.exit_code == 0, result.output
        outs.append(_tables(out))
    assert outs[0] == outs[1]
    forms = outs[0]["forms"].decode("utf-8")
    assert forms.count("\n") == 1 + 1 + 27  # header, the first form of a/x.txt, all 27 of b/x.txt


def test_csv_text_made_in_pieces_is_the_rows_in_order_with_one_header(monkeypatch):
    """Hand reading: 7 rows made 3 at a time are three pieces (3, 3, 1 rows);
    the text is the header once, then each row as ``seq,name`` in order: a
    null is an empty cell, a comma quotes its cell."""
    import pyarrow as pa

    from selfeval.output import writers

    monkeypatch.setattr(writers, "CSV_PIECE_ROWS", 3)
    names = ["a", None, "c,d", "e", "f", "g", "h"]
    table = pa.table({"seq": list(range(1, 8)), "name": names})
    assert [piece.count("\n") for piece in writers.csv_pieces(table)] == [3, 3, 1]
    assert writers.csv_text(table) == 'seq,name\n1,a\n2,\n3,"c,d"\n4,e\n5,f\n6,g\n7,h\n'
    assert writers.csv_text(table, header=False) == writers.csv_text(table)[len("seq,name\n"):]
    assert writers.csv_text(table.slice(0, 0)) == "seq,name\n"
