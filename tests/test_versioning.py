"""Which version a release gets, from what changed against the newest release."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.steps.versioning import bump_for, diff_release, next_version

BASE = pd.DataFrame({"iso3": ["ARM", "KAZ"], "cow_code": [371, 705], "name": ["A", "K"]})


def files(frame: pd.DataFrame, name: str = "countries") -> dict[str, bytes]:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink)
    csv = frame.to_csv(index=False, lineterminator="\n").encode()
    return {f"{name}.csv": csv, f"{name}.parquet": sink.getvalue()}


def bump(new: pd.DataFrame) -> str:
    return bump_for(diff_release(files(BASE), files(new)))


def test_removed_column_is_major() -> None:
    assert bump(BASE.drop(columns="name")) == "major"


def test_renamed_column_is_major() -> None:
    assert bump(BASE.rename(columns={"name": "label"})) == "major"


def test_changed_column_type_is_major() -> None:
    assert bump(BASE.assign(cow_code=BASE["cow_code"].astype(str))) == "major"


def test_removed_table_is_major() -> None:
    both = {**files(BASE), **files(BASE, "sources")}
    assert bump_for(diff_release(both, files(BASE))) == "major"


def test_added_rows_are_minor() -> None:
    added = pd.concat([BASE, pd.DataFrame({"iso3": ["RUS"], "cow_code": [365], "name": ["R"]})])
    assert bump(added) == "minor"


def test_added_column_is_minor() -> None:
    assert bump(BASE.assign(iso2=["AM", "KZ"])) == "minor"


def test_corrected_value_only_is_patch() -> None:
    diffs = diff_release(files(BASE), files(BASE.assign(name=["Armenia", "K"])))
    assert bump_for(diffs) == "patch"
    assert diffs[0].changed_values == [("ARM", "name", "A", "Armenia")]


def test_identical_tables_have_no_changes() -> None:
    assert all(d.empty for d in diff_release(files(BASE), files(BASE)))


@pytest.mark.parametrize(
    ("current", "kind", "expected"),
    [
        (None, "minor", "1.0.0"),
        ("1.2.3", "major", "2.0.0"),
        ("1.2.3", "minor", "1.3.0"),
        ("1.2.3", "patch", "1.2.4"),
    ],
)
def test_next_version_follows_semver(current: str | None, kind: str, expected: str) -> None:
    assert next_version(current, kind) == expected


def test_the_changelog_counts_one_row_in_the_singular() -> None:
    from flows.writers.changelog import table_changes

    one = pd.concat([BASE, pd.DataFrame({"iso3": ["RUS"], "cow_code": [365], "name": ["R"]})])
    two = pd.concat([one, pd.DataFrame({"iso3": ["UZB"], "cow_code": [704], "name": ["U"]})])
    (added_one,) = diff_release(files(BASE), files(one))
    (added_two,) = diff_release(files(BASE), files(two))
    assert "- 1 row added: `RUS`" in table_changes(added_one)
    assert "- 2 rows added: `RUS`, `UZB`" in table_changes(added_two)
