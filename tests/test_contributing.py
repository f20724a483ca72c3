"""CONTRIBUTING.md followed as written: in a clone, a record is added, the documented
commands of "Cut a release" are run (the commit included), and on that commit the checks
CI runs on committed releases pass. When CONTRIBUTING and the tools disagree, this fails."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.helpers import add_event

CLI = f"{sys.executable} -m flows.orchestration.cli"


def documented_commands(section: str) -> list[str]:
    """The shell lines of the first code block under `## <section>` in CONTRIBUTING.md."""
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    block = re.search(rf"^## {section}\n.*?^```sh\n(.*?)^```$", text, re.M | re.S)
    assert block, f"no code block under '## {section}'"
    lines = [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def sh(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_cutting_a_release_as_contributing_says_leaves_a_commit_that_ci_accepts(
    prefect_api: str, tmp_path: Path
) -> None:
    clone = tmp_path / "clone"
    env = {
        **os.environ,
        # The checkout may belong to another user than the one running the tests.
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "safe.directory",
        "GIT_CONFIG_VALUE_0": "*",
        "PREFECT_API_URL": prefect_api,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "GIT_AUTHOR_NAME": "A Contributor",
        "GIT_AUTHOR_EMAIL": "contributor@example.org",
        "GIT_COMMITTER_NAME": "A Contributor",
        "GIT_COMMITTER_EMAIL": "contributor@example.org",
    }
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], env=env, check=True)
    add_event(clone / "raw")  # "Add a record", step 3
    for command in documented_commands("Cut a release"):
        done = sh(command.replace(".venv/bin/csto-data", CLI), clone, env)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    status = sh("git status --porcelain", clone, env).stdout
    assert status == "", f"the documented commands left files out of the commit:\n{status}"
    # The committed-release checks of CI; the rebuild among them is the documented
    # `verify --rebuild` that just passed.
    ci = sh(
        f"{sys.executable} -m pytest -q -p no:cacheprovider -n 0 tests/test_committed_release.py"
        " -k 'not rebuilds_byte_for_byte'",
        clone,
        env,
    )
    assert ci.returncode == 0, ci.stdout[-3000:] + ci.stderr[-2000:]
