"""The published tables, found rather than listed: every module of this package that
declares a `TABLE` (see `schemas/spec.py`) is a table, in the order of their `position`;
one that also declares `FIGURES` (see `schemas/figures.py`) is a table of figures.

Importing the package imports every module in it, so that the cross-table rules that a
table module registers beside its model are registered too.
"""

import importlib
import pkgutil
from typing import Any, TypeVar

from schemas.figures import FigureTable
from schemas.spec import Table

_Declared = TypeVar("_Declared")
_MODULES = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)]


def _declared(attribute: str, kind: type[_Declared]) -> list[_Declared]:
    """Every module's `attribute` that is a `kind`."""
    found: list[Any] = [getattr(module, attribute, None) for module in _MODULES]
    return [declared for declared in found if isinstance(declared, kind)]


ALL_TABLES = tuple(sorted(_declared("TABLE", Table), key=lambda t: (t.position, t.name)))
RAW_TABLES: tuple[Table, ...] = tuple(t for t in ALL_TABLES if t.raw_fields)
DERIVED_TABLES: tuple[Table, ...] = tuple(t for t in ALL_TABLES if not t.raw_fields)
TABLES: dict[str, Table] = {t.name: t for t in ALL_TABLES}
FIGURE_TABLES: dict[str, FigureTable] = {
    f.name: f
    for f in sorted(_declared("FIGURES", FigureTable), key=lambda f: ALL_TABLES.index(f.table))
}
