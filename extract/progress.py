"""How far a reader is in a long file, for whoever listens (the command
line's progress bar).

A reader calls ``ctx.page_done(doc_id, number, pages)`` on its
:class:`~selfeval.extract.context.ReadContext` after each page of a PDF or
each frame of an image.  The listener is the context's ``pages`` (given by
the pipeline for the reading done in this process; worker processes have
none, and the call then costs nothing): nothing is kept at module level.
"""

from __future__ import annotations

from collections.abc import Callable

PageListener = Callable[[str, int, int], None]  # (doc_id, page number, pages to read)
