"""SHA-256 checksums of release files, in the format of `sha256sum`."""

from __future__ import annotations

import hashlib

CHECKSUMS = "SHA256SUMS"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checksums(files: dict[str, bytes]) -> bytes:
    """`sha256sum`-compatible listing of every file but the listing itself."""
    lines = [f"{sha256(files[n])}  {n}\n" for n in sorted(files) if n != CHECKSUMS]
    return "".join(lines).encode()


def parse_checksums(data: bytes) -> dict[str, str]:
    listing = {}
    for line in data.decode().splitlines():
        digest, _, name = line.partition("  ")
        listing[name] = digest
    return listing
