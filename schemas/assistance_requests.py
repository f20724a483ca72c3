"""The assistance_requests table: when a member asked the alliance for help, and what came
of it."""

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pandera.pandas as pandera
from pandera.typing import Series

from schemas import fields as f
from schemas import vocabulary as v
from schemas.cross_table import last_day, not_parties
from schemas.spec import Table, Tables, Violation, cross_table_rule


class AssistanceRequestsSchema(pandera.DataFrameModel):
    request_id: Series[str] = f.key(
        "Id of the request: `state-year-month` (`state-year` where the month is not known).",
        raw_name="id",
    )
    iso3: Series[str] = f.code(
        "The requesting state (join to `countries.iso3`).",
        raw_name="state",
        refers=f.refers("countries.iso3"),
    )
    date: Series[pd.Timestamp] = f.date("When the request was made.", raw_name="date")
    date_precision: Series[str] = f.precision("date")
    asked: Series[str] = f.choices(
        "What was asked, `;`-separated: `troops`, `consultations`, `military_aid` (weapons, "
        "equipment, training), `political_support`, `assessment` (a mission to assess the "
        "situation).",
        v.REQUESTS,
        raw_name="asked",
    )
    legal_basis: Series[str] = f.choice(
        "The article of the Collective Security Treaty the request invoked, in the reading "
        "the dataset prefers (the requesting state's own words, else the CSTO's): "
        "`article_2` (consultations when a member's security is threatened), `article_4` "
        "(aggression against a member, to be met as aggression against all) or `none_named`.",
        v.LEGAL_BASES,
        raw_name="basis",
    )
    legal_basis_other: Series[str] = f.choice(
        "A different reading of the legal basis that other sources give; empty where no "
        "source read disagrees.",
        v.LEGAL_BASES,
        nullable=True,
        raw_name="basis_other",
    )
    legal_basis_other_source_ids: Series[str] = f.code(
        "The sources that give `legal_basis_other` (`;`-separated, join to `sources.source_id`).",
        v.SLUG_LIST,
        nullable=True,
        raw_name="basis_other_sources",
        many=True,
        refers=f.CONTRADICTING_SOURCES,
    )
    addressed_to: Series[str] = f.text(
        "To whom the request was addressed, as the sources say.", raw_name="addressed_to"
    )
    response: Series[str] = f.choice(
        "What the alliance did: `deployment` (of the collective forces), "
        "`assessment_mission`, `monitoring_mission`, `consultations`, `statement`, "
        "`military_aid`, `declined` or `no_response`.",
        v.RESPONSES,
        raw_name="response",
    )
    response_date: Series[pd.Timestamp] = f.date(
        "When the response came; empty for `no_response` or where no source dates it.",
        nullable=True,
        raw_name="response_date",
    )
    response_precision: Series[str] = f.precision("response_date", nullable=True)
    response_summary: Series[str] = f.text(
        "What the alliance did, in a sentence.", raw_name="response_summary"
    )
    operation_id: Series[str] = f.code(
        "The operation the request led to (join to `operations.operation_id`); empty for none.",
        v.SLUG,
        nullable=True,
        raw_name="operation",
        refers=f.refers("operations.operation_id"),
    )
    source_ids: Series[str] = f.source_ids("sources")
    contradicting_source_ids: Series[str] = f.contradicting_source_ids("contradicted_by")
    note: Series[str] = f.note()

    class Config:
        strict = True


TABLE = Table(
    name="assistance_requests",
    title="Requests for assistance",
    description="Every documented request by a member state for help or consultations from "
    "the CSTO or its members as an alliance, with its legal basis and the response.",
    model=AssistanceRequestsSchema,
    primary_key=("request_id",),
    position=57,
    notes=(
        "Coverage: every request found from 1992 to the `as_of` date, including requests "
        "addressed first to Russia that the alliance then handled (see each `note`). A Reuters "
        "report of December 2025 that Tajikistan had asked for help, which Reuters withdrew "
        "and which Tajikistan's foreign ministry and the CSTO denied, is not recorded. No "
        "request by Tajikistan under the treaty "
        "in the 1990s, by Kyrgyzstan in 2005, or by either state in the 2021 border clashes "
        "was found. Where sources read the legal basis differently, `legal_basis` is the "
        "reading preferred (the words of the request itself, else the decision answering "
        "it) and `legal_basis_other` the other, with its sources."
    ),
)


@cross_table_rule
def responses_follow_requests(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """A response comes after its request; a deployment names its operation; only a
    response that happened has a date; a second reading of the basis differs from the
    first and names its sources."""
    requests = tables["assistance_requests"]
    response_end = last_day(requests["response_date"], requests["response_precision"])
    for row in requests.index[response_end < requests["date"]]:
        yield Violation(
            "assistance_requests",
            row,
            "response_date",
            f"the response is dated before the request "
            f"({requests.at[row, 'response_date']:%Y-%m-%d}, request "
            f"{requests.at[row, 'date']:%Y-%m-%d})",
        )
    checks = (
        (
            (requests["response"] == "deployment") & requests["operation_id"].isna(),
            "operation_id",
            "a deployment must name its operation",
        ),
        (
            (requests["response"] == "no_response") & requests["response_date"].notna(),
            "response_date",
            "no_response cannot have a date",
        ),
        (
            requests["legal_basis_other"].notna()
            & (requests["legal_basis_other"] == requests["legal_basis"]),
            "legal_basis_other",
            "the other reading is the same as the preferred one",
        ),
        (
            requests["legal_basis_other"].notna()
            != requests["legal_basis_other_source_ids"].notna(),
            "legal_basis_other_source_ids",
            "an other reading of the basis and its sources are given together",
        ),
    )
    for broken, column, message in checks:
        for row in requests.index[broken]:
            yield Violation("assistance_requests", row, column, message)


@cross_table_rule
def requests_come_from_parties(tables: Tables, as_of: dt.date) -> Iterator[Violation]:
    """Only a party to the treaty asks its allies for help as an ally."""
    yield from not_parties(tables, "assistance_requests", "iso3")
