"""Tell a maintainer that a release run failed: a JSON message posted to the webhook named by
`CSTO_FAILURE_WEBHOOK` (a Slack or Mattermost incoming webhook, a chat bridge, any HTTP
endpoint), from the flow's failure and crash hooks. Unset, nothing is sent.

The body carries `text` (what chat webhooks show) and the run's details for other tools.
Sending never fails the run further: an endpoint that cannot be reached is logged.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

WEBHOOK = "CSTO_FAILURE_WEBHOOK"
TIMEOUT = 10.0  # seconds: a hung endpoint must not hold the run


def failure_message(run_name: str, run_id: str, state: str, message: str) -> dict[str, str]:
    return {
        "text": f"csto-data: release run {run_name} ended {state}: {message}",
        "flow_run_name": run_name,
        "flow_run_id": run_id,
        "state": state,
        "message": message,
    }


def send(url: str, body: dict[str, str]) -> str | None:
    """Post `body` as JSON to `url`; None when it was delivered, else why not."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        return str(error)
    return None


def notify_failure(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect's `on_failure` and `on_crashed` hook of the release flow."""
    url = os.environ.get(WEBHOOK)
    if not url:
        return
    body = failure_message(
        str(flow_run.name), str(flow_run.id), str(state.name), str(state.message or "")
    )
    problem = send(url, body)
    if problem:
        from prefect.logging import get_logger

        get_logger("csto-data").warning("Could not notify %s of the failure: %s", url, problem)
