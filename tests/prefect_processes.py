"""Processes for the tests and the benchmark: a local Prefect server, and children that stop.

Used by tests/test_serve.py, tests/test_work_pool_deployment.py and bench/
(`from tests.prefect_processes import ...`). Every child is started in its own session, so
that its process group holds whatever it starts in turn (`prefect server start` runs uvicorn
in a child; a `csto-data release` without a server starts Prefect's temporary one):
stopping the group stops all of them. The children get their Prefect settings explicitly,
never from this process's PREFECT_* variables.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

STOP_WAIT = 30.0  # s between the first signal and SIGKILL, and for the leader to be reaped


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def without_prefect_settings() -> dict[str, str]:
    """This process's environment without any PREFECT_* variable."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}


def isolated_env(**settings: str) -> dict[str, str]:
    """This process's environment without any PREFECT_* setting, plus `settings`."""
    env = without_prefect_settings()
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", **settings)
    return env


def start(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start `command` in its own process group, its stdout and stderr into `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def signal_group(pgid: int, sig: int) -> None:
    """Send `sig` to the process group `pgid`, if anything of it is left."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop(
    process: subprocess.Popen[bytes], grace: float = STOP_WAIT, first: int = signal.SIGTERM
) -> None:
    """Signal `process`'s group with `first`, give the leader `grace` s to exit, then
    SIGKILL the group (the leader's children too, should any outlive it) and reap the leader.
    """
    signal_group(process.pid, first)
    with suppress(subprocess.TimeoutExpired):
        process.wait(grace)
    signal_group(process.pid, signal.SIGKILL)
    process.wait(STOP_WAIT)


def tail(log: Path, lines: int = 60) -> str:
    """The last `lines` lines of `log`, under a heading, to append to a failure message."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return f"\n--- last lines of {log.name} ---\n" + "\n".join(text.splitlines()[-lines:])


class ServerNotHealthy(RuntimeError):
    """The Prefect server exited, or did not answer `/health` in time."""


def wait_until_healthy(
    api: str, process: subprocess.Popen[bytes], log: Path, timeout: float, poll: float = 1.0
) -> None:
    """Poll `{api}/health` every `poll` s until it answers `true`; raise showing the log if
    the server exits or `timeout` s pass first."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise ServerNotHealthy(f"prefect server exited ({process.returncode})" + tail(log))
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=5) as response:
                if response.status == 200 and json.load(response) is True:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServerNotHealthy(f"prefect server not healthy in {timeout:.0f} s" + tail(log))
        time.sleep(poll)


@dataclass
class Server:
    """A running `prefect server start`: its API URL, process, log, and start-up time."""

    api: str
    process: subprocess.Popen[bytes]
    log: Path
    startup: float  # s from start until `/health` answered


@contextmanager
def local_prefect_server(
    home: Path, log: Path, timeout: float, poll: float = 1.0, **settings: str
) -> Iterator[Server]:
    """`prefect server start --no-ui` on a free port of 127.0.0.1, with `home` as its
    PREFECT_HOME and working directory and `settings` in its environment; stopped (SIGTERM,
    then SIGKILL) when the block ends, also on an error."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    command = [sys.executable, "-m", "prefect", "server", "start", "--no-ui"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    began = time.perf_counter()
    process = start(command, home, isolated_env(PREFECT_HOME=str(home), **settings), log)
    try:
        wait_until_healthy(api, process, log, timeout, poll)
        yield Server(api, process, log, time.perf_counter() - began)
    finally:
        stop(process)


@contextmanager
def prefect_client(api: str) -> Iterator:
    """A sync Prefect client for `api`, without touching os.environ."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}), get_client(sync_client=True) as client:
        yield client


def artifacts(api: str, flow_run_id: UUID) -> dict[str, object]:
    """The run's artifacts by key."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    only_this_run = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
    with prefect_client(api) as client:
        return {a.key: a for a in client.read_artifacts(artifact_filter=only_this_run)}
