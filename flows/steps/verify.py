"""Verify: is a published release intact and valid?

- checksums: every file listed in `SHA256SUMS` is there with the same bytes, and no file
  is there that the list does not name;
- schemas: every table's CSV, read back with its column types, passes its Pandera model,
  and the official Frictionless validator passes the release's `datapackage.json`.

Whether `raw/` rebuilds it byte for byte runs the whole chain of steps, so it is
orchestration's: `flows/orchestration/verify.py`.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pandera.pandas as pandera
import pyarrow as pa
import pyarrow.parquet as pq

from flows.steps.bundle import archive_name, unpacked
from flows.steps.checksums import CHECKSUMS, parse_checksums, sha256
from flows.steps.release_index import (
    LATEST,
    RELEASES,
    BrokenOutput,
    ReleaseEntry,
    folder_files,
    read_index,
    release_versions,
)
from flows.steps.render import csv_bytes, csv_text
from flows.steps.validate import explain
from schemas import TABLES


def read_table(name: str, data: bytes) -> pd.DataFrame:
    """A published CSV read back with the dtypes of its Pandera model."""
    frame = csv_text(data)
    frame = frame.replace("", None)
    for column, spec in TABLES[name].model.to_schema().columns.items():
        if column not in frame:
            continue
        kind = str(spec.dtype)
        if kind.startswith("datetime64"):
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype(
                "datetime64[us]"
            )
        elif kind == "Int64":
            frame[column] = pd.to_numeric(frame[column]).astype("Int64")
        elif kind in ("boolean", "bool"):
            frame[column] = frame[column].map({"true": True, "false": False}).astype("boolean")
        else:
            frame[column] = frame[column].astype("str")
    return frame


def checksum_problems(folder: Path) -> list[str]:
    listing_path = folder / CHECKSUMS
    if not listing_path.is_file():
        return [f"{listing_path}: missing, so nothing can be checked"]
    listed = parse_checksums(listing_path.read_bytes())
    present = {p.name for p in folder.iterdir() if p.is_file() and p.name != CHECKSUMS}
    problems = [f"{folder / n}: missing" for n in sorted(set(listed) - present)]
    problems += [
        f"{folder / n}: extra file, not in {CHECKSUMS}" for n in sorted(present - set(listed))
    ]
    for name in sorted(set(listed) & present):
        if sha256((folder / name).read_bytes()) != listed[name]:
            problems.append(f"{folder / name}: modified (SHA-256 differs from {CHECKSUMS})")
    return problems


def parquet_problems(folder: Path) -> list[str]:
    """A table's Parquet file holds exactly its CSV: rendered again as CSV, the same bytes."""
    problems = []
    for name in TABLES:
        csv, parquet = folder / f"{name}.csv", folder / f"{name}.parquet"
        if not (csv.is_file() and parquet.is_file()):
            continue  # reported by the checksums
        try:
            same = csv_bytes(pq.read_table(parquet)) == csv.read_bytes()
        except (OSError, ValueError, pa.ArrowException) as error:
            problems.append(f"{parquet}: cannot be read ({error})")
            continue
        if not same:
            problems.append(f"{parquet}: its rows differ from {csv.name}")
    return problems


def schema_problems(folder: Path) -> list[str]:
    problems = []
    for name, table in TABLES.items():
        path = folder / f"{name}.csv"
        if not path.is_file():
            continue  # reported by the checksums
        try:
            frame = read_table(name, path.read_bytes())
            if list(frame.columns) != table.columns:
                continue  # an older release's schema: its own datapackage.json checks it
            table.model.validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as errors:
            for case in errors.failure_cases.itertuples(index=False):
                # CSV line: the header is line 1, row 0 is line 2.
                line = "" if pd.isna(case.index) else f":{int(case.index) + 2}"
                problems.append(
                    f"{path}{line}: {name}.{case.column}: "
                    f"{explain(str(case.check), case.failure_case)}"
                )
        except (ValueError, TypeError) as error:
            problems.append(f"{path}: cannot be read with the table's types ({error})")
    return problems


def package_problems(folder: Path) -> list[str]:
    """What the Frictionless validator finds wrong with the release's data package."""
    import frictionless  # a second, independent reading of what users will download

    descriptor = folder / "datapackage.json"
    if not descriptor.is_file():
        return []  # reported by the checksums
    report = frictionless.validate(str(descriptor))
    return [
        f"{descriptor}: {task.name}: {error.message}"
        for task in report.tasks
        for error in task.errors
    ] + [f"{descriptor}: {error.message}" for error in report.errors]


def index_problems(output: Path, history: list[ReleaseEntry]) -> list[str]:
    """Where `releases.json` and the release folders disagree, and whether `latest/` is
    the newest release."""
    listed = [r["version"] for r in history]
    on_disk = release_versions(output)
    problems = [
        f"{output / ('v' + v)}: listed in {RELEASES} but missing"
        for v in listed
        if v not in on_disk
    ]
    problems += [
        f"{output / ('v' + v)}: a release folder that {RELEASES} does not list "
        "(`csto-data release` rebuilds the index)"
        for v in on_disk
        if v not in listed
    ]
    if on_disk:
        newest = output / f"v{on_disk[-1]}"
        latest = output / LATEST
        if folder_files(latest) != folder_files(newest):
            problems.append(
                f"{latest}: not a copy of the newest release {newest.name} "
                "(`csto-data release` brings it up to date)"
            )
    return problems


def folder_problems(folder: Path) -> list[str]:
    """Every problem with the files of one release folder, whatever holds it."""
    return (
        checksum_problems(folder)
        + schema_problems(folder)
        + parquet_problems(folder)
        + package_problems(folder)
    )


def verify_archive(archive: Path) -> list[str]:
    """Every problem with a release archive made by `csto-data bundle`."""
    try:
        version, files = unpacked(archive)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        return [f"{archive}: {error}"]
    problems = []
    if archive.name != archive_name(version):
        problems.append(f"{archive}: named for another version than v{version} it holds")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / f"v{version}"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        found = folder_problems(folder)
    return problems + [p.replace(str(folder), f"{archive}:") for p in found]


def release_problems(output: Path, version: str | None = None) -> list[str]:
    """Every problem with a published release (default: latest); empty when it is intact."""
    try:
        history = read_index(output)
    except BrokenOutput as error:
        return [f"{error} (`csto-data release` rebuilds it from the release folders)"]
    if not history:
        return [f"{output}: no release has been published"]
    known = [r["version"] for r in history]
    if version is not None and version.removeprefix("v") not in known:
        return [f"{output}: no release v{version.removeprefix('v')} (known: {', '.join(known)})"]
    folder = output / (f"v{version.removeprefix('v')}" if version else LATEST)
    return index_problems(output, history) + folder_problems(folder)
