"""Kills and failures at every step of publishing: a release appears all at once or not at
all, and the next run finishes what a killed one committed.

Apart from `test_safe_publication.py`, whose fixtures it shares, so that the two longest
tests of the suite can run beside that module rather than after it.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from flows.orchestration.pipeline import table_files, validated
from flows.steps import publish
from flows.steps.fingerprint import input_hash
from flows.steps.publish import Outcome, Unfinished
from flows.writers.package import package
from tests.helpers import snapshot
from tests.test_safe_publication import (  # noqa: F401 - fixtures, found by their names
    NEW_DATE,
    assert_whole,
    expected,
    first_release,
    published,
)


class Faults:
    """Counts the steps that change the disk in `flows.steps.publish` (each fsync, rename,
    replace, exchange and tree removal) and acts just before step `at`."""

    def __init__(self, at: int, act: Callable[[str], None]) -> None:
        self.at, self.act, self.count = at, act, 0

    def step(self, name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            if self.count == self.at:
                self.act(name)
            return call(*args, **kwargs)

        return counted


@contextmanager
def faults_in_publish(faults: Faults) -> Iterator[None]:
    """`flows.steps.publish` with every disk-changing step counted by `faults`."""

    class Os:
        fsync = staticmethod(faults.step("fsync", os.fsync))
        rename = staticmethod(faults.step("rename", os.rename))
        replace = staticmethod(faults.step("replace", os.replace))

        def __getattr__(self, name: str) -> Any:
            return getattr(os, name)

    class Shutil:
        rmtree = staticmethod(faults.step("rmtree", shutil.rmtree))

    saved = publish.os, publish.shutil, publish._exchange
    publish.os, publish.shutil = Os(), Shutil()  # type: ignore[assignment]
    publish._exchange = faults.step("exchange", publish._exchange)
    try:
        yield
    finally:
        publish.os, publish.shutil, publish._exchange = saved


@pytest.fixture(scope="module")
def publish_next(first_release: tuple[Path, Path]) -> Callable[[Path], Outcome]:
    """Publishes the next release into a copy of v1.0.0's output folder: the release is
    built and packaged once, so that each fault below costs only the publishing it tests."""
    raw, output = first_release
    files, rows = table_files(validated(raw))
    made = package(output, files, rows, NEW_DATE, input_hash(raw))
    return lambda target: publish.publish(target, made)


def steps_of_a_release(
    published: Path, publish_next: Callable[[Path], Outcome], tmp_path: Path
) -> int:
    copy = tmp_path / "count"
    shutil.copytree(published, copy)
    faults = Faults(0, lambda name: None)
    with faults_in_publish(faults):
        publish_next(copy)
    return faults.count


def killed_at(step: int, publish_next: Callable[[Path], Outcome], output: Path) -> int:
    """Publish in a forked process that is killed (SIGKILL) just before `step`."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            with faults_in_publish(Faults(step, lambda n: os.kill(os.getpid(), signal.SIGKILL))):
                publish_next(output)
        finally:
            os._exit(0)
    return os.waitpid(pid, 0)[1]


def linked_copy(base: Path, output: Path) -> Path:
    """A copy of `base` made of hard links, at no cost in bytes. Publishing only creates
    files and renames them, never writes into one; a step that did would change `base`,
    which the tests check at their end."""
    return Path(shutil.copytree(base, output, copy_function=os.link))


class LinkedSnapshots:
    """`snapshot`, reading once the bytes of the files linked from the base copy (more
    than one link; keyed by inode and modification time, so a file written into is read
    again) and every time those of the files a run created."""

    def __init__(self) -> None:
        self.linked: dict[tuple[int, int, int, int], bytes] = {}

    def __call__(self, folder: Path) -> dict[str, bytes]:
        found = {}
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            stat = path.stat()
            if stat.st_nlink == 1:
                found[str(path.relative_to(folder))] = path.read_bytes()
                continue
            key = (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if key not in self.linked:
                self.linked[key] = path.read_bytes()
            found[str(path.relative_to(folder))] = self.linked[key]
        return found


@pytest.mark.slow
def test_a_kill_at_every_step_of_publishing_leaves_a_whole_release_that_the_next_run_finishes(
    published: Path,
    publish_next: Callable[[Path], Outcome],
    expected: dict[str, bytes],
    memory_dir: Path,
) -> None:
    steps = steps_of_a_release(published, publish_next, memory_dir)
    assert steps > 40  # each file written, the commit rename, the index, latest/, summaries
    base, read = shutil.copytree(published, memory_dir / "base"), LinkedSnapshots()
    before = snapshot(base)
    for step in range(1, steps + 2):
        output = linked_copy(base, memory_dir / f"kill-{step}")
        status = killed_at(step, publish_next, output)
        assert os.WIFSIGNALED(status) == (step <= steps), step
        assert_whole(output, [["1.0.0"], ["1.0.0", "1.1.0"]])
        publish_next(output)
        assert read(output) == expected, step
        shutil.rmtree(output)
    assert snapshot(base) == before  # no step wrote into a file it did not create


@pytest.mark.slow
def test_a_failure_at_every_step_leaves_output_as_it_was_or_says_the_release_is_published(
    published: Path,
    publish_next: Callable[[Path], Outcome],
    expected: dict[str, bytes],
    memory_dir: Path,
) -> None:
    steps = steps_of_a_release(published, publish_next, memory_dir)
    base, read = shutil.copytree(published, memory_dir / "base"), LinkedSnapshots()
    before = snapshot(base)
    committed_at = None
    for step in range(1, steps + 1):
        output = linked_copy(base, memory_dir / f"fail-{step}")

        def fail(name: str) -> None:
            raise OSError(28, "No space left on device (injected)")

        with faults_in_publish(Faults(step, fail)), pytest.raises((OSError, Unfinished)) as err:
            publish_next(output)
        if isinstance(err.value, Unfinished):
            committed_at = committed_at or step
            assert "v1.1.0 is published in" in str(err.value)
            assert (output / "v1.1.0").is_dir()
        else:
            assert committed_at is None, f"step {step} failed as uncommitted after a commit"
            assert read(output) == before, step
        publish_next(output)
        assert read(output) == expected, step
        shutil.rmtree(output)
    assert committed_at is not None and 20 < committed_at < steps
    assert snapshot(base) == before  # no step wrote into a file it did not create
