"""Verify a release, and with `raw_dir`, that the committed raw records rebuild it byte for
byte: the checks of `flows/steps/verify.py`, then the chain of steps run again without
publishing."""

from __future__ import annotations

from pathlib import Path

from flows.orchestration.pipeline import table_files, validated
from flows.steps.release_index import RELEASES, read_index, read_release
from flows.steps.verify import release_problems, version_named
from flows.writers.package import assemble, content_hash, content_of


def rebuild_problems(raw_dir: Path, output: Path, version: str) -> list[str]:
    """Differences between release `version` and a rebuild of it from `raw_dir`."""
    history = read_index(output)
    index = next(i for i, r in enumerate(history) if r["version"] == version)
    entry, previous = history[index], history[index - 1] if index else None
    files, _ = table_files(validated(raw_dir))
    previous_files = read_release(output, previous["version"]) if previous else {}
    content = content_of(files)
    info, rebuilt = assemble(content, previous, previous_files, entry["date"], entry["bump"])
    folder = output / f"v{version}"
    if info.version != version:
        return [f"{raw_dir} rebuilds as v{info.version}, not v{version}"]
    published = read_release(output, version)
    names = sorted(set(rebuilt) | set(published))
    problems = [
        f"{folder / n}: differs from the rebuild from {raw_dir}"
        for n in names
        if rebuilt.get(n) != published.get(n)
    ]
    recorded = entry["content_hash"]
    if not problems and recorded is not None and recorded != content_hash(content):
        problems.append(
            f"{output / RELEASES}: records another content hash for v{version} than its "
            f"rebuild from {raw_dir} has"
        )
    return problems


def verify(output: Path, version: str | None = None, raw_dir: Path | None = None) -> list[str]:
    """Every problem with a published release (default: latest), and with `raw_dir`, every
    file that a rebuild from it does not reproduce; empty when it is intact."""
    problems = release_problems(output, version)
    if raw_dir is not None and not problems:
        newest = read_index(output)[-1]["version"]
        problems += rebuild_problems(raw_dir, output, version_named(version) or newest)
    return problems
