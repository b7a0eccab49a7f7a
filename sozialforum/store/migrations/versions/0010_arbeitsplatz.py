"""#12 workspace of the Geschäftsstelle (accounts, roles): reserved slot, filled by that issue's work

Revision ID: 0010_arbeitsplatz
Revises: 0009_haus

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

revision = "0010_arbeitsplatz"
down_revision = "0009_haus"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
