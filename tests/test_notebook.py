"""notebooks/explore.ipynb runs from top to bottom on a batch output, so it never rots.

It runs on the seed's extraction when the pipeline is in the tree, else on the
synthetic batch of selfeval.report.sample.  The kernel is this interpreter's
(ipykernel's python3), pointed at the output folder by SELFEVAL_OUT.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs the test extra: pip install -e '.[test]'")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs the test extra: pip install -e '.[test]'")
pytest.importorskip("ipykernel", reason="the notebook test needs the test extra: pip install -e '.[test]'")
pytest.importorskip("duckdb", reason="the notebook test needs the test extra: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"
SEED = ROOT / "fixtures" / "forms" / "seed-2020-rongchang-27-forms.txt"


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def test_notebook_runs_and_answers(seed_out: Path, monkeypatch: pytest.MonkeyPatch):
    out = seed_out
    monkeypatch.setenv("SELFEVAL_OUT", str(out))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and traceback, when a cell fails
    text = outputs_text(nb)
    assert f"reading {out.resolve()}" in text
    assert "公务员表彰奖励" in text  # 87.70 points: the seed's one project below 90
    assert "档案管理费" in text  # executed 10 of 66 while stating 100%
    assert "满意度指标" in text  # unmet targets grouped by level


def _last_value(source: str, namespace: dict):
    """Run a cell's code; the value of its last expression, as Jupyter shows it."""
    import ast

    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace) if last else None


def _answer(frame) -> list[tuple]:
    import math

    def cell(v):
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == "<NA>":
            return None
        return round(float(v), 4) if isinstance(v, (int, float)) and not isinstance(v, bool) else v

    frame = frame.reset_index(drop=True)
    return [tuple(frame.columns)] + [tuple(cell(v) for v in row) for row in frame.astype(object).itertuples(index=False)]


def test_each_question_gets_the_same_answer_in_pandas_and_duckdb(seed_out: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SELFEVAL_OUT", str(seed_out))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    namespace: dict = {}
    answers: dict[str, list[tuple]] = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            value = _last_value(cell.source, namespace)
            for tag in cell.metadata.get("tags", []):
                answers[tag] = _answer(value)
    questions = sorted({tag.split("-")[0] for tag in answers})
    assert questions == ["q1", "q2", "q3", "q4"]
    for q in questions:
        pandas_answer, duckdb_answer = answers[f"{q}-pandas"], answers[f"{q}-duckdb"]
        assert len(pandas_answer) > 1, q  # the seed has an answer to every question
        assert pandas_answer == duckdb_answer, q
