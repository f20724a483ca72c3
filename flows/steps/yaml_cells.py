"""Read a raw YAML file, a list of flat mappings, as cells: one per field of each record.

A cell is what the curator wrote for one field (its text, how it was written, its line);
`flows/steps/ingest.py` types the cells column by column.

Two readers give the same cells. Records written in the plain subset that `raw/` uses
(`- key: value` and `  key: value` lines, with plain, quoted or `[a, b]` values, one line
each) are read line by line with vectorised string kernels, because composing a YAML tree
for 10^6 records takes minutes and gigabytes. Everything else (block scalars, non-ASCII
text, anything unusual) goes to libyaml, which sees the file with the plainly read records
turned into comment lines, so that its line numbers and errors stay those of the file.
When the layout could let the two readers disagree, libyaml reads the whole file.

A raw file is read only if it is a regular file of at most `MAX_FILE_BYTES` (a FIFO, a
device or a huge file is refused, never read), and libyaml composes a tree only from text
without anchors, aliases or values nested more than `MAX_DEPTH` deep: its composer is
recursive (a value nested tens of thousands deep crashes the process) and aliases let a
few kilobytes stand for a tree too big to walk. Its event parser, which is neither, checks
the text first. `flows/steps/fingerprint.py` hashes the raw files through the same reader.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from flows.steps.problems import Problem

# libyaml's composer is about ten times faster than PyYAML's and keeps the same line marks.
# No implicit tags are resolved: every value is typed in ingest, from its text.
_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

# The largest raw file read. The benchmark's 10^6 extra troop figures make a file of about
# 170 MB; a file above this is refused before a byte of it is read.
MAX_FILE_BYTES = 1 << 30
# The deepest nesting of collections libyaml may compose. raw/ needs 3 (the list of
# records, a record, a list value); libyaml's recursive composer crashes at some 10^4.
MAX_DEPTH = 64
_OPENS = frozenset((yaml.SequenceStartEvent, yaml.MappingStartEvent))
_CLOSES = frozenset((yaml.SequenceEndEvent, yaml.MappingEndEvent))
# Opened so that a FIFO does not block (it is then refused, unread) and a terminal is not
# made the controlling one.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)

# What a cell's value was written as.
PLAIN, QUOTED, LIST, BAD_LIST, MAPPING = "plain", "quoted", "list", "bad_list", "mapping"
CELL_SCHEMA = pa.schema(
    [("record_line", pa.int64()), ("line", pa.int64()), ("kind", pa.string()),
     ("text", pa.large_string())]
)  # fmt: skip

# The plain subset, in RE2 syntax, printable ASCII only. A plain scalar may not begin with
# an indicator, contain ": " or " #", or end with a space or a colon.
_ID = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_PLAIN = r"(?:[A-Za-z0-9$()+./;<=^_~\\]|[-?:][!-~])(?:[!-9;-~]|:[!-~]| [!-\"$-~])*"
_DOUBLE = r'"[ !#-\[\]-~]*"'  # no backslash escapes
_SINGLE = r"'[ -&(-~]*'"  # no doubled quotes
_LIST = rf"\[(?:{_ID}(?:, {_ID})*)?\]"
_FIELD_LINE = rf"^(?:- |  )[a-z_]+:(?: (?:{_PLAIN}|{_DOUBLE}|{_SINGLE}|{_LIST}))?\n$"
_SKIP_LINE = (
    r"^ *(?:#[\t -~\x{a0}-\x{2027}\x{202a}-\x{fefe}\x{ff00}-\x{fffd}\x{10000}-\x{10ffff}]*)?\n$"
)
# Line breaks other than \n (YAML counts these as breaks too) and a byte order mark.
_OTHER_BREAKS = (b"\r", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xef\xbb\xbf")


@dataclass(frozen=True)
class Cells:
    """The records of one file: the line of each (in file order) and their cells by key.

    The cells of a key are not in line order when the two readers each read some records.
    """

    record_lines: np.ndarray
    by_key: dict[str, pa.Table]


class _Disagree(Exception):
    """The line reader cannot vouch for this file's layout: libyaml reads all of it."""


def compose_text(data: bytes, path: Path, table: str) -> tuple[yaml.Node | None, list[Problem]]:
    """The YAML tree of a file's bytes (read by `file_bytes`), or None and why not."""
    return _compose(data.decode("utf-8"), str(path), table)


def read_cells(
    path: Path, table: str, keys: tuple[str, ...], plain_lines: bool = True
) -> tuple[Cells | None, list[Problem]]:
    """The cells of `path`, or None and why the file cannot be read."""
    data, problems = file_bytes(path, table)
    if data is None:
        return None, problems
    return cells_of(data, path, table, keys, plain_lines)


