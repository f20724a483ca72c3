"""The release's `CODEBOOK.md`, generated from the table specs and the published data."""

from __future__ import annotations

from typing import Any

from flows.steps.render import csv_text, first_values, parquet_rows
from flows.writers.datapackage import constraints, field_type
from flows.writers.figure_sums import Mismatch, mismatched_groups
from schemas import FIGURE_TABLES, TABLES, metadata
from schemas.figures import FigureTable
from schemas.spec import Table

ENCODING = """\
## How values are encoded

- **Files.** Each table is published as `<table>.csv` (UTF-8, comma-separated, header row,
  `\\n` line ends, empty field for missing), `<table>.parquet` (the same rows and columns,
  typed: dates as dates, counts as 64-bit integers, `true`/`false` as booleans) and
  `<table>.dta` (the same rows for Stata 14 or later, format 118: vocabularies and
  `true`/`false` as labelled values, each variable labelled with its description).
- **The Stata files.** Format 118 (Stata 14 or later, UTF-8 text), the same rows in the same
  order as the CSV. Each variable's label is the start of its description (Stata allows 80
  characters; the full text is here); the data label is the table's title. A vocabulary or a
  `true`/`false` column is an integer with value labels: 0 for the first value in the order
  this codebook lists it (`false` 0, `true` 1), and Stata's missing `.` for an empty cell;
  `decode` gives back the published words. Dates are Stata daily dates (`%td`, days since
  1 January 1960), `.` where empty, with the `*_precision` column beside each. Whole numbers
  (counts, years, COW codes) are numeric, `.` where empty. Stata has no missing text: an
  empty text cell is `""`. Text over 2,045 bytes is a `strL`. The files' time stamp is fixed
  (15 May 1992, the day the treaty was signed), so their bytes depend on the tables only.
- **Dates and their precision.** A date is written `YYYY-MM-DD`. Where the sources give only
  a month or a year, the date is the first day of that period and the `*_precision` column
  beside it says `month` or `year`; `day` means the day is known. Never read a month-precision
  `1993-12-01` as the 1st of December.
- **Ongoing.** An empty `end_date` means the spell or operation had not ended by the
  dataset's `as_of` date; it is never filled with a made-up date.
- **Lists.** Columns ending in `_ids`, `states`, `asked`, `absent_iso3` and
  `not_signed_iso3` hold several values separated by `;`.
  `citations` holds the same links one per row, for joins.
- **Approximate figures.** A figure (`troops`, `count`) is the number as the source gave it;
  `qualifier` says how the source qualified it: `exact`, `approximate` ("about", "~"),
  `at_least` ("more than"), `up_to`, or `planned` (announced before it happened).
- **Competing claims.** Sources disagree on figures: troops deployed (`troop_deployments`),
  troops and equipment in exercises (`exercise_figures`), the forces' strength and pledges
  (`force_figures`). Every figure is kept, one row per source, with who made the claim
  (`claimant`, `claimant_kind`, `claimant_iso3`) beside where it was read (`source_ids`):
  a defence ministry's figure read in a news report is the ministry's claim, and so is a
  figure in a report that the outlet credits as a whole to an official body (its
  statement, its press service); a figure an outlet attributes to no one, or to an unnamed
  source, is the press's. Exactly one row per operation, exercise and measure, or force and
  year, and per contributor (or total, where `contributor_iso3` is empty) has
  `preferred = true`, computed by one rule: a figure of what happened over a plan (a plan
  is not a rival account of what happened); then who made the claim (the contributing
  state's own word on its contribution; then officials of the CSTO or of any state; then
  named experts; then the press); exact over qualified; the most recent (a date known to
  the month or year counts as its first day); the first source id. `preferred_by` names
  the step that decided. A force's strength changes over time, so its figures of different
  years (`as_of_year`) are a series, not rival claims: one is preferred per year. Where
  sources disagree on a date, the row holds the preferred date, `contradicting_source_ids`
  lists the sources that give another one, and `note` says what they give; in `citations`
  those links have `role = contradicts`.
- **Sums of troops.** The preferred figure per contributor and the preferred total are each
  the best figure found for themselves; they need not add up. `contributors_add_up`, on every
  preferred figure, says whether the preferred contributor figures of its operation,
  exercise and measure, or force sum to its preferred total. Where it is `false`, their sum
  is not the size of the force (see below).
- **Country-years.** `membership_years` gives each state's status on 31 December of each year
  (for the last year: on the `as_of` date of the curation), from 1992. A spell is in force from
  its start date up to, not including, its end date.

## Identifiers and joins

- `iso3` (ISO 3166-1 alpha-3) is the key of every state in every table.
- `countries.cow_code` is the Correlates of War state number (`ccode`) and `cow_abbr` its
  abbreviation (`stateabb`): join `membership_years` on (`cow_code`, `year`) to COW
  country-year data, or to ATOP, which identifies alliance members by COW state numbers.
  Serbia carries 345, the COW number of Yugoslavia/Serbia (see the row's note).
- ATOP 5.1 (alliance 4220) and COW 4.1 (alliance 350) date some spells differently from
  `members` (Belarus's entry, Uzbekistan's spells, Azerbaijan's and Georgia's). The spells
  concerned list them in `contradicting_source_ids` (`atop-5-1-members`,
  `cow-alliances-4-1-members`) and their `note` gives the dates those datasets code, so a join
  to ATOP or COW shows why the days differ.
- Observer status in the CSTO Parliamentary Assembly (held by parliaments) is not a status in
  the CSTO: it is in `assembly_observers`, not in `members` or `membership_years`.
- `countries.wikidata_id` is the state's Wikidata item (`Q...`).
- Every row cites sources: `source_ids` lists them, and `citations` (`table`, `record_id`,
  `source_id`) joins any row to `sources`, where `record_id` is the row's primary key
  (several key columns joined by `:`).
"""


