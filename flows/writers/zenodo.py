"""`zenodo.json` of a release, copied to the repository's `.zenodo.json`: Zenodo's deposit
metadata, so that archiving a GitHub Release there mints a DOI per version without anyone
typing metadata. Made from the same metadata as `CITATION.cff` and the data package."""

from __future__ import annotations

import json

from flows.steps.versioning import ReleaseInfo
from schemas import metadata

ZENODO = "zenodo.json"
# Zenodo's identifiers for the licences it accepts are lower-case SPDX ids.
LICENSE_ID = metadata.DATA_LICENSE["name"].lower()


def zenodo(info: ReleaseInfo) -> bytes:
    record = {
        "upload_type": "dataset",
        "title": metadata.TITLE,
        "description": metadata.DESCRIPTION,
        "creators": [{"name": metadata.AUTHOR}],
        "access_right": "open",
        "license": LICENSE_ID,
        "version": info.version,
        "publication_date": info.date,
        "keywords": list(metadata.KEYWORDS),
        "language": "eng",
    }
    return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode()
