"""#14 Träger side and hardening: reserved slot, filled by that issue's work

Revision ID: 0012_traeger
Revises: 0011_oparl

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_traeger"
down_revision = "0011_oparl"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sachstand of an Auftrag from minutes (no Beschluss) is kept instead of thrown away.
    with op.batch_alter_table("umsetzungsbericht") as batch_op:
        batch_op.alter_column("beschluss_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM umsetzungsbericht WHERE beschluss_id IS NULL")
    with op.batch_alter_table("umsetzungsbericht") as batch_op:
        batch_op.alter_column("beschluss_id", existing_type=sa.Integer(), nullable=False)
