"""#12 the workspace: due and late Aufträge counted from an index; a Stelle's Aufträge by index

Revision ID: 0018_auftrag_index
Revises: 0017_arbeitslauf
"""

from __future__ import annotations

from alembic import op

revision = "0018_auftrag_index"
down_revision = "0017_arbeitslauf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_auftrag_frist_status", "auftrag", ["frist", "status"], unique=False)
    # A Fachamt's own Aufträge (its view, the filter by Stelle): the foreign key had no index.
    op.create_index(
        "ix_auftrag_verantwortlich_organisation_id", "auftrag", ["verantwortlich_organisation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_auftrag_verantwortlich_organisation_id", table_name="auftrag")
    op.drop_index("ix_auftrag_frist_status", table_name="auftrag")
