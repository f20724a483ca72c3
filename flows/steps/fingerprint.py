"""Fingerprint of everything a release is made from: the raw records and the pipeline code.

If it matches the newest release's `input_hash`, nothing can have changed, and `release`
can say so without starting Prefect.

A release records the fingerprint of exactly the bytes its ingest read (`records_hash`),
never of the files as they are later: an edit saved while a release runs is then news to
the next run, not taken for what was published. The quick answer of `release` hashes the
files as they are now (`input_hash`), through the same reader: it never blocks on a FIFO
and never reads a device or a file above its size limit. A file that is missing or refused
is hashed as a marker that no readable file can give (it is not UTF-8), so the hash matches
no published release and ingest then reports the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow

import flows
import schemas
from flows.steps.ingest import DATASET_FILE, RawRecords
from flows.steps.yaml_cells import read_raw_file

REFUSED = b"\xff refused: "  # begins every marker; no UTF-8 text begins with 0xff


def raw_files() -> list[str]:
    """The names of the files in raw/ that a release is made from, in hashing order."""
    return sorted({str(t.raw_file) for t in schemas.RAW_TABLES if t.raw_file} | {DATASET_FILE})


def input_hash(raw_dir: Path) -> str:
    """The fingerprint of the raw files as they are now, and of the pipeline code."""
    read = {}
    for name in raw_files():
        data, refused = read_raw_file(raw_dir / name)
        read[name] = REFUSED + refused.encode() if data is None else data
    return _fingerprint(read)


def records_hash(records: RawRecords) -> str:
    """The fingerprint of the bytes `records` were read from, and of the pipeline code."""
    return _fingerprint(
        {name: REFUSED if data is None else data for name, data in records.read.items()}
    )


def _fingerprint(read: dict[str, bytes]) -> str:
    digest = hashlib.sha256(f"pyarrow {pyarrow.__version__}\n".encode())
    for name in raw_files():
        digest.update(f"{name}\n".encode())
        digest.update(read.get(name, REFUSED))
    for root in (Path(str(m.__file__)).parent for m in (flows, schemas)):
        for path in sorted(root.rglob("*.py")):
            digest.update(f"{path.relative_to(root)}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
