"""A located problem in the raw records, and the error that carries a list of them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing a curator must fix, printed as `FILE:LINE: table.field: message`."""

    file: str
    line: int
    table: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.table}.{self.field}: {self.message}"


class InvalidRawData(Exception):
    """Raised when the raw records do not pass; nothing may be published from them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__(report(self.problems))


def counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def report(problems: list[Problem]) -> str:
    """The problems, one per line, and how many there are in which files."""
    lines = [str(p) for p in problems]
    files = sorted({p.file for p in problems})
    where = files[0] if len(files) == 1 else f"{len(files)} files"
    lines.append(f"{counted(len(problems), 'problem')} found in {where}.")
    return "\n".join(lines)


def _escaped(text: str, chars: str) -> str:
    """Text with `%` and `chars` written as GitHub's workflow commands expect (%XX)."""
    for char in "%" + chars:
        text = text.replace(char, f"%{ord(char):02X}")
    return text


def github_annotations(problems: list[Problem]) -> str:
    """One GitHub workflow `::error` command per problem, so that a pull request shows
    each at its file and line."""
    lines = [
        f"::error file={_escaped(p.file, ',:')},line={p.line},"
        f"title={_escaped(f'{p.table}.{p.field}', ',:')}::{_escaped(p.message, chr(13) + chr(10))}"
        for p in problems
    ]
    return "\n".join(lines)


def problems_json(problems: list[Problem]) -> str:
    """The problems as a JSON document for other tools: `{"problems": [...]}`, each with
    its file, line, table, field and message."""
    return json.dumps({"problems": [asdict(p) for p in problems]}, ensure_ascii=False, indent=2)
