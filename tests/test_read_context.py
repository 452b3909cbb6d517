"""Readers get everything besides the file's bytes from their ReadContext
(settings, limits, deadline, a lent executor): reading any kind of file
leaves every module of selfeval.extract as it was, and two readings in one
process cannot affect each other."""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fixturegen import load_seed, select
from fixturegen.office import write_docx, write_xlsx
from fixturegen.pdf import render_pdf
from PIL import Image

import selfeval.extract
from selfeval.extract.context import Deadline, Limits, OverBudget, ReadContext
from selfeval.extract.ocr import Engines, ReplayEngine, TextBox
from selfeval.extract.readers import InputFile, Source, read_document, read_source
from selfeval.settings import Settings

SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")
XLS = Path("fixtures/structured/seed-forms-1-4.xls")


def extract_modules() -> dict[str, object]:
    for info in pkgutil.walk_packages(selfeval.extract.__path__, "selfeval.extract."):
        if info.name.startswith("selfeval.extract.ocr.rapid"):
            continue  # the engine's module needs onnxruntime; it holds no state of its own
        importlib.import_module(info.name)
    return {name: m for name, m in sys.modules.items() if name.startswith("selfeval.extract")}


def snapshot() -> dict[tuple[str, str], object]:
    """Every module-level name of selfeval.extract.*: the object it is bound
    to, and for a container also its contents (a shallow copy)."""
    state: dict[tuple[str, str], object] = {}
    for module_name, module in extract_modules().items():
        for name, value in vars(module).items():
            if name.startswith("__"):
                continue
            contents = None
            if isinstance(value, (dict, list, set, bytearray)):
                contents = dict(value) if isinstance(value, dict) else type(value)(value)
            state[(module_name, name)] = (id(value), contents)
    return state


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kinds")
    forms = select(load_seed(), [1, 2])
    image = folder / "blank.png"
    Image.new("L", (40, 30), 255).save(image)
    return {
        "text": SEED,
        "pdf": render_pdf(forms, folder / "two.pdf"),
        "xlsx": write_xlsx(forms, folder / "two.xlsx"),
        "docx": write_docx(forms, folder / "two.docx"),
        "xls": XLS,
        "image over the pixel limit": image,
        "not a document": _write(folder / "noise.txt", b"\xff\xfe\x00" * 10),
    }


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_reading_leaves_every_extract_module_as_it_was(files):
    settings = Settings(max_image_pixels=100)  # the image is refused from its header: no OCR engine is loaded
    read_document(InputFile(SEED, SEED.name), settings)  # imports and first-use memos happen here, not below
    for path in files.values():
        read_document(InputFile(path, path.name), settings)
    before = snapshot()
    with ThreadPoolExecutor(2) as pool:
        for kind, path in files.items():
            doc = read_document(InputFile(path, path.name), ReadContext.of(settings, executor=pool))
            assert doc.findings or doc.rows, kind
    after = snapshot()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == []


def test_the_readers_read_their_limits_from_the_context(files):
    doc = read_document(InputFile(files["image over the pixel limit"], "blank.png"), Settings(max_image_pixels=100))
    [finding] = doc.findings
    assert finding.code == "limit_exceeded" and "40×30 = 1200 pixels" in finding.message and "100-pixel" in finding.message
    doc = read_document(InputFile(files["text"], "seed.txt"), Settings(max_line_chars=20))
    assert any(f.code == "limit_exceeded" and f.line is not None for f in doc.findings)
    assert Limits.from_settings(Settings(max_pages=7)).max_pages == 7


def test_a_spent_deadline_stops_a_reader_between_pages(files):
    data = files["pdf"].read_bytes()
    source = Source(files["pdf"], "two.pdf", data, hashlib.sha256(data).hexdigest())
    spent = Deadline(0.0)
    with pytest.raises(OverBudget):
        read_source(source, ReadContext.of(Settings(), deadline=spent))
    assert read_source(source, ReadContext.of(Settings())).rows  # the same file with time left


def test_a_context_answers_for_its_settings():
    ctx = ReadContext.of(Settings(max_pages=3, ocr_confidence_threshold=0.5))
    assert (ctx.max_pages, ctx.ocr_confidence_threshold, ctx.limits.max_pages) == (3, 0.5, 3)
    with pytest.raises(AttributeError):
        ctx.no_such_setting  # noqa: B018


