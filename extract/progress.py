"""How far a reader is in a long file, for whoever listens (the command
line's progress bar).

A reader calls :func:`page_done` after each page of a PDF or each frame of
an image; a listener is set with :data:`PAGE_PROGRESS` for the reading done
in this process (worker processes have none, and the call costs nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

PageListener = Callable[[str, int, int], None]  # (doc_id, page number, pages to read)

PAGE_PROGRESS: ContextVar[PageListener | None] = ContextVar("PAGE_PROGRESS", default=None)


def page_done(doc_id: str, number: int, pages: int) -> None:
    listener = PAGE_PROGRESS.get()
    if listener is not None:
        listener(doc_id, number, pages)
