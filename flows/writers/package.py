"""Package: every file of the next release folder, as bytes, made once per run.

From the table files it makes the content (tables, codebook, the home page's sections and
the table and country pages, drawn once), decides against the newest release in `output/`
whether the content says anything new, and if so stamps it with the next version, date and
changes: the versioned files and the checksums. Publishing then only writes these bytes.

Pure but for reading the newest release: the same tables, date and releases give the same
bytes. The content does not depend on the version; its hash tells whether a new build says
anything the newest release does not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flows.steps.checksums import CHECKSUMS, checksums, sha256
from flows.steps.memo import Recent
from flows.steps.publish import Package
from flows.steps.release_index import ReleaseEntry, read_release, reconciled
from flows.steps.render import TABLE_SUFFIXES
from flows.steps.versioning import Bump, ReleaseInfo, bump_for, diff_release, next_version
from flows.writers.changelog import changes
from flows.writers.citation import citation
from flows.writers.codebook import codebook
from flows.writers.datapackage import datapackage
from flows.writers.page import page_sections, render_page
from flows.writers.site import site_pages
from flows.writers.zenodo import ZENODO, zenodo

CODEBOOK = "CODEBOOK.md"
# Stands in for the version and date when hashing what a release says.
_NEUTRAL = ReleaseInfo(version="0.0.0", date="0000-00-00", previous=None, bump=None)


@dataclass(frozen=True)
class Content:
    """What a release says whatever its version: its table files and codebook (`files`),
    the sections of its home page and the pages of its tables and countries (`site`),
    drawn from them once."""

    files: dict[str, bytes]
    page_sections: str
    site: dict[str, bytes]


def drawn(files: dict[str, bytes]) -> Content:
    """The content of a release holding these table files and codebook."""
    return Content(files, page_sections(files), site_pages(files))


# The content drawn for each set of table files in this process: a process that packages
# the same tables again (a served deployment with nothing new, the tests) draws them once.
_DRAWN: Recent[str, Content] = Recent(4)


def content_of(table_files: dict[str, bytes]) -> Content:
    """The content of a release of these table files (never to be changed by a caller)."""
    key = sha256(checksums(table_files))
    made = _DRAWN.get(key)
    if made is None:
        made = drawn({**table_files, CODEBOOK: codebook(table_files)})
        _DRAWN.put(key, made)
    return made


def content_hash(content: Content) -> str:
    """A hash of everything a release built from `content` says but its version and date.

    The descriptive files are stamped with a neutral version, so that a change to the
    page, codebook or data package alone still makes a (patch) release: the committed
    release must always be what the committed code and `raw/` build.
    """
    files = release_files(content, _NEUTRAL)
    listing = {name: sha256(data) for name, data in files.items()}
    return sha256(json.dumps(listing, sort_keys=True).encode())


def release_files(content: Content, info: ReleaseInfo) -> dict[str, bytes]:
    """The whole release folder: its content, the versioned files and the checksums."""
    files = {**content.files, **content.site}
    files["CHANGES.md"] = changes(info)
    files["CITATION.cff"] = citation(info)
    files[ZENODO] = zenodo(info)
    files["datapackage.json"] = datapackage(files, info)
    files["index.html"] = render_page(files, info, content.page_sections)
    files[CHECKSUMS] = checksums(files)
    return dict(sorted(files.items()))


def assemble(
    content: Content,
    previous: ReleaseEntry | None,
    previous_files: dict[str, bytes],
    date: str,
    bump: Bump | None = None,
) -> tuple[ReleaseInfo, dict[str, bytes]]:
    """The next release after `previous` (None for the first) and its files.

    The bump is `bump` when given, else the one the changes against `previous_files` call for.
    """
    diffs = tuple(diff_release(previous_files, content.files)) if previous else ()
    chosen: Bump = bump or bump_for(list(diffs))
    info = ReleaseInfo(
        version=next_version(previous["version"] if previous else None, chosen),
        date=date,
        previous=previous["version"] if previous else None,
        bump=chosen if previous else None,
        diffs=diffs,
    )
    return info, release_files(content, info)


def folder_content_hash(files: dict[str, bytes]) -> str:
    """The content hash of a published release folder, as this code hashes content."""
    content = {n: data for n, data in files.items() if n.endswith(TABLE_SUFFIXES)}
    content[CODEBOOK] = files.get(CODEBOOK, b"")
    try:
        return content_hash(drawn(content))
    except KeyError:
        # A release of fewer tables or formats than this code writes: no build of this
        # code can equal it, so any hash that says so will do.
        return "older:" + sha256(b"".join(sorted(files.get(CHECKSUMS, b"").splitlines())))


def package(
    output: Path,
    table_files: dict[str, bytes],
    rows: dict[str, int],
    date: str,
    input_hash: str,
    bump: Bump | None = None,
) -> Package:
    """The next release of `table_files` after the newest in `output`, or, when that one
    already says the same (whatever the bump asked for), no files and the newest's entry."""
    content = content_of(table_files)
    digest = content_hash(content)
    history = reconciled(output).history
    newest = history[-1] if history else None
    previous = read_release(output, newest["version"]) if newest else {}
    if newest is not None:
        known = newest["content_hash"] or folder_content_hash(previous)
        if digest == known:
            entry: ReleaseEntry = {**newest, "content_hash": digest, "input_hash": input_hash}
            return Package(newest["version"], entry, {})
    info, files = assemble(content, newest, previous, date, bump)
    entry = {
        "version": info.version,
        "date": date,
        "bump": info.bump,
        "content_hash": digest,
        "input_hash": input_hash,
        "rows": rows,
        "checksums_hash": sha256(files[CHECKSUMS]),
    }
    return Package(newest["version"] if newest else None, entry, files)
