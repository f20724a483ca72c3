"""The release page's sections on the CSTO as an institution: the requests for help on a
timeline with their outcome, the Secretaries General as a timeline, and the Council's
sessions by host state with the chairmanship by year."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from flows.writers import site
from flows.writers.page_parts import (
    WIDTH,
    Row,
    country_names,
    date_scale,
    esc,
    last_year,
    shown_date,
    svg_open,
    table_text,
    year_axis,
)
from schemas.vocabulary import FIRST_YEAR

# Okabe-Ito colours, one per response; `declined` and `no_response` stand out.
RESPONSE_COLOURS = {
    "deployment": "#0072b2",
    "assessment_mission": "#009e73",
    "monitoring_mission": "#56b4e9",
    "consultations": "#e69f00",
    "statement": "#cc79a7",
    "military_aid": "#000000",
    "declined": "#d55e00",
    "no_response": "#999999",
}
ROLE_COLOURS = {"secretary_general": "#0072b2", "acting": "#56b4e9"}


def words(code: str) -> str:
    """A vocabulary code as words: `article_4` -> `article 4`, `a;b` -> `a, b`."""
    return code.replace("_", " ").replace(";", ", ")


def legend(colours: dict[str, str]) -> list[tuple[str, str, str]]:
    """A legend's items (`sections.html`): each code in words, with its colour."""
    return [(words(k), "swatch", f"background:{c}") for k, c in colours.items()]


def requests(files: dict[str, bytes]) -> str:
    """Each request as a dot on its state's line, coloured by the response, numbered as
    listed below the chart."""
    rows, names = table_text(files, "assistance_requests"), country_names(files)
    if rows.empty:
        return "<p>No request is recorded in this release.</p>"
    rows = rows.sort_values(["date", "request_id"], kind="stable")
    end = last_year(files)
    x = date_scale(dt.date(FIRST_YEAR, 1, 1), dt.date(end + 1, 1, 1), 140, WIDTH - 10)
    states = list(dict.fromkeys(rows["iso3"]))
    row, top = 28, 30
    bottom = top + row * len(states)
    parts = [year_axis(FIRST_YEAR, end, x, top, bottom)]
    for i, iso3 in enumerate(states):
        y = top + i * row + 14
        parts.append(f'<text x="130" y="{y + 4}" text-anchor="end">{esc(names[iso3])}</text>')
        parts.append(f'<line x1="140" y1="{y}" x2="{WIDTH - 10}" y2="{y}" stroke="#bbb"/>')
    items = []
    for number, r in enumerate(rows.itertuples(), start=1):
        y = top + states.index(r.iso3) * row + 14
        at = x(dt.date.fromisoformat(r.date))
        when = shown_date(r.date, r.date_precision)
        said = f"{number}. {when}: {names[r.iso3]} asked for {words(r.asked)}; {words(r.response)}"
        parts.append(
            f'<g data-request-id="{esc(r.request_id)}"><title>{esc(said)}</title>'
            f'<circle cx="{at}" cy="{y}" r="9" fill="{RESPONSE_COLOURS[r.response]}" '
            f'stroke="#fff"/><text x="{at}" y="{y + 3.5}" fill="#fff" font-size="10" '
            f'text-anchor="middle">{number}</text></g>'
        )
        answered = (
            f" ({shown_date(r.response_date, r.response_precision)})" if r.response_date else ""
        )
        basis = words(r.legal_basis) + (
            f"; also read as {words(r.legal_basis_other)}" if r.legal_basis_other else ""
        )
        items.append(
            {
                "when": when,
                "state": names[r.iso3],
                "to": r.addressed_to,
                "asked": words(r.asked),
                "basis": basis,
                "response": words(r.response),
                "answered": answered,
                "summary": r.response_summary,
            }
        )
    title = "Requests for assistance by member states, coloured by the response"
    svg = svg_open("requests", bottom + 8, title) + "".join(parts) + "</svg>"
    return site.part("requests", svg=Markup(svg), colours=legend(RESPONSE_COLOURS), items=items)


