"""Worker processes that may die without taking the batch with them.

:class:`WorkerPool` runs tasks (``submit(fn, *args)`` → a future) in ``n``
worker processes, one task per worker at a time, so the pool always knows
which task a worker holds.  A worker that dies (the kernel's out-of-memory
killer, a native crash in a PDF or image library, a ``kill``) fails only
its own task, with :class:`WorkerDied` giving the reason; a new worker takes
its place and the other tasks go on.

Each worker is limited in memory when ``max_memory_mb`` is given: its
address space (``RLIMIT_AS``) is capped at what it holds when it starts
(the interpreter and the readers, about 0.4-0.7 GB of address space) plus
``max_memory_mb``.  An allocation past the cap fails inside the worker
(``MemoryError``, reported for that file), or the worker dies (reported as
above); the machine is never driven out of memory.  Workers die with the
process that started them (``PR_SET_PDEATHSIG`` on Linux; elsewhere they
stop when they next look for work).

The pool has no thread of its own: waiting on a future's ``result()``
drives it (sends queued tasks to idle workers, takes results, replaces dead
workers), so forking a worker never races another thread of this process.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import multiprocessing
import os
import signal
import sys
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Any

from selfeval.extract.ocr import Engines
from selfeval.findings import describe

PRELOAD = (  # imported by each worker before its memory is capped, so the cap is for reading
    "selfeval.pipeline",
    "selfeval.extract.text",
    "selfeval.extract.pdf",
    "selfeval.extract.xlsx",
    "selfeval.extract.xls",
    "selfeval.extract.docx",
    "selfeval.extract.image",
)
PR_SET_PDEATHSIG = 1


class WorkerDied(Exception):
    """The worker process running a task ended before giving its result."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Task:
    """A submitted call: a minimal future (``result()``, ``done()``, ``cancel()``)."""

    def __init__(self, pool: WorkerPool, fn, args: tuple) -> None:
        self.pool, self.fn, self.args = pool, fn, args
        self._done = False
        self._cancelled = False
        self._value: Any = None
        self._error: BaseException | None = None

    def done(self) -> bool:
        return self._done

    def cancel(self) -> bool:
        """Withdraw a task not yet started; False when it is running or done."""
        return self.pool._withdraw(self)

    def result(self) -> Any:
        while not self._done:
            self.pool._pump(block=True)
        if self._cancelled:
            raise RuntimeError("the task was cancelled")
        if self._error is not None:
            raise self._error
        return self._value

    def _finish(self, value: Any = None, error: BaseException | None = None) -> None:
        self._value, self._error, self._done = value, error, True
        self.fn = self.args = None  # the arguments (a file's bytes, say) are not kept past the task


class _Worker:
    def __init__(self, context, max_memory_mb: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, max_memory_mb, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.task: Task | None = None

    def death(self) -> str:
        """Why the worker ended (it has ended)."""
        self.process.join(5)
        code = self.process.exitcode
        if code is None:
            return "the worker stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            hint = " (out of memory, or killed)" if -code == signal.SIGKILL else ""
            return f"the worker process reading it was killed by {name}{hint}"
        return f"the worker process reading it exited with status {code}"

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.conn.close()
        self.process.join(1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1)


class WorkerPool:
    """``workers`` processes, each with ``max_memory_mb`` (0: no cap) of
    address space beyond its start; use as a context manager."""

    def __init__(self, workers: int, max_memory_mb: int = 0) -> None:
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.max_memory_mb = max_memory_mb
        self._queue: deque[Task] = deque()
        self._workers = [_Worker(self._context, max_memory_mb) for _ in range(workers)]
        self.deaths = 0  # workers replaced after dying

    # -- the Executor face ------------------------------------------------------
    def submit(self, fn, *args) -> Task:
        task = Task(self, fn, args)
        self._queue.append(task)
        self._pump(block=False)
        return task

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        for task in self._queue:
            task._cancelled = True
            task._finish()
        self._queue.clear()
        for worker in self._workers:
            worker.stop()
        self._workers = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    # -- driving it ---------------------------------------------------------------
    def _withdraw(self, task: Task) -> bool:
        if task in self._queue:
            self._queue.remove(task)
            task._cancelled = True
            task._finish()
            return True
        return False

    def _pump(self, block: bool) -> None:
        """Start queued tasks on idle workers; take what finished (waiting for
        something to finish when ``block``); replace the workers that died."""
        self._dispatch()
        busy = [w for w in self._workers if w.task is not None]
        if not busy:
            return
        ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], None if block else 0)
        for worker in busy:
            if worker.conn in ready or worker.process.sentinel in ready:
                self._collect(worker)
        self._dispatch()

    def _dispatch(self) -> None:
        for worker in self._workers:
            if worker.task is None and self._queue:
                task = self._queue.popleft()
                try:
                    worker.conn.send((task.fn, task.args))
                except (OSError, EOFError):  # it died while idle: replace it, then try again
                    self._queue.appendleft(task)
                    self._replace(worker)
                    continue
                except Exception as exc:  # noqa: BLE001 - the task's arguments do not pickle: its own error
                    task._finish(error=exc)
                    continue
                worker.task = task

    def _collect(self, worker: _Worker) -> None:
        task = worker.task
        assert task is not None
        try:
            if worker.conn.poll():
                status, value = worker.conn.recv()
                worker.task = None
                if status == "ok":
                    task._finish(value)
                else:
                    task._finish(error=value)
                return
        except (EOFError, OSError):
            pass  # its end of the pipe closed: it died
        worker.task = None
        task._finish(error=WorkerDied(worker.death()))
        self._replace(worker)

    def _replace(self, worker: _Worker) -> None:
        self.deaths += 1
        with contextlib.suppress(OSError):
            worker.conn.close()
        self._workers[self._workers.index(worker)] = _Worker(self._context, self.max_memory_mb)


# -- inside a worker ----------------------------------------------------------------
def _worker_main(conn: Connection, max_memory_mb: int, parent: int) -> None:
    _die_with_parent(parent)
    for name in PRELOAD:
        with contextlib.suppress(ImportError):  # an optional reader that is not installed
            importlib.import_module(name)
    if max_memory_mb:
        _cap_memory(max_memory_mb)
    engines = Engines()  # this process's OCR engines, built on first use, handed to each task that reads
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None or os.getppid() != parent:
            return
        fn, args = message
        try:
            own = {"engines": engines} if getattr(fn, "takes_engines", False) else {}
            reply = ("ok", fn(*args, **own))
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's future, which raises it
            reply = ("error", exc)
        del message, fn, args
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # noqa: BLE001 - a result or error that does not pickle
            conn.send(("error", RuntimeError(f"the worker's result cannot be sent back ({describe(exc)})")))
        del reply


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the signal was asked for
        os._exit(0)


def _cap_memory(max_memory_mb: int) -> None:
    import resource

    start = _address_space()
    limit = start + max_memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:  # a stricter limit set from outside (ulimit -v) stays the limit
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard if hard != resource.RLIM_INFINITY else limit))


def _address_space() -> int:
    """This process's address space in bytes (VmSize)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
