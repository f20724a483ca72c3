"""A temporary Prefect API server that dies with the process that started it.

With no `PREFECT_API_URL`, Prefect 3 runs flows against a temporary server of its own
(`prefect.server.api.server.SubprocessASGIServer`): a `python -m uvicorn` child that writes
to the caller's stdout and stderr, and that nothing stops if the caller is killed. Two bugs
follow, both seen with `csto-data release`:

1. After a SIGKILL of the caller the server lives on, orphaned, holding the caller's pipes:
   whoever reads them (`subprocess.run(..., capture_output=True)`) waits until it dies.
2. Runs started at once with a fresh, shared `PREFECT_HOME` start servers that create and
   migrate the same SQLite database at the same time. One of them fails and prints a
   ~200-line traceback to the terminal; Prefect then starts another server, so the run
   still succeeds (exit 0).

`temporary_server` starts the same uvicorn command with the same environment, and:

- on Linux the server gets `PR_SET_PDEATHSIG` = SIGKILL: the kernel kills it when the
  caller dies, however the caller dies. Elsewhere it is only stopped on a normal exit.
- its stdout and stderr go to a log file (with `verbose`, to the caller's), and its stdin
  is /dev/null: it never holds the caller's pipes, so an orphan could not hold them either.
- from its spawn until `/api/health` answers it holds an exclusive `flock` on a lock file
  in `PREFECT_HOME`, so servers that share a `PREFECT_HOME` never create or migrate the
  database at the same time.
- if it exits or does not answer within `timeout`, it is killed and `ServerDidNotStart`
  says so, with the last lines of its log.
- it runs in a process group of its own, so a Ctrl+C in the terminal reaches only the
  caller, which stops the server when it is done with it (after recording a crashed run).

Threads: Linux sends the parent-death signal when the *thread* that forked the server
exits, not the process. Enter `temporary_server` in the main thread, or in a thread that
lives for the whole run; entered in a short-lived worker thread, the server would be killed
when that thread ends.

Prefect is imported inside the functions, so importing this module costs nothing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

LOCK_NAME = "server-start.lock"  # in PREFECT_HOME
LOG_TAIL_LINES = 20
STOP_WAIT = 5.0  # s between SIGTERM and SIGKILL
PORT_ATTEMPTS = 3  # spawns when the chosen port was taken in the meantime
POLL = 0.1  # s between health checks
STARTUP_FAILURE = 3  # uvicorn's exit status when lifespan start-up or binding fails
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class ServerDidNotStart(RuntimeError):
    """The temporary Prefect server exited, or did not answer in time; it was stopped."""


@contextlib.contextmanager
def temporary_server(log: Path, verbose: bool = False, timeout: float = 180.0) -> Iterator[str]:
    """Run a temporary Prefect API server; yields its API URL, `http://127.0.0.1:PORT/api`.

    The server's stdout and stderr are appended to `log` (its folder is created), or, with
    `verbose`, go to this process's. Start-up (waiting for the `PREFECT_HOME` lock, then for
    `/api/health`) may take up to `timeout` seconds for each of the two; then
    `ServerDidNotStart`. On leaving the context the server gets SIGTERM, then SIGKILL after
    5 s, and is always reaped.

    Enter it in the main thread or in a thread that outlives the run (see the module's
    docstring). Setting `PREFECT_API_URL` is the caller's: see `prefect_api`.
    """
    from prefect.logging import get_logger
    from prefect.settings import PREFECT_HOME

    # The lines Prefect's own temporary server logs, shown with --verbose (and read by the
    # benchmark's breakdown of a run).
    logger = get_logger()
    home = Path(PREFECT_HOME.value()).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    process: subprocess.Popen[bytes] | None = None
    try:
        logger.info("Starting this run's own Prefect server (log: %s)", log)
        with _start_lock(home / LOCK_NAME, timeout):
            process, api = _start(log, verbose, timeout)
        yield api
    finally:
        if process is not None:
            logger.info("Stopping this run's own Prefect server on %s", api)
            _stop(process)


@contextlib.contextmanager
def prefect_api(
    log: Path | None = None, verbose: bool = False, timeout: float | None = None
) -> Iterator[str]:
    """The Prefect API for this run: yields `PREFECT_API_URL`, or a `temporary_server`'s URL.

    With `PREFECT_API_URL` set (a `prefect server start`, Prefect Cloud), nothing is started.
    Otherwise a `temporary_server` runs for the duration of the context (`log` defaults to
    `temporary-server.log` in `PREFECT_HOME`, `timeout` to
    `PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS`), and `PREFECT_API_URL` names it in
    this thread's Prefect settings, through Prefect's `temporary_settings`: setting
    `os.environ` would not do, as Prefect reads the environment once, when it is imported.
    Prefect passes its current settings on to the processes it starts (served runs), so they
    use this server too. Before the server stops, the events and logs that Prefect still has
    queued in this process are sent, so that none is lost or reported at exit.
    """
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_HOME,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    configured = PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    if log is None:
        log = Path(PREFECT_HOME.value()).expanduser() / "temporary-server.log"
    if timeout is None:
        timeout = float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
    with (
        temporary_server(log, verbose, timeout) as api,
        temporary_settings(updates={PREFECT_API_URL: api}),
    ):
        try:
            yield api
        finally:
            _drain_prefect_workers()


def _drain_prefect_workers() -> None:
    """Send what Prefect's background workers still hold, while the server still answers."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            worker.drain_all(timeout=STOP_WAIT, at_exit=False)


