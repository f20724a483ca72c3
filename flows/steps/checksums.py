"""SHA-256 checksums of release files, in the format of `sha256sum`."""

from __future__ import annotations

import hashlib
import re

CHECKSUMS = "SHA256SUMS"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checksums(files: dict[str, bytes]) -> bytes:
    """`sha256sum`-compatible listing of every file but the listing itself."""
    lines = [f"{sha256(files[n])}  {n}\n" for n in sorted(files) if n != CHECKSUMS]
    return "".join(lines).encode()


_LINE = re.compile(r"^([0-9a-f]{64})  (\S(?:.*\S)?)$")


class BadChecksums(ValueError):
    """A `SHA256SUMS` that is not a `sha256sum` listing; the message says where."""


def parse_checksums(data: bytes) -> dict[str, str]:
    """The digest of each file a `sha256sum` listing names; `BadChecksums` says which line
    is not one, or that the listing is not UTF-8 or names a file twice."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadChecksums(f"not UTF-8 text (byte {error.start + 1})") from None
    listing: dict[str, str] = {}
    for number, line in enumerate(text.removesuffix("\n").split("\n"), 1):
        found = _LINE.match(line)
        if not found:
            raise BadChecksums(
                f"line {number} is not '<64 hex digits>  <file name>' (found {line[:60]!r})"
            )
        digest, name = found.groups()
        if name in listing:
            raise BadChecksums(f"line {number} names {name} a second time")
        listing[name] = digest
    return listing
