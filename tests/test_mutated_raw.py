"""Property: whatever a curator's edit does to a raw file, `check` and `release` answer
with located messages or a valid release, never a traceback, and never touch output/ on
failure."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.orchestration.cli import main
from flows.orchestration.pipeline import release
from flows.steps.problems import InvalidRawData
from tests.conftest import RAW
from tests.helpers import checksum_problems, snapshot

FILES = sorted(p.name for p in RAW.glob("*.yaml"))
LOCATED = re.compile(r"^.+:\d+: \w+\..+: .+$")
VALUES = st.sampled_from(
    ["", "-1", "1.5", "0000-01-01", "1992-13-01", "[", "{a: 1}", "=SUM(A1)", "XXX", "null",
     "true", "99999999999999999999", "'unterminated", "*alias", "&anchor x", "\t", "- item"]
) | st.text(max_size=12)  # fmt: skip


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, str]:
    """A raw file name and its text after one edit a careless curator might make."""
    name = draw(st.sampled_from(FILES))
    lines = (RAW / name).read_text(encoding="utf-8").splitlines(keepends=True)
    at = draw(st.integers(0, len(lines) - 1))
    kind = draw(st.sampled_from(["delete", "duplicate", "value", "insert", "truncate"]))
    if kind == "delete":
        del lines[at]
    elif kind == "duplicate":
        lines.insert(at, lines[at])
    elif kind == "value" and ": " in lines[at]:
        key = lines[at].split(": ", 1)[0]
        lines[at] = f"{key}: {draw(VALUES)}\n"
    elif kind == "insert":
        lines.insert(at, draw(VALUES) + "\n")
    else:
        lines = lines[:at]
    return name, "".join(lines)


@pytest.fixture(scope="module")
def first_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("first") / "output"
    release(RAW, output, date="2026-01-01")
    return output


@pytest.mark.slow
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edit=mutation())
def test_any_edit_gives_located_messages_or_a_valid_release(
    edit: tuple[str, str],
    first_release: Path,
    memory_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    work = memory_dir / "edit"  # one folder for every example, emptied before each
    shutil.rmtree(work, ignore_errors=True)
    raw, output = work / "raw", work / "output"
    shutil.copytree(RAW, raw)
    shutil.copytree(first_release, output)
    name, text = edit
    (raw / name).write_text(text, encoding="utf-8")

    code = main(["--raw", str(raw), "check"])
    out = capsys.readouterr().out.splitlines()
    before = snapshot(output)
    if code == 1:
        assert re.fullmatch(rf"\d+ problems? found in ({raw}/\S+|\d+ files)\.", out[-1]), out
        assert all(LOCATED.match(line) for line in out[:-1]), out
        with pytest.raises(InvalidRawData):
            release(raw, output, date="2026-01-02")
        assert snapshot(output) == before
    else:
        assert code == 0 and len(out) == 1, out
        outcome = release(raw, output, date="2026-01-02")
        assert checksum_problems(output / f"v{outcome.version}") == []
        assert checksum_problems(output / "latest") == []
