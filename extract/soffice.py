"""LibreOffice headless as a converter: legacy Office and WPS files to the
formats the readers know.

Each conversion runs ``soffice --headless --convert-to TARGET`` on a copy of
the file in a fresh temporary folder, with a private profile directory in
it (``-env:UserInstallation=file://…``: conversions never share or touch
a user's profile, so several can run at once), in a process group of its
own that is killed when ``Settings.office_timeout_s`` runs out or the
caller stops (the file's time budget), and the folder is removed after.
LibreOffice is an optional component (Debian ``libreoffice-writer-nogui``
and ``libreoffice-calc-nogui``; ``make install-office``): without it the
caller reports each such file as unreadable, saying how to install it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from selfeval.settings import Settings

INSTALL_HINT = "install LibreOffice (make install-office, or Debian's libreoffice-writer-nogui and libreoffice-calc-nogui)"
_CANDIDATES = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice",
               "/Applications/LibreOffice.app/Contents/MacOS/soffice")


@dataclass(frozen=True)
class Converted:
    """A conversion's output bytes (None when it failed), why it failed, and
    how long it took."""

    data: bytes | None
    seconds: float
    problem: str | None = None


def soffice_path() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def convert(data: bytes, suffix: str, target: str, settings: Settings) -> Converted:
    """``data`` (a file of kind ``suffix``, e.g. ``.doc``) converted to
    ``target`` (``docx``, ``xlsx``, ``pdf``, ``html``: a LibreOffice
    ``--convert-to`` argument)."""
    program = soffice_path()
    started = time.perf_counter()
    if program is None:
        return Converted(None, 0.0, f"LibreOffice is not installed; {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="selfeval-office-") as tmp:
        folder = Path(tmp)
        source = folder / f"input{suffix}"
        source.write_bytes(data)
        out = folder / "out"
        command = [
            program, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--invisible",
            "--nologo", "--norestore", "--nodefault", "--nolockcheck",
            "--convert-to", target, "--outdir", str(out), str(source),
        ]
        env = dict(os.environ, HOME=tmp)
        timeout = settings.office_timeout_s or None
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, cwd=tmp, start_new_session=True)
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            return Converted(None, time.perf_counter() - started,
                             f"LibreOffice did not convert it within {settings.office_timeout_s:g} s "
                             "(raise --office-timeout, office_timeout_s, or convert it by hand)")
        finally:
            _kill_group(process)
        seconds = time.perf_counter() - started
        produced = out / f"input.{target.split(':')[0]}"
        if process.returncode != 0 or not produced.is_file():
            said = output.decode("utf-8", "replace").strip().splitlines()
            detail = next((line for line in said if "rror" in line), said[-1] if said else "no output")
            return Converted(None, seconds, f"LibreOffice could not convert it to {target} ({detail[:300]})")
        return Converted(produced.read_bytes(), seconds)


def _kill_group(process: subprocess.Popen) -> None:
    """Stop the conversion's process group (soffice starts a child) if any
    of it still runs."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if process.poll() is None:
        process.wait()


def version() -> str:
    """LibreOffice's version as it reports it (``soffice --version``): what
    the ``--resume`` cache key holds for the readers that convert with it
    (``selfeval.extract.readers.COMPONENTS``).  Raises OSError when it is not
    installed or does not answer."""
    program = soffice_path()
    if program is None:
        raise OSError("LibreOffice is not installed")
    try:
        done = subprocess.run([program, "--version"], capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
                              env=dict(os.environ, HOME=tempfile.gettempdir()))
    except subprocess.TimeoutExpired as exc:
        raise OSError("LibreOffice did not say its version") from exc
    return done.stdout.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
