"""Build: the columns and tables derived from the curated ones, on tiny inputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flows.steps.build import chairmanships
from schemas.external_codings import with_agreement
from schemas.figures import with_sums_checked


def figures(rows: list[tuple[str, str | None, int, bool]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["operation_id", "contributor_iso3", "troops", "preferred"])
    return frame.astype({"troops": "Int64", "preferred": "boolean"})


def test_preferred_figures_say_whether_contributors_add_up_to_the_total() -> None:
    built = with_sums_checked(
        figures(
            [
                ("a", "RUS", 3000, True),
                ("a", "ARM", 100, True),
                ("a", "ARM", 70, False),
                ("a", None, 2030, True),
                ("b", "RUS", 50, True),
                ("b", "KAZ", 50, True),
                ("b", None, 100, True),
                ("c", "RUS", 10, True),
                ("d", None, 10, True),
            ]
        ),
        ["operation_id"],
        "troops",
    )
    assert built["contributors_add_up"].tolist() == [
        False,
        False,
        pd.NA,
        False,
        True,
        True,
        True,
        pd.NA,
        pd.NA,
    ]


def sessions(rows: list[tuple[str, str, str, str | None, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["session_id", "date", "kind", "chair_iso3", "source_ids"])
    return frame.assign(date=pd.to_datetime(frame["date"]))


def test_chairmanships_come_from_the_chairs_of_regular_sessions() -> None:
    built = chairmanships(
        sessions(
            [
                ("csc-2005-06-23", "2005-06-23", "regular", "RUS", "s1;s2"),
                ("csc-2006-06-23", "2006-06-23", "regular", "BLR", "s2"),
                ("csc-2006-09-01", "2006-09-01", "informal", "KAZ", "s3"),
                ("csc-2007-10-06", "2007-10-06", "regular", None, "s4"),
                ("csc-2008-05-01", "2008-05-01", "regular", "ARM", "s5"),
                ("csc-2008-09-05", "2008-09-05", "regular", "ARM", "s5;s6"),
            ]
        )
    )
    assert built.to_dict("records") == [
        {"year": 2005, "chair_iso3": "RUS", "session_ids": "csc-2005-06-23", "source_ids": "s1;s2"},
        {"year": 2006, "chair_iso3": "BLR", "session_ids": "csc-2006-06-23", "source_ids": "s2"},
        {
            "year": 2008,
            "chair_iso3": "ARM",
            "session_ids": "csc-2008-05-01;csc-2008-09-05",
            "source_ids": "s5;s6",
        },
    ]


def test_external_codings_agree_to_the_day_or_not_and_phase_changes_are_not_judged() -> None:
    day = pd.Timestamp
    members = pd.DataFrame(
        {
            "spell_id": ["A", "B"],
            "start_date": [day("1992-05-15"), day("1993-12-31")],
            "end_date": [pd.NaT, day("2012-12-19")],
        }
    )
    codings = pd.DataFrame(
        {
            "spell_id": ["A", "A", "B", "B"],
            "entry_date": pd.to_datetime(["1992-05-15", "2002-10-07", "1994-01-03", "1993-12-31"]),
            "entry_how": ["joined", "phase_start", "joined", "joined"],
            "exit_date": [day("2002-10-07"), pd.NaT, day("2012-12-19"), pd.NaT],
            "exit_how": ["phase_end", "in_effect", "left_early", "in_effect"],
            "coded_until": [day("2018-12-31")] * 3 + [day("2012-12-31")],
        }
    )
    built = with_agreement(codings, members)
    assert built["starts_agree"].tolist() == [True, pd.NA, False, True]
    assert built["ends_agree"].tolist() == [pd.NA, True, True, False]


def test_records_read_again_are_the_files_as_they_are_now_and_a_fresh_copy(
    raw_dir: Path,
) -> None:
    """Ingest keeps what it typed of a file by its bytes: an edit is read, and a caller
    that changes its frames changes nothing another caller gets."""
    from flows.steps.ingest import ingest
    from tests.helpers import add_event

    first, _ = ingest(raw_dir)
    first.tables["treaty_events"].loc[0, "title"] = "changed by a caller"
    add_event(raw_dir)
    again, problems = ingest(raw_dir)
    assert problems == []
    events = again.tables["treaty_events"]
    assert "test-added-event" in set(events["event_id"])
    assert "changed by a caller" not in set(events["title"])
    assert again.tables["members"] is not first.tables["members"]


def test_a_table_changed_after_it_passed_its_model_is_validated_again(raw_dir: Path) -> None:
    """validate keeps which tables passed their model, by content: a changed table is
    never taken for the one that passed."""
    from flows.steps.ingest import ingest
    from flows.steps.validate import validate

    records, found = ingest(raw_dir)
    assert validate(records, found) == []
    records.tables["troop_deployments"].loc[0, "troops"] = -1
    problems = validate(records, found)
    assert [(p.table, p.field) for p in problems] == [("troop_deployments", "troops")]
