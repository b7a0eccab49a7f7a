"""#16 the house (audit by construction): reserved slot, filled by that issue's work

Revision ID: 0009_haus
Revises: 0008_daten_speicher

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

revision = "0009_haus"
down_revision = "0008_daten_speicher"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
