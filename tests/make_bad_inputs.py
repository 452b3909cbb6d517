"""Write the bad-input corpus into fixtures/bad/.

Small files only: each is the seed's first form (or nothing like a form) with
one thing wrong.  Large and binary bad inputs are made by the tests
themselves (``tests/test_bad_inputs.py``).  Run ``python
tests/make_bad_inputs.py`` after changing this file; the tests check the
committed files are what this script writes.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"
OUT = ROOT / "fixtures" / "bad"


def form_lines(index: int = 1) -> list[str]:
    """The lines of the seed's form ``index`` (title to 总分, no blank tail)."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")]
    start = starts[index - 1]
    end = starts[index] if index < len(starts) else len(lines)
    block = lines[start:end]
    while block and not block[-1].strip():
        block.pop()
    return block


def text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def _replace(lines: list[str], old: str, new: str, count: int = 1) -> list[str]:
    out, done = [], 0
    for line in lines:
        if old in line and done < count:
            line = line.replace(old, new, 1)
            done += 1
        out.append(line)
    assert done == count, (old, done)
    return out


def odd_numbers() -> list[str]:
    form = form_lines(1)
    form = _replace(form, "\t13.04\t13.04\t10.00", "\t1,234.50\t1.2.3\t10.00")
    form = _replace(form, "\t6.52\t6.52\t—\t100.00%", "\t∞\tNaN\t—\t100.00%")
    form = _replace(form, "\t6.52\t6.52\t—\t100.00%", "\t-0\t1e309\t—\t100.00%")
    form = _replace(form, "≥3家\t3家\t40.00\t40.00", "≥3家\t3家\t1e309\tNaN")
    form = _replace(form, "≥3人\t3人\t20.00\t20.00", "≥3人\t3人\t∞\t-0")
    form = _replace(form, "4.4万/人\t20.00\t20.00", "4.4万/人\t1.2.3\t1,234.50")
    return form


def formula_cells() -> list[str]:
    form = form_lines(1)
    form = _replace(form, "“鸿雁计划”专项资金", "=HYPERLINK(\"http://example.invalid\",\"x\")")
    form = _replace(form, "补助引进人才企业数", "+cmd|' /C calc'!A0")
    form = _replace(form, "引才企业满意度", "@SUM(1+1)*cmd|' /C calc'!A0")
    form = _replace(form, "实施单位\t重庆市荣昌区人力资源和社会保障局", "实施单位\t-2+3+cmd|' /C calc'!A0")
    return form


def two_totals() -> list[str]:
    form = form_lines(1)
    total = next(line for line in form if "总分" in line)
    return form + [total.replace("99.00", "98.00")]


def files() -> dict[str, bytes]:
    seed_form = form_lines(1)
    broken = text(seed_form).encode("utf-8")
    name = "“鸿雁计划”专项资金".encode()
    broken = broken.replace(name, name[:4] + b"\xff\xfe" + name[4:], 1)
    broken = broken.replace("引进人才数".encode(), "引进人才数".encode()[:-1] + b"\xc3", 1)
    return {
        "empty.txt": b"",
        "whitespace-only.txt": b"  \n\t\t\n\r\n   \t \n\n",
        "gb18030.txt": text(seed_form).encode("gb18030"),
        "utf16-no-bom.txt": text(seed_form).encode("utf-16-le"),
        "broken-utf8.txt": broken,
        "no-forms.txt": text([
            "# 2020年度部门工作总结", "",
            "今年我局围绕就业优先战略，完成各项工作任务。",
            "一、稳就业\t新增就业\t1.2万人",
            "二、保民生\t发放补贴\t3,400万元",
        ]).encode("utf-8"),
        "truncated-form.txt": text(seed_form[:20]).encode("utf-8"),
        "duplicate-form-seq.txt": text(seed_form + [""] + form_lines(2)).replace("项目序号：2", "项目序号：1").encode("utf-8"),
        "two-total-rows.txt": text(two_totals()).encode("utf-8"),
        "odd-numbers.txt": text(odd_numbers()).encode("utf-8"),
        "formula-cells.txt": text(formula_cells()).encode("utf-8"),
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in files().items():
        (OUT / name).write_bytes(data)


if __name__ == "__main__":
    main()
