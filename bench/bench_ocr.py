"""Scans: speed against the raw OCR engine, field accuracy, flags and confidence, per scan kind.

The scan kinds are the cases of ``tests/scangen/cases.py`` (each a seed form
with a named defect: a seal in 16 grey levels, 150 dpi, a blue seal in a
palette PNG, a 1-bit page with a black seal, broken rulings, a pale
photocopy, a 4-degree turn, ...).  Measured in one run, page by page:

raw       rapidocr's ``RapidOCR`` with its own defaults (angle classifier off)
          on the page's decoded pixels: the floor;
pipeline  ``selfeval.pipeline.process_file`` on the page file: decode, seal
          removal, deskew, rulings, one OCR call, cells, split, normalise,
          validate, OCR checks: the whole job for that file.

Both are timed in turn, best of ``--repeats``, models loaded before timing.
Target: pipeline / raw <= 1.15.

Fields: the scan's tables against the text path's on the same form
(``scangen.canonical_text``), field by field (``scangen.compare.same_field``).
Flags: a field is flagged when a ``low_confidence`` or ``ocr_suspect``
finding of its form sits on its line; recall = wrong fields flagged / wrong
fields, precision = flagged lines holding a wrong field / flagged lines.

Confidence (no engine: the recorded output in ``tests/recorded_ocr``
replayed): for each threshold, the share of wrong cells below it and of
right cells at or above it.

Replayed kinds (no engine): the same fields, flags and doubts per page for
every recorded case, the pipeline reading the page with the recorded boxes
instead of calling the engine (``--no-engine`` runs only this and the
calibration; deterministic, seconds a page).

Workers (``--workers``): one TIFF holding a page of every 200 dpi kind, read by the
pipeline with 1 and with 2 worker processes in turn: the speedup is the wall time
with 1 worker divided by the time with 2 (the pages of the one document are OCR'd
across the workers); the tables must be the same.

Black seals (``--black-seal``): the real engine on ten generated 1-bit pages with a
seal in the text's black (``BLACK_SEAL_PAGES``), as scanned, with the seal's lettering
left blank and without the seal: how far removing the seal's lettering, and the whole
seal, could take the fields right.

Audit (``--audit``): the real engine on ``AUDIT_PAGES``, each recorded kind's defect with another
seed on two seed forms no recorded kind uses, and four office scans at 150 and 300 dpi, then on
``more_audit_pages()``, each kind's defect with two more seeds on the forms the seeds draw: how the
reading holds on pages it was not tuned on.

Usage: ``python -m bench ocr`` or ``python -m bench.bench_ocr [--kinds a,b] [--repeats N] [--no-engine]
[--workers] [--black-seal] [--audit]``.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

THRESHOLDS = (0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99)
FIELDS = {
    "forms": ("title", "budget_unit", "implementing_unit", "project_name", "goal_target", "goal_actual",
              "total_weight", "total_score"),
    "funding": ("budget_initial", "budget_full_year", "executed", "weight", "execution_rate", "score"),
    "indicators": ("level1", "level2", "level3", "target_raw", "target_value", "target_unit",
                   "actual_raw", "actual_value", "actual_unit", "weight", "score", "deviation_note"),
}
KEYS = {"forms": ["form_seq"], "funding": ["form_seq", "source_key"], "indicators": ["form_seq", "indicator_seq"]}
FLAGS = ("low_confidence", "ocr_suspect")


# -- confidence, from recorded engine output -------------------------------------


def calibration() -> list[dict]:
    """Cells of every recorded ruled case: (right?, confidence), as shares per threshold."""
    from scangen import canonical_rows, form_layout, parse_seed
    from scangen.cases import RECORDED, RECORDED_DIR, scan_for
    from scangen.compare import norm

    from selfeval.extract.image import ocr_page_image
    from selfeval.settings import Settings

    forms = parse_seed()
    nulls = {"", "—", "——", "---"}
    cells: list[tuple[bool, float | None]] = []
    for name, case in RECORDED.items():
        path = RECORDED_DIR / f"{name}.json"
        if not case.ruled or not path.exists():
            continue
        recorded = json.loads(path.read_text(encoding="utf-8"))
        _, data = scan_for(case)
        rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        rows = ocr_page_image(Image.fromarray(rgb), 1, Settings(), engine=_replayed(case, data, recorded))
        want = canonical_rows(form_layout(forms[case.form_index]))
        for row, wanted in zip(rows, want, strict=False):
            for k, (got, text) in enumerate(zip(row.cells, wanted, strict=False)):
                if got or text:
                    right = norm(got) == norm(text) or (got in nulls and text in nulls)
                    cells.append((right, row.confidence[k] if row.confidence else None))
    wrong = [c for ok, c in cells if not ok]
    right = [c for ok, c in cells if ok]
    out = []
    for t in THRESHOLDS:
        below = sum(1 for c in wrong if c is not None and c < t)
        above = sum(1 for c in right if c is None or c >= t)
        out.append({"case": f"threshold {t:.2f}", "metric": "wrong cells below / right cells at or above",
                    "value": f"{below}/{len(wrong)} = {_share(below, len(wrong))}; {above}/{len(right)} = "
                             f"{_share(above, len(right))}"})
    return out


def _share(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "-"


# -- per scan kind, with the real engine -----------------------------------------


def _raw_engine():
    from rapidocr import RapidOCR

    from selfeval.extract.ocr.rapid import packaged_models

    det, rec = packaged_models()
    return RapidOCR(params={"Global.use_cls": False, "Global.log_level": "error",
                            "Det.model_path": str(det), "Rec.model_path": str(rec)})


def _time(paths: list[Path], repeats: int) -> tuple[float, float, dict, float, float]:
    """(raw wall s, pipeline wall s, results, raw CPU s, pipeline CPU s): per page the best of
    ``repeats``, the two timed in turn.  CPU time (the process's, every thread's) is the steadier
    figure on a shared machine: it leaves out the time waiting for a core."""
    from selfeval.extract.ocr import Engines
    from selfeval.extract.readers import InputFile
    from selfeval.pipeline import read_file
    from selfeval.settings import Settings

    raw_engine = _raw_engine()
    blank = np.full((64, 64, 3), 255, np.uint8)
    raw_engine(blank)
    engines = Engines()  # one registry for every page, as in a run: the models are loaded once
    engines.get().recognize(blank)
    timed = _Timed(engines.get())
    engines = Engines({"rapidocr": timed})
    raw = pipe = raw_cpu = pipe_cpu = outside = 0.0
    results = {}
    for path in paths:
        best = [math.inf] * 5
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            raw_engine(np.asarray(Image.open(io.BytesIO(path.read_bytes())).convert("RGB")))
            t1, c1 = time.perf_counter(), time.process_time()
            timed.cpu = 0.0
            results[path.name] = read_file(InputFile(path, path.name), Settings(), engines=engines).result
            t2, c2 = time.perf_counter(), time.process_time()
            best = [min(best[0], t1 - t0), min(best[1], t2 - t1), min(best[2], c1 - c0), min(best[3], c2 - c1),
                    min(best[4], c2 - c1 - timed.cpu)]
        raw += best[0]
        pipe += best[1]
        raw_cpu += best[2]
        pipe_cpu += best[3]
        outside += best[4]
    return raw, pipe, results, raw_cpu, pipe_cpu, outside


class _Timed:
    """The pipeline's engine, its calls' CPU time summed in ``cpu``: what the
    pipeline spends outside it is its own (decoding, page preparation,
    rulings, cells, parsing)."""

    def __init__(self, engine) -> None:
        self.engine, self.name, self.cpu = engine, engine.name, 0.0

    def recognize(self, image):
        c0 = time.process_time()
        try:
            return self.engine.recognize(image)
        finally:
            self.cpu += time.process_time() - c0

    def read_marks(self, image, rects):
        c0 = time.process_time()
        try:
            return self.engine.read_marks(image, rects)
        finally:
            self.cpu += time.process_time() - c0


def _compare(scan: dict, text: dict) -> tuple[int, int, int, int, int]:
    """(fields, right, wrong flagged, flagged lines, flagged lines holding a wrong field)."""
    from scangen.compare import same_field

    findings = scan["findings"]
    flags = findings[findings["code"].isin(FLAGS)]
    flagged_lines = {(int(s), int(line)) for s, line in zip(flags["form_seq"], flags["line"], strict=True)
                     if s == s and line == line}
    total = right = caught = 0
    bad_lines: set[tuple[int, int]] = set()
    for name, fields in FIELDS.items():
        merged = text[name].merge(scan[name], on=KEYS[name], how="left", suffixes=("_t", "_s"))
        for _, row in merged.iterrows():
            lines = ([int(row["line_s"])] if name != "forms" and row.get("line_s") == row.get("line_s")
                     else list(range(int(row.get("line_start_s") or 0), int(row.get("line_end_s") or 0) + 1))
                     if name == "forms" and row.get("line_start_s") == row.get("line_start_s") else [])
            for field in fields:
                total += 1
                if same_field(row.get(f"{field}_s"), row.get(f"{field}_t")):
                    right += 1
                    continue
                here = {(int(row["form_seq"]), ln) for ln in lines}
                bad_lines |= here
                caught += bool(here & flagged_lines)
    return total, right, caught, len(flagged_lines), len(flagged_lines & bad_lines)


def per_kind(kinds: list[str] | None, repeats: int) -> list[dict]:
    from scangen import parse_seed
    from scangen.cases import RECORDED, scan_for


    forms = parse_seed()
    rows: list[dict] = []
    sums = [0.0, 0.0, 0.0, 0.0, 0.0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, case in RECORDED.items():
            if kinds and name not in kinds:
                continue
            _, data = scan_for(case)
            page, txt = _write_pair(folder, name, data, forms[case.form_index])
            raw, pipe, results, raw_cpu, pipe_cpu, outside = _time([page], repeats)
            sums[0] += raw
            sums[1] += pipe
            sums[2] += raw_cpu
            sums[3] += pipe_cpu
            sums[4] += outside
            scan_t = _tables([results[page.name]])
            text_t = _text_tables(txt)
            total, right, caught, flagged, useful = _compare(scan_t, text_t)
            wrong = total - right
            rows += [
                {"case": name, "metric": "fields right", "value": f"{right}/{total} = {right / total:.4f}"},
                {"case": name, "metric": "flag recall (wrong fields flagged)", "value": f"{caught}/{wrong}"},
                {"case": name, "metric": "flag precision (flagged lines holding a wrong field)",
                 "value": f"{useful}/{flagged}"},
                {"case": name, "metric": "raw engine s / pipeline s / ratio",
                 "value": f"{raw:.2f} / {pipe:.2f} / {pipe / raw:.2f}x"},
                {"case": name, "metric": "CPU: raw engine s / pipeline s / ratio",
                 "value": f"{raw_cpu:.2f} / {pipe_cpu:.2f} / {pipe_cpu / raw_cpu:.2f}x"},
                {"case": name, "metric": "CPU outside the engine s / (raw + it) / raw",
                 "value": f"{outside:.2f} / {(raw_cpu + outside) / raw_cpu:.2f}x"},
            ]
    if sums[0]:
        rows.append({"case": "all kinds", "metric": "pipeline / raw (target <= 1.15)",
                     "value": f"{sums[1]:.2f} / {sums[0]:.2f} = {sums[1] / sums[0]:.2f}x"})
        rows.append({"case": "all kinds", "metric": "CPU: pipeline / raw",
                     "value": f"{sums[3]:.2f} / {sums[2]:.2f} = {sums[3] / sums[2]:.2f}x"})
        rows.append({"case": "all kinds", "metric": "CPU: (raw + outside the engine) / raw",
                     "value": f"({sums[2]:.2f} + {sums[4]:.2f}) / {sums[2]:.2f} = {(sums[2] + sums[4]) / sums[2]:.2f}x"})
    return rows


def _replayed(case, data: bytes, recorded: dict):
    """An engine that gives back the recorded boxes, turned by the difference between
    this machine's deskew and the recording's (as the replay tests do), and the
    recorded readings of unread marks."""
    from selfeval.extract.ocr.page import recorded_engine

    return recorded_engine(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")), recorded)


def replayed_kinds(kinds: list[str] | None) -> list[dict]:
    """Fields right, flag recall and precision and doubts a page for every recorded case, replayed."""
    from scangen import parse_seed
    from scangen.cases import RECORDED, RECORDED_DIR, scan_for

    from selfeval.extract.ocr import Engines

    forms = parse_seed()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, case in RECORDED.items():
            path = RECORDED_DIR / f"{name}.json"
            if (kinds and name not in kinds) or not path.exists():
                continue
            _, data = scan_for(case)
            engine = _replayed(case, data, json.loads(path.read_text(encoding="utf-8")))
            total, right, caught, flagged, useful, doubts = _read_against_text(
                folder, name, data, forms[case.form_index], Engines({"rapidocr": engine}))
            rows += [
                {"case": name, "metric": "replayed: fields right", "value": f"{right}/{total} = {right / total:.4f}"},
                {"case": name, "metric": "replayed: flag recall (wrong fields flagged)", "value": f"{caught}/{total - right}"},
                {"case": name, "metric": "replayed: flag precision (flagged lines holding a wrong field)",
                 "value": f"{useful}/{flagged}"},
                {"case": name, "metric": "replayed: doubts on the page (low_confidence + ocr_suspect)", "value": str(doubts)},
            ]
    return rows


def spread(kinds: list[str] | None, repeats: int) -> list[dict]:
    """One TIFF holding a page of every kind (the 200 dpi ones unless ``kinds``), read by
    ``selfeval.pipeline.run`` with 1 and with 2 workers, in turn, best of ``repeats``: the
    --workers speedup on one multi-page document = wall time with 1 worker / with 2.  The
    tables must be the same."""
    from scangen.cases import RECORDED, scan_for

    from selfeval import pipeline
    from selfeval.settings import Settings

    names = [n for n, c in RECORDED.items() if (n in kinds if kinds else c.dpi == 200)]
    frames = [Image.open(io.BytesIO(scan_for(RECORDED[n])[1])).convert("RGB") for n in names]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "scans.tif"
        frames[0].save(doc, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate")
        best = {1: math.inf, 2: math.inf}
        cpu = {1: math.inf, 2: math.inf}
        tables = {}
        for _ in range(repeats):
            for workers in (1, 2):
                import resource

                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                c0, t0 = time.process_time(), time.perf_counter()
                batch = pipeline.run([doc], Settings(workers=workers, keep_results=True))
                wall, spent = time.perf_counter() - t0, time.process_time() - c0
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                spent += (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
                best[workers], cpu[workers] = min(best[workers], wall), min(cpu[workers], spent)
                tables[workers] = {k: v.to_pandas() for k, v in batch.tables.items()}
        same = all(tables[1][k].equals(tables[2][k]) for k in tables[1])
        rows += [
            {"case": f"{len(names)}-page TIFF", "metric": "wall s, 1 worker / 2 workers / speedup",
             "value": f"{best[1]:.2f} / {best[2]:.2f} / {best[1] / best[2]:.2f}x"},
            {"case": f"{len(names)}-page TIFF", "metric": "CPU s (all processes), 1 worker / 2 workers",
             "value": f"{cpu[1]:.2f} / {cpu[2]:.2f}"},
            {"case": f"{len(names)}-page TIFF", "metric": "tables the same", "value": str(same)},
            # a page the engine read as nothing would pass "the same" in both runs
            {"case": f"{len(names)}-page TIFF", "metric": "forms, indicator rows read (1 worker; 2 workers)",
             "value": "; ".join(f"{len(tables[w]['forms'])}, {len(tables[w]['indicators'])}" for w in (1, 2))},
        ]
    return rows


# (form index, seed, angle): generated 1-bit pages with a black seal beyond the recorded one (form 11,
# seed 11); the generator puts the seal over the funding block at a place drawn from the seed
BLACK_SEAL_PAGES = ((10, 11, 0.4), (1, 5, 0.3), (3, 7, -0.5), (5, 9, 0.6), (7, 13, -0.3), (10, 21, 0.2),
                    (13, 17, 0.5), (21, 29, -0.4), (16, 31, 0.3), (24, 41, -0.2))


def black_seal_pages() -> list[dict]:
    """The real engine on the 1-bit black-seal pages of ``BLACK_SEAL_PAGES``, each printed three
    ways: as scanned (ring, star and lettering), with the seal's lettering left blank (its ring and
    star only), and without the seal.  The last two bound what removing the seal can give: the
    lettering removed perfectly, and the seal removed perfectly."""
    from scangen import ScanSpec, make_scan, parse_seed, render

    from selfeval.extract.ocr import Engines

    forms, engines, rows = parse_seed(), Engines(), []
    stamp = render._stamp
    blank = lambda img, page, text, rng, color="red": stamp(img, page, "\u3000" * len(text or "印"), rng, color)  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for how, stamped, patch in (("as scanned", True, stamp), ("lettering left blank", True, blank),
                                    ("no seal", False, stamp)):
            sums = [0, 0, 0, 0]
            render._stamp = patch
            try:
                for fi, seed, angle in BLACK_SEAL_PAGES:
                    spec = ScanSpec(angle=angle, seed=seed, stamp=stamped, stamp_color="black", output="png-1bit",
                                    noise=4.0)
                    _, data = make_scan(forms[fi], 200, spec)
                    total, right, caught, _, _, doubts = _read_against_text(
                        folder, f"form{fi + 1}-{seed}", data, forms[fi], engines)
                    for k, v in enumerate((total, right, caught, doubts)):
                        sums[k] += v
                    rows.append({"case": f"form{fi + 1:02d} seed {seed}", "metric": f"black seal, {how}",
                                 "value": f"{right}/{total}, wrong flagged {caught}/{total - right}, doubts {doubts}"})
            finally:
                render._stamp = stamp
            total, right, caught, doubts = sums
            rows.append({"case": f"{len(BLACK_SEAL_PAGES)} pages", "metric": f"black seal, {how}",
                         "value": f"{right}/{total} = {right / total:.4f}, wrong flagged {caught}/{total - right}, "
                                  f"doubts {doubts / len(BLACK_SEAL_PAGES):.1f} a page"})
    return rows


# The generalisation audit: each recorded kind's defect (its ``ScanSpec``, another seed) on two seed
# forms no recorded kind uses, plus two 150 dpi and two 300 dpi office scans: pages the code was not
# tuned on.  (page name, recorded kind or None, form index, dpi, seed or None); the kind gives the
# spec (None: an office scan, ``ScanSpec()``) and whether the page is ruled.
AUDIT_PAGES = (
    ("form02-200dpi-stamp-skew-s1000", "form01-200dpi-stamp-skew", 1, 200, 1000),
    ("form16-200dpi-stamp-skew-s1001", "form01-200dpi-stamp-skew", 15, 200, 1001),
    ("form04-300dpi-stamp-skew-s1010", "form15-300dpi-stamp-skew", 3, 300, 1010),
    ("form18-300dpi-stamp-skew-s1011", "form15-300dpi-stamp-skew", 17, 300, 1011),
    ("form06-200dpi-stamp-skew-s1020", "form09-200dpi-stamp-skew", 5, 200, 1020),
    ("form21-200dpi-stamp-skew-s1021", "form09-200dpi-stamp-skew", 20, 200, 1021),
    ("form08-200dpi-clean", "form20-200dpi-clean", 7, 200, None),
    ("form22-200dpi-clean", "form20-200dpi-clean", 21, 200, None),
    ("form10-200dpi-borderless", "form07-200dpi-borderless", 9, 200, None),
    ("form24-200dpi-borderless", "form07-200dpi-borderless", 23, 200, None),
    ("form12-200dpi-grey16-seal-s1050", "form01-200dpi-grey16-seal", 11, 200, 1050),
    ("form26-200dpi-grey16-seal-s1051", "form01-200dpi-grey16-seal", 25, 200, 1051),
    ("form14-150dpi-stamp-skew-s1060", "form05-150dpi-stamp-skew", 13, 150, 1060),
    ("form27-150dpi-stamp-skew-s1061", "form05-150dpi-stamp-skew", 26, 150, 1061),
    ("form16-200dpi-blue-seal-palette-s1070", "form03-200dpi-blue-seal-palette", 15, 200, 1070),
    ("form02-200dpi-blue-seal-palette-s1071", "form03-200dpi-blue-seal-palette", 1, 200, 1071),
    ("form18-200dpi-black-seal-1bit-s1080", "form11-200dpi-black-seal-1bit", 17, 200, 1080),
    ("form04-200dpi-black-seal-1bit-s1081", "form11-200dpi-black-seal-1bit", 3, 200, 1081),
    ("form21-200dpi-heavy-broken-rules-s1090", "form13-200dpi-heavy-broken-rules", 20, 200, 1090),
    ("form06-200dpi-heavy-broken-rules-s1091", "form13-200dpi-heavy-broken-rules", 5, 200, 1091),
    ("form22-300dpi-faint-photocopy-s1100", "form17-300dpi-faint-photocopy", 21, 300, 1100),
    ("form08-300dpi-faint-photocopy-s1101", "form17-300dpi-faint-photocopy", 7, 300, 1101),
    ("form24-200dpi-rotated-4deg-s1110", "form19-200dpi-rotated-4deg", 23, 200, 1110),
    ("form10-200dpi-rotated-4deg-s1111", "form19-200dpi-rotated-4deg", 9, 200, 1111),
    ("form26-200dpi-upside-down-s1120", "form23-200dpi-upside-down", 25, 200, 1120),
    ("form12-200dpi-upside-down-s1121", "form23-200dpi-upside-down", 11, 200, 1121),
    ("form27-200dpi-phone-photo-s1130", "form25-200dpi-phone-photo", 26, 200, 1130),
    ("form14-200dpi-phone-photo-s1131", "form25-200dpi-phone-photo", 13, 200, 1131),
    ("form06-150dpi-stamp-skew-s2001", None, 5, 150, 2001),
    ("form21-150dpi-stamp-skew-s2002", None, 20, 150, 2002),
    ("form10-300dpi-stamp-skew-s2003", None, 9, 300, 2003),
    ("form26-300dpi-stamp-skew-s2004", None, 25, 300, 2004),
)


def more_audit_pages() -> tuple:
    """A second audit set, drawn rather than chosen: for each recorded kind two seeds
    (3000 + 10 × kind + j), each on the seed form the seed draws; the clean kind's
    pages a lightly scanned one (no seal, no turn, JPEG q90)."""
    import random

    from scangen import parse_seed
    from scangen.cases import RECORDED

    n, out = len(parse_seed()), []
    for k, (kind, case) in enumerate(RECORDED.items()):
        for j in range(2):
            seed = 3000 + 10 * k + j
            fi = random.Random(seed).randrange(n)
            out.append((f"form{fi + 1:02d}-{kind.split('-', 1)[1]}-s{seed}", kind, fi, case.dpi, seed))
    return tuple(out)


def audit_scan(name: str) -> tuple[object, bytes]:
    """The audit page ``name`` (``AUDIT_PAGES`` or ``more_audit_pages``), generated:
    (its seed form, the file's bytes)."""
    from dataclasses import replace

    from scangen import ScanSpec, make_scan, parse_seed
    from scangen.cases import RECORDED

    _, kind, fi, dpi, seed = next(p for p in (*AUDIT_PAGES, *more_audit_pages()) if p[0] == name)
    case = RECORDED[kind] if kind else None
    if case is None:
        spec = ScanSpec(seed=seed)
    elif case.scan is not None:
        spec = replace(case.scan, seed=seed)
    elif case.ruled and seed is not None:  # the clean kind, drawn: a light scan
        spec = ScanSpec(angle=0.0, stamp=False, blur=0.3, noise=2.0, seed=seed, jpeg_quality=90)
    else:
        spec = None
    form = parse_seed()[fi]
    return form, make_scan(form, dpi, spec, ruled=case.ruled if case else True)[1]


def audit(names: list[str] | None) -> list[dict]:
    """The real engine on the audit pages: fields right, wrong fields flagged, doubts, per page."""
    from selfeval.extract.ocr import Engines

    engines, rows = Engines(), []
    for label, pages in (("audit", AUDIT_PAGES), ("drawn", more_audit_pages())):
        rows += _audit_set(label, [p[0] for p in pages if not names or p[0] in names], engines)
    return rows


def _audit_set(label: str, names: list[str], engines) -> list[dict]:
    rows, sums = [], [0, 0, 0, 0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in names:
            form, data = audit_scan(name)
            total, right, caught, _, _, doubts = _read_against_text(folder, name, data, form, engines)
            for k, v in enumerate((total, right, caught, right >= 0.98 * total)):
                sums[k] += v
            rows.append({"case": name, "metric": f"{label}: fields right, wrong flagged, doubts",
                         "value": f"{right}/{total}, {caught}/{total - right}, {doubts}"})
    if rows:
        total, right, caught, good = sums
        rows.append({"case": f"{len(rows)} pages", "metric": f"{label}: fields right, wrong flagged, pages >= 98%",
                     "value": f"{right}/{total} = {right / total:.4f}, {caught}/{total - right}, {good}/{len(rows)}"})
    return rows


def _read_against_text(folder: Path, name: str, data: bytes, form, engines) -> tuple[int, int, int, int, int, int]:
    """A scan read by the pipeline with ``engines`` and compared with its form as text:
    (fields, right, wrong flagged, flagged lines, flagged lines holding a wrong field,
    doubts on the page), see :func:`_compare`."""
    from selfeval import pipeline
    from selfeval.extract.readers import InputFile
    from selfeval.settings import Settings

    page, txt = _write_pair(folder, name, data, form)
    scan_t = _tables([pipeline.read_file(InputFile(page, page.name), Settings(), engines=engines).result])
    doubts = int(scan_t["findings"]["code"].isin(FLAGS).sum())
    return (*_compare(scan_t, _text_tables(txt)), doubts)


def _write_pair(folder: Path, name: str, data: bytes, form) -> tuple[Path, Path]:
    """A scan's bytes and its seed form as text, written side by side in ``folder``."""
    from scangen import canonical_text, form_layout

    page, txt = folder / f"{name}.img", folder / f"{name}.txt"
    page.write_bytes(data)
    txt.write_text(canonical_text(form_layout(form)), encoding="utf-8")
    return page, txt


def _text_tables(txt: Path) -> dict:
    """The tables of the form as text: what the scan's are compared with."""
    from selfeval import pipeline
    from selfeval.extract.readers import InputFile
    from selfeval.settings import Settings

    return _tables([pipeline.process_file(InputFile(txt, txt.name), Settings())])


def _tables(results) -> dict:
    from selfeval.pipeline import BatchResult

    return {k: v.to_pandas() for k, v in BatchResult(list(results)).tables.items()}


def main(kinds: list[str] | None = None, repeats: int = 1, engine: bool = True, replay: bool = True,
         workers: bool = False, black_seal: bool = False, audit_pages: bool = False) -> list[dict]:
    if audit_pages:
        rows = audit(kinds)
    elif black_seal:
        rows = black_seal_pages()
    elif workers:
        rows = spread(kinds, repeats)
    else:
        rows = calibration() + replayed_kinds(kinds) if replay else []
        if engine:
            rows += per_kind(kinds, repeats)
    for r in rows:
        print(f"{r['case']:>34}  {r['metric']:<52} {r['value']}")
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_ocr")
    parser.add_argument("--kinds", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--no-engine", action="store_true", help="only what the recordings give (calibration, replayed kinds)")
    parser.add_argument("--no-replay", action="store_true", help="only the real engine's figures")
    parser.add_argument("--workers", action="store_true",
                        help="only the --workers speedup on one TIFF of a page of every kind (real engine)")
    parser.add_argument("--black-seal", action="store_true",
                        help="only the 1-bit black-seal pages beyond the recorded one, and the bounds of removing"
                             " the seal (real engine)")
    parser.add_argument("--audit", action="store_true",
                        help="only the generalisation audit: each kind's defect on other forms and seeds"
                             " (AUDIT_PAGES; --kinds names pages), real engine")
    args = parser.parse_args()
    main([k for k in args.kinds.split(",") if k] or None, args.repeats, not args.no_engine, not args.no_replay,
         args.workers, args.black_seal, args.audit)
