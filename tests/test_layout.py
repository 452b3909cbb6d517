"""The layout the project asked for: extract/ and normalize/ at the top level,
installed as selfeval.extract and selfeval.normalize, never as top-level modules."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_stages_sit_at_the_top_level_and_import_under_selfeval():
    import selfeval.extract
    import selfeval.normalize

    assert Path(selfeval.extract.__file__).resolve() == ROOT / "extract" / "__init__.py"
    assert Path(selfeval.normalize.__file__).resolve() == ROOT / "normalize" / "__init__.py"
    assert not (ROOT / "selfeval" / "extract").exists()
    assert not (ROOT / "selfeval" / "normalize").exists()


def test_stages_are_not_importable_as_top_level_modules(tmp_path):
    # a fresh interpreter outside the repository, as a user's notebook runs
    probe = "import importlib.util as u; print(u.find_spec('extract'), u.find_spec('normalize'))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                          text=True, check=True)
    assert done.stdout.split() == ["None", "None"]


def test_every_package_directory_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    roots = {name: ROOT / path for name, path in config["package-dir"].items()}
    listed = set(config["packages"])
    found = set()
    for name, root in roots.items():
        for init in root.rglob("__init__.py"):
            rel = init.parent.relative_to(root).parts
            found.add(".".join((name, *rel)))
    for data in ("selfeval/data", "selfeval/data/templates", "selfeval/report/static"):
        found.add(data.replace("/", "."))
    assert found <= listed, f"packages missing from pyproject.toml: {sorted(found - listed)}"
