"""Package: every file of one release folder, as bytes, from its tables and release info.

Pure: the same tables, version, date and previous release give the same bytes. The content
(tables and codebook) does not depend on the version; its hash tells whether a new build
says anything the newest release does not.
"""

from __future__ import annotations

import json

from flows.steps.versioning import Bump, ReleaseInfo, bump_for, diff_release, next_version
from flows.writers.changelog import changes
from flows.writers.checksums import CHECKSUMS, checksums, sha256
from flows.writers.citation import citation
from flows.writers.codebook import codebook
from flows.writers.datapackage import datapackage
from flows.writers.page import render_page
from flows.writers.zenodo import ZENODO, zenodo

# Stands in for the version and date when hashing what a release says.
_NEUTRAL = ReleaseInfo(version="0.0.0", date="0000-00-00", previous=None, bump=None)


def content_files(table_files: dict[str, bytes]) -> dict[str, bytes]:
    """The files of a release that do not depend on its version or date."""
    return {**table_files, "CODEBOOK.md": codebook(table_files)}


def content_hash(content: dict[str, bytes]) -> str:
    """A hash of everything a release built from `content` says but its version and date.

    The descriptive files are rendered with a neutral version, so that a change to the
    page, codebook or data package alone still makes a (patch) release: the committed
    release must always be what the committed code and `raw/` build.
    """
    files = release_files(content, _NEUTRAL)
    listing = {name: sha256(data) for name, data in files.items()}
    return sha256(json.dumps(listing, sort_keys=True).encode())


def release_files(content: dict[str, bytes], info: ReleaseInfo) -> dict[str, bytes]:
    """The whole release folder: its content, the versioned files and the checksums."""
    files = dict(content)
    files["CHANGES.md"] = changes(info)
    files["CITATION.cff"] = citation(info)
    files[ZENODO] = zenodo(info)
    files["datapackage.json"] = datapackage(files, info)
    files["index.html"] = render_page(files, info)
    files[CHECKSUMS] = checksums(files)
    return dict(sorted(files.items()))


def assemble(
    content: dict[str, bytes],
    previous: dict | None,
    previous_files: dict[str, bytes],
    date: str,
    bump: Bump | None = None,
) -> tuple[ReleaseInfo, dict[str, bytes]]:
    """The next release after `previous` (an entry of releases.json, or None) and its files.

    The bump is `bump` when given, else the one the changes against `previous_files` call for.
    """
    diffs = tuple(diff_release(previous_files, content)) if previous else ()
    chosen: Bump = bump or bump_for(list(diffs))
    info = ReleaseInfo(
        version=next_version(previous["version"] if previous else None, chosen),
        date=date,
        previous=previous["version"] if previous else None,
        bump=chosen if previous else None,
        diffs=diffs,
    )
    return info, release_files(content, info)
