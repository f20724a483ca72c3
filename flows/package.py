"""Package: every file of one release folder, as bytes, from its tables and metadata.

Pure: the same tables, version, date and previous release give the same bytes. The
descriptive files (data package, codebook, changes) are added by the modules named after
them; `SHA256SUMS` lists every other file so that `verify` can check a download.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from flows.versioning import TableDiff

CHECKSUMS = "SHA256SUMS"
# Files whose bytes name the version or date: left out of the content hash, so that two
# builds of the same data compare equal whatever version they would be.
VERSIONED_FILES = frozenset({CHECKSUMS, "datapackage.json", "CHANGES.md", "index.html"})


@dataclass(frozen=True)
class ReleaseInfo:
    version: str
    date: str
    previous: str | None
    bump: str | None
    diffs: tuple[TableDiff, ...] = ()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(files: dict[str, bytes]) -> str:
    """A hash of what a release says, independent of its version and date."""
    listing = {n: sha256(b) for n, b in sorted(files.items()) if n not in VERSIONED_FILES}
    return sha256(json.dumps(listing, sort_keys=True).encode())


def checksums(files: dict[str, bytes]) -> bytes:
    """`sha256sum`-compatible listing of every file but itself."""
    lines = [f"{sha256(files[n])}  {n}\n" for n in sorted(files) if n != CHECKSUMS]
    return "".join(lines).encode()


def parse_checksums(data: bytes) -> dict[str, str]:
    listing = {}
    for line in data.decode().splitlines():
        digest, _, name = line.partition("  ")
        listing[name] = digest
    return listing


def content_files(table_files: dict[str, bytes]) -> dict[str, bytes]:
    """The files of a release that do not depend on its version or date."""
    return dict(table_files)


def release_files(
    content: dict[str, bytes], info: ReleaseInfo, previous: dict[str, bytes]
) -> dict[str, bytes]:
    """The whole release folder: its content, the versioned files and the checksums."""
    files = dict(content)
    files[CHECKSUMS] = checksums(files)
    return dict(sorted(files.items()))
