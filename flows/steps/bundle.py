"""Bundle: one release as one zip archive, `csto-data-<version>.zip`, whose bytes depend
only on the release's files: names in order, one fixed timestamp, fixed permissions and
compression. Building it twice, or on another machine, gives the same SHA-256."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

# The earliest time a zip entry can carry: a fixed stamp, not the files' own.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
PREFIX = "csto-data"


def archive_name(version: str) -> str:
    return f"{PREFIX}-{version}.zip"


def bundle_bytes(files: dict[str, bytes], version: str) -> bytes:
    """The archive of a release's files, under a top-level folder named after the version."""
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as archive:
        for name in sorted(files):
            entry = zipfile.ZipInfo(f"{PREFIX}-{version}/{name}", date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, so that the permissions below are read
            entry.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            archive.writestr(entry, files[name], compresslevel=9)
    return sink.getvalue()


def unpacked(archive: Path) -> tuple[str, dict[str, bytes]]:
    """The version and files of an archive made by `bundle_bytes`."""
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        tops = {n.split("/", 1)[0] for n in names}
        if len(tops) != 1 or not next(iter(tops)).startswith(f"{PREFIX}-"):
            raise ValueError(f"{archive}: not a release archive (one folder {PREFIX}-<version>)")
        top = next(iter(tops))
        return top.removeprefix(f"{PREFIX}-"), {
            n.split("/", 1)[1]: opened.read(n) for n in names if not n.endswith("/")
        }
