"""Where the time of a `release` with one change goes (no server, warm PREFECT_HOME).

Prefect's log times of one `--verbose` run place the temporary server's start, the flow
run's start and its end; Python's start-up and the imports are medians of their own runs,
and the flow's own work is the floor's in-process step times.
"""

from __future__ import annotations

import datetime as dt
import re

from bench.measure import Bench, fmt
from bench.processes import Run

_LOG_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \| \w+\s*\| (.*)$")


def prefect_timeline(run: Run) -> dict[str, float] | None:
    """Seconds from the child's start to the marks in Prefect's `--verbose` log."""
    start = dt.datetime.fromtimestamp(run.started)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    origin = (start - midnight).total_seconds()
    marks: dict[str, float] = {}
    for line in (run.stdout + "\n" + run.stderr).splitlines():
        match = _LOG_TIME.match(line.strip())
        if not match:
            continue
        h, m, s, ms, text = match.groups()
        at = (int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000 - origin) % 86400
        if "Starting this run's own Prefect server" in text:
            marks.setdefault("server_banner", at)
        elif text.startswith("Flow run") and "Beginning flow run" in text:
            marks.setdefault("flow_begin", at)
        elif text.startswith("Flow run") and "Finished in state" in text:
            marks["flow_end"] = at
        elif "Stopping this run's own Prefect server" in text:
            marks["server_stop"] = at
    need = ("server_banner", "flow_begin", "flow_end")
    return marks if all(k in marks for k in need) else None


def breakdown(bench: Bench) -> list[str]:
    M = bench.measures
    if "warm" not in M or not M["warm"].runs:
        return []
    total = M["warm"].median
    python = M["python"].median if "python" in M else float("nan")
    imports = M["import_release"].median - python if "import_release" in M else float("nan")
    work = (
        sum(
            M["floor_change"].inner(s)
            for s in ("ingest", "validate", "build", "render", "fingerprint", "publish")
        )
        if "floor_change" in M
        else float("nan")
    )
    lines = [
        "",
        "## Where the time goes: release with one change, no server, warm PREFECT_HOME",
        "",
        "| part | seconds | share | how measured |",
        "|---|---:|---:|---|",
    ]
    verbose: Run | None = bench.extra.get("verbose")  # type: ignore[assignment]
    marks = prefect_timeline(verbose) if verbose is not None and verbose.ok else None
    if verbose is not None and marks:
        whole = verbose.seconds
        parts = [
            ("Python start-up", python, "`python -c pass`"),
            (
                "imports (flows.orchestration.cli, flows.orchestration.release, prefect)",
                imports,
                "`python -c 'import flows.orchestration.cli, flows.orchestration.release'` "
                "- start-up",
            ),
            (
                "input hash, settings, flow call until the server banner",
                marks["server_banner"] - python - imports,
                'start → "Starting this run\'s own Prefect server", - the two above',
            ),
            (
                "Prefect temporary server start-up, flow run creation",
                marks["flow_begin"] - marks["server_banner"],
                'banner → "Beginning flow run"',
            ),
            (
                "the flow's own work (plain steps)",
                work,
                "floor with one change: ingest..publish, in-process",
            ),
            (
                "Prefect task orchestration, artifacts",
                marks["flow_end"] - marks["flow_begin"] - work,
                '"Beginning flow run" → "Finished in state", - the work',
            ),
            (
                "temporary server shutdown, exit",
                whole - marks["flow_end"],
                '"Finished in state" → process exit',
            ),
        ]
        lines += [f"| {p} | {fmt(s)} | {s / whole:.0%} | {how} |" for p, s, how in parts]
        lines += [
            f"| **total** of the `--verbose` run | {fmt(whole)} | 100% | timed here; "
            f"median of (a): {fmt(total)} s |",
            "",
            "Log marks are Prefect's own timestamps (ms) relative to this script's start of "
            "the child; start-up and imports are medians of their own runs.",
        ]
    else:
        lines += [
            f"| Python start-up | {fmt(python)} | - | `python -c pass` |",
            f"| imports | {fmt(imports)} | - | "
            "import flows.orchestration.cli, flows.orchestration.release |",
            f"| the flow's own work | {fmt(work)} | - | in-process steps |",
            f"| Prefect (rest) | {fmt(total - python - imports - work)} | - | difference |",
            "",
            "The `--verbose` run's log could not be parsed; the Prefect part is a difference.",
        ]
    if "import_prefect" in M and "import_cli" in M:
        lines += [
            "",
            f"For reference: `python -c 'import prefect'` {fmt(M['import_prefect'].median)} s; "
            f"`python -c 'import flows.orchestration.cli'` (what `check` imports) "
            f"{fmt(M['import_cli'].median)} s.",
        ]
    return lines
