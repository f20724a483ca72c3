"""`CITATION.cff` (Citation File Format 1.2) for the dataset at one version."""

from __future__ import annotations

from flows.steps.versioning import ReleaseInfo
from schemas import metadata


def citation(info: ReleaseInfo) -> bytes:
    keywords = "".join(f'  - "{k}"\n' for k in metadata.KEYWORDS)
    repository = f'repository-code: "{metadata.REPOSITORY}"\n' if metadata.REPOSITORY else ""
    return (
        "cff-version: 1.2.0\n"
        'message: "If you use this dataset, please cite it as below."\n'
        "type: dataset\n"
        f'title: "{metadata.TITLE}"\n'
        "authors:\n"
        f'  - name: "{metadata.AUTHOR}"\n'
        f'version: "{info.version}"\n'
        f'date-released: "{info.date}"\n'
        f'license: "{metadata.DATA_LICENSE["name"]}"\n'
        f"{repository}"
        f'abstract: "{metadata.DESCRIPTION}"\n'
        "keywords:\n"
        f"{keywords}"
    ).encode()
