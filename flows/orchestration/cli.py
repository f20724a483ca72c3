"""`csto-data`: the one entry point. `check` validates, `release` publishes.

Prefect is imported only by the commands that run a flow, so that `check`, a `release`
with nothing to do and a `release` of invalid records answer in about a second.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from flows.steps.build import build
from flows.steps.ingest import RawRecords, ingest
from flows.steps.problems import Problem, counted, github_annotations, problems_json, report
from flows.steps.publish import Outcome, PublishLocked, Unfinished, locked, recover, up_to_date
from flows.steps.release_index import LATEST, BrokenOutput
from flows.steps.sizes import size_problems
from flows.steps.validate import validate


def checked(raw_dir: Path) -> tuple[RawRecords, list[Problem]]:
    """The raw records and every problem in them, including a release file they would
    make that is too large to publish."""
    records, found = ingest(raw_dir)
    problems = validate(records, found)
    if problems:
        return records, problems
    return records, size_problems(build(records), raw_dir)


def check(raw_dir: Path, form: str = "text") -> int:
    """Validate `raw_dir`; print the problems as text (default), as GitHub workflow
    annotations, or as JSON."""
    records, problems = checked(raw_dir)
    if form == "json":
        print(problems_json(problems))
    elif form == "github":
        if problems:
            print(github_annotations(problems))
        print(report(problems) if problems else f"{raw_dir}: all records valid.")
    elif problems:
        print(report(problems))
    else:
        counts = ", ".join(f"{len(f)} {name}" for name, f in records.tables.items())
        print(f"{raw_dir}: all records valid ({counts}).")
    return 1 if problems else 0


def release(
    raw_dir: Path, output_dir: Path, bump: str | None, verbose: bool, stage: bool = False
) -> int:
    from flows.steps.fingerprint import input_hash

    # Finish first what a killed run committed, so that "no change" is never said of an
    # output folder whose latest/ or index lags behind its newest release.
    with locked(output_dir, timeout=600):
        history, repairs = recover(output_dir)
    for repair in repairs:
        print(f"Repaired: {repair}")
    newest = None if bump else up_to_date(output_dir, history, input_hash(raw_dir))
    if newest:
        # A run killed after publishing may have left the repository's front files behind.
        # Importing what rewrites them costs more than the rest of this answer: only then.
        from flows.orchestration.front_files import front_files_behind, refresh_front_files

        if front_files_behind(output_dir):
            refresh_front_files(output_dir)
        print(
            f"No change: {raw_dir} and the pipeline make v{newest} again, published in "
            f"{output_dir / f'v{newest}'} and {output_dir / LATEST}; nothing written."
        )
        return 0
    # Invalid records are answered at the speed of `check`, before any server starts; the
    # flow validates again what it reads itself.
    _, problems = checked(raw_dir)
    if problems:
        print(report(problems))
        print("Nothing was published.")
        return 1
    from flows.orchestration import prefect_settings

    prefect_settings.apply(verbose)
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    # Importing Prefect and pandas leaves about 175,000 objects that live until exit. Keep
    # them (and, after the run, the run's own) out of the garbage collector's full passes:
    # the interpreter's final collections over them alone cost about 0.4 s at exit.
    from flows.orchestration.prefect_server import ServerDidNotStart, prefect_api
    from flows.orchestration.release import release_flow

    gc.freeze()
    # The temporary server (when no PREFECT_API_URL is set) is this process's own: it dies
    # with it, even on SIGKILL, and prints nothing here unless --verbose. No heartbeat
    # thread for a run of a few seconds: the flow's end joins it, and it sleeps in 1 s
    # steps, so it would add 0 to 1 s to every run.
    try:
        with (
            prefect_api(verbose=verbose),
            temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
        ):
            state = release_flow(
                raw_dir=str(raw_dir), output_dir=str(output_dir), bump=bump, return_state=True
            )
    except ServerDidNotStart as error:
        print(f"Release failed: {error}\nNothing was published.")
        return 1
    outcome = state.result(raise_on_failure=False)
    gc.freeze()  # Prefect's atexit hooks, which send its last events, still run
    if isinstance(outcome, Unfinished):
        print(f"Release unfinished: {outcome}")
        return 1
    if not state.is_completed():
        # Invalid records give the list of problems; anything else, the exception.
        print(report(outcome) if isinstance(outcome, list) else f"Release failed: {outcome}")
        print("Nothing was published.")
        return 1
    assert isinstance(outcome, Outcome)  # a completed run returns what it did
    for repair in outcome.repairs:
        print(f"Repaired: {repair}")
    if outcome.status == "no_change":
        print(
            f"No change: the tables are identical to v{outcome.version}, published in "
            f"{output_dir / f'v{outcome.version}'} and {output_dir / LATEST}; nothing written."
        )
    else:
        print(
            f"Published v{outcome.version} ({outcome.bump or 'first release'}) to "
            f"{outcome.path} and {output_dir / LATEST}"
        )
        return committable(output_dir, outcome.version, stage)
    return 0


def committable(output_dir: Path, version: str, stage: bool) -> int:
    """Say which paths the release wrote, ready for `git add`; with `stage`, stage them."""
    import shlex
    import subprocess

    from flows.orchestration.front_files import release_paths

    paths = [_shown(p) for p in release_paths(output_dir)]
    command = ["git", "add", "--", *paths]
    if not stage:
        print(f"To commit it: {shlex.join(command)} && git commit -m 'Release v{version}'")
        return 0
    staged = subprocess.run(command, capture_output=True, text=True)
    if staged.returncode:
        print(f"Could not stage {' '.join(paths)}: {staged.stderr.strip()}")
        return 1
    print(f"Staged {' '.join(paths)}; commit it: git commit -m 'Release v{version}'")
    return 0


def _shown(path: Path) -> str:
    """`path` relative to the working folder where it is below it, as a user typed it."""
    try:
        return (
            str(path.resolve().relative_to(Path.cwd().resolve()))
            if path.is_absolute()
            else str(path)
        )
    except ValueError:
        return str(path)


def verify(output_dir: Path, version: str | None, raw_dir: Path | None) -> int:
    """Check a release or an archive; reads only, never writes outside a scratch folder."""
    from flows.orchestration.verify import verify as verify_release
    from flows.steps.verify import verify_archive, version_named

    if version and version.endswith(".zip"):  # an archive made by `bundle`
        problems, name = verify_archive(Path(version)), version
    else:
        problems = verify_release(output_dir, version, raw_dir)
        chosen = version_named(version)
        name = str(output_dir / (f"v{chosen}" if chosen else LATEST))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{counted(len(problems), 'problem')}: {name} is not intact.")
        return 1
    proof = (
        f"and it rebuilds byte for byte from {raw_dir}"
        if raw_dir
        else "only `verify --rebuild` proves its content is what raw/ makes"
    )
    print(
        f"{name}: intact (its files, checksums, index entry, formats and schemas agree; {proof})."
    )
    return 0


def bundle(output_dir: Path, version: str | None, dest: Path) -> int:
    """Write `csto-data-<version>.zip` of a published release (default: the newest), only
    if it verifies, and never into `output_dir`."""
    from flows.steps.bundle import archive_name, bundle_bytes
    from flows.steps.publish import write_atomic
    from flows.steps.release_index import folder_files, folder_of, read_index
    from flows.steps.verify import release_problems, version_named

    if dest.resolve().is_relative_to(output_dir.resolve()):
        print(
            f"{dest} is inside {output_dir}, where only `csto-data release` writes: "
            "choose another --dest"
        )
        return 1
    known = [r["version"] for r in read_index(output_dir)]
    if not known:
        print(f"{output_dir}: no release has been published, so there is nothing to bundle")
        return 1
    chosen = version_named(version) or known[-1]
    if chosen not in known:
        print(f"{output_dir}: no release v{chosen} (known: {', '.join(known)})")
        return 1
    problems = release_problems(output_dir, chosen)
    if problems:
        for problem in problems:
            print(problem)
        print(f"{counted(len(problems), 'problem')}: v{chosen} is not intact; nothing bundled.")
        return 1
    files = folder_files(folder_of(output_dir, chosen))
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / archive_name(chosen)
    write_atomic(path, bundle_bytes(files, chosen))
    print(path)
    return 0


def new_table(name: str, title: str, description: str) -> int:
    from flows.orchestration.front_files import REPOSITORY
    from flows.orchestration.scaffold import ScaffoldRefused, scaffold

    try:
        written = scaffold(REPOSITORY, name, title, description)
    except ScaffoldRefused as error:
        print(error)
        return 1
    print("Wrote " + " and ".join(_shown(p) for p in written) + ". Next:")
    print(f"  1. edit {_shown(written[0])}: its columns, description and notes")
    print(f"  2. add records to {_shown(written[1])}, citing raw/sources.yaml")
    print("  3. .venv/bin/python -m flows.writers.curators_guide   # the field reference")
    print("  4. .venv/bin/csto-data check, then release --stage (CONTRIBUTING.md)")
    return 0


def serve(raw_dir: Path, output_dir: Path, cron: str | None, verbose: bool) -> int:
    from flows.orchestration import prefect_settings

    prefect_settings.apply(verbose)
    from flows.orchestration.serve import DEFAULT_CRON
    from flows.orchestration.serve import serve as serve_release

    serve_release(raw_dir, output_dir, cron or DEFAULT_CRON)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="csto-data", description=__doc__)
    parser.add_argument("--raw", type=Path, default=Path("raw"), help="raw records (raw/)")
    commands = parser.add_subparsers(dest="command", required=True)
    validating = commands.add_parser("check", help="validate raw/ without publishing")
    validating.add_argument(
        "--format",
        choices=("text", "github", "json"),
        default="text",
        help="text (default), GitHub workflow annotations, or JSON for other tools",
    )
    run = commands.add_parser("release", help="publish a new release if raw/ changed")
    run.add_argument("--output", type=Path, default=Path("output"), help="releases (output/)")
    run.add_argument("--bump", choices=("major", "minor", "patch"), help="force this bump")
    run.add_argument("--verbose", action="store_true", help="show Prefect's own logs")
    run.add_argument(
        "--stage", action="store_true", help="stage what a new release wrote with `git add`"
    )
    check_release = commands.add_parser("verify", help="check a published release")
    check_release.add_argument(
        "version", nargs="?", help="version or release archive (.zip) to check (default: latest)"
    )
    check_release.add_argument("--output", type=Path, default=Path("output"), help="releases")
    check_release.add_argument(
        "--rebuild", action="store_true", help="also rebuild it from --raw and compare bytes"
    )
    packed = commands.add_parser("bundle", help="write one release as a zip archive")
    packed.add_argument("version", nargs="?", help="version to bundle (default: latest)")
    packed.add_argument("--output", type=Path, default=Path("output"), help="releases")
    packed.add_argument("--dest", type=Path, default=Path("."), help="where to write it")
    adding = commands.add_parser("new-table", help="write a new table's schema and raw file")
    adding.add_argument("name", help="the table's name, like joint_exercises")
    adding.add_argument("--title", default="", help="its title (default: from the name)")
    adding.add_argument(
        "--description", default="Describe the table in one sentence.", help="one sentence"
    )
    scheduled = commands.add_parser("serve", help="serve `release` on a schedule via Prefect")
    scheduled.add_argument("--output", type=Path, default=Path("output"), help="releases")
    scheduled.add_argument("--cron", default=None, help="cron schedule (default: weekly)")
    scheduled.add_argument("--verbose", action="store_true", help="show Prefect's own logs")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return check(args.raw, args.format)
        if args.command == "verify":
            return verify(args.output, args.version, args.raw if args.rebuild else None)
        if args.command == "bundle":
            return bundle(args.output, args.version, args.dest)
        if args.command == "new-table":
            return new_table(args.name, args.title, args.description)
        if args.command == "serve":
            return serve(args.raw, args.output, args.cron, args.verbose)
        return release(args.raw, args.output, args.bump, args.verbose, args.stage)
    except (BrokenOutput, PublishLocked, OSError) as error:
        # OSError: a folder that cannot be read or written, a full disk
        print(_oserror_text(error) if isinstance(error, OSError) else error)
        if args.command == "release":
            print("Nothing was published.")
        return 1


def _oserror_text(error: OSError) -> str:
    where = f": {error.filename}" if error.filename else ""
    return f"{error.strerror or error}{where}"


if __name__ == "__main__":
    sys.exit(main())
