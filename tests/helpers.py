"""Small helpers shared by tests: snapshots of folders and a plain release in a subprocess."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# A release run with the plain functions in a separate process, so that it can be killed.
PLAIN_RELEASE = (
    "import sys; from pathlib import Path; from flows.orchestration.pipeline import release; "
    "o = release(Path(sys.argv[1]), Path(sys.argv[2]), date='2026-01-02'); "
    "print(o.status, o.version)"
)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` by relative path."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def start_plain_release(
    raw_dir: Path, output_dir: Path, env: dict[str, str] | None = None
) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", PLAIN_RELEASE, str(raw_dir), str(output_dir)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def checksum_problems(folder: Path) -> list[str]:
    """What `verify` finds wrong with the checksums of one release folder."""
    from flows.steps import verify

    files, _ = verify.read_folder(folder)
    return verify.checksum_problems(files, lambda name: str(folder / name))


# Tables a machinery test can do without: emptied, they leave every file of a release in
# place (headers only), with a fraction of the bytes to write, copy and compare.
TRIMMED = (
    "exercise_searches",
    "exercise_participants",
    "exercise_figures",
    "exercises",
    "council_sessions",
    "treaty_provisions",
    "external_codings",
    "force_figures",
)


def trimmed_raw(target: Path) -> Path:
    """A small valid copy of the real raw records at `target`, for tests of the machinery:
    the tables of `TRIMMED` emptied, and the sources no remaining row cites removed. Made
    from `raw/` each time, so it cannot fall behind the schemas."""
    from flows.steps.ingest import ingest
    from flows.steps.validate import validate

    shutil.copytree(REPO / "raw", target)
    for name in TRIMMED:
        (target / f"{name}.yaml").write_text("[]\n", encoding="utf-8")
    uncited = {p.line for p in validate(*ingest(target)) if p.message.endswith("is never cited")}
    _keep_records(target / "sources.yaml", lambda line, first: line not in uncited)
    named = _codes_named_outside(target, "countries.yaml")
    _keep_records(
        target / "countries.yaml", lambda line, first: first.split(":")[1].strip() in named
    )
    problems = validate(*ingest(target))
    assert problems == [], problems[:5]
    return target


def _codes_named_outside(raw_dir: Path, file: str) -> set[str]:
    """Every three-capital-letter word of the raw files but `file`: the countries a copy
    still names (a country page is written for each country, named or not)."""
    words: set[str] = set()
    for path in raw_dir.glob("*.yaml"):
        if path.name != file:
            words |= set(re.findall(r"\b[A-Z]{3}\b", path.read_text(encoding="utf-8")))
    return words


def _keep_records(path: Path, keep: Callable[[int, str], bool]) -> None:
    """Keep the records of a raw file (each from its `- ` line to the next) for which
    `keep(number of its first line, that line)` holds."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("- ")]
    ends = [*starts[1:], len(lines)]
    kept = [
        "".join(lines[start:end])
        for start, end in zip(starts, ends, strict=True)
        if keep(start + 1, lines[start])
    ]
    path.write_text("".join(lines[: starts[0]]) + "".join(kept), encoding="utf-8")


def add_event(raw_dir: Path, event_id: str = "test-added-event") -> None:
    """Add one valid treaty event: a change that makes a minor release."""
    with (raw_dir / "treaty_events.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            f'\n- id: {event_id}\n  date: "2000-01-01"\n  type: decision\n'
            "  title: An added event\n  sources: [apostrophe-2022-01-06]\n"
        )
