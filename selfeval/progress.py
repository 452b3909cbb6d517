"""The command line's progress bar: files done of the batch, and the pages of
a long PDF or scan while it is read, each with the time left.

Shown only on a terminal (the caller decides).  The files bar advances as
each file's result is taken; the pages bar follows the reader's
``ctx.page_done`` calls (the pipeline hands :meth:`BatchProgress.page_done` to
the read context of each file read in this process; a file read whole by a
worker process shows on the files bar only).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

PAGES_SHOWN_FROM = 2  # a file with fewer pages gets no pages bar
NAME_CHARS = 40  # the end of a long doc_id is shown


class BatchProgress:
    """Two bars on ``console``: files of the batch and pages of the current file."""

    def __init__(self, console: Console, files: int) -> None:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[unit]}"),
                   TimeElapsedColumn(), TextColumn("elapsed,"), TimeRemainingColumn(), TextColumn("left"))
        self.bar = Progress(*columns, console=console, transient=True)
        self.files = self.bar.add_task("reading", total=files, unit="files")
        self.pages: TaskID | None = None
        self.pages_of: str | None = None

    def __call__(self, result) -> None:
        """A file is done (``run``'s progress callback); ``page_done`` hears its pages."""
        self.file_done(result.doc_id)

    def file_done(self, doc_id: str) -> None:
        self.bar.update(self.files, advance=1, description=_short(doc_id))
        self._drop_pages()

    def page_done(self, doc_id: str, number: int, pages: int) -> None:
        if pages < PAGES_SHOWN_FROM:
            return
        if self.pages is None or self.pages_of != doc_id:
            self._drop_pages()
            self.pages = self.bar.add_task(_short(doc_id), total=pages, unit="pages")
            self.pages_of = doc_id
        self.bar.update(self.pages, completed=number)

    def _drop_pages(self) -> None:
        if self.pages is not None:
            self.bar.remove_task(self.pages)
            self.pages, self.pages_of = None, None


def _short(doc_id: str) -> str:
    return doc_id if len(doc_id) <= NAME_CHARS else "…" + doc_id[-(NAME_CHARS - 1):]


@contextmanager
def batch_progress(console: Console, files: int) -> Iterator[BatchProgress]:
    """The bars, live for the block: give the BatchProgress to ``run`` as its
    progress, and it hears each file done and the pages the readers read."""
    progress = BatchProgress(console, files)
    with progress.bar:
        yield progress
