"""Bundle: one release as one zip archive, `csto-data-<version>.zip`, whose bytes depend
only on the release's files: names in order, one fixed timestamp, fixed permissions and
compression. Building it twice, or on another machine, gives the same SHA-256.

So an archive is read back without unpacking it anywhere: it is a release archive only if
it is, byte for byte, the archive `bundle_bytes` makes of the files it lists. That one
comparison refuses duplicate or odd member names, links, extra members, comments and any
other compression. Sizes and counts are bounded before a byte is inflated, so that a small
archive cannot claim gigabytes of memory (a zip bomb).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from flows.steps.render import MAX_FILE_BYTES

# The earliest time a zip entry can carry: a fixed stamp, not the files' own.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
PREFIX = "csto-data"
MAX_MEMBERS = 500  # a release holds 3 files per table and 7 others
MAX_ARCHIVE_BYTES = 1024**3  # what `verify` reads of an archive, and inflates in all
# A release file's name: no folder, no `..`, no hidden file.
PLAIN_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_TOP = re.compile(rf"^{PREFIX}-([0-9]+\.[0-9]+\.[0-9]+)/(.*)$")


class NotAReleaseArchive(ValueError):
    """The archive is not one that `bundle` makes; the message says why."""


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


def archive_files(data: bytes) -> tuple[str, dict[str, bytes]]:
    """The version and files of an archive that `bundle_bytes` made, read in memory;
    `NotAReleaseArchive` for anything else."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise NotAReleaseArchive(f"larger than {MAX_ARCHIVE_BYTES:,} bytes")
    try:
        opened = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise NotAReleaseArchive(f"not a zip archive ({error})") from None
    with opened:
        members = opened.infolist()
        _check_listing(members)
        first = _TOP.match(members[0].filename)
        assert first is not None  # checked by _check_listing
        version = first.group(1)
        files = {}
        for member in members:
            try:
                files[member.filename.split("/", 1)[1]] = opened.read(member)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
                raise NotAReleaseArchive(f"{member.filename}: cannot be read ({error})") from None
    if bundle_bytes(files, version) != data:
        raise NotAReleaseArchive(
            "not byte for byte the archive `csto-data bundle` makes of the files it holds "
            "(changed, re-packed, or with extra entries or a comment)"
        )
    return version, files


def _check_listing(members: list[zipfile.ZipInfo]) -> None:
    """Refuse, before inflating anything, what `bundle_bytes` never writes."""
    if not members:
        raise NotAReleaseArchive("empty: no release files")
    if len(members) > MAX_MEMBERS:
        raise NotAReleaseArchive(f"{len(members):,} entries; a release has at most {MAX_MEMBERS}")
    versions, names, total = set(), set(), 0
    for member in members:
        found = _TOP.match(member.filename)
        if not found or not PLAIN_NAME.match(found.group(2)):
            raise NotAReleaseArchive(
                f"entry {member.filename!r} is not a file in one folder {PREFIX}-<version>/"
            )
        if member.filename in names:
            raise NotAReleaseArchive(f"entry {member.filename!r} appears twice")
        if member.flag_bits & 0x1:
            raise NotAReleaseArchive(f"entry {member.filename!r} is encrypted")
        if member.compress_type != zipfile.ZIP_DEFLATED:
            raise NotAReleaseArchive(
                f"entry {member.filename!r} uses compression method {member.compress_type}, "
                "not deflate"
            )
        if member.file_size > MAX_FILE_BYTES:
            raise NotAReleaseArchive(
                f"entry {member.filename!r} claims {member.file_size:,} bytes, over the "
                f"{MAX_FILE_BYTES:,} a release file may hold"
            )
        total += member.file_size
        versions.add(found.group(1))
        names.add(member.filename)
    if len(versions) > 1:
        raise NotAReleaseArchive(f"holds more than one version: {', '.join(sorted(versions))}")
    if total > MAX_ARCHIVE_BYTES:
        raise NotAReleaseArchive(f"its entries claim {total:,} bytes in all")
