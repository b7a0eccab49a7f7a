"""#18 real statistics files: reserved slot, filled by that issue's work

Revision ID: 0015_statistik
Revises: 0014_berichte

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

revision = "0015_statistik"
down_revision = "0014_berichte"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
