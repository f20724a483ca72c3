"""The field reference of the curators' guide, `raw/README.md`, from the table declarations.

Each raw table's section holds a generated block between `<!-- fields:NAME -->` and
`<!-- /fields:NAME -->`: its raw fields, whether each is required, what it holds and what
it may hold. The prose around the blocks is the curators' own. A raw table with no block
gets a new section at the end. `tests/test_curators_guide.py` fails while the guide and
the schemas disagree; `python -m flows.writers.curators_guide` writes the guide anew.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from flows.writers.codebook import allowed_values
from flows.writers.datapackage import constraints
from schemas import RAW_TABLES
from schemas.spec import RawField, Table

GUIDE = Path(__file__).resolve().parents[2] / "raw" / "README.md"
_KINDS = {
    "text": "text",
    "integer": "whole number",
    "date": "date: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`",
    "boolean": "`true` or `false`",
    "id_list": "list of ids `[a, b]`",
}


def _row(table: Table, raw: RawField) -> str:
    column = table.model.to_schema().columns[raw.column]
    allowed = allowed_values(constraints(column))
    cells = [
        f"`{raw.name}`",
        "yes" if raw.required else "no",
        _KINDS[raw.kind],
        f"`{raw.column}`",
        raw.description + (f" Allowed: {allowed}." if allowed else ""),
    ]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def field_block(table: Table) -> str:
    """The generated field reference of one raw table, with its markers."""
    return "\n".join(
        [
            f"<!-- fields:{table.name} -->",
            "| field | required | written as | published column | meaning |",
            "|---|---|---|---|---|",
            *(_row(table, raw) for raw in table.raw_fields),
            f"<!-- /fields:{table.name} -->",
        ]
    )


def with_field_blocks(guide: str) -> str:
    """`guide` with every raw table's block written anew, and a section for each new table."""
    for table in RAW_TABLES:
        pattern = re.compile(rf"<!-- fields:{table.name} -->.*?<!-- /fields:{table.name} -->", re.S)
        block, found = field_block(table), pattern.search(guide)
        if found:
            guide = guide[: found.start()] + block + guide[found.end() :]
        else:
            title = f"## {table.raw_file}: {table.title}"
            guide = f"{guide.rstrip()}\n\n{title}\n{block}\n"
    return guide


def main() -> int:
    GUIDE.write_text(with_field_blocks(GUIDE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"{GUIDE}: field reference written from the schemas.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
