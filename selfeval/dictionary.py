"""The data dictionary, rendered from the code's own definitions.

The README's section between the ``data-dictionary`` markers is this
module's output (``make docs`` rewrites it; a test checks it is current), so
the documentation of columns, finding codes and templates cannot drift.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from selfeval.findings import CODES
from selfeval.normalize.vocab import templates, vocabulary
from selfeval.output.tables import SCHEMAS

BEGIN, END = "<!-- data-dictionary:begin -->", "<!-- data-dictionary:end -->"
TYPES = {"string": "text", "int64": "int", "double": "float", "bool": "bool"}


def render() -> str:
    out: list[str] = []
    for name, columns in SCHEMAS.items():
        out += [f"### `{name}`", "", "| column | type | meaning |", "|---|---|---|"]
        out += [f"| `{c.name}` | {TYPES[str(c.type)]} | {c.meaning} |" for c in columns]
        out.append("")
    out += ["### Finding codes", "", "| code | severity | meaning |", "|---|---|---|"]
    out += [f"| `{c.slug}` | {c.severity.value} | {c.title} |" for c in CODES.values()]
    out += ["", "### Indicator templates", "", "| template | years | level 1 → level 2 |", "|---|---|---|"]
    for t in templates():
        years = "by its labels" if t.chosen_by_labels else f"{t.from_year or '…'}–{t.to_year or '…'}"
        tree = "; ".join(f"{l1}: {', '.join(l2 for l2, p in t.level2_parents.items() if l1 in p)}" for l1 in t.level1)
        out.append(f"| `{t.name}` | {years} | {tree} |")
    out += ["", "### Funding sources", "", "| source_key | source_label | also read |", "|---|---|---|"]
    for src in vocabulary()["funding_sources"]:
        out.append(f"| `{src['key']}` | {src['label']} | {', '.join(src['aliases']) or '—'} |")
    return "\n".join(out) + "\n"


def update(readme: Path) -> bool:
    """Rewrite the README's data dictionary; True when it changed."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    new = pattern.sub(lambda _: f"{BEGIN}\n{render()}{END}", text)
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    changed = update(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    print("README data dictionary " + ("updated" if changed else "already current"))
