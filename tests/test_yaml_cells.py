"""The fast line reader and libyaml read the same cells from any raw file.

The line reader takes the records written in the plain subset and leaves the rest to
libyaml; whatever a file holds, the result must be what libyaml alone reads from it,
including every problem and its line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flows.steps.yaml_cells import read_cells
from schemas import RAW_TABLES

REPO = Path(__file__).resolve().parent.parent
KEYS = ("id", "title", "sources", "note", "troops")

# Values as a curator might type them, in the plain subset and well outside it.
VALUES = [
    "abc", "a b c", "12", "-5", "+7", "~", "", "null", "https://example.org/a#b", "a:b",
    "a: b", "x #comment", "tail ", '"quoted"', '""', '"with \\"escape"', '"a, b"',
    "'single'", "'it''s'", "[a, b]", "[]", "[a,b]", "[ a ]", "[a, [b]]", "{a: 1}", "é",
    "Пётр", ">-\n    folded\n    text", "|+\n    kept\n\n", "|\n    literal", '"multi\n  line"',
    "[a,\n  b]", "&anchor x", "*anchor", "!tag x", "a\tb", "'unterminated", "-", "? x",
    "%x", "@x", "`x", "=SUM(A1)", "2022-01-07", '"2022-01-07"',
    # values that run on into what looks like the next record
    '"open\n- id: x"', "'open\n- id: x'", '"open', 'shut é"', "[open", "shut é]",
    "[a,\n- id: x]", "|+\n    kept\n\n#\n",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "  ", "", " \t"]
BETWEEN = ["", "# comment", "  # indented comment", "#", "   ", "\t", "  "]


@st.composite
def raw_files(draw: st.DrawFn) -> str:
    lines: list[str] = []
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(st.sampled_from(["---", "%YAML 1.1\n---", "# header", "top: 1"])))
    for _ in range(draw(st.integers(0, 6))):
        fields = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(KEYS), st.sampled_from(SEPARATORS), st.sampled_from(VALUES)
                ),
                max_size=4,
            )
        )
        start = draw(st.sampled_from(["- ", "- ", "- ", "-\n  ", "- - ", "  - "]))
        body = [f"{k}:{sep}{v}" for k, sep, v in fields] or ["x"]
        lines.append(start + body[0])
        lines += [f"  {b}" for b in body[1:]]
        lines += draw(st.lists(st.sampled_from(BETWEEN), max_size=2))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n", "\n\n"]))


def cells(path: Path, plain_lines: bool) -> tuple:
    found, problems = read_cells(path, "t", KEYS, plain_lines=plain_lines)
    if found is None:
        return None, problems
    by_key = {
        key: sorted(zip(*(table[c].to_pylist() for c in table.column_names), strict=True))
        for key, table in found.by_key.items()
    }
    return (found.record_lines.tolist(), by_key), problems


@pytest.mark.parametrize("table", [t.raw_file for t in RAW_TABLES])
def test_real_raw_files_read_the_same_both_ways(table: str) -> None:
    path = REPO / "raw" / table
    assert cells(path, plain_lines=True) == cells(path, plain_lines=False)


# Each example is a batch of files: the profile's number of examples (tests/conftest.py)
# then reads about twenty times as many files, which cost little each.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(raw_files(), min_size=15, max_size=30))
# A quoted value that YAML runs on through a plainly written record into a later one.
@example(texts=['- id: "open\n- id: x\n- id: shut é"\n'])
@example(texts=["- id: [open,\n- id: x\n- id: é]\n"])
# A kept block scalar keeps the blank lines before the next record, and no more.
@example(texts=["- note: |+\n    kept\n\n- id: x\n\n- note: é\n"])
# A block scalar on a last line without a newline has no final line break (found when the
# examples became batches: the line reader gave it one).
@example(texts=["- id: x\n- id: |\n    literal"])
def test_any_file_reads_the_same_both_ways(texts: list[str], tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("raw")
    for number, text in enumerate(texts):
        path = folder / f"file-{number}.yaml"
        path.write_bytes(text.encode("utf-8"))
        assert cells(path, plain_lines=True) == cells(path, plain_lines=False), text