def allowed_values(found: dict[str, Any]) -> str:
    """What a column may hold, in words: its values, bounds, pattern, uniqueness."""
    parts = []
    if "enum" in found:
        parts.append(", ".join(f"`{v}`" for v in found["enum"]))
    if "minimum" in found:
        parts.append(f">= {found['minimum']}")
    if "maximum" in found:
        parts.append(f"<= {found['maximum']}")
    if "pattern" in found and "enum" not in found and not found["pattern"].startswith("[^="):
        parts.append(f"pattern `{found['pattern']}`")
    if found.get("unique"):
        parts.append("unique")
    return "; ".join(parts)


def _official_share(covered: dict[str, str]) -> str:
    """How many rows rest on an official source, as `coverage` counts them; "" for a table
    that cites no sources."""
    if not covered["rows_citing_official"]:
        return ""
    official, other = covered["rows_citing_official"], covered["rows_citing_only_other"]
    return (
        f" Sources: {official} rows cite an official source (a government or the CSTO), "
        f"{other} only news, reference, dataset or scholarly sources (the kind of page read, "
        "not who made the statement)."
    )


def coverage_sentence(covered: dict[str, str]) -> str:
    """A table's row of `coverage` in words: its dates, its as-of day, its sources."""
    span = (
        f"Dates from {covered['earliest_date']} to {covered['latest_date']}. "
        if covered["earliest_date"]
        else ""
    )
    return (
        f"Coverage: {span}Known as of {covered['as_of_date']}: an empty end date or an "
        f"open status means ongoing on {covered['as_of_date']}, not unknown."
        + _official_share(covered)
    )


def column_rows(table: Table) -> list[dict[str, str]]:
    """Each column of a table as the codebook describes it: name, type, whether required,
    meaning and allowed values."""
    rows = []
    for name, column in table.model.to_schema().columns.items():
        found = constraints(column)
        rows.append(
            {
                "name": name,
                "type": field_type(column),
                "required": "yes" if found.get("required") else "no",
                "meaning": column.description or "",
                "allowed": allowed_values(found),
            }
        )
    return rows


