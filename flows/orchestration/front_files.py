"""The repository's own front files follow its newest release: `CITATION.cff`,
`.zenodo.json` and the table of datasets in `README.md`.

Only for the repository's own `output/`: a release into any other folder leaves the files
beside it alone. Written under the output's lock, each in one rename, and only where the
bytes differ, so that a run repeated or killed halfway leaves them whole.
"""

from __future__ import annotations

from pathlib import Path

from flows.steps.publish import locked, write_atomic
from flows.steps.release_index import LATEST, read_index
from flows.writers.readme import with_tables
from flows.writers.zenodo import ZENODO

REPOSITORY = Path(__file__).resolve().parents[2]
CITATION = "CITATION.cff"
README = "README.md"


def repository_of(output: Path) -> Path | None:
    """The repository whose front files follow `output`, if any: only the repository's own
    `output/` has one."""
    return REPOSITORY if output.resolve() == (REPOSITORY / "output").resolve() else None


def release_paths(output: Path) -> list[Path]:
    """What a release into `output` writes, as a `git add` wants it: the output folder and,
    for the repository's own, its front files."""
    repository = repository_of(output)
    fronts = [CITATION, f".{ZENODO}", README] if repository else []
    return [output, *(repository / name for name in fronts if repository)]


def front_files_behind(output: Path) -> bool:
    """Whether the repository's `CITATION.cff` is not the newest release's: every release
    changes it, so the front files are behind exactly then. Reads two small files only."""
    repository = repository_of(output)
    latest = output / LATEST / CITATION
    if repository is None or not latest.is_file():
        return False
    front = repository / CITATION
    return not front.is_file() or front.read_bytes() != latest.read_bytes()


def refresh_front_files(output: Path, lock_timeout: float = 600.0) -> None:
    """Bring the repository's front files up to the newest release in `output`."""
    repository = repository_of(output)
    latest = output / LATEST
    if repository is None or not (latest / CITATION).is_file():
        return
    with locked(output, lock_timeout):
        write_atomic(repository / CITATION, (latest / CITATION).read_bytes())
        if (latest / ZENODO).is_file():  # releases up to v1.5.0 have none
            write_atomic(repository / f".{ZENODO}", (latest / ZENODO).read_bytes())
        readme = repository / README
        history = read_index(output)
        if readme.is_file() and history:
            text = readme.read_text(encoding="utf-8")
            write_atomic(readme, with_tables(text, history[-1]["rows"]).encode("utf-8"))
