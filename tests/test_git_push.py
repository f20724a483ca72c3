"""`flows/orchestration/git_push.py` on tiny repositories: a release commit and its tag
reach the remote together or not at all, nothing is forced, and no credential is shown."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from flows.orchestration.git_push import (
    GitError,
    commit_release,
    publish_to_remote,
    push_release,
    without_credentials,
)

IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}


@pytest.fixture(autouse=True)
def identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in IDENTITY.items():
        monkeypatch.setenv(name, value)


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def refs(repository: Path) -> dict[str, str]:
    listed = git(repository, "for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ") for line in listed.splitlines())


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A clone (branch `main`) of a bare remote holding one commit, with `output/` in it."""
    remote, seed = tmp_path / "remote.git", tmp_path / "seed"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git(tmp_path, "init", "--quiet", "--initial-branch=main", str(seed))
    (seed / "output").mkdir()
    (seed / "output" / "CHANGELOG.md").write_text("v1.0.0\n")
    git(seed, "add", "--all")
    git(seed, "commit", "--quiet", "-m", "First")
    git(seed, "push", "--quiet", str(remote), "main")
    git(tmp_path, "clone", "--quiet", remote.as_uri(), str(tmp_path / "clone"))
    return tmp_path / "clone"


def release_into(clone: Path, version: str) -> None:
    (clone / "output" / f"v{version}").mkdir()
    (clone / "output" / f"v{version}" / "data.csv").write_text("a\n1\n")


def test_a_release_commit_and_its_annotated_tag_arrive_in_the_remote(clone: Path) -> None:
    remote = clone.parent / "remote.git"
    release_into(clone, "1.1.0")
    repository = commit_release(clone / "output", "1.1.0")
    assert push_release(repository, "1.1.0") == "main"
    head = git(remote, "rev-parse", "refs/heads/main")
    assert git(remote, "log", "-1", "--format=%s", head) == "Release v1.1.0"
    assert git(remote, "rev-parse", "v1.1.0^{commit}") == head
    assert git(remote, "cat-file", "-t", "refs/tags/v1.1.0") == "tag"
    assert git(remote, "show", f"{head}:output/v1.1.0/data.csv") == "a\n1"
    assert git(clone, "status", "--porcelain") == ""


def test_a_push_to_a_remote_that_moved_on_is_refused_and_leaves_it_as_it_was(
    clone: Path,
) -> None:
    remote, other = clone.parent / "remote.git", clone.parent / "other"
    git(clone.parent, "clone", "--quiet", remote.as_uri(), str(other))
    (other / "raw.yaml").write_text("- id: new\n")
    git(other, "add", "--all")
    git(other, "commit", "--quiet", "-m", "A curator's commit")
    git(other, "push", "--quiet")
    before = refs(remote)
    release_into(clone, "1.1.0")
    repository = commit_release(clone / "output", "1.1.0")
    with pytest.raises(GitError, match=r"(?s)git push failed.*\[rejected\]"):
        push_release(repository, "1.1.0")
    assert refs(remote) == before  # neither the branch nor the tag: the push is atomic


def test_a_tag_the_remote_already_has_is_refused_not_replaced(clone: Path) -> None:
    remote = clone.parent / "remote.git"
    git(remote, "tag", "v1.1.0", "refs/heads/main")
    before = refs(remote)
    release_into(clone, "1.1.0")
    repository = commit_release(clone / "output", "1.1.0")
    with pytest.raises(GitError, match="git push failed"):
        push_release(repository, "1.1.0")
    assert refs(remote) == before


def test_a_release_that_fails_verification_is_never_committed(clone: Path) -> None:
    head = git(clone, "rev-parse", "HEAD")
    release_into(clone, "1.1.0")
    with pytest.raises(GitError, match=r"v1\.1\.0 failed verification; nothing committed"):
        publish_to_remote(clone / "raw", clone / "output", "1.1.0")
    assert git(clone, "rev-parse", "HEAD") == head
    assert git(clone, "tag", "--list") == ""


def test_a_clone_on_no_branch_is_refused_with_its_reason(clone: Path) -> None:
    git(clone, "checkout", "--quiet", "--detach")
    release_into(clone, "1.1.0")
    repository = commit_release(clone / "output", "1.1.0")
    with pytest.raises(GitError, match="is not on a branch"):
        push_release(repository, "1.1.0")


def test_git_messages_never_show_the_credentials_in_a_remote_url(clone: Path) -> None:
    # Port 9 (discard) on this machine: nothing answers, so the push fails at once.
    git(clone, "remote", "set-url", "origin", "https://bot:s3cret-token@127.0.0.1:9/csto.git")
    release_into(clone, "1.1.0")
    repository = commit_release(clone / "output", "1.1.0")
    with pytest.raises(GitError) as failed:
        push_release(repository, "1.1.0")
    assert "s3cret-token" not in str(failed.value)
    assert "127.0.0.1:9" in str(failed.value)


def test_without_credentials_removes_the_userinfo_of_every_url() -> None:
    text = "fatal: https://x-access-token:abc@github.com/o/r and ssh://git@host/r.git"
    assert without_credentials(text) == "fatal: https://github.com/o/r and ssh://host/r.git"


def test_an_identity_missing_on_the_worker_is_reported_with_gits_reason(
    clone: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in IDENTITY:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))  # no global git config
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("EMAIL", raising=False)
    git(clone, "config", "user.useConfigOnly", "true")
    release_into(clone, "1.1.0")
    with pytest.raises(GitError, match=r"(?s)git commit failed.*Author identity unknown"):
        commit_release(clone / "output", "1.1.0")
