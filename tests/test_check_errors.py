"""`csto-data check`: one case per class of curator mistake, each located at FILE:LINE."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flows.orchestration.cli import main

SOURCE = "apostrophe-2022-01-06"
SPELL = {
    "state": "GEO",
    "status": "observer",
    "start": '"2010-01-01"',
    "start_how": "status_change",
    "sources": f"[{SOURCE}]",
}
EVENT = {
    "id": "test-event",
    "date": '"2000-01-01"',
    "type": "decision",
    "title": "A test event",
    "sources": f"[{SOURCE}]",
}
FIGURE = {
    "operation": "kazakhstan-2022",
    "contributor": "RUS",
    "troops": "10",
    "qualifier": "approximate",
    "as_of": '"2022-01-08"',
    "claimant": "Test outlet",
    "claimant_kind": "press",
    "source": SOURCE,
}
COUNTRY = {
    "iso3": "AFG",
    "iso2": "AF",
    "name": "Afghanistan",
    "cow_code": "700",
    "cow_abbr": "AFG",
    "wikidata": "Q889",
    "sources": f"[{SOURCE}]",
}
TERM = {
    "id": "test-term",
    "name": "A Test",
    "name_ru": "Тест",
    "state": "RUS",
    "role": "acting",
    "start": '"2016-06-01"',
    "sources": f"[{SOURCE}]",
}
REQUEST = {
    "id": "test-request",
    "state": "KAZ",
    "date": '"2022-01-05"',
    "asked": "[troops, consultations]",
    "basis": "article_4",
    "addressed_to": "The heads of state",
    "response": "statement",
    "response_date": '"2022-01-06"',
    "response_summary": "A statement.",
    "sources": f"[{SOURCE}]",
}
SESSION = {
    "id": "csc-test",
    "date": '"2016-10-14"',
    "kind": "regular",
    "format": "in_person",
    "place": "Yerevan",
    "place_ru": "Ереван",
    "host": "ARM",
    "chair": "ARM",
    "decisions": "Test decisions.",
    "sources": f"[{SOURCE}]",
}
ASSEMBLY_OBSERVER = {
    "state": "SRB",
    "chamber": "A test chamber",
    "start": '"2015"',
    "sources": f"[{SOURCE}]",
}
EXERCISE = {
    "id": "test-exercise-2016",
    "series": "interaction",
    "name": "Test-2016",
    "start": '"2016-08-16"',
    "end": '"2016-08-19"',
    "status": "held",
    "host": "RUS",
    "sources": f"[{SOURCE}]",
}
PARTICIPANT = {
    "exercise": "interaction-2016",
    "state": "GEO",
    "role": "participant",
    "sources": f"[{SOURCE}]",
}
EXERCISE_FIGURE = {
    "exercise": "interaction-2016",
    "measure": "personnel",
    "count": "1500",
    "qualifier": "exact",
    "as_of": '"2016-08-17"',
    "claimant": "Ministry of Defence of Kazakhstan",
    "claimant_kind": "state",
    "claimant_state": "KAZ",
    "source": SOURCE,
}
FORCE_FIGURE = {
    "force": "crrf",
    "contributor": "KGZ",
    "qualifier": "exact",
    "as_of": '"2012-01-01"',
    "claimant": "Test outlet",
    "claimant_kind": "press",
    "source": SOURCE,
}
CODING = {
    "dataset": "atop",
    "version": '"5.1"',
    "alliance": '"4220"',
    "phase": "3",
    "state": "RUS",
    "cow_code": "365",
    "entry": '"2002-10-07"',
    "entry_how": "phase_start",
    "exit_how": "in_effect",
    "coded_until": '"2018-12-31"',
    "spell": "RUS:member:1992-05-15",
    "source": "atop-5-1-members",
}
INSTRUMENT = {
    "id": "test-protocol",
    "title": "A test protocol",
    "kind": "protocol",
    "signed_event": "cst-amendment-protocol-2010",
    "sources": f"[{SOURCE}]",
}
RATIFICATION = {
    "instrument": "cst-amendment-protocol-2010",
    "state": "ARM",
    "step": "ratification",
    "date": '"2012-01-01"',
    "sources": f"[{SOURCE}]",
}
SOURCE_RECORD = {
    "id": "test-source",
    "title": "A test source",
    "publisher": "Test",
    "url": "https://example.org/",
    "language": "en",
    "kind": "news",
}


def append(raw_dir: Path, file: str, record: dict[str, str]) -> dict[str, int]:
    """Append `record` to a raw file; return the line of each field ('' = the record)."""
    path = raw_dir / file
    text = path.read_text(encoding="utf-8")
    text += "" if text.endswith("\n") else "\n"
    first = text.count("\n") + 1
    lines = [f"{'- ' if i == 0 else '  '}{k}: {v}" for i, (k, v) in enumerate(record.items())]
    path.write_text(text + "\n".join(lines) + "\n", encoding="utf-8")
    return {"": first, **{k: first + i for i, k in enumerate(record)}}


def check(raw_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["--raw", str(raw_dir), "check"])
    return code, capsys.readouterr().out.splitlines()


CASES = [
    # (id, file, table, base record, changes (None removes a field), field reported, words)
    ("unknown field", "members.yaml", "members", SPELL, {"colour": "red"}, "colour", "unknown field"),
    ("missing field", "members.yaml", "members", SPELL, {"status": None}, "status", "required field is missing"),
    ("plain null in a required field", "members.yaml", "members", SPELL, {"status": "~"}, "status", "required value is missing"),
    ("empty required field", "treaty_events.yaml", "treaty_events", EVENT, {"title": ""}, "title", "required value is missing"),
    ("wrong type", "troop_deployments.yaml", "troop_deployments", FIGURE, {"troops": "many"}, "troops", "not a whole number"),
    ("non-integer troops", "troop_deployments.yaml", "troop_deployments", FIGURE, {"troops": "12.5"}, "troops", "not a whole number"),
    ("count beyond every format", "troop_deployments.yaml", "troop_deployments", FIGURE, {"troops": "9007199254740992"}, "troops", "at most 9,007,199,254,740,991"),
    ("year before 1000", "treaty_events.yaml", "treaty_events", EVENT, {"date": '"0001-05-15"'}, "date", "(found 0001-05-15)"),
    ("negative troops", "troop_deployments.yaml", "troop_deployments", FIGURE, {"troops": "-5"}, "troops", "must be at least 0"),
    ("impossible date", "members.yaml", "members", SPELL, {"start": '"1993-02-30"'}, "start", "not a real date"),
    ("malformed date", "members.yaml", "members", SPELL, {"start": "15 May 1992"}, "start", "not a real date"),
    ("wrong list type", "members.yaml", "members", SPELL, {"sources": SOURCE}, "sources", "expected a list"),
    ("unknown country", "members.yaml", "members", SPELL, {"state": "XXX"}, "state", "refers to countries.iso3 'XXX'"),
    ("unknown source", "members.yaml", "members", SPELL, {"sources": "[no-such-source]"}, "sources", "refers to sources.source_id 'no-such-source'"),
    ("unknown event", "members.yaml", "members", SPELL, {"start_event": "no-such-event"}, "start_event", "refers to treaty_events.event_id"),
    ("unknown operation", "troop_deployments.yaml", "troop_deployments", FIGURE, {"operation": "no-such-operation"}, "operation", "refers to operations.operation_id"),
    ("duplicate id", "treaty_events.yaml", "treaty_events", EVENT, {"id": "cst-signature-1992"}, "id", "duplicate id"),
    ("spell ends before it starts", "members.yaml", "members", SPELL, {"end": '"2009-01-01"', "end_how": "withdrawal"}, "end", "ends before it starts"),
    ("overlapping spells", "members.yaml", "members", SPELL, {"state": "RUS", "status": "member"}, "start", "overlaps"),
    ("event outside the treaty's lifetime", "treaty_events.yaml", "treaty_events", EVENT, {"date": '"1990-01-01"'}, "date", "outside the treaty's lifetime"),
    ("figure outside the operation", "troop_deployments.yaml", "troop_deployments", FIGURE, {"as_of": '"2023-01-01"'}, "as_of", "outside the dates of operation"),
    ("url not http", "sources.yaml", "sources", SOURCE_RECORD, {"url": "ftp://example.org/x"}, "url", "does not match the pattern"),
    ("spreadsheet formula", "treaty_events.yaml", "treaty_events", EVENT, {"title": '"=HYPERLINK(1)"'}, "title", "formula"),
    ("formula after a tab", "treaty_events.yaml", "treaty_events", EVENT, {"title": '"\\t=1+2"'}, "title", "formula"),
    ("formula after a space", "treaty_events.yaml", "treaty_events", EVENT, {"title": '" =1+2"'}, "title", "formula"),
    ("full-width formula", "treaty_events.yaml", "treaty_events", EVENT, {"title": '"\uff1d1+2"'}, "title", "formula"),
    ("carriage return in a value", "countries.yaml", "countries", COUNTRY, {"name": '"Afghan\\ristan"'}, "name", "character U+000D (a control character) at position 7"),
    ("newline in a value", "treaty_events.yaml", "treaty_events", EVENT, {"title": '"A title\\n# Heading"'}, "title", "character U+000A (a control character)"),
    ("NUL in a value", "treaty_events.yaml", "treaty_events", EVENT, {"title": '"A\\0title"'}, "title", "character U+0000 (a control character)"),
    ("ESC in a value", "treaty_events.yaml", "treaty_events", EVENT, {"title": '"A\\e[31mtitle"'}, "title", "character U+001B (a control character)"),
    ("next line in a value", "treaty_events.yaml", "treaty_events", EVENT, {"title": '"A\\Ntitle"'}, "title", "character U+0085 (a control character)"),
    ("line separator in a value", "treaty_events.yaml", "treaty_events", EVENT, {"title": '"A\\Ltitle"'}, "title", "character U+2028 (a line separator"),
    ("byte order mark in a value", "treaty_events.yaml", "treaty_events", EVENT, {"title": '"\\ufeffA title"'}, "title", "character U+FEFF (a format character"),
    ("control character in a note", "members.yaml", "members", SPELL, {"note": '"a\\x07b"'}, "note", "character U+0007 (a control character)"),
    ("overlapping terms of office", "secretaries_general.yaml", "secretaries_general", TERM, {}, "start", "overlaps the term bordyuzha-2003"),
    ("term end without how", "secretaries_general.yaml", "secretaries_general", TERM, {"start": '"2030"', "end": '"2031"'}, "end_how", "must say how it ended"),
    ("response before the request", "assistance_requests.yaml", "assistance_requests", REQUEST, {"response_date": '"2021-12"'}, "response_date", "the response is dated before the request"),
    ("deployment without its operation", "assistance_requests.yaml", "assistance_requests", REQUEST, {"response": "deployment"}, "operation", "a deployment must name its operation"),
    ("no response with a date", "assistance_requests.yaml", "assistance_requests", REQUEST, {"response": "no_response"}, "response_date", "no_response cannot have a date"),
    ("other reading the same as the preferred", "assistance_requests.yaml", "assistance_requests", REQUEST, {"basis_other": "article_4", "basis_other_sources": f"[{SOURCE}]"}, "basis_other", "the same as the preferred one"),
    ("other reading without its sources", "assistance_requests.yaml", "assistance_requests", REQUEST, {"basis_other": "article_2"}, "basis_other_sources", "given together"),
    ("request by a state outside the treaty", "assistance_requests.yaml", "assistance_requests", REQUEST, {"state": "UZB"}, "state", "UZB was not a party to the treaty on 2022-01-05"),
    ("request for something not in the vocabulary", "assistance_requests.yaml", "assistance_requests", REQUEST, {"asked": "[troops, tanks]"}, "asked", "does not match the pattern"),
    ("session chaired by a non-member", "council_sessions.yaml", "council_sessions", SESSION, {"chair": "GEO"}, "chair", "GEO was not a party to the treaty on 2016-10-14"),
    ("absent state not a member", "council_sessions.yaml", "council_sessions", SESSION, {"absent": "[BLR, UZB]"}, "absent", "UZB was not a party"),
    ("session in person without a city", "council_sessions.yaml", "council_sessions", SESSION, {"place": None}, "place", "a session in person needs it"),
    ("online session with a host", "council_sessions.yaml", "council_sessions", SESSION, {"format": "online", "place": None, "place_ru": None}, "host", "an online session has no place or host"),
    ("note of an online session naming a host", "council_sessions.yaml", "council_sessions", SESSION, {"format": "online", "place": None, "place_ru": None, "host": None, "note": "Online, so host is the chairing state."}, "note", "names a host, while host_iso3 is empty"),
    ("overlapping assembly statuses", "assembly_observers.yaml", "assembly_observers", ASSEMBLY_OBSERVER, {}, "start", "overlaps the status SRB:2013-01-01"),
    ("exercise ends before it starts", "exercises.yaml", "exercises", EXERCISE, {"end": '"2016-08-01"'}, "end", "ends before it starts"),
    ("exercise under its own umbrella", "exercises.yaml", "exercises", EXERCISE, {"umbrella": "test-exercise-2016"}, "umbrella", "not its own umbrella"),
    ("exercise of an unknown force", "exercises.yaml", "exercises", EXERCISE, {"forces": "[crrf, navy]"}, "forces", "refers to collective_forces.force_id 'navy'"),
    ("participant that was not a member", "exercise_participants.yaml", "exercise_participants", PARTICIPANT, {}, "state", "a note must say why it took part"),
    ("participant in an unknown exercise", "exercise_participants.yaml", "exercise_participants", PARTICIPANT, {"exercise": "no-such-exercise"}, "exercise", "refers to exercises.exercise_id"),
    ("claim of a state that names none", "exercise_figures.yaml", "exercise_figures", EXERCISE_FIGURE, {"claimant_state": None}, "claimant_state", "a claim of a state names the state"),
    ("exercise figure of an unknown measure", "exercise_figures.yaml", "exercise_figures", EXERCISE_FIGURE, {"measure": "morale"}, "measure", "not one of the allowed values"),
    ("force figure with neither troops nor units", "force_figures.yaml", "force_figures", FORCE_FIGURE, {}, "troops", "give `troops`, `units` or both"),
    ("claim of the press naming a state", "force_figures.yaml", "force_figures", FORCE_FIGURE, {"units": "a battalion", "claimant_state": "KGZ"}, "claimant_state", "only a claim of a state names one (claimant_kind is 'press')"),
    ("claimant of an unknown kind", "force_figures.yaml", "force_figures", FORCE_FIGURE, {"units": "a battalion", "claimant_kind": "rumour"}, "claimant_kind", "not one of the allowed values"),
    ("unknown source of another reading", "assistance_requests.yaml", "assistance_requests", REQUEST, {"basis_other": "article_2", "basis_other_sources": "[no-such-source]"}, "basis_other_sources", "refers to sources.source_id 'no-such-source'"),
    ("unknown source of a figure", "exercise_figures.yaml", "exercise_figures", EXERCISE_FIGURE, {"measure": "drones", "source": "no-such-source"}, "source", "refers to sources.source_id 'no-such-source'"),
    ("coding of another state's spell", "external_codings.yaml", "external_codings", CODING, {"spell": "ARM:member:1992-05-15"}, "spell", "the spell is not RUS's"),
    ("coding with an exit but in effect", "external_codings.yaml", "external_codings", CODING, {"exit": '"2010-01-01"'}, "exit_how", "exactly when there is no exit"),
    ("value not allowed", "treaty_events.yaml", "treaty_events", EVENT, {"type": "party"}, "type", "not one of the allowed values"),
    ("instrument in force before it is signed", "instruments.yaml", "instruments", INSTRUMENT, {"in_force_event": "cst-entry-into-force-1994"}, "in_force_event", "enters into force before it is signed"),
    ("instrument amending itself", "instruments.yaml", "instruments", INSTRUMENT, {"amends": "test-protocol"}, "amends", "does not amend itself"),
    ("instrument of an unknown event", "instruments.yaml", "instruments", INSTRUMENT, {"signed_event": "no-such-event"}, "signed_event", "refers to treaty_events.event_id"),
    ("step before the signature", "ratifications.yaml", "ratifications", RATIFICATION, {"date": '"2009-01-01"'}, "date", "dated before the instrument was signed"),
    ("step under an unknown instrument", "ratifications.yaml", "ratifications", RATIFICATION, {"instrument": "no-such-instrument"}, "instrument", "refers to instruments.instrument_id"),
    ("figure marked preferred by hand", "troop_deployments.yaml", "troop_deployments", FIGURE, {"preferred": "true"}, "preferred", "unknown field"),
    ("figure without its claimant", "troop_deployments.yaml", "troop_deployments", FIGURE, {"claimant": None}, "claimant", "required field is missing"),
]  # fmt: skip


def tiered(cases: list[tuple[str, ...]]) -> list[Any]:
    """The cases as parameters: the first of each raw file in the quick tier, the others
    `slow` (run in CI)."""
    seen: set[str] = set()
    params = []
    for case in cases:
        marks = [pytest.mark.slow] if case[1] in seen else []
        seen.add(case[1])
        params.append(pytest.param(*case[1:], id=case[0], marks=marks))
    return params


@pytest.mark.parametrize(("file", "table", "base", "changes", "field", "words"), tiered(CASES))
def test_check_reports_the_file_line_and_field(
    raw_dir: Path,
    capsys: pytest.CaptureFixture[str],
    file: str,
    table: str,
    base: dict[str, str],
    changes: dict[str, str | None],
    field: str | None,
    words: str,
) -> None:
    record = {k: v for k, v in {**base, **changes}.items() if v is not None}
    lines = append(raw_dir, file, record)
    code, out = check(raw_dir, capsys)
    assert code == 1
    assert out[-1].startswith(("1 problem found in", f"{len(out) - 1} problems found in")), out
    if field is None:  # a rule about a group of rows: reported at the group's first row
        located = [line for line in out if f"{file}:" in line and words in line]
    else:
        where = f"{raw_dir / file}:{lines.get(field, lines[''])}: {table}.{field}: "
        located = [line for line in out if line.startswith(where) and words in line]
    assert located, "\n".join(out)
    assert not any("Traceback" in line for line in out)


def test_check_reports_yaml_that_does_not_parse(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = raw_dir / "members.yaml"
    first = path.read_text().count("\n") + 1
    with path.open("a") as handle:
        handle.write("- state: [RUS\n  status: member\n")
    code, out = check(raw_dir, capsys)
    assert code == 1
    assert any(
        line.startswith(f"{path}:")
        and "members.yaml: YAML does not parse" in line
        and first <= int(line.split(":")[1]) <= first + 2
        for line in out
    ), out


def test_check_reports_a_field_given_twice_at_its_second_line(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = append(raw_dir, "members.yaml", {**SPELL, "note": "first\n  note: second"})
    code, out = check(raw_dir, capsys)
    assert code == 1
    second = lines["note"] + 1
    assert out[0] == f"{raw_dir / 'members.yaml'}:{second}: members.note: field is given twice"


def test_check_reports_every_problem_at_once(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    append(raw_dir, "members.yaml", {**SPELL, "state": "XXX"})
    append(raw_dir, "treaty_events.yaml", {**EVENT, "date": '"1990-01-01"'})
    append(raw_dir, "troop_deployments.yaml", {**FIGURE, "troops": "-1"})
    code, out = check(raw_dir, capsys)
    assert code == 1
    assert out[-1] == "3 problems found in 3 files."


def test_check_on_clean_records_prints_one_summary_line(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = check(raw_dir, capsys)
    assert code == 0
    assert len(out) == 1 and "all records valid" in out[0]


def test_check_accepts_a_non_member_participant_whose_note_says_why(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    append(raw_dir, "exercise_participants.yaml", {**PARTICIPANT, "note": "Invited as a guest."})
    code, out = check(raw_dir, capsys)
    assert code == 0, out


def test_check_accepts_a_participant_holding_the_csto_observer_status(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    append(raw_dir, "members.yaml", SPELL)  # GEO, observer from 2010
    append(raw_dir, "exercise_participants.yaml", PARTICIPANT)  # GEO in 2016
    code, out = check(raw_dir, capsys)
    assert code == 0, out


def test_check_format_github_puts_each_problem_on_its_line_of_the_pull_request(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = append(raw_dir, "troop_deployments.yaml", {**FIGURE, "troops": "-1"})
    code = main(["--raw", str(raw_dir), "check", "--format", "github"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    path = raw_dir / "troop_deployments.yaml"
    assert out[0] == (
        f"::error file={path},line={lines['troops']},title=troop_deployments.troops::"
        "must be at least 0 (found -1)"
    )
    assert out[-1] == f"1 problem found in {path}."


def test_check_format_json_gives_each_problem_to_other_tools(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = append(raw_dir, "treaty_events.yaml", {**EVENT, "title": '"A, \\"quoted\\" title\\n"'})
    code = main(["--raw", str(raw_dir), "check", "--format", "json"])
    found = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(p["file"], p["line"], p["table"], p["field"]) for p in found["problems"]] == [
        (str(raw_dir / "treaty_events.yaml"), lines["title"], "treaty_events", "title")
    ]
    assert main(["check", "--format", "json"]) == 0  # the repository's own raw/
    assert json.loads(capsys.readouterr().out) == {"problems": []}
