"""``OUT/datapackage.json``: the CSV tables described as a Frictionless Data
Package (Tabular Data Package, Table Schema), beside them.

Field names, types and descriptions come from the data dictionary
(:data:`selfeval.output.tables.SCHEMAS`); the primary keys and the foreign
keys to ``forms`` are those of the SQLite database
(:mod:`selfeval.output.sqlite`), but for ``findings``: a finding about a
whole file has a ``doc_id`` and no ``form_index``, and a Table Schema foreign
key that is partly null is a violation, so ``findings`` declares none.  Tools that read a data package
(``frictionless validate``, ``frictionless extract``, R's frictionless,
Open Data Editor) get every column typed, the empty ones too.
"""

from __future__ import annotations

import json
from pathlib import Path

from selfeval import __version__
from selfeval.output import tables
from selfeval.output.sqlite import FORM_KEY, PRIMARY_KEYS
from selfeval.output.writers import atomic_write

FILE_NAME = "datapackage.json"
FIELD_TYPES = {tables.STR: "string", tables.INT: "integer", tables.FLT: "number", tables.BOOL: "boolean"}
TRUE, FALSE = "True", "False"  # as the CSV writes booleans
FORM_ROWS = ("funding", "indicators")  # every row belongs to a form


def _field(column: tables.Column) -> dict:
    field = {"name": column.name, "type": FIELD_TYPES[column.type], "description": column.meaning}
    if column.type == tables.BOOL:
        field |= {"trueValues": [TRUE], "falseValues": [FALSE]}
    return field


def datapackage(bom: bool = False) -> dict:
    """The descriptor of the four CSV files (written with a BOM when ``bom``)."""
    resources = []
    for name, columns in tables.SCHEMAS.items():
        schema: dict = {"fields": [_field(c) for c in columns], "missingValues": [""]}
        if name in PRIMARY_KEYS:
            schema["primaryKey"] = list(PRIMARY_KEYS[name])
        if name in FORM_ROWS:
            schema["foreignKeys"] = [{"fields": list(FORM_KEY), "reference": {"resource": "forms", "fields": list(FORM_KEY)}}]
        resources.append({
            "name": name,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig" if bom else "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True, "header": True},
            "schema": schema,
        })
    return {
        "profile": "tabular-data-package",
        "name": "selfeval-tables",
        "title": "Performance self-evaluation forms (绩效自评表) as tables",
        "description": "Written by selfeval " + __version__ + ". Text a spreadsheet would run as a formula "
                       "(=…, +…, @…) starts with ' in the CSV files; see docs/CONTRACT.md.",
        "resources": resources,
    }


def write_datapackage(out_dir: Path, bom: bool = False) -> Path:
    path = Path(out_dir) / FILE_NAME
    atomic_write(path, (json.dumps(datapackage(bom), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return path
