"""Verify: is a published release intact and valid? Reading only, never writing.

A release (a folder of `output/`, or an archive made by `bundle`) is held to:
- its files: every file a release holds is there (the descriptive files, and each table as
  CSV, Parquet and, since v1.5.0, Stata), nothing else, no link, no subfolder;
- its checksums: every file listed in `SHA256SUMS` is there with the same bytes, and no
  file is there that the list does not name;
- its index: `SHA256SUMS` is the one `releases.json` recorded when the release was
  published, and each table has the rows recorded then;
- its formats: each table's Parquet and Stata files hold exactly the cells of its CSV;
- its schemas: every table's CSV, read back with its column types, passes its Pandera
  model, and the official Frictionless validator passes its `datapackage.json`;
- its pages: `index.html` and the table and country pages hold no script.
What this cannot tell is whether the files, their checksums and the index were all changed
together: only a rebuild from `raw/` proves content (`flows/orchestration/verify.py`).

An archive is checked in memory, without unpacking it (`flows/steps/bundle.py`); only the
Frictionless validator reads files from disk, from a private scratch folder of this run.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.pandas as pandera
import pyarrow as pa
import pyarrow.parquet as pq

from flows.steps.bundle import MAX_ARCHIVE_BYTES, NotAReleaseArchive, archive_files, archive_name
from flows.steps.checksums import CHECKSUMS, BadChecksums, checksums, parse_checksums, sha256
from flows.steps.memo import Recent
from flows.steps.release_index import (
    CHANGES,
    LATEST,
    RELEASES,
    BrokenOutput,
    ReleaseEntry,
    folder_of,
    read_index,
    release_versions,
)
from flows.steps.render import MAX_FILE_BYTES, TABLE_SUFFIXES, csv_bytes, csv_text, parquet_rows
from flows.steps.stata import stata_text
from flows.steps.validate import explain
from schemas import TABLES

Files = dict[str, bytes]
Where = Callable[[str], str]  # how a problem names one file of the release
# What every release holds besides its tables; `zenodo.json` since v1.5.1.
DESCRIPTIVE = (CHANGES, "CITATION.cff", "CODEBOOK.md", CHECKSUMS, "datapackage.json", "index.html")
OPTIONAL = ("zenodo.json",)
# The site's pages beside the home page (from v1.7.0): one per table, one per country.
SITE_PAGE = re.compile(r"(table-[a-z_]+|country-[A-Z]{3})\.html")
STATA = ".dta"
# What would run on the page: a script element (but its JSON-LD metadata, which is data),
# an event handler attribute, a `javascript:` link.
_SCRIPT = re.compile(
    rb'<\s*script(?![^>]*\btype="application/ld\+json")|<[a-z][^>]*\son[a-z]+\s*=|javascript:',
    re.IGNORECASE,
)
_NO_SCRIPT_POLICY = b'<meta http-equiv="Content-Security-Policy" content="default-src \'none\''


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


def read_folder(folder: Path) -> tuple[Files, list[str]]:
    """The files of a release folder, and what in it no release holds: links (followed,
    they would read outside the folder), subfolders, files over the size limit."""
    if folder.is_symlink():
        return {}, [f"{folder}: a symbolic link, not a release folder; nothing was read"]
    if not folder.is_dir():
        return {}, [f"{folder}: missing"]
    files, problems = {}, []
    for path in sorted(folder.iterdir()):
        if path.is_symlink():
            problems.append(f"{path}: a symbolic link, which a release never holds")
        elif not path.is_file():
            problems.append(f"{path}: not a file, which a release never holds")
        elif path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{path}: larger than any release file may be; not read")
        else:
            files[path.name] = path.read_bytes()
    return files, problems


def checksum_problems(files: Files, where: Where) -> list[str]:
    if CHECKSUMS not in files:
        return [f"{where(CHECKSUMS)}: missing, so nothing can be checked"]
    try:
        listed = parse_checksums(files[CHECKSUMS])
    except BadChecksums as error:
        return [f"{where(CHECKSUMS)}: {error}, so nothing can be checked"]
    present = set(files) - {CHECKSUMS}
    problems = [
        f"{where(n)}: missing (listed in {CHECKSUMS})" for n in sorted(set(listed) - present)
    ]
    problems += [
        f"{where(n)}: extra file, not in {CHECKSUMS}" for n in sorted(present - set(listed))
    ]
    for name in sorted(set(listed) & present):
        if sha256(files[name]) != listed[name]:
            problems.append(f"{where(name)}: modified (SHA-256 differs from {CHECKSUMS})")
    return problems


def _table_files(files: Files) -> dict[str, set[str]]:
    """The tables of a release and the suffixes each has."""
    tables: dict[str, set[str]] = {}
    for name in files:
        stem, dot, suffix = name.rpartition(".")
        if dot and f".{suffix}" in TABLE_SUFFIXES:
            tables.setdefault(stem, set()).add(f".{suffix}")
    return tables


def contents_problems(files: Files, where: Where, rows: dict[str, int] | None) -> list[str]:
    """Files a release must hold and does not, files it never holds, and, with the rows
    the index recorded, tables that are missing, extra or of another length."""
    tables = _table_files(files)
    problems = [
        f"{where(n)}: missing (every release holds it)" for n in DESCRIPTIVE if n not in files
    ]
    known = {*DESCRIPTIVE, *OPTIONAL}
    problems += [
        f"{where(n)}: not a file a release holds (its tables as CSV, Parquet and Stata, "
        f"a page per table and per country, and {', '.join(sorted(known))})"
        for n in sorted(files)
        if n not in known and n.rpartition(".")[0] not in tables and not SITE_PAGE.fullmatch(n)
    ]
    with_stata = any(STATA in suffixes for suffixes in tables.values())
    for table, suffixes in sorted(tables.items()):
        wanted = {".csv", ".parquet"} | ({STATA} if with_stata else set())
        problems += [f"{where(table + s)}: missing" for s in sorted(wanted - suffixes)]
    if rows is None:
        return problems
    problems += [
        f"{where(t + '.csv')}: missing, though {RELEASES} records the table with {n} rows"
        for t, n in sorted(rows.items())
        if t not in tables
    ]
    problems += [
        f"{where(t + '.csv')}: a table {RELEASES} does not record for this release"
        for t in sorted(set(tables) - set(rows))
    ]
    for table, recorded in sorted(rows.items()):
        parquet = files.get(f"{table}.parquet")
        if parquet is None:
            continue
        try:
            found = parquet_rows(parquet)
        except (OSError, ValueError, pa.ArrowException):
            continue  # reported by format_problems
        if found != recorded:
            problems.append(
                f"{where(table + '.parquet')}: {found} rows, where {RELEASES} recorded {recorded}"
            )
    return problems


def format_problems(files: Files, where: Where) -> list[str]:
    """Each table's Parquet and Stata files hold exactly the cells of its CSV."""
    problems = []
    for table in sorted(_table_files(files)):
        csv = files.get(f"{table}.csv")
        if csv is None:
            continue  # reported by contents_problems
        parquet, stata = files.get(f"{table}.parquet"), files.get(f"{table}{STATA}")
        if parquet is not None:
            try:
                same = csv_bytes(pq.read_table(pa.BufferReader(parquet))) == csv
            except (OSError, ValueError, pa.ArrowException) as error:
                problems.append(f"{where(table + '.parquet')}: cannot be read ({error})")
            else:
                if not same:
                    problems.append(f"{where(table + '.parquet')}: its cells differ from the CSV")
        if stata is not None:
            problems += _stata_problems(csv, stata, where(table + STATA))
    return problems


