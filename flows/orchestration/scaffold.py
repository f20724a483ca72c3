"""`csto-data new-table NAME`: the two files a new table is, written for the curator to fill
in: `schemas/<name>.py` (its model and declaration, at a free position after every table)
and `raw/<name>.yaml` (no records yet). Nothing else is edited: everything else follows
from the declaration (CONTRIBUTING.md, "Add a table").

The module declares the columns most tables have (an id, a name in English and in Russian,
a dated start with its precision, the sources and a note); the curator changes them to
what the table holds. `check` passes on it as written.
"""

from __future__ import annotations

import re
from pathlib import Path

from schemas import ALL_TABLES

NAME = re.compile(r"^[a-z][a-z0-9_]*[a-z0-9]$")
POSITION_STEP = 10

MODULE = '''"""The {name} table: {description}"""

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas.spec import Table

# Each column says what it is; a column read from raw/ names its raw field (`raw_name=`),
# and a column of ids of another table names it (`refers=f.refers("countries.iso3")`).
# A date column `<stem>_date` has its precision next to it, `<stem>_precision`.


class {model}(pandera.DataFrameModel):
    {key}: Series[str] = f.key("Id of the record.", raw_name="id")
    name: Series[str] = f.text("Name in English.", raw_name="name")
    name_ru: Series[str] = f.text("Name in Russian.", nullable=True, raw_name="name_ru")
    start_date: Series[pd.Timestamp] = f.date("When it began.", raw_name="start")
    start_precision: Series[str] = f.precision("start_date")
    source_ids: Series[str] = f.source_ids("sources")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="{name}",
    title="{title}",
    description="{description}",
    model={model},
    primary_key=("{key}",),
    position={position},
    notes="Coverage: say what the table covers and where sources were thin.",
)
'''

RECORDS = """# The records of the table `{name}` (schemas/{name}.py). One record:
# - id: {example_id}
#   name: ...
#   name_ru: ...
#   start: "2024-05"            # YYYY, YYYY-MM or YYYY-MM-DD: the precision is its form
#   sources: [source-id]        # ids of raw/sources.yaml
#   note: ...
[]
"""


class ScaffoldRefused(Exception):
    """The table cannot be scaffolded; the message says why."""


def free_position() -> int:
    """A position after every table's, so that the new table is listed last."""
    return max(t.position for t in ALL_TABLES) + POSITION_STEP


def scaffold(repository: Path, name: str, title: str, description: str) -> list[Path]:
    """Write the schema module and raw file of a new table; return them."""
    if not NAME.match(name):
        raise ScaffoldRefused(
            f"{name!r}: a table's name is lower-case words joined by _, like exercise_figures"
        )
    module, raw = repository / "schemas" / f"{name}.py", repository / "raw" / f"{name}.yaml"
    taken = [str(p) for p in (module, raw) if p.exists()]
    if name in {t.name for t in ALL_TABLES} or taken:
        raise ScaffoldRefused(f"{name}: a table of that name exists ({', '.join(taken)})")
    singular = name.removesuffix("s")
    module.write_text(
        MODULE.format(
            name=name,
            title=title or name.replace("_", " ").capitalize(),
            description=description.rstrip(".") + ".",
            model="".join(part.capitalize() for part in name.split("_")) + "Schema",
            key=f"{singular}_id",
            position=free_position(),
        ),
        encoding="utf-8",
    )
    example = singular.replace("_", "-") + "-1"  # ids are lower-case words joined by -
    raw.write_text(RECORDS.format(name=name, example_id=example), encoding="utf-8")
    return [module, raw]
