"""Write sample scans, or re-record the OCR output the tests replay.

Run from ``tests/``::

    python -m scangen samples OUT_DIR [--dpi 200] [--forms 1,2,3] [--clean]
    python -m scangen record            # needs the OCR extra; rewrites recorded_ocr/*.json

``samples`` writes ``formNN-<dpi>dpi.jpg`` (stamped, turned, blurred, noisy,
JPEG quality 60; ``--clean`` for undegraded PNGs) and ``formNN.txt`` (the
canonical text of the same form, for the text path).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from . import ScanSpec, canonical_text, form_layout, make_scan, parse_seed
from .cases import RECORDED, RECORDED_DIR, scan_for


def samples(out: Path, dpi: int, forms: list[int] | None, clean: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for form in parse_seed():
        if forms and form.seq not in forms:
            continue
        spec = None if clean else ScanSpec(angle=0.3 + (form.seq % 8) * 0.1, seed=form.seq)
        _, data = make_scan(form, dpi, spec)
        suffix = "png" if clean else "jpg"
        (out / f"form{form.seq:02d}-{dpi}dpi.{suffix}").write_bytes(data)
        (out / f"form{form.seq:02d}.txt").write_text(canonical_text(form_layout(form)), encoding="utf-8")
    print(f"wrote scans to {out}")


class _Recorder:
    """Runs the real engine and keeps what it returned.  With ``boxes`` (a
    recording's), gives those back instead of detecting again and records only
    the readings of the marks they leave out."""

    name = "recorder"

    def __init__(self, engine, boxes=None):
        self.engine, self.kept, self.boxes, self.marks = engine, boxes, [], []

    def recognize(self, image):
        self.boxes, self.marks = self.kept if self.kept is not None else self.engine.recognize(image), []
        return self.boxes

    def read_marks(self, image, rects):
        reads = self.engine.read_marks(image, rects)
        self.marks += [[*(round(v, 1) for v in r), text, round(score, 4)] for r, (text, score) in zip(rects, reads, strict=True)]
        return reads


def record(only: list[str] | None = None, marks_only: bool = False) -> None:
    """Record the real engine's output for the cases (all when ``only`` is None).
    ``marks_only`` keeps each recording's boxes as recorded and records the
    recognizer's readings of the marks they leave out anew (after a change to
    which marks are read, without moving a box)."""
    from importlib.metadata import version

    from selfeval.extract.image import read_page
    from selfeval.extract.ocr import Engines, dump_boxes
    from selfeval.extract.ocr.page import prepare_page, recorded_boxes

    engine = Engines().get()
    RECORDED_DIR.mkdir(exist_ok=True)
    for name, case in RECORDED.items():
        if only and name not in only:
            continue
        _, data = scan_for(case)
        rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        kept = None
        if marks_only:
            recorded = json.loads((RECORDED_DIR / f"{name}.json").read_text(encoding="utf-8"))
            if prepare_page(rgb).angle != recorded["deskew_angle"]:
                raise SystemExit(f"{name}: this machine's deskew differs from the recording's; record it whole")
            kept = recorded_boxes(rgb, recorded)
        recorder = _Recorder(engine, kept)
        read_page(rgb, recorder)
        payload = {
            "case": name,
            "about": case.about,
            "engine": f"rapidocr {version('rapidocr')}, onnxruntime {version('onnxruntime')}",
            "frame": "pixels of the deskewed page the engine read",
            "deskew_angle": prepare_page(rgb).angle,
            "boxes": dump_boxes(recorder.boxes),
        }
        path = RECORDED_DIR / f"{name}.json"
        boxes = payload.pop("boxes")
        head = json.dumps(payload, ensure_ascii=False, indent=1)[:-2]
        lines = ",\n".join(json.dumps(b, ensure_ascii=False) for b in boxes)
        tail = ""  # the recognizer's readings of marks the detector left out, when there were any
        if recorder.marks:
            tail = ',\n "marks": [\n' + ",\n".join(json.dumps(m, ensure_ascii=False) for m in recorder.marks) + "\n ]"
        path.write_text(f'{head},\n "boxes": [\n{lines}\n ]{tail}\n}}\n', encoding="utf-8")
        print(f"recorded {len(recorder.boxes)} boxes to {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scangen")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("samples")
    s.add_argument("out", type=Path)
    s.add_argument("--dpi", type=int, default=200)
    s.add_argument("--forms", default="")
    s.add_argument("--clean", action="store_true")
    r = sub.add_parser("record")
    r.add_argument("names", nargs="*", help="the cases to record (all when none is named)")
    r.add_argument("--marks-only", action="store_true",
                   help="keep the recorded boxes; record only the readings of the marks they leave out")
    args = parser.parse_args(argv)
    if args.command == "samples":
        forms = [int(x) for x in args.forms.split(",") if x.strip()] or None
        samples(args.out, args.dpi, forms, args.clean)
    else:
        record(args.names or None, args.marks_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
