"""bench/results.md: the tables of measures, the breakdown, the scales and the targets."""

from __future__ import annotations

import datetime as dt
import os
import platform
import time

from bench.breakdown import breakdown
from bench.measure import Bench, Measure, fmt, ratio
from bench.page import page_section
from bench.scales import scale_growth
from bench.targets import targets


def row(m: Measure, floor: float) -> str:
    if m.projected is not None and not m.runs:
        return f"| {m.name} | 0 | ≈{fmt(m.projected)} (projected) | - | - | - | - |"
    if m.failed and not m.runs:
        return f"| {m.name} | 0 | failed: {m.failed[:120]} | - | - | - | - |"
    lo, hi = min(m.seconds), max(m.seconds)
    timed_out = " (killed at timeout)" if m.failed else ""
    return (
        f"| {m.name} | {len(m.runs)} | {fmt(m.median)}{timed_out} | {fmt(lo)} | {fmt(hi)} | "
        f"{ratio(m.median, floor)} | {m.peak_mb:.0f} |"
    )


def report(bench: Bench, started: float) -> str:
    M, args = bench.measures, bench.args
    floor = M["floor"].median if "floor" in M else float("nan")
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/run.py{' --quick' if args.quick else ''}` on "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC: {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, load average at start "
        f"{bench.extra.get('load', '?')}, whole run {time.perf_counter() - started:.0f} s; "
        f"code and raw/ of {bench.extra.get('revision', '?')} (copied at the start). "
        "The machine was shared, so figures are noisy; compare ratios within one run.",
        "",
        "Wall time of a fresh process in seconds (imports count); peak = the child's "
        "`ru_maxrss` in MB. x floor = median / median of the floor of this run.",
        "",
        "## Commands against the real raw/",
        "",
        "| measurement | runs | median s | min s | max s | x floor | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    order = [
        "floor",
        "floor_validate",
        "floor_change",
        "check",
        "verify",
        "verify_rebuild",
        "nochange",
        "committed_first",
        "committed_next",
        "warm",
        "cold",
        "server",
    ]
    lines += [row(M[k], floor) for k in order if k in M]
    if "committed_rebuilt" in bench.extra:
        lines += [
            "",
            "The committed output/'s newest release was made by older pipeline code (its input "
            "hash is not this code's), so a fresh clone's first `release` rebuilds, with "
            "Prefect, to find the tables unchanged; it notes so in its local state folder (not "
            "in output/), and the runs after it answer without Prefect."
            if bench.extra["committed_rebuilt"]
            else "The committed output/ was made by this pipeline code: even a fresh clone's "
            "first `release` answers from its input hash, without Prefect.",
        ]
    if "server_startup" in bench.extra:
        lines += [
            "",
            f"The local Prefect server (`prefect server start --no-ui`, fresh PREFECT_HOME) "
            f"took {bench.extra['server_startup']:.1f} s to answer `/api/health`, once; not "
            "included above.",
        ]
    if "floor" in M:
        steps = ["imports", "ingest", "validate", "build", "render", "fingerprint", "publish"]
        lines += [
            "",
            "Floor, in-process step times (median s): "
            + ", ".join(f"{s} {fmt(M['floor'].inner(s))}" for s in steps)
            + ".",
        ]
    lines += breakdown(bench)
    lines += page_section(bench)
    lines += scale_section(bench)
    lines += targets(bench)
    if bench.failures:
        lines += ["", "## Failed runs", ""] + [f"- {f}" for f in bench.failures]
    return "\n".join(lines) + "\n"


def scale_section(bench: Bench) -> list[str]:
    M = bench.measures
    keys = [k for k in M if k.startswith("scale_")]
    if not keys:
        return []
    floor = M["floor"].median if "floor" in M else float("nan")
    lines = [
        "",
        "## Scale: synthetic troop figures",
        "",
        "Rows are extra troop-figure rows beside the 27 real ones (plus one source per 70 "
        "rows). Repetitions stop once a measurement has used "
        f"{bench.args.scale_budget:.0f} s; timeout {bench.args.scale_timeout:.0f} s per run.",
        "",
        "| measurement | runs | median s | min s | max s | x floor | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [row(M[k], floor) for k in keys]
    for rows in bench.args.scales:
        m = M.get(f"scale_floor_{rows}")
        if m and m.runs and not m.failed:
            steps = ["imports", "ingest", "validate", "build", "render", "publish"]
            lines.append(
                f"- floor at {rows:,} rows, in-process (s): "
                + ", ".join(f"{s} {fmt(m.inner(s))}" for s in steps)
            )
        notes = [M[k].note for k in keys if k.endswith(f"_{rows}") and M[k].note]
        lines += [f"- {n}" for n in notes]
    for kind in ("check", "floor"):
        growth = scale_growth(bench, kind)
        if growth:
            lines.append(f"- growth of {kind}: {growth[1]}")
    return lines
