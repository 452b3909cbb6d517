"""Running a batch on a Dask cluster (``dask.distributed``).

The cluster runs the same per-file function as a local run,
:func:`selfeval.pipeline.read_file`, one task per input file.  Results
come back to this process in input order and go through the same streaming
writer, so the tables are identical to a single-process run's.  Only the
reading and parsing happen on the workers; the files are written here.

Every worker needs selfeval (same version) installed, and must be able to
read the input paths as given: put the inputs on storage every worker
mounts at the same path.  Install the extra with
``pip install "selfeval[dask]"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from selfeval.pipeline import BatchResult, Progress, Sink, run
from selfeval.settings import Settings

TASKS_PER_THREAD = 4  # files in flight per worker thread


class _ClusterExecutor:
    """``submit(fn, *args)`` on a dask client, one task (with its own key) per file."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)


def connect(scheduler: Any):
    """A ``distributed.Client`` for ``scheduler``: an address such as
    ``tcp://host:8786``, a cluster object (e.g. ``LocalCluster``), or a
    client (returned as is)."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ImportError('running on a cluster needs dask.distributed: pip install "selfeval[dask]"') from exc
    if isinstance(scheduler, Client):
        return scheduler
    return Client(scheduler, set_as_default=False)


def run_on_cluster(inputs: Iterable[Path], scheduler: Any, settings: Settings | None = None,
                   progress: Progress | None = None, sink: Sink | None = None) -> BatchResult:
    """:func:`selfeval.pipeline.run` with each file read on the cluster at
    ``scheduler`` (``settings.cache_dir``, the ``--resume`` cache, is looked
    up by the workers at that path: on a shared folder they reuse it; else
    they read every file and the results are cached here)."""
    settings = settings or Settings()
    client = connect(scheduler)
    own = client is not scheduler
    try:
        threads = sum(client.nthreads().values()) or 1
        settings = replace(settings, in_flight=settings.in_flight or TASKS_PER_THREAD * threads)
        return run(inputs, settings, progress, sink, _ClusterExecutor(client))
    finally:
        if own:
            client.close()
