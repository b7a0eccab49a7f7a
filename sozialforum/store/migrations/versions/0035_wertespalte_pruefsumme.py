"""#18 speed: a content checksum per column chunk, so the cache of decoded Stichtage is found
without reading the blobs

Revision ID: 0035_wertespalte_pruefsumme
Revises: 0031_inhalt_aufbewahrung

Chunks written before have none (NULL): their blobs are read and hashed as before.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0035_wertespalte_pruefsumme"
down_revision = "0031_inhalt_aufbewahrung"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wertespalte") as batch:
        batch.add_column(sa.Column("pruefsumme", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("wertespalte") as batch:
        batch.drop_column("pruefsumme")
