"""The scheduled release workflow tests a release commit before it pushes it, gives every
published version its GitHub Release, and reports a failed run."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.conftest import REPO


@pytest.fixture(scope="module")
def steps() -> list[dict[str, Any]]:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    found: list[dict[str, Any]] = workflow["jobs"]["release"]["steps"]
    return found


def step_running(steps: list[dict[str, Any]], command: str) -> int:
    return next(i for i, s in enumerate(steps) if command in s.get("run", ""))


def test_a_release_commit_is_pushed_only_after_check_verify_and_the_quick_tier_pass(
    steps: list[dict[str, Any]],
) -> None:
    push = step_running(steps, "git push")
    for command in ("csto-data check", "csto-data verify --rebuild", 'pytest -m "not slow"'):
        assert step_running(steps, command) < push, command
    assert step_running(steps, "git commit") < step_running(steps, "csto-data verify --rebuild")


def test_every_published_version_without_a_github_release_gets_one(
    steps: list[dict[str, Any]],
) -> None:
    creating = steps[step_running(steps, "gh release create")]
    assert "if" not in creating  # every run, whether or not it published
    assert "gh release view" in creating["run"]
    assert '["releases"]' in creating["run"]


def test_a_failed_run_opens_or_updates_one_issue(steps: list[dict[str, Any]]) -> None:
    reporting = steps[step_running(steps, "gh issue create")]
    assert reporting["if"] == "failure()"
    assert "gh issue comment" in reporting["run"]
