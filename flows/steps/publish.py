"""Publish: write a packaged release into `output/` so that it appears all at once, or
not at all. The package step made every byte; this step only writes them and commits.

Layout: `output/v<version>/` (never written again once it exists), `output/latest/` (a
copy of the newest release), `output/releases.json` (the index of every release) and
`output/CHANGELOG.md`. Nothing else: the lock is taken on the folder `output/` itself
(whoever runs, whatever their `HOME`, they lock the same folder), and this machine's notes
live in a local state folder outside `output/` (see `local_state`).

How a kill at any moment stays harmless:
1. the release is written to a hidden staging folder `output/.staging-v<version>/`, each
   file and the folder synced to disk;
2. the staging folder is renamed to `v<version>/`: this is the commit point. Before it,
   the run published nothing and the next run deletes the staging folder; after it, the
   release is published, and whatever remains is finished by the next run;
3. `releases.json` is replaced atomically, then `latest/` is swapped for a complete copy
   in one `renameat2(RENAME_EXCHANGE)` call, then `CHANGELOG.md`.
Every run (and `release` with nothing to do) first finishes what a killed run committed:
it rebuilds the index from the folders (`release_index`), brings `latest/` up to the newest
release (unless every file of it is the newest release's, and nothing else) and rewrites
the changelog. It deletes only the staging files that runs create, and only while it holds
the lock: whatever staging it finds then was left by a run that has ended.
An exclusive lock makes concurrent runs wait their turn; a package made against a newest
release that another run has since replaced is refused (`Stale`), and made again.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flows.steps.checksums import CHECKSUMS
from flows.steps.release_index import (
    CHANGELOG,
    CHANGES,
    LATEST,
    RELEASES,
    BrokenOutput,
    ReleaseEntry,
    changelog,
    folder_files,
    folder_of,
    index_text,
    read_release,
    reconciled,
)

STAGING_PREFIX = ".staging-"


@dataclass(frozen=True)
class Package:
    """What the package step made of one run, for publish to write.

    `based_on` is the newest release the package was made against (None: there was none).
    `files` is the whole folder of the next release, described by `entry`; empty when the
    newest release already says the same, and then `entry` is the newest's, with the
    hashes this run computed.
    """

    based_on: str | None
    entry: ReleaseEntry
    files: dict[str, bytes]


class PublishLocked(Exception):
    """Another run held the lock for longer than this run would wait."""


class Stale(Exception):
    """The newest release is no longer the one the package was made against: another run
    published in between. Package again."""


class Unfinished(Exception):
    """A release was committed (its folder is in place) but finishing it failed; the next
    run completes it."""

    def __init__(self, version: str, folder: Path, error: BaseException) -> None:
        self.version = version
        super().__init__(
            f"v{version} is published in {folder}, but updating {folder.parent / LATEST} or "
            f"the summaries failed ({error}); the next run of release finishes it"
        )


@dataclass(frozen=True)
class Outcome:
    """What a release run did, and what it repaired that an earlier run had left."""

    status: str  # "published" or "no_change"
    version: str
    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    bump: str | None = None
    changes: str = ""
    repairs: tuple[str, ...] = ()


def local_state(output: Path) -> Path | None:
    """This machine's folder for the notes of `output` (never published), or None where
    there is none to be had (no writable home): the notes only save time.

    Under `$XDG_STATE_HOME` (default `~/.local/state`), keyed by the output's real path.
    """
    try:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
        key = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
        folder = base / "csto-data" / key
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # RuntimeError: no home directory can be found
        return None
    return folder


def _unchanged_note(output: Path) -> Path | None:
    """The input hash of the last run that rebuilt the newest release and found it the
    same (after a change to the pipeline code alone), so that the next run knows at once."""
    state = local_state(output)
    return state / "unchanged" if state else None


def up_to_date(output: Path, history: list[ReleaseEntry], input_hash: str) -> str | None:
    """The newest version if these raw records and this pipeline are known to make it."""
    if not history:
        return None
    newest = history[-1]
    note = _unchanged_note(output)
    rebuilt = note.read_text(encoding="utf-8").split() if note and note.is_file() else []
    known = [str(newest["content_hash"]), input_hash]
    if input_hash == newest.get("input_hash") or rebuilt == known:
        return newest["version"]
    return None


@contextmanager
def locked(output: Path, timeout: float) -> Iterator[None]:
    """Hold the exclusive publication lock of `output`, waiting up to `timeout` seconds.

    The lock is the folder's own (`flock` on the directory), so every run that publishes
    into it takes the same one, whoever runs it and whatever its environment; the kernel
    releases it when the holder dies, however it dies. `output` is made if missing.
    """
    output.mkdir(parents=True, exist_ok=True)
    fd = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PublishLocked(
                        f"another release run holds the lock of {output}; waited "
                        f"{timeout:.0f} s. Run again when it has finished"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # releases the lock


def _write_folder(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir()
    for name, data in files.items():
        with open(folder / name, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (Linux renameat2); elsewhere, three renames."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        result = renameat2(
            _AT_FDCWD, bytes(a), _AT_FDCWD, bytes(b), ctypes.c_uint(_RENAME_EXCHANGE)
        )
        if result == 0:
            return
        if ctypes.get_errno() not in (errno.ENOSYS, errno.EINVAL):
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))
    aside = a.with_name(a.name + ".aside")  # a staging name: the next run removes it
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)


def _replace_latest(output: Path, version: str) -> None:
    fresh = output / f"{STAGING_PREFIX}{LATEST}"
    shutil.rmtree(fresh, ignore_errors=True)
    _write_folder(fresh, read_release(output, version))
    latest = output / LATEST
    if latest.is_dir() and not latest.is_symlink():
        _exchange(fresh, latest)
        shutil.rmtree(fresh)
    else:
        if latest.is_symlink() or latest.exists():  # a link or a file is never a release
            latest.unlink()
        os.rename(fresh, latest)
    _fsync_dir(output)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` by `data` in one rename; no-op when it already holds them."""
    if path.is_file() and path.read_bytes() == data:
        return
    temporary = path.with_name(f"{STAGING_PREFIX}{path.name}")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _latest_is(output: Path, version: str) -> bool:
    """Whether `latest/` is a folder holding the files of release `version`, every byte
    of them, and nothing else."""
    latest, release = output / LATEST, folder_of(output, version)
    if latest.is_symlink() or not latest.is_dir():
        return False
    names = sorted(p.name for p in latest.iterdir())
    if names != sorted(p.name for p in release.iterdir()):
        return False
    listing = latest / CHECKSUMS
    if not listing.is_file() or listing.read_bytes() != (release / CHECKSUMS).read_bytes():
        return False  # at once, without reading every file: another release's listing
    return folder_files(latest) == read_release(output, version)


