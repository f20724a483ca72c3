"""Tables of figures whose preferred contributors do not add up to the preferred total: the
groups found, and the codebook's warning, for every table of figures, on tiny inputs."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from flows.writers.codebook import sums_warning
from flows.writers.figure_sums import Mismatch, mismatched_groups, mismatches
from schemas import FIGURE_TABLES
from schemas.figures import with_sums_checked

Row = tuple[str | int | bool | None, ...]  # the group's values, contributor, count, preferred


def figure_files(rows: dict[str, list[Row]]) -> dict[str, bytes]:
    """`<table>.parquet` of each table of figures from rows of its group columns, contributor,
    count and preferred flag, with `contributors_add_up` computed as the build does."""
    files = {}
    for name, figures in FIGURE_TABLES.items():
        columns = [*figures.group, "contributor_iso3", figures.count, "preferred"]
        frame = pd.DataFrame(rows.get(name, []), columns=columns)
        frame = with_sums_checked(
            frame.astype({figures.count: "Int64", "preferred": "boolean"}),
            list(figures.group),
            figures.count,
        )
        sink = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
        files[f"{name}.parquet"] = sink.getvalue()
    return files


ADDING_UP = {
    "troop_deployments": [
        ("op-b", "RUS", 50, True),
        ("op-b", "KAZ", 50, True),
        ("op-b", None, 100, True),
    ],
    "force_figures": [
        ("crrf", 2009, "RUS", 8000, True),
        ("crrf", 2009, "KAZ", 4000, True),
        ("crrf", 2009, "KAZ", 3000, False),
        ("crrf", 2009, None, 12000, True),
        ("crrf", 2022, None, 18000, True),  # a year of its own: judged apart
    ],
    "exercise_figures": [
        ("ex-1", "vehicles", "RUS", 10, True),
        ("ex-1", "vehicles", None, 10, True),
        ("ex-3", "personnel", None, 500, True),  # a total alone is not judged
    ],
}

NOT_ADDING_UP = {
    **ADDING_UP,
    "troop_deployments": [
        ("op-a", "RUS", 3000, True),
        ("op-a", "ARM", 950, True),
        ("op-a", "ARM", 70, False),
        ("op-a", None, 2030, True),
        *ADDING_UP["troop_deployments"],
    ],
    "exercise_figures": [
        ("ex-1", "personnel", "RUS", 100, True),
        ("ex-1", "personnel", "KAZ", 50, True),
        ("ex-1", "personnel", None, 200, True),
        ("ex-2", "personnel", "ARM", 5, True),
        ("ex-2", "personnel", None, 1000, True),
        *ADDING_UP["exercise_figures"],
    ],
}


def test_the_groups_that_do_not_add_up_give_their_contributors_sum_and_total() -> None:
    files = figure_files(NOT_ADDING_UP)
    assert mismatched_groups("exercise_figures", files) == {
        ("ex-1", "personnel"): Mismatch(("ex-1", "personnel"), 150, 200),
        ("ex-2", "personnel"): Mismatch(("ex-2", "personnel"), 5, 1000),
    }
    assert mismatched_groups("force_figures", files) == {}
    assert mismatches(files) == {"op-a": Mismatch(("op-a",), 3950, 2030)}


def test_the_codebook_warns_for_every_table_of_figures_naming_the_groups_not_adding_up() -> None:
    assert sums_warning(figure_files(NOT_ADDING_UP)) == [
        "**Do not sum the contributors of `op-a`.** Its preferred figures per contributor add "
        "up to 3,950 troops, against a preferred total of 2,030: each is the best figure found "
        "for itself, from different sources, dates and qualifiers (see each row's `note`). Use "
        "the total for the size of the force.",
        "",
        "**Do not sum the contributors of these exercises and measures in `exercise_figures`.** "
        "Their preferred figures per contributor do not add up to their preferred total (the "
        "sum against the total): `ex-1` (`personnel`) 150 against 200; `ex-2` (`personnel`) 5 "
        "against 1,000. Each figure is the best found for itself, from different sources, "
        "dates and qualifiers (see each row's `note`). Use the total for the size of the "
        "exercise.",
        "",
    ]


def test_a_table_of_figures_whose_contributors_add_up_gets_no_warning() -> None:
    files = figure_files(ADDING_UP)
    assert all(mismatched_groups(name, files) == {} for name in FIGURE_TABLES)
    assert sums_warning(files) == []
