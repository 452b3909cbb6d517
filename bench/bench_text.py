"""Text path throughput against the floor: raw read-and-split, pandas, pipeline.

On one synthetic batch (the 27 seed forms repeated 1x, 10x, 100x, as one file
and as that many files of 27 forms each), measured in one run on the same
bytes:

raw       read the bytes, decode, split lines on ``\\n`` and cells on ``\\t``;
pandas    ``pandas.read_csv(sep="\\t", engine="c", header=None,
          quoting=csv.QUOTE_NONE, on_bad_lines="skip")`` (it skips rows wider
          than the first, so it does less than the pipeline, not more);
pipeline  ``process_file`` on each file, then building the four tables.

Times are the best of a few repeats (``time.perf_counter``) in this process,
so the pipeline's lookup caches are warm; the peak-RSS runs, each in a fresh
subprocess, also give cold (first run) times.  Also: ``run(workers=2)`` vs
``workers=1`` on a folder of 24 files, and a cProfile of the 10x file.

Target: pipeline throughput >= 1/20 of the raw read-and-split.
"""

from __future__ import annotations

import cProfile
import csv
import gc
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"
SEED_FORMS = 27
SCALES = (1, 10, 100)
TARGET_RATIO = 1 / 20
RSS_TARGET = 1.2  # peak RSS of the 100x batch (many files) / that of the 1x batch, streaming
WORKER_FILES = 24  # files in the workers=1 vs workers=2 folder
WORKER_COPIES = 2  # seed copies per file there (54 forms, ~84 kB each)


def _repeats(scale: int) -> int:
    return 5 if scale == 1 else 3 if scale == 10 else 2


def best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()  # start each repeat without the previous one's garbage
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


# -- the three readers ----------------------------------------------------------
def raw_split(paths: list[Path]) -> int:
    cells = 0
    for path in paths:
        text = path.read_bytes().decode("utf-8")
        rows = [line.split("\t") for line in text.split("\n")]
        cells += len(rows)
    return cells


def pandas_read(paths: list[Path]) -> int:
    import pandas as pd

    n = 0
    for path in paths:
        frame = pd.read_csv(path, sep="\t", engine="c", header=None, quoting=csv.QUOTE_NONE, on_bad_lines="skip")
        n += len(frame)
    return n


def pipeline(paths: list[Path]):
    from selfeval.extract.readers import InputFile
    from selfeval.pipeline import BatchResult, build_tables, process_file
    from selfeval.settings import Settings

    settings = Settings()
    results = [process_file(InputFile(p, p.name), settings) for p in paths]
    return results, build_tables(BatchResult(results))


def clear_caches() -> None:
    """Forget every memo of selfeval (row readings, parsed values, label
    matches), so a timing starts as a new batch would."""
    import sys

    for name, module in list(sys.modules.items()):
        if name.startswith("selfeval") and module is not None:
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def distinct_values(text: str, k: int) -> str:
    """The seed with every small number raised by k: value rows differ between copies."""
    import re

    return re.sub(r"(?<![序号：:])\b(\d{1,3})(?=\.\d+|[^\d.]|$)", lambda m: str(int(m.group(1)) + k), text)


# -- the synthetic batch --------------------------------------------------------
def make_batch(work: Path) -> dict[tuple[int, str], list[Path]]:
    """(scale, "one file" | "many files") -> the files of that batch."""
    seed = SEED.read_bytes()
    if not seed.endswith(b"\n"):
        seed += b"\n"
    batches: dict[tuple[int, str], list[Path]] = {}
    for scale in SCALES:
        one = work / f"x{scale}.txt"
        one.write_bytes(seed * scale)
        batches[(scale, "one file")] = [one]
        folder = work / f"x{scale}-files"
        folder.mkdir()
        for i in range(scale):
            (folder / f"form-{i:03d}.txt").write_bytes(seed)
        batches[(scale, "many files")] = sorted(folder.iterdir())
    text = seed.decode("utf-8")
    distinct = work / "x10-distinct.txt"
    distinct.write_text("".join(distinct_values(text, k) for k in range(10)), encoding="utf-8")
    batches[(10, "one file, distinct values, cold caches")] = [distinct]
    folder = work / "workers"
    folder.mkdir()
    for i in range(WORKER_FILES):
        (folder / f"batch-{i:02d}.txt").write_bytes(seed * WORKER_COPIES)
    return batches


