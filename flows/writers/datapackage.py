"""The release's `datapackage.json` (Frictionless Data Package), from the Pandera models.

Generated, never written by hand, so that it cannot drift from the schemas that validate
the data. Each CSV is a resource with its Table Schema, primary key, foreign keys, size and
SHA-256; each Parquet file is a resource with the same schema.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandera.pandas as pandera

from flows.steps.checksums import sha256
from flows.steps.render import csv_text
from flows.steps.versioning import ReleaseInfo
from schemas import TABLES, metadata
from schemas.fields import NO_FORMULA
from schemas.spec import Table

# Stated, not sniffed: ids such as `kazakhstan-2022:ARM:...` would fool a sniffer.
CSV_DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True}
_TYPES = {"datetime64": "date", "Int64": "integer", "boolean": "boolean", "bool": "boolean"}


def field_type(column: pandera.Column) -> str:
    text = str(column.dtype)
    return next((t for prefix, t in _TYPES.items() if text.startswith(prefix)), "string")


def frictionless_pattern(pattern: str) -> str:
    """A Python `re.match` pattern as a Table Schema pattern, which must match whole values."""
    if pattern == NO_FORMULA:
        return r"[^=+\-@][\s\S]*"
    return pattern.removeprefix("^").removesuffix("$")


def constraints(column: pandera.Column) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if not column.nullable:
        found["required"] = True
    if column.unique:
        found["unique"] = True
    for check in column.checks:
        stats = check.statistics
        if check.name == "isin":
            found["enum"] = sorted(stats["allowed_values"])
        elif check.name == "greater_than_or_equal_to":
            found["minimum"] = stats["min_value"]
        elif check.name == "less_than_or_equal_to":
            found["maximum"] = stats["max_value"]
        elif check.name == "str_matches":
            found["pattern"] = frictionless_pattern(stats["pattern"])
    return found


# Frictionless reads Parquet through pandas, which turns the nulls of a whole-number column
# into the float NaN: the Parquet resources count it as missing, as the file's null is.
PARQUET_MISSING = ["", "nan"]


def table_schema(table: Table, *, parquet: bool) -> dict[str, Any]:
    """The Table Schema of a table's CSV resource (with its foreign keys) or Parquet one."""
    columns = table.model.to_schema().columns
    fields = []
    for name, column in columns.items():
        field = {"name": name, "type": field_type(column), "description": column.description}
        if field["type"] == "boolean":
            field |= {"trueValues": ["true"], "falseValues": ["false"]}
        if found := constraints(column):
            field["constraints"] = found
        fields.append(field)
    schema: dict[str, Any] = {
        "fields": fields,
        "missingValues": PARQUET_MISSING if parquet else [""],
        "primaryKey": list(table.primary_key),
    }
    if not parquet:
        schema["foreignKeys"] = [
            {
                "fields": fk.columns,
                "reference": {"resource": fk.reference_table, "fields": fk.reference_columns},
            }
            for fk in table.foreign_keys
            if fk.list_separator is None
        ]
    return schema


def _sources(files: dict[str, bytes]) -> list[dict[str, Any]]:
    frame = csv_text(files["sources.csv"])
    return [{"title": row.title, "path": row.url} for row in frame.itertuples()]


def datapackage(files: dict[str, bytes], info: ReleaseInfo) -> bytes:
    resources = []
    for name, table in TABLES.items():
        csv = files[f"{name}.csv"]
        resources.append(
            {
                "name": name,
                "title": table.title,
                "description": table.description,
                "path": f"{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(csv),
                "hash": f"sha256:{sha256(csv)}",
                "dialect": CSV_DIALECT,
                "schema": table_schema(table, parquet=False),
            }
        )
    for name, table in TABLES.items():
        # Read as a table, a Parquet file's bytes cannot be counted by Frictionless, so the
        # file is declared a plain file, whose size and hash it checks; its rows are those of
        # the CSV resource, which `csto-data verify` checks byte for byte.
        parquet = files[f"{name}.parquet"]
        resources.append(
            {
                "name": f"{name}-parquet",
                "type": "file",
                "title": f"{table.title} (Parquet)",
                "description": f"The `{name}` table as typed Parquet: the same rows and columns.",
                "path": f"{name}.parquet",
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "bytes": len(parquet),
                "hash": f"sha256:{sha256(parquet)}",
                "schema": table_schema(table, parquet=True),
            }
        )
    for name, table in TABLES.items():
        dta = files[f"{name}.dta"]
        resources.append(
            {
                "name": f"{name}-dta",
                "title": f"{table.title} (Stata)",
                "description": f"The `{name}` table as a Stata 14+ `.dta` file (format 118): "
                "the same rows, vocabularies and true/false as labelled integers.",
                "path": f"{name}.dta",
                "format": "dta",
                "mediatype": "application/x-stata-dta",
                "bytes": len(dta),
                "hash": f"sha256:{sha256(dta)}",
            }
        )
    descriptor = {
        "name": metadata.NAME,
        "title": metadata.TITLE,
        "description": metadata.DESCRIPTION,
        "version": info.version,
        "created": f"{info.date}T00:00:00Z",
        "licenses": [metadata.DATA_LICENSE],
        "contributors": [{"title": metadata.AUTHOR, "role": "author"}],
        "keywords": list(metadata.KEYWORDS),
        "sources": _sources(files),
        # Not a Data Package field: the day to which ongoing spells and statuses are known.
        "asOf": csv_text(files["coverage.csv"])["as_of_date"].iloc[0],
        "resources": resources,
    }
    text = json.dumps(descriptor, indent=2, ensure_ascii=False, sort_keys=False)
    return (re.sub(r"[ \t]+\n", "\n", text) + "\n").encode()
