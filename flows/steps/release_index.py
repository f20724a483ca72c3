"""The index of published releases, `output/releases.json`, and the folders it describes.

The release folders `output/v<MAJOR>.<MINOR>.<PATCH>/` are the truth: a folder appears in
one rename, whole, and is never written again. `releases.json` is an index of them (date,
bump, rows, and the hashes that let `release` answer "no change" at once). When it is lost,
emptied, damaged or replaced by an older copy, it is rebuilt from the folders, which carry
what an entry needs: the version in the folder's name, the date and bump in `CHANGES.md`
and the rows in the Parquet footers. The hashes of a rebuilt entry are unknown (`null`)
until the package step needs them: only it knows how a release's content is hashed. An
entry for a folder that is gone cannot be made good, and is refused with a way to repair.

Only folder names of exactly that form are releases: `output/vendor/` is not one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NotRequired, TypedDict

from flows.steps.checksums import CHECKSUMS, sha256
from flows.steps.render import parquet_rows
from flows.steps.versioning import BUMPS, Bump, version_key

RELEASES = "releases.json"
CHANGES = "CHANGES.md"
CHANGELOG = "CHANGELOG.md"
LATEST = "latest"
_FOLDER = re.compile(r"^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_HEADING = re.compile(rb"^## v(\S+) \((\d{4}-\d{2}-\d{2})\)\n")
_BUMP = re.compile(rb"Version bump: \*\*(major|minor|patch)\*\*")
_ENTRY_KEYS = {"version", "date", "bump", "content_hash", "rows"}


class ReleaseEntry(TypedDict):
    """One release in `releases.json`.

    `content_hash` is the hash of everything the release says but its version and date
    (see `flows/writers/package.py`); `input_hash` the fingerprint of the raw records and
    code that made it (`flows/steps/fingerprint.py`). Both are unknown for an entry rebuilt
    from its folder until a run learns them. `checksums_hash` is the SHA-256 of the
    release's `SHA256SUMS` as published, so that files changed together with their
    checksums still differ from what the index recorded (`verify`); an index older than
    it learns it from the folder.
    """

    version: str
    date: str
    bump: Bump | None
    content_hash: str | None
    rows: dict[str, int]
    input_hash: NotRequired[str]
    checksums_hash: NotRequired[str]


class BrokenOutput(Exception):
    """The output folder is in a state no run can safely build on; the message says why
    and how to repair it."""


@dataclass(frozen=True)
class Index:
    """The releases in version order, and what was repaired to make the index agree with
    the folders (empty when it already did)."""

    history: list[ReleaseEntry]
    repairs: list[str]


def folder_of(output: Path, version: str) -> Path:
    return output / f"v{version}"


def folder_files(folder: Path) -> dict[str, bytes]:
    """The regular files of a folder (not below it, not links) by name; none if it is not
    a folder of its own (a link to one is not)."""
    if folder.is_symlink() or not folder.is_dir():
        return {}
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.is_symlink()
    }


def read_release(output: Path, version: str) -> dict[str, bytes]:
    return folder_files(folder_of(output, version))


def release_versions(output: Path) -> list[str]:
    """The versions of the release folders on disk, oldest first."""
    if not output.is_dir():
        return []
    found = [
        p.name[1:]
        for p in output.iterdir()
        if _FOLDER.match(p.name) and p.is_dir() and not p.is_symlink()
    ]
    return sorted(found, key=version_key)


def read_index(output: Path) -> list[ReleaseEntry]:
    """The entries of `releases.json` ([] when there is none), or `BrokenOutput`."""
    path = output / RELEASES
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as error:
        raise BrokenOutput(f"{path}: not valid JSON ({error})") from None
    except OSError as error:
        raise BrokenOutput(f"{path}: cannot be read ({error.strerror})") from None
    releases = data.get("releases") if isinstance(data, dict) else None
    if not isinstance(releases, list):
        raise BrokenOutput(f'{path}: expected {{"releases": [...]}}')
    for entry in releases:
        if not (
            isinstance(entry, dict)
            and set(entry) >= _ENTRY_KEYS
            and isinstance(entry["version"], str)
            and _FOLDER.match("v" + entry["version"])
        ):
            raise BrokenOutput(f"{path}: an entry is not a release ({json.dumps(entry)[:80]})")
    return sorted(releases, key=lambda r: version_key(r["version"]))


def index_text(history: list[ReleaseEntry]) -> bytes:
    ordered = sorted(history, key=lambda r: version_key(r["version"]))
    return (json.dumps({"releases": ordered}, indent=2, sort_keys=True) + "\n").encode()


def entry_from_folder(output: Path, version: str) -> ReleaseEntry:
    """The index entry of a release, rebuilt from what its folder carries; its hashes are
    unknown (the next run that needs them learns them)."""
    folder = folder_of(output, version)
    files = folder_files(folder)
    if CHECKSUMS not in files or CHANGES not in files:
        raise BrokenOutput(
            f"{folder}: not a whole release (no {CHECKSUMS} or {CHANGES}); move it out of "
            f"{output} or restore it (for example with git checkout -- {folder})"
        )
    heading = _HEADING.match(files[CHANGES])
    if not heading or heading.group(1).decode() != version:
        raise BrokenOutput(f"{folder / CHANGES}: does not begin with the heading of v{version}")
    bump = _BUMP.search(files[CHANGES])
    tables = sorted(n.removesuffix(".parquet") for n in files if n.endswith(".parquet"))
    return {
        "version": version,
        "date": heading.group(2).decode(),
        "bump": _bump(bump.group(1).decode()) if bump else None,
        "content_hash": None,
        "rows": {t: parquet_rows(files[f"{t}.parquet"]) for t in tables},
        "checksums_hash": sha256(files[CHECKSUMS]),
    }


def _bump(word: str) -> Bump:
    """The bump `_BUMP` matched (it matches only the three words)."""
    return next(bump for bump in BUMPS if bump == word)


def reconciled(output: Path) -> Index:
    """The index made to agree with the release folders, and what that took.

    Never changes a folder. Refuses (`BrokenOutput`) when an entry's folder is missing.
    """
    repairs: list[str] = []
    try:
        listed = read_index(output)
    except BrokenOutput as error:
        listed = []
        repairs.append(f"{error}; rebuilt it from the release folders")
    on_disk = release_versions(output)
    gone = [r["version"] for r in listed if r["version"] not in on_disk]
    if gone:
        missing = ", ".join(str(folder_of(output, v)) for v in gone)
        raise BrokenOutput(
            f"{output / RELEASES} lists releases whose folders are missing: {missing}. "
            "A published release cannot be made again; restore the folders (for example "
            f"with git checkout -- {output}) and run again"
        )
    history = [_with_checksums_hash(output, r) for r in listed]
    known = {r["version"] for r in listed}
    for version in on_disk:
        if version not in known:
            history.append(entry_from_folder(output, version))
            if listed or not repairs:
                repairs.append(
                    f"{output / RELEASES} did not list v{version}; its entry was rebuilt from "
                    f"{folder_of(output, version)}"
                )
    return Index(sorted(history, key=lambda r: version_key(r["version"])), repairs)


def _with_checksums_hash(output: Path, entry: ReleaseEntry) -> ReleaseEntry:
    """The entry, with the fingerprint of its `SHA256SUMS` learned from its folder where
    an index written before it was recorded lacks it."""
    if "checksums_hash" in entry:
        return entry
    listing = folder_of(output, entry["version"]) / CHECKSUMS
    if not listing.is_file() or listing.is_symlink():
        return entry  # verify reports the folder
    return {**entry, "checksums_hash": sha256(listing.read_bytes())}


def changelog(output: Path, history: list[ReleaseEntry]) -> bytes:
    """`output/CHANGELOG.md`: every release's `CHANGES.md`, newest first."""
    newest_first = sorted(history, key=lambda r: version_key(r["version"]), reverse=True)
    notes = [(folder_of(output, r["version"]) / CHANGES).read_bytes() for r in newest_first]
    body = "\n".join(note.decode() for note in notes)
    return f"# Changelog\n\nEvery release of the dataset, newest first.\n\n{body}".encode()
