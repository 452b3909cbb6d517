"""Untrusted XML inside .xlsx/.docx is parsed without entity expansion."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import openpyxl
from typer.testing import CliRunner

from selfeval.cli import app

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))
    + "]>"
)


def _poison(path: Path, member: str, marker: str) -> None:
    """Put an exponential entity declaration into one XML part, and use it."""
    with zipfile.ZipFile(path) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    xml = parts[member].decode("utf-8")
    head, _, body = xml.partition("?>")
    parts[member] = (head + "?>" + LAUGHS + body.replace(marker, "&lol9;", 1)).encode("utf-8")
    with zipfile.ZipFile(path, "w") as zout:
        for name, data in parts.items():
            zout.writestr(name, data)


def _run(path: Path, tmp_path: Path):
    result = CliRunner().invoke(app, ["extract", str(path), "--out", str(tmp_path / "out"), "--format", "csv"])
    return result, (tmp_path / "out" / "findings.csv").read_text(encoding="utf-8")


def test_xlsx_entity_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "MARKER"
    book.save(path)
    _poison(path, "xl/worksheets/sheet1.xml", "MARKER")
    result, findings = _run(path, tmp_path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bomb.xlsx" in findings and "lollollol" not in findings


def test_docx_entity_bomb_is_not_expanded(tmp_path):
    path = tmp_path / "bomb.docx"
    document = docx.Document()
    document.add_paragraph("MARKER")
    document.save(path)
    _poison(path, "word/document.xml", "MARKER")
    result, findings = _run(path, tmp_path)
    assert result.exit_code in (0, 1) and "Traceback" not in result.output
    assert "lollollol" not in findings
