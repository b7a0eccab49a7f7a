"""#12 workspace of the Geschäftsstelle: roles of staff accounts (with Amt/person binding and
an optional TOTP secret), closing a Fachplan, and the history of deadlines moved by hand

Revision ID: 0010_arbeitsplatz
Revises: 0009_haus
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sozialforum.store.models.base import UTCDateTime

revision = "0010_arbeitsplatz"
down_revision = "0009_haus"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("benutzer") as batch:
        batch.add_column(sa.Column("rolle", sa.String(40), nullable=False, server_default="geschaeftsstelle"))
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("totp_geheimnis", sa.String(64), nullable=True))
        batch.create_foreign_key("fk_benutzer_organisation_id", "organisation", ["organisation_id"], ["id"])
        batch.create_foreign_key("fk_benutzer_person_id", "person", ["person_id"], ["id"])
    with op.batch_alter_table("fachplan") as batch:
        batch.add_column(sa.Column("abgeschlossen_am", sa.Date(), nullable=True))
    op.create_table(
        "frist_aenderung",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("frist_ref", sa.String(120), nullable=False),
        sa.Column("alt", sa.Date(), nullable=True),
        sa.Column("neu", sa.Date(), nullable=True),
        sa.Column("grund", sa.String(), nullable=False),
        sa.Column("akteur", sa.String(200), nullable=False),
        sa.Column("geaendert_am", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_frist_aenderung_frist_ref", "frist_aenderung", ["frist_ref"])


def downgrade() -> None:
    op.drop_index("ix_frist_aenderung_frist_ref", table_name="frist_aenderung")
    op.drop_table("frist_aenderung")
    with op.batch_alter_table("fachplan") as batch:
        batch.drop_column("abgeschlossen_am")
    with op.batch_alter_table("benutzer") as batch:
        batch.drop_constraint("fk_benutzer_person_id", type_="foreignkey")
        batch.drop_constraint("fk_benutzer_organisation_id", type_="foreignkey")
        batch.drop_column("totp_geheimnis")
        batch.drop_column("person_id")
        batch.drop_column("organisation_id")
        batch.drop_column("rolle")
