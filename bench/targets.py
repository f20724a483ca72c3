"""The targets the report says are met or not met (never asserted)."""

from __future__ import annotations

import os
import re

from bench.children import REPO
from bench.measure import Bench, Measure, fmt, ratio
from bench.scales import largest_floor, scale_growth

# Where Prefect's temporary-server start-up timeout is raised, as the report names it.
PREFECT_SETTINGS = "flows/orchestration/prefect_settings.py"


def verdict(ok: bool | None) -> str:
    return "**not measured**" if ok is None else "**met**" if ok else "**not met**"


def targets(bench: Bench) -> list[str]:
    M, args = bench.measures, bench.args

    def med(key: str) -> float | None:
        m = M.get(key)
        return m.median if m and m.runs and not m.failed else None

    floor, validation = med("floor"), med("floor_validate")
    out = ["", "## Targets", ""]
    check = med("check")
    ok = None if check is None or validation is None else check <= 1.3 * validation
    out.append(
        f"- `check` within 1.3x of the floor's validation: {verdict(ok)} "
        f"({fmt(check)} s vs {fmt(validation)} s, {ratio(check or 0, validation or 0)})."
    )
    nochange, first, following = med("nochange"), med("committed_first"), med("committed_next")
    ok = None if nochange is None or floor is None else nochange <= 2 * floor
    if ok and floor is not None and "committed_next" in M:
        ok = following is not None and following <= 2 * floor
    committed = (
        f"; on the committed output/, {fmt(first)} s for a fresh clone's first run, "
        f"{fmt(following)} s for the runs after it"
        if "committed_first" in M
        else ""
    )
    out.append(
        f"- `release` with nothing changed within 2x of the floor: {verdict(ok)} "
        f"({fmt(nochange)} s vs {fmt(floor)} s, {ratio(nochange or 0, floor or 0)}{committed})."
    )
    server = med("server")
    ok = None if server is None or floor is None else server <= 2.5 * floor
    why = ""
    change, heavy, light = med("floor_change"), med("import_release"), med("import_cli")
    if (
        ok is False
        and change is not None
        and server is not None
        and heavy is not None
        and light is not None
    ):
        why = (
            f" The same work without Prefect (floor, one change) takes {fmt(change)} s; the "
            f"other {fmt(server - change)} s are Prefect's: importing it adds "
            f"{fmt(heavy - light)} s (`import flows.orchestration.cli, "
            "flows.orchestration.release` vs `import flows.orchestration.cli`), "
            "the rest is creating the flow and task runs, their states and artifacts over HTTP."
        )
    out.append(
        f"- `release` with one change against a running server within 2.5x of the floor: "
        f"{verdict(ok)} ({fmt(server)} s vs {fmt(floor)} s, "
        f"{ratio(server or 0, floor or 0)}).{why}"
    )
    out.append(first_runs(bench))
    big = 10**6
    c, f = M.get(f"scale_check_{big}"), M.get(f"scale_floor_{big}")
    if c is None and f is None:
        ok, detail = None, f"this run's largest scale was {max(args.scales, default=0):,} rows"
    elif c is not None and f is not None and all(m.runs and not m.failed for m in (c, f)):
        # Strict reading: `check` first, then a floor run that validates again and
        # builds and writes; the two times added, the larger peak.
        ok = c.median + f.median < 20 and max(c.peak_mb, f.peak_mb) < 2048
        detail = (
            f"check {fmt(c.median)} s / {c.peak_mb:.0f} MB, then ingest+validate+build+write "
            f"(floor) {fmt(f.median)} s / {f.peak_mb:.0f} MB: {fmt(c.median + f.median)} s "
            f"added up"
        )
    else:
        ok = False
        detail = "; ".join(f"{m.name}: {m.note or m.failed}" for m in (c, f) if m)
    out.append(f"- 10^6 rows: check+build+write < 20 s and < 2 GB peak: {verdict(ok)} ({detail}).")
    hot = largest_floor(bench)
    if hot and ok is not True:
        rows, m = hot
        steps = ["imports", "ingest", "validate", "build", "render", "publish"]
        parts = sorted(((m.inner(k), k) for k in steps), reverse=True)
        out.append(
            f"  Where the floor's time goes at {rows:,} rows (in-process, s): "
            + ", ".join(f"{k} {fmt(v)}" for v, k in parts)
            + "."
        )
    out.append(test_suite(bench))
    for kind in ("check", "floor"):
        growth = scale_growth(bench, kind)
        if growth is None:
            out.append(f"- linear growth ({kind}): {verdict(None)} (fewer than two scales ran).")
            continue
        largest = growth[2]
        ok = growth[0] <= 12 if largest >= 10**6 else None
        if ok is None and growth[0] > 12:
            ok = False  # already worse than linear below 10^6
        where = "" if largest >= 10**6 else " at 10^6; below it"
        out.append(
            f"- linear growth ({kind}), at most 12x the time for 10x the rows, 10^5 → 10^6: "
            f"{verdict(ok)}{where}: {growth[1]}."
        )
    return out


