"""Nothing is lost: a cell that no record holds is a finding with its text.

The property: put a cell with a text of its own anywhere in any row of a
seed form, and the text is either held by a record (some value of the forms,
funding or indicators tables contains it) or named by a finding; and every
non-blank line is either used or reported."""

from __future__ import annotations

import make_bad_inputs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfeval.pipeline import run

FORM = make_bad_inputs.form_lines(1)
ROWS = [i for i, line in enumerate(FORM) if line.strip()]
# a text no form holds: letters only (never a number, a comparator or a placeholder)
TOKENS = st.text(alphabet="甲乙丙丁戊己庚辛壬癸XYZQW", min_size=3, max_size=6)


def _read(tmp_path, lines: list[str]):
    path = tmp_path / "form.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batch = run([path])
    return batch.files[0], {name: table.to_pylist() for name, table in batch.tables.items()}


def _held(tables: dict, text: str) -> bool:
    return any(
        isinstance(value, str) and text in value
        for name in ("forms", "funding", "indicators")
        for row in tables[name]
        for key, value in row.items()
        if key not in ("doc_id", "source_path", "repairs")
    )


def _named(result, text: str) -> bool:
    """A finding names the text: in its message, or (a whole line reported) in its text."""
    return any(text in f.message or (f.code == "unparsed_line" and text in (f.text or "")) for f in result.findings)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.sampled_from(ROWS), column=st.integers(min_value=0, max_value=10), token=TOKENS)
def test_an_added_cell_is_held_or_reported(tmp_path, row, column, token):
    lines = list(FORM)
    cells = lines[row].split("\t")
    cells.insert(min(column, len(cells)), token)
    lines[row] = "\t".join(cells)
    result, tables = _read(tmp_path, lines)
    assert _held(tables, token) or _named(result, token), (row, column, lines[row])
    assert result.lines == result.lines_used + result.lines_reported or not result.forms


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.sampled_from(ROWS), column=st.integers(min_value=0, max_value=10), token=TOKENS)
def test_a_cell_put_in_place_of_another_is_held_or_reported(tmp_path, row, column, token):
    lines = list(FORM)
    cells = lines[row].split("\t")
    at = min(column, len(cells) - 1)
    cells[at] = token
    lines[row] = "\t".join(cells)
    result, tables = _read(tmp_path, lines)
    assert _held(tables, token) or _named(result, token), (row, column, lines[row])


def test_a_form_whose_rows_give_no_record_is_an_error(tmp_path):
    head = [line for line in FORM[:8]]
    result, tables = _read(tmp_path, head)
    assert [f.code for f in result.findings if f.code == "empty_form"] == ["empty_form"]
    assert result.failed


@pytest.mark.parametrize("cell", ["备注栏", "另附说明"])
def test_a_header_cell_naming_no_column_is_reported(tmp_path, cell):
    lines = list(FORM)
    at = next(i for i, line in enumerate(lines) if line.startswith("绩效指标\t"))
    lines[at] = lines[at].rstrip("\t") + "\t" + cell
    result, _ = _read(tmp_path, lines)
    assert any(f.code == "unparsed_line" and cell in f.message for f in result.findings)