# -- peak RSS in a fresh process --------------------------------------------------
_CHILD = r"""
import json, resource, sys, tempfile, time
from pathlib import Path

def hwm_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

from selfeval.output.stream import TableWriter
from selfeval.pipeline import run, build_tables
base = hwm_kib()
t0 = time.perf_counter()
if sys.argv[2] == "stream":  # what `selfeval extract` does: rows written as each file is done
    with tempfile.TemporaryDirectory() as out, TableWriter(Path(out)) as writer:
        batch = run([Path(sys.argv[1])], sink=writer)
    forms, indicators = writer.counts["forms"], writer.counts["indicators"]
else:  # every result kept, then the tables built in memory (run(...).tables)
    batch = run([Path(sys.argv[1])])
    tables = build_tables(batch)
    forms, indicators = tables["forms"].num_rows, tables["indicators"].num_rows
seconds = time.perf_counter() - t0
print(json.dumps({"base_kib": base, "peak_kib": hwm_kib(), "seconds": seconds,
                  "forms": forms, "indicators": indicators}))
"""


def peak_rss(path: Path, mode: str = "stream") -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path), mode], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- reporting ----------------------------------------------------------------------
def _table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(head, widths, strict=True)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
              for r in rows]
    return "\n".join(lines)


def machine() -> str:
    model = "?"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        ram = f"{int(mem) / 1024 / 1024:.1f} GiB"
    except OSError:
        ram = "?"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPUs ({model}), {ram} RAM, Python {sys.version.split()[0]}, "
            f"load average {load}, {time.strftime('%Y-%m-%d %H:%M %Z')}")


