"""`CITATION.cff` (Citation File Format 1.2) for the dataset at one version."""

from __future__ import annotations

from flows.versioning import ReleaseInfo
from schemas import package


def citation(info: ReleaseInfo) -> bytes:
    keywords = "".join(f'  - "{k}"\n' for k in package.KEYWORDS)
    return (
        "cff-version: 1.2.0\n"
        'message: "If you use this dataset, please cite it as below."\n'
        "type: dataset\n"
        f'title: "{package.TITLE}"\n'
        "authors:\n"
        f'  - name: "{package.AUTHOR}"\n'
        f'version: "{info.version}"\n'
        f'date-released: "{info.date}"\n'
        f'license: "{package.DATA_LICENSE["name"]}"\n'
        f'abstract: "{package.DESCRIPTION}"\n'
        "keywords:\n"
        f"{keywords}"
    ).encode()