def _stata_problems(csv: bytes, stata: bytes, where: str) -> list[str]:
    try:
        from_stata = stata_text(stata)
    except (OSError, ValueError, KeyError, IndexError, OverflowError) as error:
        return [f"{where}: cannot be read as a Stata file ({error})"]
    from_csv = csv_text(csv)
    if list(from_stata.columns) != list(from_csv.columns) or len(from_stata) != len(from_csv):
        return [f"{where}: its columns or rows differ from the CSV"]
    for column in from_csv.columns:
        differ = from_stata[column].to_numpy() != from_csv[column].to_numpy()
        if differ.any():
            row = int(differ.argmax())
            return [
                f"{where}: row {row + 1}, {column}: {from_stata[column].iloc[row]!r} where "
                f"the CSV holds {from_csv[column].iloc[row]!r}"
            ]
    return []


def schema_problems(files: Files, where: Where) -> list[str]:
    problems = []
    for name, table in TABLES.items():
        data = files.get(f"{name}.csv")
        if data is None:
            continue  # reported by contents_problems
        path = where(f"{name}.csv")
        try:
            frame = read_table(name, data)
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
        except (ValueError, TypeError, OverflowError) as error:
            problems.append(f"{path}: cannot be read with the table's types ({error})")
    return problems


def page_problems(files: Files, where: Where) -> list[str]:
    """Every page is static: no script, no event handler, no `javascript:` link, and the
    policy that forbids them to the browser."""
    problems = []
    for name in sorted(n for n in files if n.endswith(".html")):
        page = files[name]
        if _SCRIPT.search(page):
            problems.append(f"{where(name)}: holds a script, which a page never does")
        if _NO_SCRIPT_POLICY not in page:
            problems.append(f"{where(name)}: lacks its policy that forbids scripts")
    return problems


