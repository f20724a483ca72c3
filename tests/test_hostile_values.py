"""Hostile values: what `check` accepts, `release` publishes, and every published table
reads back the same from its CSV file as from its Parquet file."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flows.steps.build import build
from flows.steps.ingest import LARGEST, ingest
from flows.steps.render import arrow_table, csv_bytes, csv_text, parquet_bytes
from flows.steps.stata import stata_bytes, stata_text
from flows.steps.validate import validate
from flows.writers.page import deployments
from tests.conftest import RAW
from tests.test_check_errors import EVENT, FIGURE, append

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def yaml_quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar: printable ASCII as is, the rest escaped."""
    return (
        '"'
        + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in text)
        + '"'
    )


def as_csv_cell(value: object) -> str:
    """How the CSV writer spells one typed value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def parquet_as_text(data: bytes) -> pd.DataFrame:
    table = pq.read_table(io.BytesIO(data))
    columns = {n: [as_csv_cell(v) for v in table[n].to_pylist()] for n in table.column_names}
    return pd.DataFrame(columns, columns=table.column_names, dtype="str")


@pytest.fixture(scope="module")
def pristine(small_raw: Path) -> Path:
    """The small records (`small_raw`): what a value becomes does not depend on the other
    rows, and each example reads, checks and builds them all."""
    return small_raw


def fresh_raw(pristine: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(pristine, target)
    return target


@pytest.mark.slow
@SETTINGS
# A batch of texts per example, each the title of its own event: one check (and, when every
# one is accepted, one build) per batch, so that each text costs a fraction of a run.
@given(texts=st.lists(st.text(max_size=12), min_size=1, max_size=5))
@example(texts=["Afghan\ristan"])
@example(texts=["a\x00b\x1b\x85\u2028\ufeff"])
@example(texts=["=1+2", "\t=1+2", "\uff1d1+2"])
@example(texts=['"quoted", and a comma', "", "NA"])
def test_a_text_value_is_refused_where_it_stands_or_reads_back_the_same_from_csv_and_parquet(
    pristine: Path, tmp_path: Path, texts: list[str]
) -> None:
    raw = fresh_raw(pristine, tmp_path, "raw")
    events = [{**EVENT, "id": f"{EVENT['id']}-{n}"} for n in range(len(texts))]
    lines = [
        append(raw, "treaty_events.yaml", {**event, "title": yaml_quoted(text)})["title"]
        for event, text in zip(events, texts, strict=True)
    ]
    records, found = ingest(raw)
    problems = validate(records, found)
    if problems:  # each refused at its own title, and nothing else
        assert {(p.line, p.field) for p in problems} <= {(n, "title") for n in lines}, problems
        return
    tables = build(records)
    # The table the titles are published in; every table of the real records is held to
    # the same by `test_csv_and_parquet_hold_the_same_rows_and_columns` and by `verify`.
    assert_every_format_reads_the_same("treaty_events", tables["treaty_events"])
    titles = tables["treaty_events"].set_index("event_id")["title"]
    for event, text in zip(events, texts, strict=True):
        assert titles[event["id"]] == text


def assert_every_format_reads_the_same(name: str, frame: pd.DataFrame) -> None:
    """The CSV, Parquet and Stata files a release writes of one table hold the same cells."""
    table = arrow_table(name, frame)
    from_csv = csv_text(csv_bytes(table))
    from_parquet = parquet_as_text(parquet_bytes(table))
    pd.testing.assert_frame_equal(from_csv, from_parquet, check_dtype=False)
    pd.testing.assert_frame_equal(from_csv, stata_text(stata_bytes(name, frame)), check_dtype=False)


CONTRIBUTORS = ["RUS", "BLR", "ARM", "KGZ", "TJK"]  # each already in the operation


@pytest.mark.slow
@SETTINGS
# A batch of figures per example, each of its own contributor: one build per batch.
@given(troops=st.lists(st.integers(0, LARGEST), min_size=1, max_size=len(CONTRIBUTORS)))
@example(troops=[5_000_001, LARGEST, 0, 2**31, 2**31 - 1])
def test_a_troop_figure_that_check_accepts_is_published_the_same_in_every_format(
    pristine: Path, tmp_path: Path, troops: list[int]
) -> None:
    raw = fresh_raw(pristine, tmp_path, "raw")
    for contributor, count in zip(CONTRIBUTORS, troops, strict=False):
        append(
            raw,
            "troop_deployments.yaml",
            {**FIGURE, "contributor": contributor, "troops": str(count)},
        )
    records, found = ingest(raw)
    assert validate(records, found) == []
    tables = build(records)
    assert_every_format_reads_the_same("troop_deployments", tables["troop_deployments"])
    # The files the page's deployment chart is drawn from, as a release writes them.
    files = {
        f"{name}.{kind}": write(arrow_table(name, tables[name]))
        for name in ("countries", "sources", "operations", "treaty_events", "troop_deployments")
        for kind, write in (("csv", csv_bytes), ("parquet", parquet_bytes))
    }
    chart = deployments(files)
    assert all(f"{count:,}" in chart for count in troops)


def test_an_empty_table_is_published_the_same_in_every_format() -> None:
    """A raw file of `[]` passes `check`; pandas once failed to write its Stata file."""
    from flows.orchestration.pipeline import validated

    for name, frame in build(validated(RAW)).items():
        assert_every_format_reads_the_same(name, frame.head(0))
