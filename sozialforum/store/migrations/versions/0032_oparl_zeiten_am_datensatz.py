"""#13 the source's created/modified on the imported rows themselves (Sitzung, TOP, Vorlage,
Beratung) instead of one ``oparl_objekt`` entry per object: the map entry was a fifth of a full
import's time. Existing entries of live rows move onto their rows and leave the map; deletion
records stay in it.

Revision ID: 0032_oparl_zeiten_am_datensatz
Revises: 0035_wertespalte_pruefsumme (landed first; the numbers were handed out in advance)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sozialforum.store.models.base

revision = "0032_oparl_zeiten_am_datensatz"
down_revision = "0035_wertespalte_pruefsumme"
branch_labels = None
depends_on = None

TYPES = {"sitzung": "Meeting", "tagesordnungspunkt": "AgendaItem", "vorlage": "Paper", "beratung": "Consultation"}
TABLES = tuple(TYPES)
MAP = sa.table(
    "oparl_objekt",
    sa.column("tabelle", sa.String),
    sa.column("datensatz_id", sa.Integer),
    sa.column("geloescht", sa.Boolean),
    sa.column("erstellt", sa.DateTime),
    sa.column("modified", sa.DateTime),
)


def _live(name: str, row: sa.TableClause) -> list[sa.ColumnElement[bool]]:
    return [MAP.c.tabelle == name, MAP.c.datensatz_id == row.c.id, MAP.c.geloescht.is_(False)]


def upgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name) as batch:
            for column in ("oparl_erstellt", "oparl_modified"):
                batch.add_column(
                    sa.Column(column, sozialforum.store.models.base.UTCDateTime(timezone=True), nullable=True)
                )
    for name in TABLES:
        row = sa.table(name, sa.column("id", sa.Integer), sa.column("oparl_erstellt"), sa.column("oparl_modified"))
        op.execute(
            row.update().values(
                oparl_erstellt=sa.select(MAP.c.erstellt).where(*_live(name, row)).scalar_subquery(),
                oparl_modified=sa.select(MAP.c.modified).where(*_live(name, row)).scalar_subquery(),
            )
        )
        op.execute(
            MAP.delete().where(MAP.c.tabelle == name, MAP.c.datensatz_id.is_not(None), MAP.c.geloescht.is_(False))
        )


def downgrade() -> None:
    for name, typ in TYPES.items():  # the entries go back into the map
        op.execute(
            f"INSERT INTO oparl_objekt (oparl_id, typ, tabelle, datensatz_id, modified, erstellt, geloescht, "
            f"zuletzt_gesehen) SELECT oparl_id, '{typ}', '{name}', id, oparl_modified, oparl_erstellt, false, "
            f"CURRENT_TIMESTAMP FROM {name} WHERE oparl_id IS NOT NULL "
            "AND oparl_id NOT IN (SELECT oparl_id FROM oparl_objekt)"
        )
    for name in TABLES:
        with op.batch_alter_table(name) as batch:
            batch.drop_column("oparl_modified")
            batch.drop_column("oparl_erstellt")
