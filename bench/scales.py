"""Measurement 5: synthetic raw/ with 10^4 to 10^6 extra troop figures, and its growth.

The extra figures are of operation kazakhstan-2022: five contributors, as_of over its 14
days, claimed by the press beside the real figures, cited sources `bench-source-N`
(one per 70 rows), so that every figure_id is unique. A scale whose projected time or
memory (linear from the previous scale) is over the limits is not run; its projection is
reported instead.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.basics import floor
from bench.children import check_cmd, copy_raw, plain_env
from bench.measure import Bench, Measure, fmt
from bench.processes import Run, run_child

CONTRIBUTORS = ("ARM", "BLR", "KGZ", "RUS", "TJK")
OPERATION_DAYS = [dt.date(2022, 1, 6) + dt.timedelta(days=d) for d in range(14)]
QUALIFIERS = ("exact", "approximate", "at_least", "up_to", "planned")


def synthetic_raw(target: Path, rows: int) -> Path:
    """A copy of raw/ with `rows` extra valid troop figures and the sources they cite."""
    copy_raw(target)
    countries = (target / "countries.yaml").read_text(encoding="utf-8")
    missing = [c for c in CONTRIBUTORS if f"iso3: {c}" not in countries]
    if missing:
        raise RuntimeError(f"contributors missing from countries.yaml: {missing}")
    per_source = len(CONTRIBUTORS) * len(OPERATION_DAYS)
    sources = -(-rows // per_source)
    with (target / "sources.yaml").open("a", encoding="utf-8") as out:
        for s in range(sources):
            out.write(
                f"\n- id: bench-source-{s}\n  title: Benchmark source {s}\n"
                f"  publisher: Benchmark\n  url: https://example.org/bench/{s}\n"
                '  published: "2022-01-20"\n  language: en\n  kind: news\n'
            )
    with (target / "troop_deployments.yaml").open("a", encoding="utf-8") as out:
        n = 0
        for s in range(sources):
            for day in OPERATION_DAYS:
                for contributor in CONTRIBUTORS:
                    if n == rows:
                        return target
                    out.write(
                        f"\n- operation: kazakhstan-2022\n  contributor: {contributor}\n"
                        f"  troops: {100 + n % 900}\n  qualifier: {QUALIFIERS[n % 5]}\n"
                        f'  as_of: "{day.isoformat()}"\n  source: bench-source-{s}\n'
                        "  claimant: Bench outlet\n  claimant_kind: press\n"
                    )
                    n += 1
    return target


def not_run(
    bench: Bench, key: str, label: str, rows: int, previous: tuple[int, Measure]
) -> Measure | None:
    """The measure of a scale that is not run, with its projection from the `previous`
    (rows, measure) of the same kind; None if it is within the limits and may run."""
    args = bench.args
    before_rows, base = previous
    projected = base.median * rows / before_rows
    memory = base.peak_mb * rows / before_rows
    over = []
    if projected > args.scale_timeout:
        over.append(f"--scale-timeout {args.scale_timeout:.0f} s")
    if memory > args.max_memory:
        over.append(f"--max-memory {args.max_memory:.0f} MB")
    if not base.failed and not over:
        return None
    m = bench.measures.setdefault(key, Measure(label))
    m.projected = projected
    m.note = (
        f"not run: {base.median:.0f} s and {base.peak_mb:.0f} MB at "
        f"{before_rows:,} rows project {projected:.0f} s and {memory:.0f} MB "
        f"(linear), over {' and '.join(over) or 'a failed smaller scale'}"
    )
    bench.log(f"{label}: {m.note}")
    return m


def run_scale(bench: Bench) -> None:
    """`check` and the floor at each of `--scales`, each projected from the scale before."""
    args = bench.args
    previous: dict[str, tuple[int, Measure]] = {}
    for rows in args.scales:
        folder = bench.fresh(f"scale-{rows}")
        bench.log(f"scale: generating {rows} troop-figure rows")
        start = time.perf_counter()
        raw = synthetic_raw(folder / "raw", rows)
        bench.extra[f"generate_{rows}"] = time.perf_counter() - start
        env = plain_env(bench.work)
        kinds: list[tuple[str, str, Callable[[], Run], str]] = [
            (
                "check",
                "`csto-data check`",
                partial(run_child, check_cmd(raw), env, folder, args.scale_timeout),
                r"all records valid",
            ),
            (
                "floor",
                "floor (ingest, validate, build, write)",
                partial(floor, bench, raw, args.scale_timeout, "scale-out"),
                r"published 1\.0\.0",
            ),
        ]
        for kind, name, one, expect in kinds:
            key = f"scale_{kind}_{rows}"
            label = f"{name}, {rows:,} rows"
            m = not_run(bench, key, label, rows, previous[kind]) if kind in previous else None
            if m is None:
                m = bench.measure(
                    key,
                    label,
                    one,
                    expect,
                    args.scale_runs,
                    warmup=False,
                    budget=args.scale_budget,
                )
            previous[kind] = (rows, m)
        shutil.rmtree(folder, ignore_errors=True)


def largest_floor(bench: Bench) -> tuple[int, Measure] | None:
    done = [
        (rows, bench.measures[f"scale_floor_{rows}"])
        for rows in bench.args.scales
        if f"scale_floor_{rows}" in bench.measures
    ]
    done = [(r, m) for r, m in done if m.runs and not m.failed]
    return done[-1] if done else None


def scale_growth(bench: Bench, kind: str) -> tuple[float, str, int] | None:
    """Ratio of times between the two largest measured scales (10^5 -> 10^6 if run)."""
    measured = [
        (rows, bench.measures[f"scale_{kind}_{rows}"])
        for rows in bench.args.scales
        if f"scale_{kind}_{rows}" in bench.measures
    ]
    measured = [(r, m) for r, m in measured if m.runs and not m.failed]
    if len(measured) < 2:
        return None
    (r0, m0), (r1, m1) = measured[-2], measured[-1]
    growth = m1.median / m0.median
    text = (
        f"{r0:,} → {r1:,} rows ({r1 / r0:.0f}x rows): {fmt(m0.median)} s → "
        f"{fmt(m1.median)} s, {growth:.1f}x the time"
    )
    return growth, text, r1
