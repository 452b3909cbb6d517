"""The RapidOCR engine (PP-OCR models run by onnxruntime), strictly offline.

``rapidocr`` 3.x ships its default Chinese detection and recognition models
inside the wheel (``rapidocr/models/*.onnx``; the recognizer's character list
is stored in the model's metadata).  We pass those files explicitly as
``model_path``, which is the code path that never calls the library's
downloader; if a later release stops shipping them, building the engine fails
with a message instead of fetching anything.  The angle classifier is off
(pages are deskewed before OCR), and every box is kept whatever its score:
low scores become ``low_confidence`` findings downstream, never silent drops.

Install: ``pip install 'selfeval[ocr]'``.
"""

from __future__ import annotations

import logging
import multiprocessing
from pathlib import Path

import numpy as np

from selfeval.extract.ocr import EngineUnavailable, Glyph, TextBox
from selfeval.findings import describe

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
MAX_SIDE = 2000  # pixels; larger pages are scaled down before OCR (200 dpi A4 is 2339)
INSTALL_HINT = "install the OCR extra: pip install 'selfeval[ocr]' (rapidocr and onnxruntime)"


def packaged_models() -> tuple[Path, Path]:
    """The detection and recognition models inside the installed rapidocr package."""
    try:
        import rapidocr
    except ImportError as exc:
        raise EngineUnavailable(f"the OCR engine is not installed ({describe(exc)}); {INSTALL_HINT}") from exc
    models = Path(rapidocr.__file__).resolve().parent / "models"
    det, rec = models / DET_MODEL, models / REC_MODEL
    missing = [p.name for p in (det, rec) if not p.is_file()]
    if missing:
        raise EngineUnavailable(
            f"rapidocr is installed but its packaged models {', '.join(missing)} are missing from {models}; "
            "selfeval does not download models: reinstall a rapidocr 3.x wheel that ships them"
        )
    return det, rec


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int | None = None):
        det, rec = packaged_models()
        from rapidocr import RapidOCR

        if threads is None:  # one thread per worker process, all cores for a single process
            threads = 1 if multiprocessing.parent_process() is not None else -1
        params = {
            "Global.use_cls": False,
            "Global.text_score": 0.0,
            "Global.max_side_len": MAX_SIDE,
            "Global.log_level": "error",
            "Det.model_path": str(det),
            "Rec.model_path": str(rec),
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        }
        self._ocr = RapidOCR(params=params)
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)

    def recognize(self, image: np.ndarray) -> list[TextBox]:
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        # every step named on every call: rapidocr keeps what a call sets for the calls after it, so
        # after read_marks (no detection) a call naming none would read a whole page as one line
        result = self._ocr(image, use_det=True, use_cls=False, use_rec=True, return_word_box=True)
        if getattr(result, "boxes", None) is None or getattr(result, "txts", None) is None:
            return []
        words = list(getattr(result, "word_results", None) or ())
        if len(words) != len(result.txts):  # the library drops lines without glyph boxes
            words = [()] * len(result.txts)
        out: list[TextBox] = []
        for quad, text, score, line in zip(result.boxes, result.txts, result.scores, words, strict=True):
            quad = np.asarray(quad, dtype=float)
            bbox = (float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()), float(quad[:, 1].max()))
            glyphs = tuple(_glyph(w) for w in line or ())
            if "".join(g.text for g in glyphs).replace(" ", "") != str(text).replace(" ", ""):
                glyphs = ()  # positions that do not spell the text are of no use
            out.append(TextBox(str(text), bbox, float(score), glyphs))
        return out

    def read_marks(self, image: np.ndarray, rects: list[tuple[float, float, float, float]]) -> list[tuple[str, float]]:
        """Each rectangle of ``image`` read by the recognizer alone (no detection):
        for marks the detector left out, such as a '。' wrapped onto a line of its own."""
        out = []
        h, w = image.shape[:2]
        for x0, y0, x1, y1 in rects:
            crop = image[max(0, round(y0)):min(h, round(y1)), max(0, round(x0)):min(w, round(x1))]
            if crop.size == 0:
                out.append(("", 0.0))
                continue
            if crop.ndim == 2:
                crop = np.repeat(crop[:, :, None], 3, axis=2)
            result = self._ocr(np.ascontiguousarray(crop), use_det=False, use_cls=False, use_rec=True,
                               return_word_box=False)
            texts, scores = getattr(result, "txts", None) or (), getattr(result, "scores", None) or ()
            out.append((str(texts[0]), float(scores[0])) if texts and scores else ("", 0.0))
        return out


def _glyph(word: tuple) -> Glyph:
    text, score, quad = word
    xs = [float(p[0]) for p in quad]
    return Glyph(str(text), min(xs), max(xs), float(score))
