"""Raw files written to hurt: aliases, deep nesting, devices, FIFOs and huge files.

Each is refused with a located problem, at once: `check` and `release` never hang, crash,
read without bound or print a traceback. The cases that hung or crashed the process run
in a subprocess with a timeout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

from flows.orchestration.cli import main
from flows.steps import yaml_cells
from flows.steps.fingerprint import input_hash
from flows.steps.yaml_cells import MAX_DEPTH, MAX_FILE_BYTES, _check_within
from schemas import RAW_TABLES

REPO = Path(__file__).resolve().parent.parent
SPELL = (
    '- state: GEO\n  status: observer\n  start: "2010-01-01"\n  start_how: status_change\n'
    "  sources: [apostrophe-2022-01-06]\n"
)
ALIASES = "YAML anchors and aliases are not allowed in raw/"


@pytest.fixture
def raw_dir(small_raw_dir: Path) -> Path:
    """The small records to spoil: a hostile file is refused whatever the other records
    hold, and each test reads and checks them all."""
    return small_raw_dir


TOO_DEEP = (
    f"values nested more than {MAX_DEPTH} levels deep are not allowed in raw/ "
    "(a value is a single value or a flat list)"
)


def append(path: Path, text: str) -> int:
    """Append `text` to a raw file; return the line it starts on."""
    old = path.read_text(encoding="utf-8")
    old += "" if old.endswith("\n") else "\n"
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


def check(raw_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["--raw", str(raw_dir), "check"])
    return code, capsys.readouterr().out.splitlines()


def run_cli(raw_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "flows.orchestration.cli", "--raw", str(raw_dir), *args]
    return subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )


# --------------------------------------------------------------------- anchors and aliases


@pytest.mark.parametrize(
    ("record", "at", "found"),
    [
        pytest.param(SPELL.replace("sources: [", "sources: &s ["), 4, "anchor &s", id="anchor"),
        pytest.param(SPELL + "  note: *s\n", 5, "alias *s", id="alias"),
        pytest.param(SPELL.replace("status: ", "status: &s "), 1, "anchor &s", id="anchor-plain"),
    ],
)
def test_an_anchor_or_alias_is_refused_at_its_line(
    raw_dir: Path, capsys: pytest.CaptureFixture[str], record: str, at: int, found: str
) -> None:
    path = raw_dir / "members.yaml"
    first = append(path, record + "- state: ARM\n")  # a record after it: the two readers
    code, out = check(raw_dir, capsys)
    assert code == 1
    assert out == [
        f"{path}:{first + at}: members.yaml: {ALIASES} (found {found})",
        f"1 problem found in {path}.",
    ]


def test_an_anchor_in_the_dataset_file_is_refused(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = raw_dir / "dataset.yaml"
    path.write_text('as_of: &day "2026-11-28"\n', encoding="utf-8")
    code, out = check(raw_dir, capsys)
    assert code == 1
    assert out == [
        f"{path}:1: dataset.yaml: {ALIASES} (found anchor &day)",
        f"1 problem found in {path}.",
    ]


def alias_bomb(levels: int) -> str:
    """A record of a few hundred bytes that stands for 9**levels values."""
    lines = ["- a0: &a0 [" + ", ".join(["x"] * 9) + "]"]
    lines += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_without_walking_it(raw_dir: Path) -> None:
    """Nine levels of nine aliases took minutes to walk; it is refused at the first anchor."""
    path = raw_dir / "members.yaml"
    first = append(path, alias_bomb(10) + SPELL)
    result = run_cli(raw_dir, "check", timeout=30)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"{path}:{first}: members.yaml: {ALIASES} (found anchor &a0)",
        f"1 problem found in {path}.",
    ]
    assert "Traceback" not in result.stderr


class CountedSequence(yaml.SequenceNode):
    """A sequence node that counts how often its items are asked for."""

    reads = 0

    @property
    def value(self) -> list[yaml.Node]:
        CountedSequence.reads += 1
        return self._items

    @value.setter
    def value(self, items: list[yaml.Node]) -> None:
        self._items = items


def test_the_check_that_a_record_ends_in_time_visits_each_node_once() -> None:
    mark = yaml.Mark("raw", 0, 0, 0, None, None)
    node: yaml.Node = yaml.ScalarNode("tag:yaml.org,2002:str", "x", mark, mark, "")
    levels = 6
    for _ in range(levels):  # each level holds the one below nine times: 9**6 paths
        node = CountedSequence("tag:yaml.org,2002:seq", [node] * 9, mark, mark, False)
    CountedSequence.reads = 0
    _check_within(node, 0, np.array([1, 3]))
    assert CountedSequence.reads == levels


# ------------------------------------------------------------------------- deep nesting


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("[" * 50_000 + "]" * 50_000, id="flow-sequences"),
        pytest.param("{a: " * 50_000 + "}" * 50_000, id="flow-mappings", marks=pytest.mark.slow),
        pytest.param("\n    " + "- " * 50_000 + "x", id="block-sequences", marks=pytest.mark.slow),
    ],
)
def test_a_value_nested_50000_deep_is_refused_not_a_crash(raw_dir: Path, value: str) -> None:
    """libyaml's composer is recursive: this killed `check` with a segmentation fault."""
    path = raw_dir / "members.yaml"
    first = append(path, f"- state: GEO\n  note: {value}\n" + SPELL)
    result = run_cli(raw_dir, "check")
    assert result.returncode == 1, (result.returncode, result.stdout[-2000:], result.stderr)
    line = first + 1 + value.startswith("\n")
    assert result.stdout.splitlines() == [
        f"{path}:{line}: members.yaml: {TOO_DEEP}",
        f"1 problem found in {path}.",
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_record_nested_50000_deep_by_dashes_is_refused_not_a_crash(raw_dir: Path) -> None:
    path = raw_dir / "members.yaml"
    first = append(path, "- " * 50_000 + "x\n")
    result = run_cli(raw_dir, "check")
    assert result.returncode == 1, (result.returncode, result.stdout[-2000:], result.stderr)
    assert result.stdout.splitlines() == [
        f"{path}:{first}: members.yaml: {TOO_DEEP}",
        f"1 problem found in {path}.",
    ]
    assert "Traceback" not in result.stderr


def nested_mappings(levels: int) -> str:
    """A note whose value is `levels` mappings, each indented one more space."""
    return (
        "  note:\n"
        + "".join(f"{' ' * (3 + i)}k{i}:\n" for i in range(levels))
        + (" " * (3 + levels) + "x\n")
    )


def test_mappings_nested_by_indentation_are_refused_one_level_past_the_limit(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = raw_dir / "members.yaml"
    # the list of records and the record are two levels: the note's value may have the rest
    first = append(path, SPELL + nested_mappings(MAX_DEPTH - 2 + 1) + SPELL)
    code, out = check(raw_dir, capsys)
    assert code == 1
    # the mapping one level too deep begins on the line of its first key
    line = first + SPELL.count("\n") + 1 + MAX_DEPTH - 2
    assert out == [f"{path}:{line}: members.yaml: {TOO_DEEP}", f"1 problem found in {path}."]


def test_mappings_nested_up_to_the_limit_are_read(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = raw_dir / "members.yaml"
    first = append(path, SPELL + nested_mappings(MAX_DEPTH - 2) + SPELL)
    code, out = check(raw_dir, capsys)
    assert code == 1
    note = first + SPELL.count("\n")
    assert f"{path}:{note}: members.note: expected a single value (found a mapping)" in out
    assert not any("nested more than" in line for line in out)


# --------------------------------------------------------------------- not regular files


def make_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def link_to_dev_zero(path: Path) -> None:
    path.unlink()
    os.symlink("/dev/zero", path)


def make_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def make_sparse_and_too_large(path: Path) -> None:
    with path.open("r+b") as handle:  # no disk space taken: a hole past the real records
        handle.truncate(MAX_FILE_BYTES + 1)


def remove(path: Path) -> None:
    path.unlink()


REFUSED = [
    pytest.param(make_fifo, "members.yaml", "not a regular file (a FIFO)", id="fifo"),
    pytest.param(
        link_to_dev_zero, "countries.yaml", "not a regular file (a character device)", id="dev-zero"
    ),
    pytest.param(
        make_directory, "sources.yaml", "not a regular file (a directory)", id="directory"
    ),
    pytest.param(
        make_sparse_and_too_large,
        "operations.yaml",
        f"larger than the limit of {MAX_FILE_BYTES:,} bytes",
        id="too-large",
    ),
]


@pytest.mark.parametrize(("make", "name", "why"), REFUSED)
def test_check_names_a_file_that_is_not_read_and_why(
    raw_dir: Path,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], None],
    name: str,
    why: str,
) -> None:
    make(raw_dir / name)
    code, out = check(raw_dir, capsys)
    assert code == 1
    table = name.removesuffix(".yaml")
    assert f"{raw_dir / name}:1: {table}.file: {why}" in out, out
    assert not any("Traceback" in line for line in out)


def test_a_file_larger_than_the_limit_is_refused(
    raw_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yaml_cells, "MAX_FILE_BYTES", 100)
    path = raw_dir / "operations.yaml"
    assert path.stat().st_size > 100
    data, why = yaml_cells.read_raw_file(path)
    assert (data, why) == (None, "larger than the limit of 100 bytes")
    path.write_bytes(b"x" * 100)
    assert yaml_cells.read_raw_file(path) == (b"x" * 100, "")


def test_a_symlink_to_a_regular_file_is_read(
    raw_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = input_hash(raw_dir)
    elsewhere = tmp_path / "members-elsewhere.yaml"
    (raw_dir / "members.yaml").rename(elsewhere)
    os.symlink(elsewhere, raw_dir / "members.yaml")
    code, out = check(raw_dir, capsys)
    assert code == 0, out
    assert input_hash(raw_dir) == before


HASH = "from pathlib import Path; import sys; from flows.steps.fingerprint import input_hash; " + (
    "print(input_hash(Path(sys.argv[1])))"
)


def hash_in_subprocess(raw_dir: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", HASH, str(raw_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


MISSING = pytest.param(remove, "members.yaml", "file is missing", id="missing")


@pytest.mark.parametrize(
    ("make", "name", "why"),
    # A FIFO in the quick tier; the others `slow` (run in CI).
    [
        REFUSED[0],
        *(pytest.param(*p.values, id=p.id, marks=pytest.mark.slow) for p in REFUSED[1:]),
        MISSING,
    ],
)
def test_the_input_hash_of_a_refused_file_is_at_once_and_new(
    raw_dir: Path, make: Callable[[Path], None], name: str, why: str
) -> None:
    """A FIFO hung the hash, /dev/zero filled the memory; neither may match a release."""
    before = input_hash(raw_dir)
    make(raw_dir / name)
    after = hash_in_subprocess(raw_dir)
    assert len(after) == 64 and after != before


def test_the_input_hash_covers_only_the_files_ingest_reads(raw_dir: Path) -> None:
    before = input_hash(raw_dir)
    (raw_dir / "notes.yaml").write_text("- not: read\n", encoding="utf-8")
    os.mkfifo(raw_dir / "pipe.yaml")
    assert hash_in_subprocess(raw_dir) == before
    append(raw_dir / "dataset.yaml", "# a comment is a change\n")
    assert input_hash(raw_dir) != before


@pytest.mark.parametrize(("make", "name", "why"), REFUSED[:2])
def test_release_reports_a_fifo_or_device_and_publishes_nothing(
    prefect_api: str, raw_dir: Path, make: Callable[[Path], None], name: str, why: str
) -> None:
    make(raw_dir / name)
    output = raw_dir.parent / "output"
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    command = [sys.executable, "-m", "flows.orchestration.cli", "--raw", str(raw_dir), "release"]
    command += ["--output", str(output)]
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 1, result.stdout + result.stderr
    table = name.removesuffix(".yaml")
    assert f"{raw_dir / name}:1: {table}.file: {why}" in result.stdout.splitlines()
    assert "Nothing was published." in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not (output / "releases.json").exists()


@pytest.mark.parametrize(
    "table",
    # The first in the quick tier, the others `slow` (run in CI).
    [pytest.param(t.name, marks=[pytest.mark.slow] if i else []) for i, t in enumerate(RAW_TABLES)],
)
def test_a_table_emptied_to_an_empty_list_gives_located_problems_not_a_crash(
    raw_dir: Path, capsys: pytest.CaptureFixture[str], table: str
) -> None:
    (raw_dir / f"{table}.yaml").write_text("[]\n", encoding="utf-8")
    code, out = check(raw_dir, capsys)
    if code == 1:  # the tables that refer to it now point at nothing
        assert re.fullmatch(r"\d+ problems? found in .+\.", out[-1]), out
        assert all(line.startswith(str(raw_dir)) for line in out[:-1]), out
    else:
        assert code == 0 and "all records valid" in out[-1]


def test_an_as_of_after_the_release_day_is_refused_by_check_at_its_line(
    raw_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`9999-12-31` once passed `check`, then failed `release` with no file or line."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")  # 2026-12-01
    path = raw_dir / "dataset.yaml"
    path.write_text('# the dataset\nas_of: "9999-12-31"\n', encoding="utf-8")
    code, out = check(raw_dir, capsys)
    assert code == 1
    assert out[0] == (
        f"{path}:2: dataset.as_of: after today, 2026-12-01: the records cannot be current "
        "as of a day still to come (found 9999-12-31)"
    )


@pytest.mark.parametrize(
    ("byte", "message"),
    [
        (b"\x00", "a character YAML does not allow: U+0000; delete it"),
        (b"\xe9", "not UTF-8: byte 0xe9 (invalid continuation byte)"),
    ],
    ids=["NUL", "Latin-1"],
)
def test_a_bad_byte_is_reported_at_its_own_line(
    raw_dir: Path, capsys: pytest.CaptureFixture[str], byte: bytes, message: str
) -> None:
    path = raw_dir / "members.yaml"
    data = path.read_bytes()
    line = data.count(b"\n") + 2
    path.write_bytes(data + b"- state: ARM\n  note: caf" + byte + b"\n")
    code, out = check(raw_dir, capsys)
    assert code == 1
    assert out[0].startswith(f"{path}:{line}: members.")
    assert message in out[0]


def test_a_key_that_is_not_a_word_is_named_for_what_it_is(
    raw_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = raw_dir / "members.yaml"
    first = append(path, "- ? [state, status]\n  : ARM\n")
    code, out = check(raw_dir, capsys)
    assert code == 1
    assert out[0] == (
        f"{path}:{first}: members.record: a field name must be one word, like `state:` "
        "(found a list as a key)"
    )
