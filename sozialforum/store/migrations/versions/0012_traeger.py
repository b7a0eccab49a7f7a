"""#14 Träger side and hardening: reserved slot, filled by that issue's work

Revision ID: 0012_traeger
Revises: 0011_oparl

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

revision = "0012_traeger"
down_revision = "0011_oparl"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
