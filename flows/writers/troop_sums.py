"""Operations whose preferred troop figures per contributor do not add up to their
preferred total, so that the page and the codebook warn before anyone sums them."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

COLUMNS = ["operation_id", "contributor_iso3", "troops", "preferred", "contributors_add_up"]


@dataclass(frozen=True)
class Mismatch:
    """The preferred figures of one operation: per contributor, summed, and the total."""

    operation_id: str
    contributors: int
    total: int


def mismatches(files: dict[str, bytes]) -> dict[str, Mismatch]:
    """By operation id, every operation whose `contributors_add_up` is false."""
    data = pa.BufferReader(files["troop_deployments.parquet"])
    figures = pq.read_table(data, columns=COLUMNS)
    preferred = figures.filter(pc.fill_null(figures["preferred"], False))
    wrong = preferred.filter(pc.invert(pc.fill_null(preferred["contributors_add_up"], True)))
    found = {}
    for operation in sorted(set(wrong["operation_id"].to_pylist())):
        own = preferred.filter(pc.equal(preferred["operation_id"], operation))
        is_total = pc.is_null(own["contributor_iso3"])
        found[operation] = Mismatch(
            operation,
            pc.sum(own["troops"].filter(pc.invert(is_total))).as_py() or 0,
            pc.sum(own["troops"].filter(is_total)).as_py() or 0,
        )
    return found
