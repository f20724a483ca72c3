"""`CHANGES.md` of a release: what changed against the previous one, by primary key.
(`output/CHANGELOG.md` joins them: `flows/steps/release_index.py`.)"""

from __future__ import annotations

from flows.steps.problems import counted
from flows.steps.versioning import ReleaseInfo, TableDiff
from schemas import TABLES

# Past this many rows, a list of keys is cut and the count says the rest.
MAX_LISTED = 50

_REASONS = {
    "major": "a table or column was removed or renamed, or a column changed type",
    "minor": "rows, columns or tables were added, or rows removed",
    "patch": "only values were corrected (or only the descriptive files changed)",
}


def _keys(keys: list[str]) -> str:
    shown = ", ".join(f"`{k}`" for k in keys[:MAX_LISTED])
    more = len(keys) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _cell(value: str) -> str:
    return (value or "(empty)").replace("|", "\\|").replace("\n", " ")


def table_changes(diff: TableDiff) -> list[str]:
    lines = [f"### `{diff.table}`", ""]
    if diff.added_table:
        table = TABLES.get(diff.table)
        about = f" {table.title}: {table.description}" if table else ""
        return [*lines, f"New table.{about}", ""]
    if diff.removed_table:
        return [*lines, "Table removed.", ""]
    for label, columns in (
        ("Columns added", diff.added_columns),
        ("Columns removed", diff.removed_columns),
    ):
        if columns:
            lines.append(f"- {label}: {', '.join(f'`{c}`' for c in columns)}")
    for column, old, new in diff.retyped_columns:
        lines.append(f"- Column `{column}` changed type: {old} -> {new}")
    if diff.added_rows:
        lines.append(f"- {counted(len(diff.added_rows), 'row')} added: {_keys(diff.added_rows)}")
    if diff.removed_rows:
        removed = counted(len(diff.removed_rows), "row")
        lines.append(f"- {removed} removed: {_keys(diff.removed_rows)}")
    if diff.changed_values:
        rows = {key for key, *_ in diff.changed_values}
        lines += [
            f"- {counted(len(rows), 'row')} changed:",
            "",
            "| row | field | old | new |",
            "|---|---|---|---|",
            *(
                f"| `{key}` | `{column}` | {_cell(old)} | {_cell(new)} |"
                for key, column, old, new in diff.changed_values[: MAX_LISTED * 4]
            ),
        ]
    if diff.newly_preferred:
        lines += [
            "",
            f"Preferred figures changed ({len(diff.newly_preferred)}): each figure now "
            "preferred, the one it replaces, and why (the step of the rule that decided: "
            "who made the claim):",
            "",
            "| now preferred | was preferred | why |",
            "|---|---|---|",
            *(
                f"| `{now}` | {_keys(was.split(';')) if was else '(none)'} | {_cell(why)} |"
                for now, was, why in diff.newly_preferred
            ),
        ]
    return [*lines, ""]


def changes(info: ReleaseInfo) -> bytes:
    """The `CHANGES.md` of one release."""
    lines = [f"## v{info.version} ({info.date})", ""]
    if info.previous is None:
        lines += ["First release.", ""]
    else:
        reason = _REASONS.get(str(info.bump), "")
        lines += [f"Changes against v{info.previous}. Version bump: **{info.bump}**: {reason}.", ""]
        changed = [d for d in info.diffs if not d.empty]
        for diff in changed:
            lines += table_changes(diff)
        if not changed:
            lines += ["No table changed; only the descriptive files did.", ""]
    return ("\n".join(lines).rstrip() + "\n").encode()
