"""The benchmark's child processes: wall time, peak memory, and nothing left behind.

Each child runs in its own session, and its whole process group is killed when it exits
(what is left then is Prefect's temporary server), at its timeout, and, should this script
be interrupted while it runs, by `stop_all` at the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.prefect_processes import signal_group, stop

_LIVE: set[subprocess.Popen[bytes]] = set()


@contextmanager
def tracked(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """Have `stop_all` stop `process`'s group if this block is left by an interruption
    before the process was stopped."""
    _LIVE.add(process)
    try:
        yield process
    finally:
        _LIVE.discard(process)


def stop_all() -> None:
    for process in list(_LIVE):
        stop(process, grace=3.0)
        _LIVE.discard(process)


def on_signal(signum: int, frame: object) -> None:
    raise SystemExit(f"interrupted by signal {signum}")


@dataclass
class Run:
    """One child process: wall time, peak memory, exit status and output."""

    seconds: float
    peak_mb: float
    returncode: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    started: float = 0.0  # time.time() at start, to place Prefect's log lines

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def inner_times(self) -> dict[str, float]:
        """The times the child measured itself, printed as a line `BENCH {json}`."""
        for line in self.stdout.splitlines():
            if line.startswith("BENCH "):
                times: dict[str, float] = json.loads(line[len("BENCH ") :])
                return times
        return {}

    def tail(self) -> str:
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        return " | ".join(text[-3:])[-400:]


def run_child(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float) -> Run:
    """Run `cmd` in its own session; kill its whole group on exit or after `timeout` s.

    The child is reaped with `os.wait4`, whose resource usage gives its peak memory.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.time()
        start = time.perf_counter()
        child = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True
        )
        returncode: int | None = None
        usage = None
        with tracked(child):
            try:
                while True:
                    pid, status, usage = os.wait4(child.pid, os.WNOHANG)
                    if pid:
                        seconds = time.perf_counter() - start
                        returncode = os.waitstatus_to_exitcode(status)
                        break
                    if time.perf_counter() - start > timeout:
                        signal_group(child.pid, signal.SIGKILL)
                        _, status, usage = os.wait4(child.pid, 0)
                        seconds = time.perf_counter() - start
                        break
                    time.sleep(0.002)
            finally:
                child.returncode = returncode if returncode is not None else -9
                stop(child, grace=0.0)  # leftovers: Prefect's temporary server
        out.seek(0)
        err.seek(0)
        peak = usage.ru_maxrss / 1024 if usage else float("nan")
        return Run(seconds, peak, returncode, out.read(), err.read(), started)
