"""Bring a release made in a clone of the repository to the remote it was cloned from:
verify it, commit it as "Release v<version>", tag the commit `v<version>`, and push the
branch and the tag together.

A scheduled run of the work-pool deployment (`prefect.yaml`) does this after publishing.
The remote and its credentials are the clone's own: Prefect's `git_clone` pull step reads
them from the worker's environment (or a Prefect block) at each run. Nothing here reads,
stores or prints them: git's messages are shown with any user or token removed from URLs.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from flows.orchestration.front_files import release_paths
from flows.orchestration.verify import verify

REMOTE = "origin"  # the name git (and Prefect's git_clone) gives the remote cloned from
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


class GitError(Exception):
    """A release that could not be committed, tagged or pushed, and git's reason."""


def without_credentials(text: str) -> str:
    """`text` with the user and password or token of every URL in it removed."""
    return _USERINFO.sub("", text)


def git(repository: Path, *args: str) -> str:
    """Run `git ARGS` in `repository`; its output, or `GitError` with git's reason."""
    done = subprocess.run(["git", *args], cwd=repository, capture_output=True, text=True)
    if done.returncode:
        reason = without_credentials((done.stderr or done.stdout).strip())
        raise GitError(f"git {args[0]} failed in {repository}: {reason}")
    return done.stdout.strip()


def tag(version: str) -> str:
    return f"v{version}"


def commit_release(output: Path, version: str) -> Path:
    """Commit what the release of `version` into `output` wrote as "Release v<version>",
    tag that commit `v<version>`, and return the repository."""
    repository = Path(git(output, "rev-parse", "--show-toplevel"))
    git(repository, "add", "--", *(str(p.resolve()) for p in release_paths(output)))
    message = f"Release {tag(version)}"
    git(repository, "commit", "--quiet", "-m", message)
    git(repository, "tag", "--annotate", tag(version), "-m", message)
    return repository


def push_release(repository: Path, version: str, remote: str = REMOTE) -> str:
    """Push the current branch and the tag `v<version>` to `remote` in one atomic push, so
    that both arrive or neither does; return the branch. Nothing is forced: a remote that
    moved on since the clone, or that already has the tag, refuses the push."""
    try:
        branch = git(repository, "symbolic-ref", "--short", "HEAD")
    except GitError:
        raise GitError(f"{repository} is not on a branch: there is nothing to push to") from None
    git(
        repository,
        "push", "--atomic", "--quiet", remote,
        f"HEAD:refs/heads/{branch}", f"refs/tags/{tag(version)}",
    )  # fmt: skip
    return branch


def publish_to_remote(raw: Path, output: Path, version: str, remote: str = REMOTE) -> str:
    """Verify release `version` in `output` against a rebuild from `raw`, then commit, tag
    and push it; what was done, in a sentence. An unverified release is never committed."""
    problems = verify(output, version, raw)
    if problems:
        listed = "\n".join(problems)
        raise GitError(f"v{version} failed verification; nothing committed:\n{listed}")
    repository = commit_release(output, version)
    branch = push_release(repository, version, remote)
    return f"Pushed Release {tag(version)} and its tag to {remote}/{branch}"
