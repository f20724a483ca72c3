"""Pandera models of the published tables, one module per table, and cross-table rules."""

from schemas import (
    citations,
    countries,
    members,
    membership_years,
    operations,
    sources,
    treaty_events,
    troop_deployments,
)
from schemas.spec import Table

RAW_TABLES: tuple[Table, ...] = (
    sources.TABLE,
    countries.TABLE,
    members.TABLE,
    treaty_events.TABLE,
    operations.TABLE,
    troop_deployments.TABLE,
)
DERIVED_TABLES: tuple[Table, ...] = (membership_years.TABLE, citations.TABLE)
TABLES: dict[str, Table] = {t.name: t for t in (*RAW_TABLES, *DERIVED_TABLES)}