def test_the_image_reader_leaves_pillows_limit_alone():
    probe = ("from PIL import Image; default = Image.MAX_IMAGE_PIXELS; import selfeval.extract.image; "
             "assert Image.MAX_IMAGE_PIXELS == default, Image.MAX_IMAGE_PIXELS")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_no_extract_module_holds_state_a_reading_could_reach(files):
    """Page progress is the read context's (``ReadContext.pages``), not a
    module's: no selfeval.extract module holds a context variable, and each
    context's listener hears its own file's pages only."""
    from contextvars import ContextVar

    held = [f"{m}.{name}" for m, module in extract_modules().items() for name, value in vars(module).items()
            if isinstance(value, ContextVar)]
    assert held == []
    heard: dict[str, list] = {"a": [], "b": []}
    for who in ("a", "b"):
        ctx = ReadContext.of(Settings(), pages=lambda doc_id, n, pages, who=who: heard[who].append((doc_id, n, pages)))
        read_document(InputFile(files["pdf"], f"{who}.pdf"), ctx)
    assert heard == {"a": [("a.pdf", 1, 2), ("a.pdf", 2, 2)], "b": [("b.pdf", 1, 2), ("b.pdf", 2, 2)]}
    read_document(InputFile(files["pdf"], "quiet.pdf"), Settings())  # no listener: nobody hears
    assert len(heard["a"]) == len(heard["b"]) == 2


class _CountingEngines(Engines):
    """A registry whose engine gives back one recorded line, counting how often one is built."""

    def __init__(self) -> None:
        super().__init__()
        self.built: list[str] = []

    def build(self, name: str) -> ReplayEngine:
        self.built.append(name)
        return ReplayEngine([TextBox("项目序号：1", (20, 20, 200, 50), 0.99)])


def test_the_ocr_engine_is_the_contexts_registry_not_a_modules(tmp_path):
    """A scan read by OCR leaves every selfeval.extract module as it was: the
    engine is built by the registry the context carries, once for every file
    read with it, and a context of its own gets an engine of its own."""
    page = tmp_path / "page.png"
    Image.new("RGB", (400, 200), "white").save(page)
    settings = Settings()
    read_document(InputFile(page, "first.png"), ReadContext.of(settings, engines=_CountingEngines()))  # imports
    before = snapshot()
    engines = _CountingEngines()
    for name in ("a.png", "b.png"):
        doc = read_document(InputFile(page, name), ReadContext.of(settings, engines=engines))
        assert [(r.page, r.line, r.cells) for r in doc.rows] == [(1, 1, ("项目序号：1",))], name
    other = _CountingEngines()
    read_document(InputFile(page, "c.png"), ReadContext.of(settings, engines=other))
    after = snapshot()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == []
    assert (engines.built, other.built) == (["rapidocr"], ["rapidocr"])
    held = [f"{m}.{name}" for m, module in extract_modules().items() for name, value in vars(module).items()
            if isinstance(value, Engines) or (isinstance(value, dict) and any(isinstance(v, Engines | ReplayEngine)
                                                                          for v in value.values()))]
    assert held == []


def test_files_read_on_an_executor_share_their_process_engines(tmp_path, monkeypatch):
    """On an executor (a cluster's workers), each process builds its OCR
    engine once for all the files it reads, as the worker pool does, not once
    a file."""
    from selfeval import pipeline

    built: list[str] = []

    def build(self, name: str) -> ReplayEngine:
        built.append(name)
        return ReplayEngine([TextBox("项目序号：1", (20, 20, 200, 50), 0.99)])

    monkeypatch.setattr(Engines, "build", build)
    pipeline._executor_engines.cache_clear()
    for name in ("a.png", "b.png", "c.png"):
        Image.new("RGB", (400, 200), "white").save(tmp_path / name)
    try:
        with ThreadPoolExecutor(max_workers=1) as executor:
            batch = pipeline.run([tmp_path], Settings(keep_results=True), executor=executor)
    finally:
        pipeline._executor_engines.cache_clear()
    assert [f.doc_id for f in batch.files] == ["a.png", "b.png", "c.png"]
    assert built == ["rapidocr"]
