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

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The `kept` values last put, by key; the oldest go first."""

    def __init__(self, kept: int) -> None:
        self._kept = kept
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._kept:
            self._entries.popitem(last=False)


class TableMemo(Generic[V]):
    """Values by table declaration and content digest (`frame_digest`)."""

    def __init__(self, kept: int = 64) -> None:
        self._recent: Recent[tuple[int, bytes], tuple[Table, V]] = Recent(kept)

    def get(self, table: Table, digest: bytes) -> V | None:
        entry = self._recent.get((id(table), digest))
        return entry[1] if entry is not None and entry[0] is table else None

    def put(self, table: Table, digest: bytes, value: V) -> None:
        self._recent.put((id(table), digest), (table, value))


def frame_digest(frame: pd.DataFrame) -> bytes:
    """A digest of a frame's values, index, column names and types."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    digest.update(repr(list(frame.dtypes.items())).encode())
    return digest.digest()
