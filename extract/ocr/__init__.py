"""OCR engines behind one small interface.

An engine turns a page image into text boxes; everything else (deskew, seal
removal, the table grid, confidences per cell) is the engine-independent code
in :mod:`.table` and :mod:`selfeval.extract.image`.  One module per engine.
An :class:`Engines` registry builds the named one on first use and keeps it;
the registry belongs to whoever reads (a run, a worker process) and reaches
the readers on their read context (``ReadContext.engines``): no module holds
an engine.  Engines never download anything: their models ship inside an
installed package.

Recorded output (``dump_boxes`` / ``load_boxes``) lets the tests replay a real
engine's boxes without the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

DEFAULT_ENGINE = "rapidocr"


@dataclass(frozen=True)
class Glyph:
    """A character (or a Latin word) inside a box: its text, left and right x, confidence."""

    text: str
    x0: float
    x1: float
    confidence: float


@dataclass(frozen=True)
class TextBox:
    """One line of text an engine read: text, pixel box (x0, y0, x1, y1), confidence 0..1.

    ``glyphs`` are the box's characters with their positions, when the engine
    gives them; they let a box that runs over a cell edge be cut exactly.
    """

    text: str
    bbox: tuple[float, float, float, float]
    confidence: float
    glyphs: tuple[Glyph, ...] = ()

    @property
    def cx(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


class OcrEngine(Protocol):
    name: str

    def recognize(self, image: np.ndarray) -> list[TextBox]:
        """Text boxes of a page image (H x W x 3 uint8, or H x W grey)."""
        ...

    # An engine may also read marks its detector left out, by its recognizer alone:
    # ``read_marks(image, rects) -> list[(text, score)]``, one reading a rectangle
    # ``(x0, y0, x1, y1)`` of ``image`` (see ``extract.image.read_page``); ("", 0.0)
    # for one it cannot read.  An engine without it leaves such marks unread.


class EngineUnavailable(RuntimeError):
    """The OCR engine is not installed (or its packaged models are missing)."""


class Engines:
    """The OCR engines of one reader of many files (a run, a worker process):
    each named engine is built on first use (loading its models takes a
    while) and kept for the next file.  ``built`` gives engines already made
    (a replay of recorded output)."""

    def __init__(self, built: dict[str, OcrEngine] | None = None) -> None:
        self._built: dict[str, OcrEngine] = dict(built or {})

    def get(self, name: str = DEFAULT_ENGINE) -> OcrEngine:
        """The named engine; raises EngineUnavailable with the fix."""
        if name not in self._built:
            self._built[name] = self.build(name)
        return self._built[name]

    def build(self, name: str) -> OcrEngine:
        if name != "rapidocr":
            raise EngineUnavailable(f"unknown OCR engine {name!r}; the available one is 'rapidocr'")
        from selfeval.extract.ocr.rapid import RapidOcrEngine

        return RapidOcrEngine()

    def __repr__(self) -> str:
        return f"Engines({sorted(self._built)})"


class ReplayEngine:
    """Gives back recorded boxes instead of reading the image (for tests), and the
    recorded readings of marks (``marks``: ``(rect, text, score)``), each given for
    a rectangle within ``MARK_TOLERANCE`` pixels of its recorded one."""

    name = "replay"
    MARK_TOLERANCE = 3.0  # pixels: another machine's deskew may move a mark by a pixel or two

    def __init__(self, boxes: list[TextBox], marks: list[tuple[tuple[float, ...], str, float]] = ()):
        self.boxes = list(boxes)
        self.marks = list(marks)

    def recognize(self, image: np.ndarray) -> list[TextBox]:
        return list(self.boxes)

    def read_marks(self, image: np.ndarray, rects: list[tuple[float, float, float, float]]) -> list[tuple[str, float]]:
        out = []
        for rect in rects:
            near = [(text, score) for r, text, score in self.marks
                    if max(abs(a - b) for a, b in zip(r, rect, strict=True)) <= self.MARK_TOLERANCE]
            out.append(near[0] if near else ("", 0.0))
        return out


def dump_boxes(boxes: list[TextBox]) -> list[dict]:
    return [
        {
            "text": b.text,
            "bbox": [round(v, 1) for v in b.bbox],
            "conf": round(b.confidence, 4),
            "glyphs": [[g.text, round(g.x0, 1), round(g.x1, 1), round(g.confidence, 4)] for g in b.glyphs],
        }
        for b in boxes
    ]


def load_boxes(items: list[dict]) -> list[TextBox]:
    return [
        TextBox(
            d["text"],
            tuple(d["bbox"]),  # type: ignore[arg-type]
            float(d["conf"]),
            tuple(Glyph(g[0], float(g[1]), float(g[2]), float(g[3])) for g in d.get("glyphs", ())),
        )
        for d in items
    ]



def engine_version(name: str = DEFAULT_ENGINE) -> str:
    """The engine's package versions and a digest of its packaged models:
    what the ``--resume`` cache key holds for readers that use OCR
    (``selfeval.extract.readers.COMPONENTS``).  Raises EngineUnavailable when
    the engine is not installed."""
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    from selfeval.extract.ocr.rapid import packaged_models

    parts = [name]
    for package in ("rapidocr", "onnxruntime"):
        try:
            parts.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package} absent")
    for model in packaged_models():
        parts.append(f"{model.name} {hashlib.sha256(model.read_bytes()).hexdigest()[:16]}")
    return "; ".join(parts)
