"""Write the text-shape variants of the seed into fixtures/variants/.

Each variant is the seed's 27 forms in another shape real archives have; all
must give the seed's tables.  Run ``python tests/make_text_variants.py`` after
changing this file; ``tests/test_variants.py`` checks the committed files are
what this script writes.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"
OUT = ROOT / "fixtures" / "variants"


def seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def spaces(lines: list[str]) -> str:
    """Cells separated by two spaces, empty cells kept as padding (web copy)."""
    return "\n".join(line.replace("\t", "  ") for line in lines)


def pipes(lines: list[str]) -> str:
    """Markdown pipe tables, with a separator line under each table's first row."""
    out: list[str] = []
    in_table = False
    for line in lines:
        if "\t" in line:
            cells = line.split("\t")
            out.append("| " + " | ".join(cells) + " |")
            if not in_table:
                out.append("|" + "---|" * len(cells))
            in_table = True
        else:
            out.append(line)
            in_table = in_table and not line.strip().startswith("#")
    return "\n".join(out)


def shifted(lines: list[str]) -> str:
    """More cells out of place: form 4's indicator rows one column right,
    form 5's funding rows one left, form 7's 总分 two right."""
    out = []
    form = 0
    for line in lines:
        m = re.match(r"项目序号[:：]\s*(\d+)", line)
        if m:
            form = int(m.group(1))
        cells = line.split("\t")
        if form == 4 and len(cells) > 3 and any(c in ("产出指标", "效益指标", "满意度指标") or c.endswith("指标") for c in cells[1:3]):
            line = "\t" + line
        elif form == 5 and cells[0] == "" and len(cells) > 2 and cells[1].rstrip("：:").endswith(("资金", "总额")):
            line = "\t".join(cells[1:])
        elif form == 7 and "总分" in cells:
            line = "\t\t" + line
        out.append(line)
    return "\n".join(out)


CONFUSIONS = [
    ("质量指标", "质最指标"),
    ("数量指标", "数量指杯"),
    ("可持续影响指标", "可持續影響指標"),
    ("社会效益指标", "社會效益指標"),
    ("经济效益指标", "經濟效益指标"),
    ("时效指标", "時效指標"),
]


def confused(lines: list[str]) -> str:
    """Level labels as OCR and traditional-character sources spell them."""
    out = []
    for line in lines:
        cells = line.split("\t")
        cells = [dict(CONFUSIONS).get(c, c) for c in cells]
        out.append("\t".join(cells))
    return "\n".join(out)


LEVEL_LABELS = {
    "产出指标", "效益指标", "满意度指标", "数量指标", "质量指标", "时效指标", "成本指标",
    "经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标", "服务对象满意度指标",
}


def unlisted_confusions(lines: list[str]) -> str:
    """Every level label with 指 misread as 措 (社会效益措标): a confusion that is
    in no list, one character off its label."""
    out = []
    for line in lines:
        cells = line.split("\t")
        out.append("\t".join(c.replace("指标", "措标") if c in LEVEL_LABELS else c for c in cells))
    return "\n".join(out)


def write_all(out: Path = OUT) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    lines = seed_lines()
    text = "\n".join(lines)
    files = {
        "spaces": ("seed-spaces.txt", spaces(lines).encode("utf-8")),
        "pipes": ("seed-pipes.md", pipes(lines).encode("utf-8")),
        "gb18030": ("seed-gb18030-crlf.txt", text.replace("\n", "\r\n").encode("gb18030")),
        "utf16": ("seed-utf16.txt", text.encode("utf-16")),
        "utf8bom": ("seed-utf8-bom.txt", text.encode("utf-8-sig")),
        "shifted": ("seed-shifted-cells.txt", shifted(lines).encode("utf-8")),
        "confused": ("seed-confused-labels.txt", confused(lines).encode("utf-8")),
        "unlisted": ("seed-unlisted-confusions.txt", unlisted_confusions(lines).encode("utf-8")),
    }
    written = {}
    for key, (name, data) in files.items():
        path = out / name
        path.write_bytes(data)
        written[key] = path
    return written


if __name__ == "__main__":
    for key, path in write_all().items():
        print(f"{key:10s} {path.relative_to(ROOT)}")
