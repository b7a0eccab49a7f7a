"""Shared OParl samples (spec examples, real Karlsruhe objects) and a row snapshot for
idempotency checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.oparl.abruf import lade_dateien
from tests.conftest import DATA

OPARL = DATA / "oparl"
DOMAIN_TABLES = (
    "gremium",
    "organisation",
    "person",
    "mitgliedschaft",
    "sitzung",
    "tagesordnungspunkt",
    "vorlage",
    "beratung",
    "beschluss",
)


def shared_samples() -> list[dict[str, Any]]:
    paths: list[Path] = sorted((OPARL / "real" / "karlsruhe-1.1").glob("*.json"))
    paths += sorted((OPARL / "spec-1.1.1" / "examples").glob("*.json"))
    paths += sorted((OPARL / "spec-1.0.7" / "examples").glob("*.json"))
    return lade_dateien(paths)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the domain tables, in id order."""
    metadata = sa.MetaData()
    metadata.reflect(engine, only=DOMAIN_TABLES)
    with engine.connect() as connection:
        return {
            name: [
                tuple(row)
                for row in connection.execute(sa.select(metadata.tables[name]).order_by(metadata.tables[name].c.id))
            ]
            for name in DOMAIN_TABLES
        }
