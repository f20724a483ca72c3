"""A located problem in the raw records, and the error that carries a list of them."""

from __future__ import annotations

from dataclasses import dataclass


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
