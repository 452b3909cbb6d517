"""Worker processes that die: a killed worker, a worker over its memory
limit and a native crash each cost only their own file, which is reported
as unreadable_input with the reason; the batch goes on with a new worker,
and its tables hold every other file.  Every case runs under a watchdog
(pytest's timeout in a child process) so a regression cannot hang CI."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from selfeval.extract.readers import InputFile
from selfeval.pipeline import read_file, run
from selfeval.settings import Settings
from selfeval.workers import WorkerDied, WorkerPool

SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt").resolve()
WATCHDOG_S = 240


def seeds(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        (folder / f"seed-{k}.txt").write_bytes(SEED.read_bytes())
    return folder


def _sleep_then_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _allocate(mb: int) -> int:
    block = bytearray(mb * 1024 * 1024)
    return len(block)


def test_a_dead_worker_fails_only_its_own_task():
    with WorkerPool(2) as pool:
        crash = pool.submit(_crash)
        others = [pool.submit(_sleep_then_pid, 0.01) for _ in range(6)]
        with pytest.raises(WorkerDied, match="SIGSEGV"):
            crash.result()
        pids = {t.result() for t in others}
        assert len(pids) >= 1 and pool.deaths == 1
        assert pool.submit(_sleep_then_pid, 0).result() > 0  # the pool still works


def test_a_worker_over_its_memory_limit_fails_that_task_only():
    with WorkerPool(1, max_memory_mb=200) as pool:
        with pytest.raises(MemoryError):
            pool.submit(_allocate, 2048).result()
        assert pool.submit(_allocate, 50).result() == 50 * 1024 * 1024


CHILD = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    import selfeval.pipeline as pipeline
    from selfeval.output.stream import TableWriter
    from selfeval.settings import Settings

    mode, folder, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    real = pipeline.read_source

    def read_source(source, ctx, **how):
        if source.doc_id == "victim.txt":
            if mode == "kill":
                os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does
            if mode == "memory":
                hog = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB, far over the limit
        return real(source, ctx, **how)

    pipeline.read_source = read_source
    settings = Settings(workers=2, max_memory_mb=300 if mode == "memory" else 0)
    with TableWriter(out, ("csv",)) as writer:
        batch = pipeline.run([folder], settings, sink=writer)
    import json
    (out / "manifest.json").write_text(json.dumps(batch.manifest()))
    import resource
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
""")


@pytest.mark.parametrize("mode", ["kill", "memory"])
def test_the_batch_goes_on_past_a_dying_worker(tmp_path, mode):
    folder = seeds(tmp_path / "in", 4)
    (folder / "victim.txt").write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(folder), str(out)], capture_output=True,
                          text=True, timeout=WATCHDOG_S)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    with open(out / "forms.csv", encoding="utf-8") as fh:
        forms = list(csv.DictReader(fh))
    assert sorted({f["doc_id"] for f in forms}) == [f"seed-{k}.txt" for k in range(4)] and len(forms) == 4 * 27
    with open(out / "findings.csv", encoding="utf-8") as fh:
        [victim] = [f for f in csv.DictReader(fh) if f["doc_id"] == "victim.txt"]
    if mode == "kill":
        assert victim["code"] == "unreadable_input" and "killed by SIGKILL" in victim["message"]
    else:
        assert victim["code"] == "limit_exceeded" and "300 MB memory limit" in victim["message"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["totals"]["failed_inputs"] == 1
    peak_mb = int(done.stdout.split()[-1])
    assert peak_mb < 1500, f"a worker reached {peak_mb} MB resident"


def test_workers_end_with_the_main_process(tmp_path):
    """The main process killed (-9) mid-batch: its workers do not stay behind."""
    folder = seeds(tmp_path / "in", 2)
    (folder / "slow.txt").write_bytes(SEED.read_bytes())
    script = textwrap.dedent("""
        import os, sys, time
        from pathlib import Path
        import selfeval.pipeline as pipeline
        from selfeval.settings import Settings
        real = pipeline.read_source

        def read_source(source, ctx, **how):
            print(os.getpid(), flush=True)
            time.sleep(600)

        pipeline.read_source = read_source
        pipeline.run([Path(sys.argv[1])], Settings(workers=2))
    """)
    main = subprocess.Popen([sys.executable, "-c", script, str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        workers: set[int] = set()
        for line in main.stdout:  # each worker prints its pid as it starts reading
            if line.strip():
                workers.add(int(line))
            if len(workers) == 2:
                break
    finally:
        main.kill()
        main.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_same_tables_with_or_without_workers(tmp_path):
    folder = seeds(tmp_path / "in", 3)
    plain = run([folder]).tables
    isolated = run([folder], Settings(max_memory_mb=1024)).tables
    pooled = run([folder], Settings(workers=2)).tables
    assert all(plain[t].equals(isolated[t]) and plain[t].equals(pooled[t]) for t in plain)


def test_read_file_keeps_reading_in_its_own_process():
    outcome = read_file(InputFile(SEED, SEED.name), Settings())
    assert len(outcome.result.forms) == 27 and outcome.key is None and not outcome.cached
