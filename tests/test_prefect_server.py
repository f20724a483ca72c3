"""`flows.orchestration.prefect_server`: a temporary Prefect server that starts cleanly
and dies with its caller.

Real servers, real processes. A server is started in this process (with its own
`PREFECT_HOME` and database, via `temporary_settings`) or in a small child process run with
`sys.executable -c` (its own environment, without this process's PREFECT_* settings). The
processes are found through /proc, so these tests run on Linux only. A server takes about
4 s to start on 2 idle cores, about 10 s with a fresh `PREFECT_HOME` (the database is
created and migrated): the tests that are not about a fresh home start from a copy of a
migrated database (`prefect_database` in conftest).
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from flows.orchestration.prefect_server import ServerDidNotStart, temporary_server
from tests.conftest import seeded_home

REPO = Path(__file__).resolve().parent.parent
STARTUP = 180.0  # s; generous: a cold, busy 2-core machine
DEATH_WAIT = 10.0  # s for a killed parent's server to disappear
ORPHAN_WATCH = 3.0  # s that Prefect's own server is watched outliving its parent

# Every test here starts Prefect servers of its own: slow, left out of the quick tier.
pytestmark = [
    pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) and /proc: Linux"
    ),
    pytest.mark.slow,
]

# Child processes: start a server, print its API URL, then sleep until killed.
OURS = (
    "import sys, time; from pathlib import Path; "
    "from flows.orchestration.prefect_server import temporary_server\n"
    "with temporary_server(Path(sys.argv[1]), timeout=float(sys.argv[2])) as api:\n"
    "    print(api, flush=True); time.sleep(600)\n"
)
PREFECTS_OWN = (
    "import time; from prefect.server.api.server import SubprocessASGIServer\n"
    "server = SubprocessASGIServer(); server.start()\n"
    "print(server.api_url, flush=True); time.sleep(600)\n"
)
# A flow run, with its logs sent to the API, against `prefect_api`'s server.
FLOW_RUN = (
    "import sys; from pathlib import Path; from prefect import flow, get_run_logger; "
    "from prefect.settings import PREFECT_API_URL; "
    "from flows.orchestration.prefect_server import prefect_api\n"
    "@flow\n"
    "def hello():\n"
    "    get_run_logger().info('Hello from the flow.')\n"
    "    return 42\n"
    "with prefect_api(Path(sys.argv[1]), timeout=float(sys.argv[2])) as api:\n"
    "    assert PREFECT_API_URL.value() == api\n"
    "    assert hello(return_state=True).result() == 42\n"
)
# Start a server, ask it for its health, stop it; print nothing.
START_AND_STOP = (
    "import sys, urllib.request; from pathlib import Path; "
    "from flows.orchestration.prefect_server import temporary_server\n"
    "with temporary_server(Path(sys.argv[1]), timeout=float(sys.argv[2])) as api:\n"
    "    assert urllib.request.urlopen(api + '/health').status == 200\n"
)


def child_env(home: Path) -> dict[str, str]:
    """This process's environment without any PREFECT_* setting; `home` as PREFECT_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    return env


def stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rsplit(")", 1)[1].split()


