"""What a step worked out once for a table's content, kept for the rest of the process.

A process that reads the same records again (`release` checks before its flow reads; a
served deployment releases every week; the tests read the same records hundreds of times)
types, validates and renders each table once. The
key is the table's declaration and a digest of its content; a declaration made anew at the
same address (a test declaring a table) is never taken for the old one. Bounded: the
oldest entries go first.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Generic, TypeVar

import pandas as pd

from schemas.spec import Table

V = TypeVar("V")


class TableMemo(Generic[V]):
    def __init__(self, kept: int = 64) -> None:
        self._kept = kept
        self._entries: OrderedDict[tuple[int, bytes], tuple[Table, V]] = OrderedDict()

    def get(self, table: Table, digest: bytes) -> V | None:
        key = (id(table), digest)
        entry = self._entries.get(key)
        if entry is None or entry[0] is not table:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, table: Table, digest: bytes, value: V) -> None:
        self._entries[(id(table), digest)] = (table, value)
        while len(self._entries) > self._kept:
            self._entries.popitem(last=False)


def frame_digest(frame: pd.DataFrame) -> bytes:
    """A digest of a frame's values, index, column names and types."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    digest.update(repr(list(frame.dtypes.items())).encode())
    return digest.digest()