def test_suite(bench: Bench) -> str:
    """The whole suite within 6 minutes on 2 cores, and the quick tier within 60 s."""
    lines = []
    for key, what, limit in (
        ("tests", "the whole test suite (CI's command) within 6 minutes", 360),
        ("tests_quick", 'the quick tier (`-m "not slow"`) within 60 s', 60),
    ):
        m = bench.measures.get(key)
        if m is None:
            lines.append(f"- {what} on 2 cores: not measured (--skip-tests).")
        elif m.failed or not m.runs:
            lines.append(f"- {what} on 2 cores: **not met** ({m.failed}).")
        else:
            run = m.runs[0]
            said = re.search(r"\d+ passed[^\n]*", run.stdout)
            lines.append(
                f"- {what} on 2 cores: {verdict(run.seconds <= limit)} ({fmt(run.seconds)} s "
                f"on {os.cpu_count()} cores: {said.group(0) if said else ''})."
            )
    page = bench.extra.get("page_1x")
    if page is None:
        lines.append("- the site drawn well under a second: not measured.")
    else:
        rows, sections, frame, pages = page  # type: ignore[misc]
        total = sections[1] + frame[1] + pages[1]
        lines.append(
            f"- the site drawn well under a second: {verdict(total < 0.8)} ({total:.3f} s "
            f"median for its {rows} exercises: home page sections {sections[1]:.3f} s, frame "
            f"{frame[1]:.3f} s, table and country pages {pages[1]:.3f} s)."
        )
    return "\n".join(lines)


def first_runs(bench: Bench) -> str:
    """Whether every release run without a server published, and printed only its result.

    Fresh PREFECT_HOMEs are what a first run on a new machine has; Prefect's noise is any
    line on stderr, or on stdout that is not the command's own result (its one line, and
    after a new release the `git add` command for what it wrote).
    """
    runs = [r for key in ("warm", "cold") for r in bench.measures.get(key, Measure("")).runs]
    failed = [bench.measures[k].failed for k in ("warm", "cold") if k in bench.measures]
    cold = len(bench.measures["cold"].runs) if "cold" in bench.measures else 0
    if not runs and not any(failed):
        return "- first `release` never fails, and is quiet: not measured (--skip-prefect)."
    noisy = [
        line
        for r in runs
        for line in [*r.stderr.splitlines(), *r.stdout.splitlines()]
        if line.strip() and not line.startswith(("Published v", "No change", "To commit it: "))
    ]
    ok = not any(failed) and not noisy and cold > 0
    settings = (REPO / PREFECT_SETTINGS).read_text(encoding="utf-8")
    timeout = re.search(r'STARTUP_TIMEOUT_SECONDS": "(\d+)"', settings)
    detail = (
        f"{cold} of {cold} runs with a fresh PREFECT_HOME published (Prefect's server "
        f"start-up timeout is raised to {timeout.group(1) if timeout else '?'} s in "
        f"`{PREFECT_SETTINGS}`); "
        f"{len(noisy)} lines of other output in {len(runs)} runs without `--verbose`"
    )
    if any(failed):
        detail += "; failed: " + "; ".join(f for f in failed if f)
    if noisy:
        detail += f"; first: {noisy[0][:200]!r}"
    return (
        "- a first `release` (no server, fresh PREFECT_HOME) never fails for Prefect's "
        f"start-up, and prints nothing of Prefect's without `--verbose`: {verdict(ok)} "
        f"({detail})."
    )
