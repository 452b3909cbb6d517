"""What a reader is handed besides the file: a :class:`ReadContext`.

A reader is ``read(source: Source, ctx: ReadContext) -> Document``.  The
context carries everything a reading may depend on besides the bytes, so no
reader keeps or reaches state of its own at module level:

``ctx.settings``  the run's :class:`~selfeval.settings.Settings` (a reader may
                  also ask the context for any setting directly:
                  ``ctx.max_pages`` is ``ctx.settings.max_pages``, so a reader
                  written as ``read(source, settings)`` keeps working);
``ctx.limits``    the per-file budgets (:class:`Limits`): bytes, characters in a
                  line, pages, decoded image pixels, seconds;
``ctx.deadline``  when the file's time is up (:class:`Deadline`); readers call
                  ``ctx.check()`` between pages, frames and forms;
``ctx.executor``  a pool lent to the reader for parts of one file (a long PDF's
                  page ranges), or None;
``ctx.pages``     who is told of each page read (``ctx.page_done``: the
                  progress bar), or None;
``ctx.engines``   the OCR engines (:class:`~selfeval.extract.ocr.Engines`),
                  built on first use and kept by the registry's owner (a run,
                  a worker process) for the next file.

The time budget is kept in one place, :func:`time_budget`: the deadline is
checked at those points everywhere, and on the main thread of a process with
``signal.setitimer`` a SIGALRM also interrupts a reading stuck inside one
call (a blocking ``open``, a slow library call).  Over the budget,
:class:`OverBudget` is raised (a BaseException, so that a reader's
``except Exception`` lets it pass) and the pipeline reports the file.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field, fields

from selfeval.extract.ocr import Engines
from selfeval.extract.progress import PageListener
from selfeval.settings import Settings


class OverBudget(BaseException):
    """The file's time budget is spent; raised by :meth:`Deadline.check` and by the alarm."""


@dataclass(frozen=True)
class Limits:
    """The per-file budgets a reader enforces, each from the setting of the same name.

    A new budget is a field here and a field of the same name in Settings."""

    max_file_bytes: int
    max_line_chars: int
    max_pages: int
    max_image_pixels: int
    file_time_budget_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class Deadline:
    """When one file's time is up (``time.monotonic()``; None: never).

    ``fired`` is set by the alarm: the exception a signal handler raises is
    lost when the signal lands in a garbage-collector callback or a
    ``__del__``, so :meth:`check` also looks at the flag."""

    at: float | None = None
    fired: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)

    def expired(self) -> bool:
        return self.fired.is_set() or (self.at is not None and time.monotonic() >= self.at)

    def check(self) -> None:
        if self.expired():
            raise OverBudget()

    def remaining(self) -> float | None:
        return None if self.at is None else max(self.at - time.monotonic(), 0.0)


NO_DEADLINE = Deadline()


@dataclass(frozen=True)
class ReadContext:
    settings: Settings
    limits: Limits
    deadline: Deadline = NO_DEADLINE
    executor: Executor | None = None
    pages: PageListener | None = None  # told of each page read (the progress bar), or None
    engines: Engines = field(default_factory=Engines, compare=False)  # OCR engines, built on first use

    @classmethod
    def of(cls, settings: Settings, deadline: Deadline = NO_DEADLINE, executor: Executor | None = None,
           pages: PageListener | None = None, engines: Engines | None = None) -> ReadContext:
        """A context for ``settings``; without ``engines``, a registry of its
        own (an OCR engine is then built for this context alone)."""
        return cls(settings, Limits.from_settings(settings), deadline, executor, pages,
                   Engines() if engines is None else engines)

    def check(self) -> None:
        """Raise :class:`OverBudget` when the file's time is up."""
        self.deadline.check()

    def page_done(self, doc_id: str, number: int, pages: int) -> None:
        """Page ``number`` of ``pages`` of ``doc_id`` is read: tell the listener, if any."""
        if self.pages is not None:
            self.pages(doc_id, number, pages)

    def __getattr__(self, name: str):
        # only called for names that are not fields: the run's settings, for readers written against Settings
        if name.startswith("__") or name == "settings":
            raise AttributeError(name)
        return getattr(self.settings, name)


def _alarm_available() -> bool:
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # someone else's timer is running: leave it alone
    )


@contextmanager
def time_budget(seconds: float) -> Iterator[Deadline]:
    """A :class:`Deadline` ``seconds`` from now (0: none) for the block, with
    an alarm where one can be set; the previous SIGALRM handler is put back."""
    if not seconds:
        yield Deadline()
        return
    deadline = Deadline(time.monotonic() + seconds)
    if not _alarm_available():
        yield deadline
        return

    def on_alarm(signum, frame):
        deadline.fired.set()
        raise OverBudget()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield deadline
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