def cells_of(
    data: bytes, path: Path, table: str, keys: tuple[str, ...], plain_lines: bool = True
) -> tuple[Cells | None, list[Problem]]:
    """The cells of a file's bytes (read by `file_bytes`), or None and why not.

    `keys` are the fields the table knows (read fast); others still become cells.
    `plain_lines=False` makes libyaml read everything (the reference the tests compare to).
    """
    if plain_lines and data.strip() and not _other_breaks(data):
        try:
            return _read_lines(data, str(path), table, keys)
        except _Disagree:
            pass
    return _read_yaml(data.decode("utf-8"), str(path), table, 0, None)


def _other_breaks(data: bytes) -> bool:
    if data.isascii():  # quick: each of the others is a multi-byte sequence
        return b"\r" in data
    return any(b in data for b in _OTHER_BREAKS)


def read_raw_file(path: Path) -> tuple[bytes | None, str]:
    """The bytes of a raw file, or None and why it is refused.

    Only a regular file (or a symlink to one) of at most `MAX_FILE_BYTES` is read; this
    never blocks and never reads more than `MAX_FILE_BYTES + 1` bytes.
    """
    try:
        refused = _not_regular(os.stat(path))  # a device or FIFO is not even opened
        if refused:
            return None, refused
        fd = os.open(path, _OPEN_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        return None, "file is missing"
    except OSError as error:
        return None, f"cannot be read ({error.strerror or error})"
    try:
        status = os.fstat(fd)  # what was opened, whatever the path names now
        refused = _not_regular(status)
        if refused:
            return None, refused
        data = _read_at_most(fd, status.st_size, MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, f"cannot be read ({error.strerror or error})"
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        return None, _too_large()
    return data, ""


def _not_regular(status: os.stat_result) -> str:
    """Why a file with this status is refused ("" if it is not)."""
    if stat.S_ISREG(status.st_mode):
        return _too_large() if status.st_size > MAX_FILE_BYTES else ""
    kind = next((name for test, name in _NOT_REGULAR if test(status.st_mode)), "of no known kind")
    return f"not a regular file ({kind})"


def _too_large() -> str:
    return f"larger than the limit of {MAX_FILE_BYTES:,} bytes"


def _read_at_most(fd: int, size: int, most: int) -> bytes:
    """Up to `most` bytes of an open file whose size was `size` (it may have changed since)."""
    parts: list[bytes] = []
    total = 0
    while total < most:
        # first the whole file and one byte more (no copy), then in steps if it grew
        part = os.read(fd, min(most - total, max(size + 1 - total, 1 << 20)))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def file_bytes(path: Path, table: str) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a raw file if it is readable UTF-8 text, else None and why not."""
    data, refused = read_raw_file(path)
    if data is None:
        return None, [Problem(str(path), 1, table, "file", refused)]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        message = (
            f"not UTF-8: byte 0x{byte} ({error.reason}); save the file as UTF-8 "
            "(for example with iconv -f latin1 -t utf-8)"
        )
        return None, [Problem(str(path), line, table, "file", message)]
    return data, []


def _compose(text: str, path: str, table: str) -> tuple[yaml.Node | None, list[Problem]]:
    try:
        refused = _refused_events(text, path, table)
        if refused:
            return None, [refused]
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.reader.ReaderError as error:  # a character YAML refuses: locate it
        line = text.count("\n", 0, error.position) + 1
        message = f"a character YAML does not allow: U+{error.character:04X}; delete it"
        return None, [Problem(path, line, table, "yaml", message)]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(error, "problem", None) or str(error).splitlines()[0]
        return None, [Problem(path, line, table, "yaml", f"YAML does not parse ({what})")]
    if root is None:
        return None, [Problem(path, 1, table, "file", "file has no records")]
    return root, []


def _refused_events(text: str, path: str, table: str) -> Problem | None:
    """The first anchor, alias or collection nested deeper than `MAX_DEPTH` in `text`.

    Reads libyaml's events, which are made without recursion and without following
    aliases; raises `yaml.YAMLError` where the text does not parse.
    """
    loader = _LOADER(text)
    check, get = loader.check_event, loader.get_event
    depth = 0
    try:
        while check():
            event = get()
            kind = type(event)
            if kind in _OPENS:
                depth += 1
                if depth > MAX_DEPTH:
                    message = (
                        f"values nested more than {MAX_DEPTH} levels deep are not allowed in "
                        "raw/ (a value is a single value or a flat list)"
                    )
                    return Problem(path, event.start_mark.line + 1, table, "yaml", message)
            elif kind in _CLOSES:
                depth -= 1
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                found = f"alias *{anchor}" if kind is yaml.AliasEvent else f"anchor &{anchor}"
                message = f"YAML anchors and aliases are not allowed in raw/ (found {found})"
                return Problem(path, event.start_mark.line + 1, table, "yaml", message)
    finally:
        loader.dispose()
    return None


def _lines(data: bytes) -> tuple[pa.LargeStringArray, np.ndarray]:
    """Every line of `data` with its newline (no copy), and where each starts."""
    if not data.endswith(b"\n"):
        data += b"\n"
    ends = np.flatnonzero(np.frombuffer(data, np.uint8) == ord("\n")) + 1
    offsets = np.concatenate(([0], ends)).astype(np.int64)
    array = pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(data))
    return array, offsets[:-1]


def true_at(array: pa.Array) -> np.ndarray:
    """Where an Arrow boolean array is true (null: false), as a NumPy mask."""
    mask: np.ndarray = pc.fill_null(array, False).to_numpy(zero_copy_only=False)
    return mask


def _read_lines(
    data: bytes, path: str, table: str, keys: tuple[str, ...]
) -> tuple[Cells | None, list[Problem]]:
    lines, starts = _lines(data)
    record, plain, begin_lines, cells_of = _layout(data, lines, starts)
    by_key = {
        key: [_plain_cells(begin_lines[record[at]], at + 1, values)]
        for key, (at, values) in _values_by_key(lines, cells_of, keys).items()
    }
    record_lines = begin_lines[plain]
    problems: list[Problem] = []
    if not plain.all():
        kept = ~plain[record] & (record >= 0)
        whole = data.endswith(b"\n")
        others, problems = _read_others(lines, kept, begin_lines, path, table, whole)
        for key, part in others.by_key.items():
            by_key.setdefault(key, []).append(part)
        record_lines = np.sort(np.concatenate((record_lines, others.record_lines)))
    tables = {k: pa.concat_tables(parts) for k, parts in by_key.items()}
    return Cells(record_lines, tables), problems


def _layout(
    data: bytes, lines: pa.LargeStringArray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which record each line is in, which records are plain, where each record begins,
    and which lines are fields of plain records."""
    size = np.diff(np.append(starts, len(data) + (not data.endswith(b"\n"))))
    padded = np.frombuffer(data + b"\n\n", np.uint8)
    first, second = padded[starts], padded[starts + 1]
    # A record begins at every line that starts in column 0 with something else than a
    # comment. Only `- ` may begin one, and nothing but comments may come before the first.
    begins = (first != ord(" ")) & (first != ord("#")) & (first != ord("\n"))
    dashed = (first == ord("-")) & ((second == ord(" ")) | (size == 2))
    field = true_at(pc.match_substring_regex(lines, _FIELD_LINE))
    skip = size == 1
    maybe = np.flatnonzero(~field & ~skip)  # comments, and what is neither
    skip[maybe] = true_at(pc.match_substring_regex(lines.take(pa.array(maybe)), _SKIP_LINE))
    record = np.cumsum(begins) - 1
    if not begins.any() or (begins & ~dashed).any() or not skip[record < 0].all():
        raise _Disagree
    bad = ~np.where(begins, field, field | skip)
    plain = np.bincount(record[bad], minlength=int(record[-1]) + 1) == 0
    return record, plain, np.flatnonzero(begins) + 1, field & plain[record]


def _values_by_key(
    lines: pa.LargeStringArray, fields: np.ndarray, keys: tuple[str, ...]
) -> dict[str, tuple[np.ndarray, pa.Array]]:
    """For each key, the index of the `fields` lines that give it, and their values."""
    at_key: dict[str, np.ndarray] = {}
    known = np.zeros(len(fields), dtype=bool)
    for key in keys:
        first, other = pc.starts_with(lines, f"- {key}:"), pc.starts_with(lines, f"  {key}:")
        has = true_at(pc.or_(first, other))
        known |= has
        at_key[key] = np.flatnonzero(fields & has)
    for at in np.flatnonzero(fields & ~known):  # keys the table does not know: rare
        key = str(lines[int(at)]).split(":", 1)[0][2:]
        at_key[key] = np.append(at_key.get(key, np.zeros(0, np.int64)), at)
    return {
        key: (at, pc.utf8_slice_codeunits(lines.take(pa.array(at)), len(key) + 4, -1))
        for key, at in at_key.items()
        if len(at)
    }


def _plain_cells(record_lines: np.ndarray, lines: np.ndarray, values: pa.Array) -> pa.Table:
    """Cells from values written in the plain subset: plain, quoted or a list of ids."""
    text, kind = values, pa.repeat(pa.scalar(PLAIN), len(values))
    for mark, written in (("[", LIST), ('"', QUOTED), ("'", QUOTED)):
        starts = pc.starts_with(values, mark)
        if pc.any(starts).as_py():  # most columns are written one way throughout
            inner = pc.utf8_slice_codeunits(values, 1, -1)
            inner = pc.replace_substring(inner, ", ", ";") if written == LIST else inner
            text = _either(starts, inner, text)
            kind = _either(starts, pa.repeat(pa.scalar(written), len(values)), kind)
    return pa.table([record_lines, lines, kind, text], schema=CELL_SCHEMA)


def _either(mask: pa.Array, yes: pa.Array, no: pa.Array) -> pa.Array:
    """`pc.if_else`, without its cost when every value (as usual) takes the same side."""
    if pc.all(mask).as_py():
        return yes
    if not pc.any(mask).as_py():
        return no
    return pc.if_else(mask, yes, no)


def _read_others(
    lines: pa.LargeStringArray,
    kept: np.ndarray,
    begin_lines: np.ndarray,
    path: str,
    table: str,
    ends_with_newline: bool,
) -> tuple[Cells, list[Problem]]:
    """The records the line reader left, read by libyaml from the file with the others
    turned into comment lines (a comment ends a block scalar as the next record would).

    `_lines` ends the last line with a newline the file may not have; a block scalar on
    that line would keep it, so it goes again where the file has none.
    """
    at = np.flatnonzero(kept)
    first, last = int(at[0]), int(at[-1])
    shown = pc.if_else(pa.array(kept[first : last + 1]), lines[first : last + 1], "#\n")
    text = "".join(shown.to_pylist())
    if not ends_with_newline and last == len(lines) - 1:
        text = text.removesuffix("\n")
    cells, problems = _read_yaml(text, path, table, first, begin_lines)
    if cells is None:
        raise _Disagree
    return cells, problems


def _read_yaml(
    text: str, path: str, table: str, offset: int, begin_lines: np.ndarray | None
) -> tuple[Cells | None, list[Problem]]:
    """Cells composed by libyaml from `text`, which starts at line `offset + 1` of the file.

    With `begin_lines` (the lines where records begin), a value that runs past the start
    of the next record means the line reader split the file where YAML does not.
    """
    root, problems = _compose(text, path, table)
    if root is None:
        if begin_lines is not None:
            raise _Disagree
        return None, problems
    if not isinstance(root, yaml.SequenceNode):
        line = root.start_mark.line + 1
        return None, [Problem(path, line, table, "file", "expected a list")]
    record_lines: list[int] = []
    rows: dict[str, list[tuple[int, int, str, str]]] = {}
    for item in root.value:
        line = item.start_mark.line + 1 + offset
        if begin_lines is not None:
            _check_within(item, offset, begin_lines)
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem(path, line, table, "record", "expected a mapping"))
            continue
        record_lines.append(line)
        for key, value in item.value:
            where = key.start_mark.line + 1 + offset
            if not isinstance(key, yaml.ScalarNode):
                shape = "a mapping" if isinstance(key, yaml.MappingNode) else "a list"
                message = f"a field name must be one word, like `state:` (found {shape} as a key)"
                problems.append(Problem(path, where, table, "record", message))
                continue
            kind, value_text = _node_cell(value)
            rows.setdefault(str(key.value), []).append((line, where, kind, value_text))
    by_key = {
        k: pa.Table.from_pylist(
            [dict(zip(CELL_SCHEMA.names, r, strict=True)) for r in v], schema=CELL_SCHEMA
        )
        for k, v in rows.items()
    }
    return Cells(np.array(record_lines, dtype=np.int64), by_key), problems


def _node_cell(node: yaml.Node) -> tuple[str, str]:
    if isinstance(node, yaml.ScalarNode):
        # libyaml marks a plain scalar with style "" (PyYAML with None)
        return (PLAIN if not node.style else QUOTED), node.value
    if isinstance(node, yaml.SequenceNode):
        items = [n.value for n in node.value if isinstance(n, yaml.ScalarNode)]
        if len(items) != len(node.value) or not all(items):
            return BAD_LIST, ""
        return LIST, ";".join(items)
    return MAPPING, ""


def _check_within(item: yaml.Node, offset: int, begin_lines: np.ndarray) -> None:
    """Raise `_Disagree` if a value of `item` ends beyond the line where the next record begins."""
    line = item.start_mark.line + 1 + offset
    after = begin_lines[begin_lines > line]
    if not len(after):
        return
    stack, seen = [item], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:  # a node reached twice (an alias) is checked once
            continue
        seen.add(id(node))
        # a block collection ends where the next token begins; a scalar or a flow
        # collection ends with its last character
        if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
            end = node.end_mark
            if (end.line + 1 + offset, end.column) > (int(after[0]), 0):
                raise _Disagree
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
