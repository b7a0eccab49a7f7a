"""data refresh: column chunks stored without TOAST compression (PostgreSQL)

Revision ID: 0008_daten_speicher
Revises: 0007_betrieb

The blobs of wertespalte and ergebnisspalte are already compact (narrow integers, sparse codes,
deltas: sozialforum.daten.kodierung). PostgreSQL's pglz compression of large values cost about a
third of a nationwide computation's time there and saves little on them, so they are kept out of
line and uncompressed (STORAGE EXTERNAL). SQLite has no such setting: nothing to do there.
"""

from __future__ import annotations

from alembic import op

revision = "0008_daten_speicher"
down_revision = "0007_betrieb"
branch_labels = None
depends_on = None

TABLES = ("wertespalte", "ergebnisspalte")


def _storage(kind: str) -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN daten SET STORAGE {kind}")


def upgrade() -> None:
    _storage("EXTERNAL")


def downgrade() -> None:
    _storage("EXTENDED")  # PostgreSQL's default for bytea
