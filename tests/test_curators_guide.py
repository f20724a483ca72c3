"""The curators' guide never shows a stale field list: it is the one the schemas give."""

from __future__ import annotations

from flows.writers.curators_guide import GUIDE, with_field_blocks
from schemas import RAW_TABLES


def test_the_guides_field_reference_is_the_one_the_schemas_give() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    assert guide == with_field_blocks(guide), (
        "raw/README.md is stale: run `python -m flows.writers.curators_guide`"
    )


def test_every_raw_table_has_its_field_reference_in_the_guide() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for table in RAW_TABLES:
        assert f"<!-- fields:{table.name} -->" in guide, table.name
        for raw in table.raw_fields:
            assert f"| `{raw.name}` |" in guide, (table.name, raw.name)
