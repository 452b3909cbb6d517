"""``.selfevalignore``: files and folders an input folder says are not inputs.

A ``.selfevalignore`` file in any folder of an input folder holds one glob per
line, as in ``.gitignore``: blank lines and lines starting with ``#`` are
skipped (``\\#`` for a name starting with ``#``); trailing spaces are dropped;
a pattern that ends with ``/`` matches only folders; a pattern with a ``/``
elsewhere is relative to the folder holding the ignore file, one without
matches a name at any depth below it; ``*`` and ``?`` do not cross ``/``,
``**`` does; ``[abc]`` is a character class.  Negation (``!pattern``) is not
supported: such lines are skipped.  An ignored folder is not searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILE = ".selfevalignore"


@dataclass(frozen=True)
class Rule:
    pattern: str  # as written in the file
    regex: re.Pattern[str]
    folders_only: bool


@dataclass(frozen=True)
class IgnoreFile:
    path: Path  # the .selfevalignore file
    base: Path  # the folder holding it; patterns are relative to it
    rules: tuple[Rule, ...]

    def match(self, path: Path, is_dir: bool) -> str | None:
        """The first pattern that ignores ``path`` (a file or folder below ``base``), or None."""
        try:
            relative = path.relative_to(self.base).as_posix()
        except ValueError:
            return None
        for rule in self.rules:
            if rule.folders_only and not is_dir:
                continue
            if rule.regex.match(relative):
                return rule.pattern
        return None


def load_ignore_file(folder: Path) -> IgnoreFile | None:
    """The rules of ``folder/.selfevalignore``, or None when there is none (or it cannot be read)."""
    path = folder / IGNORE_FILE
    try:
        if not path.is_file():
            return None
        text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    except OSError:
        return None
    rules = tuple(rule for line in text.splitlines() if (rule := parse_rule(line)) is not None)
    return IgnoreFile(path, folder, rules)


def parse_rule(line: str) -> Rule | None:
    pattern = line.rstrip()
    if not pattern or pattern.startswith("#") or pattern.startswith("!"):
        return None
    body = pattern[1:] if pattern.startswith("\\") and pattern[1:2] in ("#", "!") else pattern
    folders_only = body.endswith("/")
    body = body.rstrip("/")
    if not body:
        return None
    anchored = "/" in body
    body = body.lstrip("/")
    prefix = "" if anchored else "(?:.*/)?"
    return Rule(pattern, re.compile(prefix + _translate(body) + r"\Z"), folders_only)


def _translate(glob: str) -> str:
    """A glob to a regex over /-separated relative paths."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = glob.find("]", i + 2 if glob[i + 1:i + 2] in ("!", "^", "]") else i + 1)
            if end < 0:
                out.append(re.escape(c))
                i += 1
                continue
            inner = glob[i + 1:end]
            if inner[:1] in ("!", "^"):
                inner = "^" + inner[1:]
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            i = end + 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def ignored_by(rules: list[IgnoreFile], path: Path, is_dir: bool) -> tuple[IgnoreFile, str] | None:
    """The ignore file and pattern that ignore ``path``, outermost folder first; None when none does."""
    for ignore in rules:
        pattern = ignore.match(path, is_dir)
        if pattern is not None:
            return ignore, pattern
    return None
