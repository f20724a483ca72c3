"""The published tables, found rather than listed: every module of this package that
declares a `TABLE` (see `schemas/spec.py`) is a table, in the order of their `position`.

Importing the package imports every module in it, so that the cross-table rules that a
table module registers beside its model are registered too.
"""

import importlib
import pkgutil

from schemas.spec import Table


def _declared() -> tuple[Table, ...]:
    found = []
    for module in pkgutil.iter_modules(__path__):
        table = getattr(importlib.import_module(f"{__name__}.{module.name}"), "TABLE", None)
        if isinstance(table, Table):
            found.append(table)
    return tuple(sorted(found, key=lambda t: (t.position, t.name)))


ALL_TABLES = _declared()
RAW_TABLES: tuple[Table, ...] = tuple(t for t in ALL_TABLES if t.raw_fields)
DERIVED_TABLES: tuple[Table, ...] = tuple(t for t in ALL_TABLES if not t.raw_fields)
TABLES: dict[str, Table] = {t.name: t for t in ALL_TABLES}