def secretaries_general(files: dict[str, bytes]) -> str:
    """Each term as a bar, appointed and acting apart; an ongoing term runs to the end."""
    terms, names = table_text(files, "secretaries_general"), country_names(files)
    if terms.empty:
        return "<p>No term is recorded in this release.</p>"
    terms = terms.sort_values("start_date", kind="stable")
    first, end = int(terms["start_date"].min()[:4]), last_year(files)
    axis_end = dt.date(end + 1, 1, 1)
    x = date_scale(dt.date(first, 1, 1), axis_end, 30, WIDTH - 90)
    top, bar = 30, 22
    parts = [year_axis(first, end, x, top, top + 2 * bar + 40)]
    items = []
    for i, t in enumerate(terms.itertuples()):
        x0 = x(dt.date.fromisoformat(t.start_date))
        x1 = x(dt.date.fromisoformat(t.end_date) if t.end_date else axis_end)
        y = top + (i % 2) * (bar + 20)
        ended = (
            f"to {shown_date(t.end_date, t.end_precision)} ({words(t.end_how)})"
            if t.end_date
            else "ongoing"
        )
        said = (
            f"{t.name} ({t.name_ru}), {names[t.iso3]}, {words(t.role)}: from "
            f"{shown_date(t.start_date, t.start_precision)} {ended}"
        )
        parts.append(
            f'<g data-term-id="{esc(t.term_id)}"><title>{esc(said)}</title><rect x="{x0}" '
            f'y="{y}" width="{max(round(x1 - x0, 1), 2)}" height="{bar}" rx="2" '
            f'fill="{ROLE_COLOURS[t.role]}"/><text x="{x0 + 3}" y="{y + bar + 13}" '
            f'font-size="11">{esc(t.name.split()[-1])}</text></g>'
        )
        items.append(said)
    title = "Secretaries General of the CSTO, appointed and acting"
    svg = svg_open("secretaries", top + 2 * bar + 46, title) + "".join(parts) + "</svg>"
    return site.part("terms", svg=Markup(svg), colours=legend(ROLE_COLOURS), items=items)


SESSION_COLUMNS = ("date", "kind", "place", "chair", "heads absent", "did not sign", "decisions")


def sessions(files: dict[str, bytes]) -> str:
    """The sessions grouped by host state (online ones apart), and the chair by year."""
    rows, names = table_text(files, "council_sessions"), country_names(files)
    if rows.empty:
        return "<p>No session is recorded in this release.</p>"
    rows = rows.assign(host=rows["host_iso3"].map(names).fillna("Online"))
    groups = [
        {
            "host": host,
            "columns": SESSION_COLUMNS,
            "rows": [session_row(s, names) for s in group.sort_values("date").itertuples()],
        }
        for host, group in sorted(rows.groupby("host"), key=lambda g: (g[0] == "Online", g[0]))
    ]
    chairs = table_text(files, "chairmanships")
    by_year = chairs.groupby("year")["chair_iso3"].agg(lambda c: ", ".join(names[i] for i in c))
    return site.part("sessions", groups=groups, chairs=list(by_year.items()))


def session_row(s: Row, names: dict[str, str]) -> dict[str, object]:
    """A session's cells, each with its column's name."""

    def states(codes: str) -> str:
        return ", ".join(names[c] for c in codes.split(";")) if codes else ""

    place = f"{s.place} ({s.place_ru})" if s.place else "online"
    cells = (
        shown_date(s.date, s.date_precision),
        s.kind + ("" if s.format == "in_person" else ", online"),
        place,
        names.get(s.chair_iso3, ""),
        states(s.absent_iso3),
        states(s.not_signed_iso3),
        s.decisions,
    )
    return {"id": s.session_id, "cells": list(zip(SESSION_COLUMNS, cells, strict=True))}
