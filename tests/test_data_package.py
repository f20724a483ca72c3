"""Every release describes itself as a valid Frictionless Data Package, checked by the
official validator, and a hand-made break makes that validator fail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import frictionless
import pytest

from schemas import TABLES


@pytest.fixture
def folder(released: Path) -> Path:
    return released / "latest"


def error_types(folder: Path) -> set[str]:
    report = frictionless.validate(str(folder / "datapackage.json"))
    return {e.type for task in report.tasks for e in task.errors} | {e.type for e in report.errors}


def unhash(folder: Path, resource: str) -> None:
    """Drop a resource's size and hash, so that a break is caught for what it is."""
    path = folder / "datapackage.json"
    package = json.loads(path.read_text())
    for entry in package["resources"]:
        if entry["name"] == resource:
            entry.pop("bytes"), entry.pop("hash")
    path.write_text(json.dumps(package))


def test_official_validator_passes_the_release(folder: Path) -> None:
    validator = Path(sys.executable).with_name("frictionless")
    result = subprocess.run(
        [str(validator), "validate", "datapackage.json"], cwd=folder, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_every_column_has_a_description_and_every_table_a_key(folder: Path) -> None:
    package = json.loads((folder / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["version"] == "1.0.0"
    described = {r["name"]: r for r in package["resources"]}
    for name, table in TABLES.items():
        schema = described[name]["schema"]
        assert [f["name"] for f in schema["fields"]] == table.columns
        assert all(f["description"] for f in schema["fields"]), name
        assert schema["primaryKey"] == list(table.primary_key)
        assert described[name]["hash"].startswith("sha256:")
        assert f"{name}-parquet" in described


def test_renamed_column_fails_the_validator(folder: Path) -> None:
    path = folder / "members.csv"
    path.write_text(path.read_text().replace("start_how", "how_started", 1))
    unhash(folder, "members")
    assert "incorrect-label" in error_types(folder)


def test_dangling_foreign_key_fails_the_validator(folder: Path) -> None:
    path = folder / "members.csv"
    lines = path.read_text().splitlines()
    cells = lines[1].split(",")
    cells[lines[0].split(",").index("iso3")] = "ZZZ"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    unhash(folder, "members")
    assert "foreign-key" in error_types(folder)


def test_every_resource_gives_its_bytes_and_sha256(folder: Path) -> None:
    import hashlib

    package = json.loads((folder / "datapackage.json").read_text())
    for resource in package["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data), resource["name"]
        assert resource["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}", resource["name"]
    formats = {r["format"] for r in package["resources"]}
    assert formats == {"csv", "parquet", "dta"}


# Zenodo's deposit metadata rules (developers.zenodo.org, "Deposit metadata"): the required
# fields, the upload types and access rights it accepts, and its licence identifiers.
ZENODO_REQUIRED = {"upload_type", "publication_date", "title", "creators", "description"}
ZENODO_UPLOAD_TYPES = {"publication", "poster", "presentation", "dataset", "image", "video",
                       "software", "lesson", "physicalobject", "other"}  # fmt: skip
ZENODO_ACCESS = {"open", "embargoed", "restricted", "closed"}


def test_zenodo_metadata_follows_the_deposit_rules_and_citation_cff(folder: Path) -> None:
    import datetime as dt

    import yaml

    record = json.loads((folder / "zenodo.json").read_text())
    assert set(record) >= ZENODO_REQUIRED
    assert record["upload_type"] in ZENODO_UPLOAD_TYPES
    assert record["access_right"] in ZENODO_ACCESS
    assert record["license"] == "cc-by-4.0"  # required for open access, as Zenodo spells it
    assert all(c["name"] for c in record["creators"])
    dt.date.fromisoformat(record["publication_date"])
    citation = yaml.safe_load((folder / "CITATION.cff").read_text())
    assert record["title"] == citation["title"]
    assert record["version"] == citation["version"]
    assert record["publication_date"] == citation["date-released"]
    assert record["creators"] == [{"name": a["name"]} for a in citation["authors"]]
    assert record["license"] == citation["license"].lower()


@pytest.mark.parametrize("address", ["", "https://example.org/csto-data"])
def test_the_repository_address_is_cited_only_where_it_is_configured(
    address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from flows.steps.versioning import ReleaseInfo
    from flows.writers import citation, site
    from schemas import metadata

    monkeypatch.setattr(metadata, "REPOSITORY", address)
    info = ReleaseInfo("1.0.0", "2026-01-01", None, None)
    cff = yaml.safe_load(citation.citation(info))
    files = {"CITATION.cff": b"", **dict.fromkeys(site.DOCUMENTS, b"")}
    cited = site.home_page(files, info, "", [], "{}").decode()
    if address:
        assert cff["repository-code"] == address
        assert f'<a href="{address}">{address}</a>' in cited
    else:
        assert "repository-code" not in cff
        assert "example.org" not in cited
