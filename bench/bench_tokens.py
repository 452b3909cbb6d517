"""The token reader's cost: each shape of fixtures/tokens against the raw split.

For every file of ``fixtures/tokens`` (the seed's 27 forms with their cell
boundaries lost) and, for comparison, the tab-separated seed, measured in one
run on the same bytes:

raw       read the bytes, decode, split lines on ``\\n`` and words on whitespace;
pipeline  ``process_file`` on the file with every selfeval memo cleared first
          (cold caches), then the four tables.

Reported: milliseconds per form for both, their ratio, and the share of the
pipeline spent re-segmenting (``normalize.tokens.regrid_document``).  Times are
the best of a few repeats (``time.perf_counter``).  Also the text path's
distinct-values, cold-caches case of ``bench_text`` (the tab-separated seed,
ten copies with every value changed), so a change to the token reader's hook
can be checked against the plain text path.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.bench_text import SEED, best_of, clear_caches, distinct_values, pipeline

ROOT = Path(__file__).resolve().parent.parent
TOKENS = ROOT / "fixtures" / "tokens"
FORMS = 27


def raw_words(path: Path) -> int:
    text = path.read_bytes().decode("utf-8")
    return sum(len(line.split()) for line in text.split("\n"))


def _regrid_seconds(path: Path) -> float:
    """Time inside the token reader for one cold reading of ``path``."""
    from selfeval.normalize import tokens

    spent = [0.0]
    original = tokens.regrid_document

    def timed(doc, settings):
        t0 = time.perf_counter()
        try:
            return original(doc, settings)
        finally:
            spent[0] += time.perf_counter() - t0

    import selfeval.pipeline as pipeline_module

    pipeline_module.regrid_document = timed
    try:
        clear_caches()
        pipeline([path])
    finally:
        pipeline_module.regrid_document = original
    return spent[0]


def main() -> list[tuple[str, str, str]]:
    pipeline([SEED])  # imports and first-use set-up, not measured
    summary: list[tuple[str, str, str]] = []
    rows = []
    for path in [SEED, *sorted(TOKENS.glob("*.txt"))]:
        t_raw = best_of(lambda path=path: raw_words(path), 5)
        t_pipe = best_of(lambda path=path: (clear_caches(), pipeline([path])), 3)
        t_regrid = min(_regrid_seconds(path) for _ in range(3))
        rows.append((path.name, t_raw, t_pipe, t_regrid))
        print(f"  {path.name}: raw {t_raw / FORMS * 1000:.3f} ms/form, pipeline {t_pipe / FORMS * 1000:.2f} ms/form "
              f"(token reader {t_regrid / FORMS * 1000:.2f}), pipeline/raw 1/{t_pipe / t_raw:,.0f}", flush=True)
        summary.append((path.name, "ms/form raw, pipeline, token reader; pipeline/raw",
                        f"{t_raw / FORMS * 1000:.3f} {t_pipe / FORMS * 1000:.2f} {t_regrid / FORMS * 1000:.2f} "
                        f"1/{t_pipe / t_raw:,.0f}"))
    with tempfile.TemporaryDirectory(prefix="selfeval-bench-") as tmp:
        distinct = Path(tmp) / "x10-distinct.txt"
        text = SEED.read_text(encoding="utf-8")
        distinct.write_text("".join(distinct_values(text, k) for k in range(10)), encoding="utf-8")
        t = best_of(lambda: (clear_caches(), pipeline([distinct])), 5)
        print(f"  10x distinct values, cold caches (tab-separated): {t * 1000:.0f} ms, {t / (10 * FORMS) * 1000:.2f} ms/form")
        summary.append(("10x distinct, cold", "pipeline ms", f"{t * 1000:.0f}"))
    return summary


if __name__ == "__main__":
    for row in main():
        print(*row, sep="  ")
