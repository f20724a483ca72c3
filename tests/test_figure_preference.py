"""The rule that prefers one figure per group, computed by the build: who made the claim
first, then actual over planned, exact over qualified, the most recent and the first
source; on tiny tables of figures, with the exact figure expected."""

from __future__ import annotations

import pandas as pd

from flows.steps.versioning import diff_table
from flows.writers.changelog import table_changes
from schemas import FIGURE_TABLES

# contributor, claimant_kind, claimant_iso3, qualifier, as_of, source
Figure = tuple[str | None, str, str | None, str, str, str]


def troops(*figures: Figure) -> pd.DataFrame:
    """Troop figures of one operation, 100 troops each, with the computed columns."""
    columns = ["contributor_iso3", "claimant_kind", "claimant_iso3", "qualifier", "as_of_date"]
    frame = pd.DataFrame([f[:5] for f in figures], columns=columns)
    frame = frame.assign(
        figure_id=[f[5] for f in figures],
        source_ids=[f[5] for f in figures],
        operation_id="op",
        troops=pd.array([100] * len(figures), dtype="Int64"),
        as_of_date=pd.to_datetime(frame["as_of_date"]),
    )
    return FIGURE_TABLES["troop_deployments"].with_computed(frame)


def preferred(frame: pd.DataFrame) -> list[tuple[str, str]]:
    chosen = frame[frame["preferred"].astype(bool)]
    return sorted(zip(chosen["figure_id"], chosen["preferred_by"], strict=True))


def test_a_states_own_word_on_its_contingent_beats_the_csto_and_the_press() -> None:
    frame = troops(
        ("ARM", "press", None, "exact", "2022-01-09", "a-press"),
        ("ARM", "csto", None, "exact", "2022-01-08", "b-csto"),
        ("ARM", "state", "ARM", "approximate", "2022-01-07", "c-own"),
        ("ARM", "state", "RUS", "exact", "2022-01-09", "d-other-state"),
    )
    assert preferred(frame) == [("c-own", "claimant")]


def test_an_official_claim_beats_a_more_exact_and_later_press_figure() -> None:
    frame = troops(
        (None, "press", None, "exact", "2022-01-12", "a-press"),
        (None, "expert", None, "approximate", "2022-01-10", "b-expert"),
        (None, "csto", None, "approximate", "2022-01-07", "c-csto"),
    )
    assert preferred(frame) == [("c-csto", "claimant")]


def test_among_equal_claimants_the_rule_goes_on_step_by_step() -> None:
    actual = troops(
        (None, "press", None, "planned", "2022-01-09", "a"),
        (None, "press", None, "approximate", "2022-01-08", "b"),
    )
    exact = troops(
        (None, "press", None, "approximate", "2022-01-09", "a"),
        (None, "press", None, "exact", "2022-01-08", "b"),
    )
    recent = troops(
        (None, "press", None, "exact", "2022-01-08", "a"),
        (None, "press", None, "exact", "2022-01-09", "b"),
    )
    first = troops(
        (None, "csto", None, "exact", "2022-01-09", "b"),
        (None, "state", "KAZ", "exact", "2022-01-09", "a"),
    )
    assert preferred(actual) == [("b", "actual_over_planned")]
    assert preferred(exact) == [("b", "exact_over_qualified")]
    assert preferred(recent) == [("b", "most_recent")]
    assert preferred(first) == [("a", "first_source")]


def test_each_contributor_and_the_total_get_their_own_preferred_figure() -> None:
    frame = troops(
        ("RUS", "press", None, "exact", "2022-01-09", "a"),
        (None, "press", None, "exact", "2022-01-09", "b"),
        (None, "state", "KAZ", "exact", "2022-01-10", "c"),
    )
    assert preferred(frame) == [("a", "only_figure"), ("c", "claimant")]


def test_a_forces_figures_of_different_years_are_a_series_with_one_preferred_a_year() -> None:
    frame = pd.DataFrame(
        {
            "figure_id": ["a", "b", "c"],
            "force_id": "crdf",
            "contributor_iso3": None,
            "troops": pd.array([1500, 5000, 4000], dtype="Int64"),
            "qualifier": ["exact", "approximate", "exact"],
            "as_of_date": pd.to_datetime(["2006-05-19", "2022-12-19", "2022-01-01"]),
            "claimant_kind": ["press", "csto", "press"],
            "claimant_iso3": None,
            "source_ids": ["a", "b", "c"],
        }
    )
    computed = FIGURE_TABLES["force_figures"].with_computed(frame)
    assert computed["as_of_year"].tolist() == [2006, 2022, 2022]
    assert preferred(computed) == [("a", "only_figure"), ("b", "claimant")]


def csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def test_the_changelog_names_each_figure_now_preferred_what_it_replaces_and_why() -> None:
    columns = ["figure_id", "operation_id", "contributor_iso3", "preferred"]
    old = pd.DataFrame([["a", "op", "", "true"], ["b", "op", "", "false"]], columns=columns)
    new = old.assign(
        preferred=["false", "true"],
        preferred_by=["", "claimant"],
        claimant=["Panorama.am (no source named)", "Ministry of Defence of Armenia"],
    )
    diff = diff_table(
        "troop_deployments",
        {"troop_deployments.csv": csv(old)},
        {"troop_deployments.csv": csv(new)},
    )
    assert diff.newly_preferred == [("b", "a", "claimant: Ministry of Defence of Armenia")]
    assert "| `b` | `a` | claimant: Ministry of Defence of Armenia |" in table_changes(diff)


def test_the_changelog_names_a_replaced_figure_whose_id_changed_and_skips_new_groups() -> None:
    columns = ["figure_id", "operation_id", "contributor_iso3", "preferred"]
    old = pd.DataFrame([["a:2022-01-07", "op", "", "true"]], columns=columns)
    new = pd.DataFrame(
        [["a:2022-01-06", "op", "", "true"], ["c", "op-new", "", "true"]], columns=columns
    ).assign(preferred_by="only_figure", claimant="CSTO Secretariat")
    diff = diff_table(
        "troop_deployments",
        {"troop_deployments.csv": csv(old)},
        {"troop_deployments.csv": csv(new)},
    )
    assert diff.newly_preferred == [
        ("a:2022-01-06", "a:2022-01-07", "only_figure: CSTO Secretariat")
    ]