# What Frictionless found in each package read in this process, by the digest of the
# files it reads: the validator is a pure function of those bytes and takes most of
# verify's time, so a package whose descriptor and data files are those of one validated
# before (the tests verify the same small release hundreds of times, often with only a
# page or a checksum changed) is not validated again.
_PACKAGE_FINDINGS: Recent[str, list[str]] = Recent(8)


def package_inputs(files: Files) -> Files:
    """The files Frictionless reads of a package: its descriptor and the files its
    resources name; all of them where the descriptor cannot be read so."""
    try:
        descriptor = json.loads(files["datapackage.json"])
        paths = [resource["path"] for resource in descriptor["resources"]]
    except (ValueError, TypeError, KeyError):
        return files
    if not all(isinstance(path, str) for path in paths):
        return files  # a list of paths, or worse: keep every file in the key
    return {name: data for name, data in files.items() if name in {*paths, "datapackage.json"}}


def package_problems(files: Files, folder: Path, where: Where) -> list[str]:
    """What the Frictionless validator finds wrong with the data package in `folder`,
    whose files `files` holds."""
    import frictionless  # a second, independent reading of what users will download

    if "datapackage.json" not in files:
        return []  # reported by contents_problems
    key = sha256(checksums(package_inputs(files)))
    found = _PACKAGE_FINDINGS.get(key)
    if found is None:
        report = frictionless.validate(str(folder / "datapackage.json"))
        messages = [
            f"{task.name}: {error.message}" for task in report.tasks for error in task.errors
        ] + [error.message for error in report.errors]
        found = [m.replace(str(folder), "") for m in messages]
        _PACKAGE_FINDINGS.put(key, found)
    return [f"{where('datapackage.json')}: {m}" for m in found]


