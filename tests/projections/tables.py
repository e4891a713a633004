"""Reading whole read models, for comparing them row by row."""

from __future__ import annotations

from typing import Any

from infra.postgres import Pool
from projections.catalog import read_model_tables

REPORT_TABLES = [t for t in read_model_tables() if t != "projection_checkpoints"]


async def snapshot(pool: Pool) -> dict[str, list[dict[str, Any]]]:
    """Every row of every read model, in a total order."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in REPORT_TABLES:
        width: int = await pool.fetchval(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
            table,
        )
        order = ", ".join(str(i) for i in range(1, width + 1))
        rows = await pool.fetch(f"SELECT * FROM {table} ORDER BY {order}")
        tables[table] = [dict(r) for r in rows]
    return tables


async def index_names(pool: Pool) -> dict[str, list[str]]:
    rows = await pool.fetch(
        "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1) ORDER BY 1, 2",
        REPORT_TABLES,
    )
    names: dict[str, list[str]] = {}
    for r in rows:
        names.setdefault(r["tablename"], []).append(r["indexname"])
    return names


def first_difference(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> str:
    for i, (a, b) in enumerate(zip(before, after, strict=False)):
        if a != b:
            changed = {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)}
            return f"row {i}: {changed}"
    return f"{len(before)} rows before, {len(after)} after"
