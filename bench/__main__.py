"""Run every benchmark module present and print one summary table.

Usage: ``python -m bench [NAME ...]`` (names like ``text``, ``pdf``, ``ocr``;
default: all).  A module whose own dependencies are not importable is skipped
with the reason printed; a module that fails is reported and the others run.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
import traceback
from pathlib import Path

MODULES = ("bench_text", "bench_tokens", "bench_pdf", "bench_ocr", "bench_web", "bench_formats", "bench_memory",
           "bench_report", "bench_faults")


def _present(name: str) -> bool:
    return (Path(__file__).parent / f"{name}.py").is_file()


def _rows(name: str, returned) -> list[tuple[str, str, str, str]]:
    """Summary rows (module, case, metric, value) from whatever main() returned."""
    if not returned:
        return [(name, "-", "status", "ran (no summary rows returned)")]
    rows = []
    for item in returned:
        if isinstance(item, dict):
            rows.append((name, str(item.get("case", "-")), str(item.get("metric", "-")), str(item.get("value", ""))))
        elif isinstance(item, (list, tuple)):
            cells = [str(c) for c in item] + ["", "", ""]
            rows.append((name, cells[0], cells[1], " ".join(cells[2:]).strip()))
        else:
            rows.append((name, "-", "-", str(item)))
    return rows


def _print_table(rows: list[tuple[str, str, str, str]]) -> None:
    head = ("module", "case", "metric", "value")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print(line)
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print(line)


def main(argv: list[str]) -> int:
    wanted = [a if a.startswith("bench_") else f"bench_{a}" for a in argv] or list(MODULES)
    summary: list[tuple[str, str, str, str]] = []
    failed = False
    started = time.perf_counter()
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    for name in wanted:
        short = name.removeprefix("bench_")
        if not _present(name):
            print(f"\n== {short}: skipped (bench/{name}.py is not present)")
            summary.append((short, "-", "status", "skipped: module not present"))
            continue
        try:
            module = importlib.import_module(f"bench.{name}")
        except ImportError as exc:
            print(f"\n== {short}: skipped (a dependency is not importable: {exc})")
            summary.append((short, "-", "status", f"skipped: {exc}"))
            continue
        entry = getattr(module, "main", None)
        if not callable(entry):
            print(f"\n== {short}: skipped (bench/{name}.py has no main())")
            summary.append((short, "-", "status", "skipped: no main()"))
            continue
        print(f"\n== {short}")
        t0 = time.perf_counter()
        try:
            returned = entry()
        except ImportError as exc:
            print(f"== {short}: skipped (a dependency is not importable: {exc})")
            summary.append((short, "-", "status", f"skipped: {exc}"))
            continue
        except Exception:
            traceback.print_exc()
            summary.append((short, "-", "status", "FAILED (traceback above)"))
            failed = True
            continue
        summary += _rows(short, returned)
        summary.append((short, "-", "bench wall time", f"{time.perf_counter() - t0:.1f} s"))
    print(f"\n== summary (total {time.perf_counter() - started:.1f} s; "
          f"load average now {', '.join(f'{x:.2f}' for x in os.getloadavg())})")
    _print_table(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
