"""Security review: the time step of the last accepted TOTP code per account, so a code counts
once

Revision ID: 0036_totp_schritt
Revises: 0032_oparl_zeiten_am_datensatz

Accounts with a second factor start without one (NULL): their next code is accepted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036_totp_schritt"
down_revision = "0032_oparl_zeiten_am_datensatz"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("benutzer") as batch:
        batch.add_column(sa.Column("totp_letzter_schritt", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("benutzer") as batch:
        batch.drop_column("totp_letzter_schritt")