def main() -> list[tuple[str, str, str]]:
    print(machine())
    summary: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="selfeval-bench-") as tmp:
        work = Path(tmp)
        batches = make_batch(work)
        pipeline([SEED])  # imports and first-use set-up, not measured

        rows = []
        ratios = {}
        for (scale, shape), paths in batches.items():
            size = sum(p.stat().st_size for p in paths)
            lines = sum(p.read_bytes().count(b"\n") for p in paths)
            forms = SEED_FORMS * scale
            reps = _repeats(scale)
            t_raw = best_of(lambda paths=paths: raw_split(paths), max(reps, 5))
            t_pd = best_of(lambda paths=paths: pandas_read(paths), reps)
            results, _ = pipeline(paths)
            assert sum(len(r.forms) for r in results) == forms, "the pipeline lost forms"
            del results
            if "cold" in shape:  # every repetition starts from empty memos
                t_pipe = best_of(lambda paths=paths: (clear_caches(), pipeline(paths)), reps)
            else:
                t_pipe = best_of(lambda paths=paths: pipeline(paths), reps)
            ratios[(scale, shape)] = (t_raw / t_pipe, t_pd / t_pipe)
            for name, t in (("raw split", t_raw), ("pandas", t_pd), ("pipeline", t_pipe)):
                rows.append([f"{scale}x {shape}", name, f"{size / 1e6:.2f}", f"{t * 1000:.1f}",
                             f"{size / 1e6 / t:.2f}", f"{lines / t:,.0f}", f"{forms / t:,.0f}"])
            print(f"  {scale}x {shape}: raw {t_raw * 1000:.2f} ms, pandas {t_pd * 1000:.2f} ms, "
                  f"pipeline {t_pipe * 1000:.1f} ms", flush=True)
        kept = pandas_read([SEED])
        total = sum(1 for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip())
        print(f"\nnote: pandas keeps {kept} of the seed's {total} non-blank lines: with header=None and "
              "on_bad_lines='skip' every row wider than the first line (a one-cell title) is dropped, "
              "so its figures are a lower bound on what parsing every cell costs")
        summary.append(("seed", "pandas rows kept", f"{kept} of {total} non-blank lines"))
        print("\nThroughput (best of repeats, warm caches)")
        print(_table(["batch", "reader", "MB", "ms", "MB/s", "lines/s", "forms/s"], rows))
        print("\nRatios (throughput pipeline / reader; target pipeline/raw >= 1/20 = 0.050)")
        ratio_rows = []
        for (scale, shape), (r_raw, r_pd) in ratios.items():
            ratio_rows.append([f"{scale}x {shape}", f"{r_raw:.4f} (1/{1 / r_raw:,.0f})",
                               f"{r_pd:.4f} (1/{1 / r_pd:,.0f})", "met" if r_raw >= TARGET_RATIO else "MISSED"])
            summary.append((f"{scale}x {shape}", "pipeline/raw", f"1/{1 / r_raw:,.0f}"
                            + ("" if r_raw >= TARGET_RATIO else " (target 1/20 missed)")))
            summary.append((f"{scale}x {shape}", "pipeline/pandas", f"1/{1 / r_pd:,.0f}"))
        print(_table(["batch", "pipeline/raw", "pipeline/pandas", "1/20 target"], ratio_rows))

        print("\nPeak RSS, each batch in a fresh process (cold caches): stream = run() with a TableWriter, "
              "as `selfeval extract` does; memory = run() then build_tables, every result kept")
        rss_rows = []
        peaks: dict[tuple[int, str, str], float] = {}
        for scale in SCALES:
            for shape, target in (("one file", batches[(scale, "one file")][0]),
                                  ("many files", batches[(scale, "many files")][0].parent)):
                for mode in ("stream", "memory"):
                    r = peak_rss(target, mode)
                    assert r["forms"] == SEED_FORMS * scale
                    peak, base = r["peak_kib"] / 1024, r["base_kib"] / 1024
                    peaks[(scale, shape, mode)] = peak
                    rss_rows.append([f"{scale}x {shape}", mode, f"{peak:.0f}", f"{base:.0f}", f"{peak - base:.0f}",
                                     f"{r['seconds']:.2f}", f"{r['forms'] / r['seconds']:,.0f}"])
                    summary.append((f"{scale}x {shape}", f"peak RSS ({mode})", f"{peak:.0f} MiB (+{peak - base:.0f} over imports)"))
                    print(f"  {scale}x {shape} {mode}: {peak:.0f} MiB", flush=True)
        print(_table(["batch", "mode", "peak MiB", "after imports MiB", "growth MiB", "cold s", "cold forms/s"], rss_rows))
        for scale in SCALES[1:]:
            for mode in ("stream", "memory"):
                ratio = peaks[(scale, "many files", mode)] / peaks[(1, "many files", "stream")]
                verdict = "" if mode == "memory" else (" (target <= 1.2 met)" if ratio <= RSS_TARGET else " (target 1.2 MISSED)")
                print(f"peak RSS {scale}x many files ({mode}) / 1x (stream): {ratio:.2f}{verdict}")
                summary.append((f"{scale}x many files", f"peak RSS {mode} / 1x", f"{ratio:.2f}{verdict}"))

        from selfeval.pipeline import run
        from selfeval.settings import Settings

        folder = work / "workers"
        one = run([folder], Settings(workers=1))
        two = run([folder], Settings(workers=2))
        assert [f.manifest_entry()["sha256"] for f in one.files] == [f.manifest_entry()["sha256"] for f in two.files]
        assert sum(len(f.forms) for f in two.files) == WORKER_FILES * WORKER_COPIES * SEED_FORMS
        t1 = best_of(lambda: run([folder], Settings(workers=1)), 2)
        t2 = best_of(lambda: run([folder], Settings(workers=2)), 2)
        print(f"\nrun() on {WORKER_FILES} files of {WORKER_COPIES * SEED_FORMS} forms: workers=1 {t1:.2f} s, "
              f"workers=2 {t2:.2f} s, speed-up {t1 / t2:.2f}x (load average {os.getloadavg()[0]:.2f})")
        summary.append((f"{WORKER_FILES} files", "run workers=2 vs 1", f"{t1 / t2:.2f}x ({t1:.2f} s -> {t2:.2f} s)"))

        profile = cProfile.Profile()
        ten = batches[(10, "one file")]
        profile.enable()
        pipeline(ten)
        profile.disable()
        buffer = io.StringIO()
        stats = pstats.Stats(profile, stream=buffer)
        stats.sort_stats("tottime").print_stats(15)
        stats.sort_stats("cumulative").print_stats(15)
        print("\ncProfile of the pipeline on the 10x file (warm caches)")
        print("\n".join(line for line in buffer.getvalue().splitlines() if line.strip()))
    summary.append(("machine", "", machine()))
    return summary


if __name__ == "__main__":
    for row in main():
        print(*row, sep="  ")
