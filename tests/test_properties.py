"""Property tests: no text makes the pipeline raise, and nothing is lost."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfeval.extract.readers import InputFile
from selfeval.pipeline import process_file
from selfeval.settings import Settings

SEED_LINES = Path(__file__).resolve().parents[1].joinpath(
    "fixtures/forms/seed-2020-rongchang-27-forms.txt").read_text(encoding="utf-8").split("\n")[:120]


def _account(tmp_path: Path, text: str):
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    result = process_file(InputFile(path, "doc.txt"), Settings())
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text) and result.lines == 0:
        # control characters: a text may be refused as binary, but it is said, never dropped
        assert any(f.code == "unreadable_input" for f in result.findings) and result.failed
        return result
    nonblank = sum(1 for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip())
    assert result.lines == nonblank
    if result.forms:
        assert result.lines_used + result.lines_reported == result.lines
    return result


cell = st.one_of(
    st.sampled_from(["", "产出指标", "数量指标", "≥3家", "3家", "20.00", "—", "总分", "100.00%", "年度资金总额：", "项目序号：1"]),
    st.text(max_size=8),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cell, max_size=10), max_size=30))
def test_random_rows_never_raise_and_every_line_is_accounted(tmp_path, rows):
    text = "## 2020年度项目支出绩效自评表\n项目序号：1\n" + "\n".join("\t".join(r) for r in rows)
    _account(tmp_path, text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_and_truncated_seed_forms_never_lose_a_line(tmp_path, data):
    lines = list(SEED_LINES)
    cut = data.draw(st.integers(min_value=1, max_value=len(lines)))
    lines = lines[:cut]
    for _ in range(data.draw(st.integers(0, 6))):
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop_cell", "dup_cell", "garble", "delete"]))
        cells = lines[i].split("\t")
        j = data.draw(st.integers(0, max(len(cells) - 1, 0)))
        if op == "drop_cell":
            del cells[j]
        elif op == "dup_cell":
            cells.insert(j, cells[j])
        elif op == "garble":
            cells[j] = data.draw(st.text(max_size=6))
        else:
            cells = []
        lines[i] = "\t".join(cells)
    _account(tmp_path, "\n".join(lines))