def alive(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie (an exited process not yet reaped)."""
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def servers_of(parent: int) -> list[int]:
    """The uvicorn processes whose parent is `parent`.

    In this process, that includes the session's server (`prefect_api` in conftest) once a
    test that uses it has run: compare with the list from before the test.
    """
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = stat_fields(int(entry))
        if fields is None or int(fields[1]) != parent:
            continue
        with suppress(OSError):
            if b"uvicorn" in Path(f"/proc/{entry}/cmdline").read_bytes():
                found.append(int(entry))
    return found


def port_of(api: str) -> int:
    return int(api.rsplit(":", 1)[1].split("/")[0])


def port_is_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def own_prefect_home(tmp_path: Path, prefect_database: Path) -> Iterator[Path]:
    """A PREFECT_HOME and database of its own (a copy of the migrated one) for servers
    started in this process."""
    from prefect.settings import (
        PREFECT_API_DATABASE_CONNECTION_URL,
        PREFECT_HOME,
        temporary_settings,
    )

    home = seeded_home(tmp_path / "prefect-home", prefect_database)
    updates = {
        PREFECT_HOME: str(home),
        PREFECT_API_DATABASE_CONNECTION_URL: f"sqlite+aiosqlite:///{home}/prefect.db",
    }
    with temporary_settings(updates=updates):
        yield home


def start_child(code: str, home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=child_env(home),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_if_alive(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def test_server_answers_health_and_is_reaped_with_its_port_closed_on_exit(
    own_prefect_home: Path, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    before = set(servers_of(os.getpid()))
    with temporary_server(log, timeout=STARTUP) as api:
        assert api.startswith("http://127.0.0.1:") and api.endswith("/api")
        assert urllib.request.urlopen(f"{api}/health").status == 200
        [pid] = set(servers_of(os.getpid())) - before
        assert f"--port\0{port_of(api)}\0".encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    assert stat_fields(pid) is None  # exited and reaped: not even a zombie
    assert port_is_closed(port_of(api))
    assert (own_prefect_home / "prefect.db").is_file()
    assert log.read_text().startswith("--- temporary Prefect server on 127.0.0.1:")


def test_sigkill_of_the_caller_kills_its_server_and_frees_its_pipes(
    tmp_path: Path, prefect_database: Path
) -> None:
    home = seeded_home(tmp_path / "home", prefect_database)
    child = start_child(OURS, home, str(tmp_path / "server.log"), str(STARTUP))
    server = None
    try:
        api = child.stdout.readline().strip()
        assert api, child.communicate(timeout=10)
        [server] = servers_of(child.pid)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        # Nothing else holds the child's pipes: they reach end-of-file at once.
        out, err = child.communicate(timeout=5)
        assert (out, err) == ("", "")
        assert wait_until(lambda: not alive(server), DEATH_WAIT), "the server outlived its parent"
        assert wait_until(lambda: port_is_closed(port_of(api)), DEATH_WAIT)
    finally:
        child.kill()
        if server is not None:
            kill_if_alive(server)
        child.communicate(timeout=30)


def test_prefects_own_temporary_server_outlives_a_killed_parent(
    tmp_path: Path, prefect_database: Path
) -> None:
    """Why `flows.orchestration.prefect_server` exists: Prefect's own server is orphaned,
    still running.

    If this fails, Prefect has fixed it, and `flows.orchestration.prefect_server` may no
    longer be needed.
    """
    child = start_child(PREFECTS_OWN, seeded_home(tmp_path / "home", prefect_database))
    server = None
    try:
        api = child.stdout.readline().strip()
        assert api, child.communicate(timeout=10)
        [server] = servers_of(child.pid)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        # The orphan holds the child's stdout: whoever reads it to its end would wait.
        assert select.select([child.stdout], [], [], ORPHAN_WATCH) == ([], [], [])
        assert alive(server)
        assert urllib.request.urlopen(f"{api}/health").status == 200
    finally:
        child.kill()
        if server is not None:
            kill_if_alive(server)  # closes the pipes it inherited from the child
        child.communicate(timeout=30)


def test_concurrent_starts_on_one_fresh_prefect_home_are_clean_and_silent(
    tmp_path: Path,
) -> None:
    """Without the start-up lock, about 4 in 10 runs of this test fail here: both servers
    create and migrate the same SQLite database at once, and one exits with a traceback."""
    home = tmp_path / "shared-home"
    children = [
        start_child(START_AND_STOP, home, str(tmp_path / f"server-{n}.log"), str(STARTUP))
        for n in range(2)
    ]
    try:
        results = [
            (child.communicate(timeout=2 * STARTUP + 60), child.returncode) for child in children
        ]
    finally:
        for child in children:
            child.kill()
            child.communicate()
    assert results == [(("", ""), 0), (("", ""), 0)]
    for n in range(2):
        assert "Traceback" not in (tmp_path / f"server-{n}.log").read_text()


def test_a_flow_run_in_prefect_api_uses_its_server_and_sends_its_logs_before_it_stops(
    tmp_path: Path,
) -> None:
    """No second server is started (Prefect's would say "Starting temporary server"), and
    the logs still queued at the end reach the server before it stops, not an error."""
    env = child_env(tmp_path / "home") | {"PREFECT_LOGGING_LEVEL": "INFO"}
    run = subprocess.run(
        [sys.executable, "-c", FLOW_RUN, str(tmp_path / "server.log"), str(STARTUP)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=STARTUP + 120,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Hello from the flow." in output
    assert "Finished in state Completed()" in output
    for sign_of_trouble in ("Starting temporary server", "Error", "Traceback"):
        assert sign_of_trouble not in output


def test_a_server_that_cannot_start_raises_with_its_log_tail_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    from prefect.settings import (
        PREFECT_API_DATABASE_CONNECTION_URL,
        PREFECT_HOME,
        temporary_settings,
    )

    # /proc refuses new folders and files, also to root.
    updates = {
        PREFECT_HOME: str(tmp_path / "home"),
        PREFECT_API_DATABASE_CONNECTION_URL: "sqlite+aiosqlite:////proc/no-such-dir/prefect.db",
    }
    log = tmp_path / "server.log"
    before = set(servers_of(os.getpid()))
    started = time.monotonic()
    with (
        temporary_settings(updates=updates),
        pytest.raises(ServerDidNotStart) as raised,
        temporary_server(log, timeout=STARTUP),
    ):
        pytest.fail("the server started")
    assert time.monotonic() - started < STARTUP
    message = str(raised.value)
    assert "exited with status 3 before it answered" in message
    assert f"Last lines of {log}:" in message
    assert "unable to open database file" in message
    assert len(message.split(f"Last lines of {log}:\n", 1)[1].splitlines()) <= 20
    assert set(servers_of(os.getpid())) == before


def test_a_server_that_does_not_answer_in_time_is_killed_and_raises(
    own_prefect_home: Path, tmp_path: Path
) -> None:
    before = set(servers_of(os.getpid()))
    started = time.monotonic()
    with (
        pytest.raises(ServerDidNotStart, match=r"did not answer on .* within 0\.5 s"),
        temporary_server(tmp_path / "server.log", timeout=0.5),
    ):
        pytest.fail("the server started")
    assert time.monotonic() - started < 5
    assert set(servers_of(os.getpid())) == before
