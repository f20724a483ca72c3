"""Fingerprint of everything a release is made from: the raw records and the pipeline code.

If it matches the newest release's `input_hash`, nothing can have changed, and `release`
can say so without starting Prefect.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow

import flows
import schemas


def input_hash(raw_dir: Path) -> str:
    digest = hashlib.sha256(f"pyarrow {pyarrow.__version__}\n".encode())
    code = [Path(m.__file__).parent for m in (flows, schemas)]
    for root, pattern in [(raw_dir, "*.yaml"), *((c, "*.py") for c in code)]:
        for path in sorted(root.glob(pattern)):
            digest.update(f"{path.relative_to(root)}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
