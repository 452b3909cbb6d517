""".selfevalignore: files and folders an input folder marks as not inputs are
skipped silently, listed in the manifest, and every other doc_id is unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from selfeval.cli import app
from selfeval.extract.ignore import parse_rule
from selfeval.extract.readers import discover

runner = CliRunner()
SEED = Path("fixtures/forms/seed-2020-rongchang-27-forms.txt")


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def matches(pattern: str, path: str, is_dir: bool = False) -> bool:
    rule = parse_rule(pattern)
    return rule is not None and not (rule.folders_only and not is_dir) and bool(rule.regex.match(path))


def test_patterns_read_like_gitignore():
    assert matches("README.md", "README.md") and matches("README.md", "a/b/README.md")
    assert matches("*.md", "notes.md") and matches("*.md", "a/notes.md")
    assert not matches("/*.md", "a/notes.md") and matches("/*.md", "notes.md")
    assert matches("docs/*.txt", "docs/a.txt") and not matches("docs/*.txt", "docs/sub/a.txt")
    assert matches("docs/**/*.txt", "docs/sub/deep/a.txt") and matches("docs/**/*.txt", "docs/a.txt")
    assert matches("expected/", "expected", is_dir=True) and not matches("expected/", "expected")
    assert matches("draft-?.txt", "draft-1.txt") and matches("draft-[0-9].txt", "draft-7.txt")
    assert not matches("draft-[!0-9].txt", "draft-7.txt")
    assert matches("\\#hash.txt", "#hash.txt")
    for skipped in ("", "   ", "# a comment", "!negation.txt", "/"):
        assert parse_rule(skipped) is None


def test_ignored_files_and_folders_are_not_inputs(tmp_path):
    root = tree(tmp_path / "in", {
        ".selfevalignore": "# prose and goldens\nREADME.md\nexpected/\n\n*.draft.txt\n",
        "README.md": "a readme\n",
        "expected/forms.txt": "golden\n",
        "expected/deep/notes.md": "golden notes\n",
        "a.txt": "a\n",
        "a.draft.txt": "draft\n",
        "sub/README.md": "another readme\n",
        "sub/b.txt": "b\n",
        "sub/expected": "a file named like the folder pattern\n",
        "sub/.selfevalignore": "b.txt\n",
        "other/b.txt": "b\n",
    })
    ignored: list[dict] = []
    files, findings = discover([root], ignored)
    assert [f.doc_id for f in files] == ["a.txt", "other/b.txt"]
    # a file named like a folder pattern is not ignored (it is only an unsupported file)
    assert [(f.code, f.doc_id) for f in findings] == [("skipped_file", "sub/expected")]
    assert ignored == [
        {"path": "README.md", "pattern": "README.md", "ignore_file": str(root / ".selfevalignore")},
        {"path": "a.draft.txt", "pattern": "*.draft.txt", "ignore_file": str(root / ".selfevalignore")},
        {"path": "expected/", "pattern": "expected/", "ignore_file": str(root / ".selfevalignore")},
        {"path": "sub/README.md", "pattern": "README.md", "ignore_file": str(root / ".selfevalignore")},
        {"path": "sub/b.txt", "pattern": "b.txt", "ignore_file": str(root / "sub" / ".selfevalignore")},
    ]
    # a file named on the command line is read whatever the ignore file says
    assert [f.doc_id for f in discover([root / "README.md"])[0]] == ["README.md"]


def test_fixtures_folder_ignores_its_prose_and_goldens(tmp_path):
    out = tmp_path / "out"
    runner.invoke(app, ["extract", "fixtures", "--out", str(out), "--format", "csv", "-q"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {e["path"] for e in manifest["ignored"]} == {"README.md", "expected/"}
    doc_ids = {e["doc_id"] for e in manifest["inputs"]}
    assert "forms/seed-2020-rongchang-27-forms.txt" in doc_ids
    assert not any(d == "README.md" or d.startswith("expected/") for d in doc_ids)
    findings = (out / "findings.csv").read_text(encoding="utf-8")
    assert "README.md" not in findings and "expected/" not in findings


def test_the_manifest_lists_no_ignored_paths_without_an_ignore_file(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(SEED), "--out", str(out), "--format", "csv", "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["ignored"] == []
