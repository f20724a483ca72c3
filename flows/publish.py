"""Publish: put a release into `output/` so that it appears all at once, or not at all.

Layout: `output/v<version>/` (never modified once written), `output/latest/` (a copy of
the newest release) and `output/releases.json` (every release: version, date, hashes).

How a kill at any moment stays harmless:
1. the release is written to a hidden staging folder, then renamed to `v<version>/`;
2. `releases.json` is replaced atomically: this is the commit point. A version folder that
   `releases.json` does not list was never published, and the next run removes it;
3. `latest/` is swapped for a complete copy in one `renameat2(RENAME_EXCHANGE)` call, so it
   is always a whole release; the next run brings it up to the newest listed release.
An exclusive lock on `output/.lock` makes concurrent runs wait their turn.

`output/.unchanged` is this machine's note, never published: the input hash of the last
run that rebuilt the newest release and found it unchanged (after a change to the pipeline
code that leaves the tables as they were), so that the next run knows without rebuilding.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flows.changelog import changelog
from flows.checksums import CHECKSUMS
from flows.package import assemble, content_files, content_hash
from flows.readme import with_tables
from flows.versioning import Bump, version_key

RELEASES = "releases.json"
CHANGELOG = "CHANGELOG.md"
CHANGES = "CHANGES.md"
CITATION = "CITATION.cff"
README = "README.md"
LATEST = "latest"
LOCK = ".lock"
UNCHANGED = ".unchanged"
STAGING_PREFIX = ".staging-"


class PublishLocked(Exception):
    """Another run held the lock for longer than this run would wait."""


@dataclass(frozen=True)
class Outcome:
    """What a release run did."""

    status: str  # "published" or "no_change"
    version: str
    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    bump: str | None = None
    changes: str = ""


def read_history(output: Path) -> list[dict]:
    path = output / RELEASES
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["releases"]


def up_to_date(output: Path, input_hash: str) -> str | None:
    """The newest version if these raw records and this pipeline are known to make it."""
    history = read_history(output)
    if not history:
        return None
    newest = history[-1]
    note = output / UNCHANGED
    rebuilt = note.read_text(encoding="utf-8").split() if note.is_file() else []
    if input_hash == newest.get("input_hash") or rebuilt == [newest["content_hash"], input_hash]:
        return newest["version"]
    return None


def read_release(output: Path, version: str) -> dict[str, bytes]:
    folder = output / f"v{version}"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@contextmanager
def locked(output: Path, timeout: float) -> Iterator[None]:
    """Hold the exclusive publication lock, waiting up to `timeout` seconds for it."""
    output.mkdir(parents=True, exist_ok=True)
    with open(output / LOCK, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PublishLocked(
                        f"another release run holds {output / LOCK}; waited {timeout:.0f} s"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_folder(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True)
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
    """Swap two paths atomically (Linux renameat2); elsewhere, two renames."""
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
    aside = a.with_name(a.name + ".aside")
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)


def _replace_latest(output: Path, version: str) -> None:
    fresh = output / f"{STAGING_PREFIX}{LATEST}"
    shutil.rmtree(fresh, ignore_errors=True)
    _write_folder(fresh, read_release(output, version))
    latest = output / LATEST
    if latest.exists():
        _exchange(fresh, latest)
        shutil.rmtree(fresh)
    else:
        os.rename(fresh, latest)
    _fsync_dir(output)


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` by `data` in one rename; no-op when it already holds them."""
    if path.exists() and path.read_bytes() == data:
        return
    temporary = path.with_name(f"{STAGING_PREFIX}{path.name}")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _write_history(output: Path, history: list[dict]) -> None:
    history = sorted(history, key=lambda r: version_key(r["version"]))
    text = json.dumps({"releases": history}, indent=2, sort_keys=True) + "\n"
    _write_atomic(output / RELEASES, text.encode())


def _refresh_summaries(output: Path, history: list[dict]) -> None:
    """`output/CHANGELOG.md` from every release; `CITATION.cff` and README's table of
    datasets beside `output/`, for the newest release."""
    newest_first = sorted(history, key=lambda r: version_key(r["version"]), reverse=True)
    notes = [(output / f"v{r['version']}" / CHANGES).read_bytes() for r in newest_first]
    _write_atomic(output / CHANGELOG, changelog(notes))
    _write_atomic(output.parent / CITATION, (output / LATEST / CITATION).read_bytes())
    readme = output.parent / README
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        _write_atomic(readme, with_tables(text, newest_first[0]["rows"]).encode("utf-8"))


def recover(output: Path) -> None:
    """Finish or undo what a killed run left: staging folders, unlisted versions, latest/."""
    if not output.exists():
        return
    for leftover in output.glob(f"{STAGING_PREFIX}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        else:
            leftover.unlink()
    for aside in output.glob("*.aside"):
        shutil.rmtree(aside)
    history = read_history(output)
    listed = {f"v{r['version']}" for r in history}
    for folder in output.glob("v*"):
        if folder.is_dir() and folder.name not in listed:
            shutil.rmtree(folder)
    if history:
        newest = history[-1]["version"]
        latest = output / LATEST
        want = (output / f"v{newest}" / CHECKSUMS).read_bytes()
        if not (latest / CHECKSUMS).exists() or (latest / CHECKSUMS).read_bytes() != want:
            _replace_latest(output, newest)
        _refresh_summaries(output, history)


def publish(
    output: Path,
    table_files: dict[str, bytes],
    rows: dict[str, int],
    date: str,
    input_hash: str,
    bump: Bump | None = None,
    lock_timeout: float = 600.0,
) -> Outcome:
    """Publish the tables as the next release, unless the newest release says the same."""
    with locked(output, lock_timeout):
        recover(output)
        history = read_history(output)
        latest = history[-1] if history else None
        previous = read_release(output, latest["version"]) if latest else {}
        content = content_files(table_files)
        fingerprint = content_hash(content)
        if latest and fingerprint == latest["content_hash"]:
            if input_hash != latest.get("input_hash"):
                _write_atomic(output / UNCHANGED, f"{fingerprint} {input_hash}\n".encode())
            return Outcome("no_change", latest["version"], output / LATEST, rows)
        info, files = assemble(content, latest, previous, date, bump)
        version = info.version
        staging = output / f"{STAGING_PREFIX}v{version}"
        shutil.rmtree(staging, ignore_errors=True)
        _write_folder(staging, files)
        os.rename(staging, output / f"v{version}")
        entry = {
            "version": version,
            "date": date,
            "bump": info.bump,
            "content_hash": fingerprint,
            "input_hash": input_hash,
            "rows": rows,
        }
        _write_history(output, [*history, entry])
        _replace_latest(output, version)
        _refresh_summaries(output, [*history, entry])
        return Outcome(
            "published", version, output / f"v{version}", rows, info.bump, files[CHANGES].decode()
        )
