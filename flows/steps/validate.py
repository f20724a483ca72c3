"""Validate: every table against its Pandera model, then the cross-table rules.

All problems are collected (lazy validation) and located at the raw file and line they
came from, so that a curator sees every mistake at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import pandas as pd
import pandera.pandas as pandera

from flows.steps.ingest import RawRecords
from flows.steps.memo import TableMemo, frame_digest
from flows.steps.problems import InvalidRawData, Problem
from schemas import RAW_TABLES, TABLES, cross_table
from schemas.fields import NO_FORMULA, printable


def validate(records: RawRecords, found: list[Problem]) -> list[Problem]:
    """`found` (the ingestion problems) and every problem in the typed raw tables.

    At most one problem is kept per field of a record: a value that could not be typed is
    not reported again as missing. Cross-table rules are skipped while a file cannot be
    read, since every reference into it would be reported as broken.
    """
    problems = list(found)
    for table in RAW_TABLES:
        problems += _schema_problems(records, table.name)
    if not any(p.field in ("yaml", "file") for p in found):
        for v in cross_table.check(records.tables, records.as_of):
            problems.append(records.locate(TABLES[v.table], v.row, v.column, v.message))
    first: dict[tuple[str, int, str], Problem] = {}
    for problem in problems:
        first.setdefault((problem.file, problem.line, problem.field), problem)
    return sorted(first.values())


def require_valid(records: RawRecords, found: list[Problem]) -> RawRecords:
    """The records, or `InvalidRawData` listing every problem in them."""
    problems = validate(records, found)
    if problems:
        raise InvalidRawData(problems)
    return records


# Tables that passed their model, by declaration and content. Hashing a table costs a
# twentieth of validating it, and the models coerce nothing, so a skipped model changes
# nothing.
_PASSED: TableMemo[bool] = TableMemo()


def _schema_problems(records: RawRecords, name: str) -> list[Problem]:
    table = TABLES[name]
    frame = records.tables[name]
    digest = frame_digest(frame)
    if _PASSED.get(table, digest):
        return []
    try:
        # In place: the models coerce nothing, and a copy of every table costs a third of
        # the time of validating it.
        table.model.validate(frame, lazy=True, inplace=True)
        _PASSED.put(table, digest, True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        problems = []
        for case in cases.itertuples(index=False):
            if pd.isna(case.index):
                continue  # a whole-column failure: ingestion shapes columns, rows say why
            message = explain(str(case.check), case.failure_case)
            problems.append(records.locate(table, int(case.index), case.column, message))
        return problems
    return []


_EXPLAINED: dict[str, Callable[[str | None, object], str]] = {
    "not_nullable": lambda arg, found: "required value is missing",
    "field_uniqueness": lambda arg, found: f"duplicate id (found {found!r} more than once)",
    "unique": lambda arg, found: f"duplicate id (found {found!r} more than once)",
    "isin": lambda arg, found: f"not one of the allowed values {arg} (found {found!r})",
    "greater_than_or_equal_to": lambda arg, found: f"must be at least {arg} (found {found!r})",
    "less_than_or_equal_to": lambda arg, found: f"must be at most {arg} (found {found!r})",
    "str_matches": lambda arg, found: f"does not match the pattern {arg} (found {found!r})",
}


def explain(check: str, found: object) -> str:
    """A Pandera check name such as `isin(['a', 'b'])` as a sentence a curator can act on."""
    found = found.item() if hasattr(found, "item") else found  # a NumPy scalar: its value
    match = re.match(r"^(\w+)(?:\((.*)\))?$", check, re.S)
    name, arg = (match.group(1), match.group(2)) if match else (check, None)
    if name == "str_matches" and arg and arg.strip("'") == NO_FORMULA:
        return (
            "text begins with =, +, - or @ (or a full-width or small form of one), which a "
            f"spreadsheet would run as a formula, or with white space (found {found!r})"
        )
    if name == "printable":
        return f"{_first_unprintable(str(found))}; a value is one line of printable text"
    explained = _EXPLAINED.get(name)
    return explained(arg, found) if explained else f"fails {check} (found {found!r})"


_KINDS = {
    "Cc": "a control character",
    "Cf": "a format character",
    "Co": "a private-use character",
    "Cs": "a surrogate",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def _first_unprintable(text: str) -> str:
    """The first character of `text` that a value may not hold, named for a curator."""
    at = printable(pd.Series(list(text), dtype="str")).to_list().index(False)
    char = text[at]
    kind = _KINDS.get(unicodedata.category(char), "a non-character")
    name = unicodedata.name(char, "").lower()
    return (
        f"character U+{ord(char):04X} ({kind}{', ' + name if name else ''}) at position "
        f"{at + 1} (found {text!r})"
    )
