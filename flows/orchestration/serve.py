"""`csto-data serve`: the `release` flow as a scheduled Prefect deployment, `release/scheduled`.

Prefect's own serving (`release_flow.serve`): this process registers the deployment with the
Prefect API that `PREFECT_API_URL` names (a `prefect server start` or Prefect Cloud), then
polls it and runs the flow at each tick of the cron schedule (UTC) and whenever a run is
triggered from the UI or with `prefect deployment run release/scheduled`. Runs, their logs
and their artifacts (`csto-release`, `csto-release-rows`) are recorded by that API. Stopping
this process pauses the schedule; serving again resumes it.

The paths are stored in the deployment as absolute paths, so runs do not depend on the
folder the server or the UI runs in. `prefect.yaml` describes the same deployment for work
pools (`prefect deploy`), whose runs clone the repository and push their release to it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_CRON = "0 6 * * 1"  # weekly, Monday 06:00 UTC
DEPLOYMENT = "scheduled"
FLOW = "release"
FULL_NAME = f"{FLOW}/{DEPLOYMENT}"

# A served run's logs are what a user reads in the UI: send the flow's and tasks' INFO logs
# to the API (and this console) even when `PREFECT_LOGGING_LEVEL` quiets Prefect itself.
# Defaults only, set before Prefect is imported; users' own settings win.
LOGGING_DEFAULTS = {
    "PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL": "INFO",
    "PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL": "INFO",
}


def check_cron(cron: str) -> str:
    """The cron string as given, or `ValueError` saying why Prefect would refuse it."""
    from prefect._internal.schemas.validators import validate_cron_string

    return validate_cron_string(cron)


def serve(raw_dir: Path, output_dir: Path, cron: str = DEFAULT_CRON) -> None:
    """Serve `release` as `release/scheduled` until interrupted (Ctrl+C or SIGTERM)."""
    raw, output = Path(raw_dir).resolve(), Path(output_dir).resolve()
    if not raw.is_dir():
        raise SystemExit(f"csto-data serve: {raw} is not a folder of raw records.")
    for name, value in LOGGING_DEFAULTS.items():
        os.environ.setdefault(name, value)
    try:
        check_cron(cron)
    except ValueError as error:
        raise SystemExit(f"csto-data serve: {error}") from None

    from prefect.settings import PREFECT_API_URL

    from flows.orchestration.release import release_flow

    api = PREFECT_API_URL.value()
    print(
        f"Serving {FULL_NAME} (cron {cron!r}, UTC) against "
        f"{api or 'a temporary Prefect server'}: {raw} -> {output}. Ctrl+C stops it.",
        flush=True,
    )
    if not api:
        print(
            "No PREFECT_API_URL is set: Prefect runs a temporary server for this process, "
            "which the UI and `prefect deployment run` cannot reach; the schedule still runs. "
            "To see runs, logs and artifacts, run `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (or log in to Prefect Cloud).",
            file=sys.stderr,
            flush=True,
        )
    release_flow.serve(
        name=DEPLOYMENT,
        cron=cron,
        parameters={"raw_dir": str(raw), "output_dir": str(output)},
        description=(
            "Validate raw/ and publish a new CSTO data release if it changed "
            "(served by `csto-data serve`)."
        ),
        tags=["csto-data"],
        # One run at a time: a run triggered during another waits in the queue, not on the lock.
        limit=1,
    )
