"""#19 several machines: reserved slot, filled by that issue's work

Revision ID: 0016_verteilt
Revises: 0015_statistik

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

revision = "0016_verteilt"
down_revision = "0015_statistik"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