def _start(log: Path, verbose: bool, timeout: float) -> tuple[subprocess.Popen[bytes], str]:
    """Spawn the server and wait until it answers; retry if its port was taken meanwhile."""
    log.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    for attempt in range(1, PORT_ATTEMPTS + 1):
        port = _free_port()
        with log.open("ab") as out:
            start_of_run = out.tell()
            out.write(f"--- temporary Prefect server on 127.0.0.1:{port}\n".encode())
            out.flush()
            process = _spawn(port, None if verbose else out)
        api = f"http://127.0.0.1:{port}/api"
        try:
            _wait_healthy(process, api, deadline)
        except _Exited:
            taken = not _port_is_free(port) or "address already in use" in _tail(log, start_of_run)
            if process.returncode == STARTUP_FAILURE and taken and attempt < PORT_ATTEMPTS:
                continue
            raise ServerDidNotStart(
                f"The temporary Prefect server exited with status {process.returncode} "
                f"before it answered on {api}." + _tail_message(log, start_of_run, verbose)
            ) from None
        except TimeoutError:
            _stop(process, wait=0)
            raise ServerDidNotStart(
                f"The temporary Prefect server did not answer on {api} within "
                f"{timeout:g} s; it was killed." + _tail_message(log, start_of_run, verbose)
            ) from None
        except BaseException:
            _stop(process)
            raise
        return process, api
    raise AssertionError("unreachable")  # the last attempt returns or raises


class _Exited(Exception):
    """The server process exited during start-up (it is reaped)."""


def _wait_healthy(process: subprocess.Popen[bytes], api: str, deadline: float) -> None:
    """Return once `{api}/health` answers 200; `_Exited` or `TimeoutError` otherwise."""
    import httpx

    with httpx.Client(trust_env=False) as client:  # no proxy between us and 127.0.0.1
        while True:
            if process.poll() is not None:
                raise _Exited
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            try:
                response = client.get(f"{api}/health", timeout=min(remaining, 10.0))
            except httpx.HTTPError:
                pass
            else:
                if response.status_code == 200:
                    return
            time.sleep(min(POLL, max(deadline - time.monotonic(), 0)))


def _spawn(port: int, out: IO[bytes] | None) -> subprocess.Popen[bytes]:
    """The command and environment of Prefect's `SubprocessASGIServer._run_uvicorn_command`."""
    import prefect
    from prefect.settings import get_current_settings

    env = {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
        **get_current_settings().to_environment_variables(exclude_unset=True),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(prefect.__module_path__.parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]
    return subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=out,
        process_group=0,
        preexec_fn=_die_with_parent(),
    )


def _die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` that makes the kernel SIGKILL the child when this thread exits.

    None where there is no `prctl` (not Linux): the server is then only stopped on a normal
    exit of the context. The C function is looked up here, before the fork; the child only
    calls it. If the parent is already gone when the child asks (the race between fork and
    prctl), the child exits at once.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import ctypes.util

    try:
        prctl = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent = os.getpid()
    kill = int(signal.SIGKILL)

    def die_with_parent() -> None:
        prctl(PR_SET_PDEATHSIG, kill, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return die_with_parent


def _stop(process: subprocess.Popen[bytes], wait: float = STOP_WAIT) -> None:
    """SIGTERM, up to `wait` s for it to exit, then SIGKILL (at once if `wait` is 0); reaped."""
    if wait > 0 and process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)
    if process.poll() is None:
        process.kill()
    process.wait()


@contextlib.contextmanager
def _start_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive `flock` on `path`; `ServerDidNotStart` after waiting `timeout` s.

    The kernel releases a `flock` when its holder dies, so a killed run never leaves it
    held. The file is opened close-on-exec: the server does not inherit the lock.
    """
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:
                raise ServerDidNotStart(
                    f"Another process held {path} (a Prefect server starting in the same "
                    f"PREFECT_HOME) for more than {timeout:g} s."
                )
            time.sleep(POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _free_port() -> int:
    """A loopback port that was free a moment ago (the kernel's choice for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _tail(log: Path, start: int, lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` lines that `log` got from byte `start` on ('' if unreadable)."""
    try:
        with log.open("rb") as handle:
            handle.seek(start)
            text = handle.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _tail_message(log: Path, start: int, verbose: bool) -> str:
    if verbose:
        return " Its output went to this process's stderr."
    tail = _tail(log, start)
    return f" Last lines of {log}:\n{tail}" if tail.strip() else f" {log} is empty."