def files_problems(
    files: Files, where: Where, entry: ReleaseEntry | None, folder: Path
) -> list[str]:
    """Every problem with a release's files (held in `folder` for Frictionless), held to
    its index `entry` when there is one."""
    problems = checksum_problems(files, where)
    if entry is not None and CHECKSUMS in files:
        recorded = entry.get("checksums_hash")
        if recorded and sha256(files[CHECKSUMS]) != recorded:
            problems.append(
                f"{where(CHECKSUMS)}: not the one {RELEASES} recorded when "
                f"v{entry['version']} was published: its files were changed and their "
                "checksums rewritten to match"
            )
    return (
        problems
        + contents_problems(files, where, entry["rows"] if entry else None)
        + format_problems(files, where)
        + schema_problems(files, where)
        + page_problems(files, where)
        + package_problems(files, folder, where)
    )


def index_problems(output: Path, history: list[ReleaseEntry]) -> list[str]:
    """Where `releases.json` and the release folders disagree, and whether `latest/` is
    the newest release, every file of it and nothing else."""
    listed = [r["version"] for r in history]
    on_disk = release_versions(output)
    problems = [
        f"{folder_of(output, v)}: "
        + (
            "a symbolic link, which is never adopted as a release"
            if folder_of(output, v).is_symlink()
            else f"listed in {RELEASES} but missing"
        )
        for v in listed
        if v not in on_disk
    ]
    problems += [
        f"{folder_of(output, v)}: a release folder that {RELEASES} does not list "
        "(`csto-data release` rebuilds the index)"
        for v in on_disk
        if v not in listed
    ]
    if on_disk:
        newest, latest = folder_of(output, on_disk[-1]), output / LATEST
        copied, odd = read_folder(latest)
        if odd or copied != read_folder(newest)[0]:
            problems.append(
                f"{latest}: not a copy of the newest release {newest.name}, every file of it "
                "and nothing else (`csto-data release` brings it up to date)"
            )
    return problems


def verify_archive(archive: Path) -> list[str]:
    """Every problem with a release archive made by `csto-data bundle`; nothing is
    unpacked but into a private scratch folder that is removed."""
    if not archive.is_file():  # a FIFO or a device would block or never end
        return [f"{archive}: not a file (a release archive is a .zip file)"]
    try:
        if archive.stat().st_size > MAX_ARCHIVE_BYTES:
            return [f"{archive}: larger than {MAX_ARCHIVE_BYTES:,} bytes; not read"]
        version, files = archive_files(archive.read_bytes())
    except NotAReleaseArchive as error:
        return [f"{archive}: {error}"]
    except OSError as error:
        return [f"{archive}: cannot be read ({error.strerror or error})"]
    problems = []
    if archive.name != archive_name(version):
        problems.append(f"{archive}: named for another version than v{version}, which it holds")
    with tempfile.TemporaryDirectory(prefix="csto-data-verify-") as scratch:
        folder = Path(scratch)
        for name, data in files.items():  # plain names: archive_files refuses any other
            (folder / name).write_bytes(data)
        problems += files_problems(files, lambda n: f"{archive}:{n}", None, folder)
    return problems


def version_named(version: str | None) -> str | None:
    """The version a user named ("1.2.3", "v1.2.3"), or None for the latest."""
    if version is None or version == LATEST:
        return None
    return version.removeprefix("v")


def release_problems(output: Path, version: str | None = None) -> list[str]:
    """Every problem with a published release (default: latest); empty when it is intact."""
    try:
        history = read_index(output)
    except BrokenOutput as error:
        return [f"{error} (`csto-data release` rebuilds it from the release folders)"]
    if not history:
        return [f"{output}: no release has been published (`csto-data release` makes one)"]
    known = [r["version"] for r in history]
    chosen = version_named(version)
    if chosen is not None and chosen not in known:
        return [f"{output}: no release v{chosen} (known: {', '.join(known)})"]
    entry = history[-1] if chosen is None else history[known.index(chosen)]
    folder = output / LATEST if chosen is None else folder_of(output, chosen)
    files, problems = read_folder(folder)
    if problems and not files:
        return index_problems(output, history) + problems
    return (
        index_problems(output, history)
        + problems
        + files_problems(files, lambda n: str(folder / n), entry, folder)
    )
