"""Measure each test file's time and write `tests/file_weights.json`, by which
`tests/conftest.py` hands the heaviest files to the xdist workers first.

With `--dist loadfile` a worker takes a file whole; a heavy file taken last makes one
worker run long after the other has finished. Run from the repository root, after
changing the tests:

    .venv/bin/python bench/test_weights.py

It runs the suite once as CI does (`CI=true pytest --durations=0`) and sums each file's
setup, call and teardown times, rounded to the second. A file missing from the weights
weighs nothing and is handed out last, so an old table costs balance, never correctness.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = ROOT / "tests" / "file_weights.json"
LINE = re.compile(r"^([0-9.]+)s (?:setup|call|teardown) +(tests/[^:]+)::")


def measured(output: str) -> dict[str, int]:
    """Seconds per test file, from the `--durations=0` report in `output`."""
    seconds: dict[str, float] = defaultdict(float)
    for line in output.splitlines():
        found = LINE.match(line)
        if found:
            seconds[found.group(2)] += float(found.group(1))
    return {name: round(total) for name, total in sorted(seconds.items())}


def main() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=0"],
        cwd=ROOT,
        env={**os.environ, "CI": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(done.stdout[-3000:] + done.stderr[-2000:])
    weights = measured(done.stdout)
    WEIGHTS.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    print(f"{WEIGHTS.relative_to(ROOT)}: {len(weights)} files, {sum(weights.values())} s in all")


if __name__ == "__main__":
    main()