def _table_section(
    table: Table, rows: int, examples: dict[str, str], covered: dict[str, str] | None
) -> list[str]:
    lines = [
        f"## `{table.name}`: {table.title}",
        "",
        table.description,
        "",
        *([table.notes, ""] if table.notes else []),
        f"Files: `{table.name}.csv`, `{table.name}.parquet`, `{table.name}.dta`. Rows: {rows}. "
        f"Primary key: {', '.join(f'`{k}`' for k in table.primary_key)}.",
    ]
    if covered:
        lines += ["", coverage_sentence(covered)]
    refs = [
        f"`{fk.columns}` -> `{fk.reference_table}.{fk.reference_columns}`"
        for fk in table.foreign_keys
    ]
    if refs:
        lines += ["", f"References: {'; '.join(refs)}."]
    lines += [
        "",
        "| column | type | required | meaning | allowed values | example |",
        "|---|---|---|---|---|---|",
    ]
    for column in column_rows(table):
        example = examples.get(column["name"])
        cells = [
            f"`{column['name']}`",
            column["type"],
            column["required"],
            column["meaning"],
            column["allowed"],
            f"`{example}`" if example is not None else "",
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return [*lines, ""]


def sums_warning(files: dict[str, bytes]) -> list[str]:
    """A paragraph per table of figures with groups whose preferred contributor figures do
    not add up to their preferred total, naming them."""
    lines = []
    for name, figures in FIGURE_TABLES.items():
        wrong = list(mismatched_groups(name, files).values())
        if wrong:
            lines += [_sums_paragraph(figures, wrong), ""]
    return lines


def _sums_paragraph(figures: FigureTable, wrong: list[Mismatch]) -> str:
    """The warning for one table of figures: its one group that does not add up, in a
    sentence, or its several, listed in one paragraph."""
    unit = f" {figures.unit}" if figures.unit else ""
    why = (
        "from different sources, dates and qualifiers (see each row's `note`). Use the total "
        f"for the size of the {figures.whole}."
    )
    if len(wrong) == 1:
        [one] = wrong
        return (
            f"**Do not sum the contributors of {_group(one)}.** Its preferred figures per "
            f"contributor add up to {one.contributors:,}{unit}, against a preferred total of "
            f"{one.total:,}: each is the best figure found for itself, {why}"
        )
    sums = "; ".join(f"{_group(m)} {m.contributors:,}{unit} against {m.total:,}" for m in wrong)
    return (
        f"**Do not sum the contributors of these {figures.groups} in `{figures.name}`.** "
        "Their preferred figures per contributor do not add up to their preferred total (the "
        f"sum against the total): {sums}. Each figure is the best found for itself, {why}"
    )


def _group(wrong: Mismatch) -> str:
    """A group in prose: `kazakhstan-2022`, `interaction-2016` (`personnel`)."""
    first, *rest = (f"`{value}`" for value in wrong.group)
    return f"{first} ({', '.join(rest)})" if rest else first


def codebook(files: dict[str, bytes]) -> bytes:
    """The codebook of a release whose tables are in `files` (`<table>.csv` bytes)."""
    lines = [
        f"# Codebook: {metadata.TITLE}",
        "",
        metadata.DESCRIPTION,
        "",
        f"Data licence: {metadata.DATA_LICENSE['title']} ({metadata.DATA_LICENSE['name']}). "
        "The release's `datapackage.json` describes the same tables in the Frictionless Data "
        "Package format; `CHANGES.md` says what changed against the previous release.",
        "",
        "## Tables",
        "",
        *(f"- `{t.name}`: {t.description}" for t in TABLES.values()),
        "",
        ENCODING,
    ]
    lines += sums_warning(files)
    covered = {row["table"]: row for row in csv_text(files["coverage.csv"]).to_dict("records")}
    for name, table in TABLES.items():
        rows = parquet_rows(files[f"{name}.parquet"])
        examples = first_values(files[f"{name}.csv"])
        lines += _table_section(table, rows, examples, covered.get(name))
    return ("\n".join(lines).rstrip() + "\n").encode()
