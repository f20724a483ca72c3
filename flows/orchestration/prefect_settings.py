"""Prefect settings for unattended command-line runs; applied before Prefect is imported.

With no `PREFECT_API_URL`, Prefect 3 starts a temporary API server for each flow run; on
a cold machine it can take longer than Prefect's default 20 s start-up timeout. Users'
own settings win, but for the log level, which `--verbose` decides.
"""

from __future__ import annotations

import os

DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}


def apply(verbose: bool) -> None:
    """Set the defaults; Prefect's own logs reach the terminal only with `--verbose`."""
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    os.environ["PREFECT_LOGGING_LEVEL"] = "INFO" if verbose else "CRITICAL"
