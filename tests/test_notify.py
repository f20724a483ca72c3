"""A failed release run tells the maintainer: the flow's failure hook posts to the webhook
named by CSTO_FAILURE_WEBHOOK, here a local HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from flows.orchestration.notify import WEBHOOK
from flows.orchestration.release import release_flow


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, str]]]:
    """A local endpoint named by CSTO_FAILURE_WEBHOOK; yields the bodies it received."""
    received: list[dict[str, str]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(WEBHOOK, f"http://127.0.0.1:{server.server_port}/hook")
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def test_a_failed_run_posts_its_name_and_reason_to_the_webhook(
    prefect_api: str, raw_dir: Path, output_dir: Path, webhook: list[dict[str, str]]
) -> None:
    (raw_dir / "members.yaml").write_text("- state: [\n", encoding="utf-8")
    state = release_flow(raw_dir=str(raw_dir), output_dir=str(output_dir), return_state=True)
    assert state.is_failed()
    assert len(webhook) == 1
    body = webhook[0]
    assert body["state"] == "Failed"
    assert body["flow_run_id"] == str(state.state_details.flow_run_id)
    assert f"1 problem in {raw_dir}" in body["message"]
    assert body["text"].startswith(f"csto-data: release run {body['flow_run_name']} ended Failed")


def test_an_endpoint_that_cannot_be_reached_is_reported_not_raised() -> None:
    from flows.orchestration.notify import send

    problem = send("http://127.0.0.1:9/hook", {"text": "x"})  # nothing listens on port 9
    assert problem is not None and "refused" in problem.lower()
