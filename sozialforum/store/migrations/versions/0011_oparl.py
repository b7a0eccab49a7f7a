"""#13 OParl against real council systems: reserved slot, filled by that issue's work

Revision ID: 0011_oparl
Revises: 0010_arbeitsplatz

One slot per issue keeps the chain linear while issues are built in parallel.
"""

from __future__ import annotations

revision = "0011_oparl"
down_revision = "0010_arbeitsplatz"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
