"""The table of published datasets in README.md, kept in step with the newest release.

The release writes it between two markers, so that row counts and links on the project's
front page never disagree with `output/latest/`.
"""

from __future__ import annotations

import re

from schemas import TABLES

START, END = "<!-- tables:start -->", "<!-- tables:end -->"


def tables_block(rows: dict[str, int]) -> str:
    lines = [
        START,
        "| table | what it holds | rows | CSV | Parquet | Stata |",
        "|---|---|---:|---|---|---|",
    ]
    for name, table in TABLES.items():
        base = f"output/latest/{name}"
        lines.append(
            f"| `{name}` | {table.description} | {rows.get(name, 0)} "
            f"| [{name}.csv]({base}.csv) | [{name}.parquet]({base}.parquet) "
            f"| [{name}.dta]({base}.dta) |"
        )
    return "\n".join([*lines, END])


def with_tables(readme: str, rows: dict[str, int]) -> str:
    """`readme` with its marked block replaced; unchanged when it has no markers."""
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: tables_block(rows), readme, count=1)
