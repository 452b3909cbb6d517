"""Peak memory of a batch against its size: does memory stay bounded by a
form, or grow with the largest file or the number of files?

Each case runs ``selfeval extract``'s path (``run()`` with the streaming
``TableWriter``) in a fresh child process, under ``ulimit -v`` (4 GB) so a
regression cannot take the machine down, and reports the child's peak
resident memory (``VmHWM``) and the ratio of the large case to the small one:

one file    the seed's 27 forms repeated 10x and 1,000x (270 and 27,000 forms);
one PDF     the seed's forms rendered one per page: 10 pages and 1,000 pages
            (tests/fixturegen, made once in the temporary folder);
many files  100 and 10,000 files, each holding the seed's first form;
workers     the 1,000x file with ``--max-memory-mb``, read in a worker (the
            worker's peak, from ``RUSAGE_CHILDREN``).

Target (issue 16): the large case within 1.2x of the small one.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"
TARGET = 1.2
LIMIT_BYTES = 4 * 1024**3  # the child's address space: a runaway case fails instead of swapping

_CHILD = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
from selfeval.output.stream import TableWriter
from selfeval.pipeline import run
from selfeval.settings import Settings

def hwm_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

settings = Settings(max_memory_mb=int(sys.argv[2])) if int(sys.argv[2]) else Settings()
t0 = time.perf_counter()
with tempfile.TemporaryDirectory() as out, TableWriter(Path(out), ("csv", "parquet")) as writer:
    run([Path(sys.argv[1])], settings, sink=writer)
print(json.dumps({"peak_kib": hwm_kib(), "children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "seconds": time.perf_counter() - t0, "forms": writer.counts["forms"]}))
"""


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def peak(path: Path, max_memory_mb: int = 0) -> dict:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(max_memory_mb)], capture_output=True,
                          text=True, cwd=ROOT, preexec_fn=_limit, timeout=3600)
    if done.returncode != 0:
        return {"peak_kib": 0, "children_kib": 0, "seconds": 0, "forms": 0, "error": done.stderr.strip()[-300:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def one_file(folder: Path, copies: int) -> Path:
    path = folder / f"seed-x{copies}.txt"
    path.write_text("\n".join([SEED.read_text(encoding="utf-8")] * copies), encoding="utf-8")
    return path


def many_files(folder: Path, files: int) -> Path:
    first = "\n".join(SEED.read_text(encoding="utf-8").split("\n")[:31])
    target = folder / f"files-{files}"
    target.mkdir()
    for k in range(files):
        (target / f"form-{k:05d}.txt").write_text(first, encoding="utf-8")
    return target


def one_pdf(folder: Path, pages: int) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from fixturegen.pdf import render_pdf
    from fixturegen.seed import load_seed

    forms = load_seed()
    copies = -(-pages // len(forms))
    return render_pdf((forms * copies)[:pages], folder / f"seed-{pages}-pages.pdf")


def main() -> list[tuple[str, str, str]]:
    summary = []
    with tempfile.TemporaryDirectory(prefix="selfeval-bench-memory-") as tmp:
        work = Path(tmp)
        cases = [
            ("one file", one_file(work, 10), one_file(work, 1000), 0),
            ("one PDF, 10 vs 1,000 pages", one_pdf(work, 10), one_pdf(work, 1000), 0),
            ("many files", many_files(work, 100), many_files(work, 10_000), 0),
            ("one file, in a worker (--max-memory-mb 3000)", one_file(work, 10), one_file(work, 1000), 3000),
        ]
        print("case                                        small          large          large/small")
        for name, small, large, mb in cases:
            a, b = peak(small, mb), peak(large, mb)
            key = "children_kib" if mb else "peak_kib"
            for r in (a, b):
                if "error" in r:
                    print(f"  {name}: failed: {r['error']}")
            ratio = b[key] / a[key] if a[key] else float("nan")
            print(f"{name:<44}{a[key] / 1024:8.0f} MB    {b[key] / 1024:8.0f} MB    {ratio:6.2f}x"
                  f"   ({a['forms']} / {b['forms']} forms, {a['seconds']:.1f} / {b['seconds']:.1f} s)", flush=True)
            verdict = "met" if ratio <= TARGET else "MISSED"
            summary.append((name, "peak RSS large/small", f"{ratio:.2f}x ({a[key] / 1024:.0f} -> {b[key] / 1024:.0f} MB), "
                            f"target {TARGET}x {verdict}"))
    return summary


if __name__ == "__main__":
    main()
