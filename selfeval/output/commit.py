"""A batch's outputs committed as a whole, by one writer per output folder.

One writer: :class:`OutputLock` holds an exclusive ``flock`` on
``OUT/.selfeval.lock`` for as long as a run writes into OUT.  A second run
into the same folder does not wait: it stops at once with
:class:`OutputLocked`, whose message names the process holding the lock.  The
lock goes with its process (a killed run holds nothing), so whatever
temporary files are in OUT when a run holds the lock belong to runs that no
longer do, and only then are they removed.

As a whole: the tables and the manifest of a run are written into a staging
folder, ``OUT/.generations/<name>.tmp``.  :meth:`Generation.commit` renames
it to ``OUT/.generations/<name>`` and switches ``OUT/current`` (a symbolic
link) to it with one ``rename``.  ``OUT/forms.csv`` and the other documented
paths are links through ``current`` (``forms.csv -> current/forms.csv``), so
every table and the manifest change together: a reader sees all of one run or
all of the other, never tables of two runs side by side, and a run killed at
any point leaves the previous run's outputs in place.  Older generations are
removed after the switch (a reader that has a file open keeps reading it).
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from pathlib import Path

from selfeval.output.writers import remove_stale_tmp

LOCK_NAME = ".selfeval.lock"
GENERATIONS = ".generations"
CURRENT = "current"
_STAGING = ".tmp"


class OutputLocked(Exception):
    """Another run holds the output folder's lock."""


class OutputLock:
    """An exclusive lock on an output folder for the life of a run.

    Use as a context manager.  The folder is created when missing."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> OutputLock:
        import fcntl

        self.out_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_holder(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputLocked(
                    f"{self.out_dir} is being written by another selfeval run{holder}; "
                    "wait for it to finish, or give another --out") from None
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # the file stays: removing it would let two runs lock two different files
            self._fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


class Generation:
    """The staging folder of one run's outputs; :meth:`commit` switches them in.

    Create it only while holding the folder's :class:`OutputLock`: it removes
    what killed runs left (staging folders, old generations no link points
    to, ``.NAME.*.tmp`` files)."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.root = self.out_dir / GENERATIONS
        self.root.mkdir(parents=True, exist_ok=True)
        clean_up(self.out_dir)
        self.name = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}-{os.getpid()}"
        self.path = self.root / (self.name + _STAGING)
        self.path.mkdir()
        self._done = False

    def commit(self) -> Path:
        """Put every file of the staging folder in place at once; returns the
        generation's folder."""
        names = sorted(p.name for p in self.path.iterdir())
        for name in names:
            _fsync(self.path / name)
        _fsync(self.path)
        final = self.root / self.name
        os.rename(self.path, final)
        _fsync(self.root)
        link = self.out_dir / f".{CURRENT}.{os.getpid()}.tmp"
        link.unlink(missing_ok=True)
        os.symlink(f"{GENERATIONS}/{self.name}", link)
        os.replace(link, self.out_dir / CURRENT)  # the switch: one rename
        for name in names:
            _link_through_current(self.out_dir, name)
        _drop_dangling(self.out_dir)
        _fsync(self.out_dir)
        self._done = True
        clean_up(self.out_dir)
        return final

    def abort(self) -> None:
        """Remove the staging folder: the outputs in place are left as they were."""
        if not self._done:
            self._done = True
            shutil.rmtree(self.path, ignore_errors=True)


def _link_through_current(out_dir: Path, name: str) -> None:
    """Make ``OUT/name`` the link ``current/name`` (once; it then never changes)."""
    path = out_dir / name
    target = f"{CURRENT}/{name}"
    if path.is_symlink() and os.readlink(path) == target:
        return
    old = None
    if path.is_dir() and not path.is_symlink():  # a folder of an earlier layout (parquet/)
        old = path.rename(out_dir / f".{name}.old.tmp")
    tmp = out_dir / f".{name}.link.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _drop_dangling(out_dir: Path) -> None:
    """Remove links through ``current`` to what the new generation does not
    have (a format no longer asked for)."""
    for path in out_dir.iterdir():
        if path.is_symlink() and os.readlink(path).startswith(f"{CURRENT}/") and not path.exists():
            path.unlink()


def current_generation(out_dir: Path) -> str | None:
    link = Path(out_dir) / CURRENT
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


def clean_up(out_dir: Path) -> list[Path]:
    """Remove what runs that no longer hold the lock left in ``out_dir``:
    staging folders, generations ``current`` does not point to, and
    temporary files.  Call only while holding the lock."""
    removed = remove_stale_tmp(out_dir)
    root = out_dir / GENERATIONS
    keep = current_generation(out_dir)
    if root.is_dir():
        for path in sorted(root.iterdir()):
            if path.name != keep and not path.is_symlink():
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot fsync a folder
        pass
    finally:
        os.close(fd)