def _finish(
    output: Path, history: list[ReleaseEntry], latest_is_newest: bool | None = None
) -> None:
    """Everything after the commit point: the index, `latest/` and the changelog.
    `latest_is_newest`: what a caller that just compared `latest/` found (read once)."""
    write_atomic(output / RELEASES, index_text(history))
    newest = history[-1]["version"]
    if latest_is_newest is None:
        latest_is_newest = _latest_is(output, newest)
    if not latest_is_newest:
        _replace_latest(output, newest)
    write_atomic(output / CHANGELOG, changelog(output, history))


def recover(output: Path) -> tuple[list[ReleaseEntry], list[str]]:
    """Undo what a killed run had not committed and finish what it had; return the
    releases and what was repaired. Refuses (`BrokenOutput`) what it cannot repair."""
    if not output.exists():
        return [], []
    for leftover in output.glob(f"{STAGING_PREFIX}*"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    index = reconciled(output)
    repairs = list(index.repairs)
    if index.history:
        newest = index.history[-1]["version"]
        up_to_date = _latest_is(output, newest)
        if not up_to_date:
            repairs.append(f"{output / LATEST} brought up to v{newest}")
        _finish(output, index.history, up_to_date)
    return index.history, repairs


def _learned(output: Path, history: list[ReleaseEntry], known: ReleaseEntry) -> None:
    """Keep what a run that found nothing new learned about the newest release: its hashes
    where its entry was rebuilt from its folder, else a note that new raw records or code
    make it again (so that the next run answers at once)."""
    newest = history[-1]
    if newest["content_hash"] is None or "input_hash" not in newest:
        learned: ReleaseEntry = {
            **newest,
            "content_hash": known["content_hash"],
            "input_hash": known["input_hash"],
        }
        write_atomic(output / RELEASES, index_text([*history[:-1], learned]))
    elif known["input_hash"] != newest["input_hash"]:
        note = f"{known['content_hash']} {known['input_hash']}\n"
        path = _unchanged_note(output)
        if path:
            write_atomic(path, note.encode())


def publish(output: Path, package: Package, lock_timeout: float = 600.0) -> Outcome:
    """Write the package as the next release, or, when it holds no new release, say so."""
    with locked(output, lock_timeout):
        history, repairs = recover(output)
        newest = history[-1]["version"] if history else None
        entry = package.entry
        # Another run (or one killed after its commit point) may have published this very
        # release; anything else is news to package against.
        published_meanwhile = (
            newest != package.based_on
            and bool(package.files)
            and newest == entry["version"]
            and read_release(output, entry["version"]) == package.files
        )
        if newest != package.based_on and not published_meanwhile:
            against = f"v{package.based_on}" if package.based_on else "no release"
            raise Stale(f"the newest release in {output} is v{newest}, not {against} as packaged")
        if published_meanwhile or not package.files:
            _learned(output, history, entry)
            repaired = tuple(repairs)
            return Outcome(
                "no_change", entry["version"], output / LATEST, entry["rows"], repairs=repaired
            )
        folder = folder_of(output, entry["version"])
        if folder.exists() or folder.is_symlink():  # never write a version twice
            raise BrokenOutput(
                f"{folder} is in the way of v{entry['version']}: it is not a release folder "
                f"(a link or a file). Move it out of {output} and run again"
            )
        staging = output / f"{STAGING_PREFIX}{folder.name}"
        try:
            _write_folder(staging, package.files)
            os.rename(staging, folder)  # the commit point
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)  # a failed run leaves output/ as it was
            raise
        try:
            _fsync_dir(output)
            _finish(output, [*history, entry])
        except Exception as error:
            raise Unfinished(entry["version"], folder, error) from error
        return Outcome(
            "published",
            entry["version"],
            folder,
            entry["rows"],
            entry["bump"],
            package.files[CHANGES].decode(),
            tuple(repairs),
        )
