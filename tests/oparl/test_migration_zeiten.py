"""Migration 0032: the source's times of a live Sitzung move from the ``oparl_objekt`` map onto
the row; a deletion record stays in the map; the downgrade puts the entry back."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from sozialforum.store.db import downgrade, make_engine, migrate

BEFORE = "0035_wertespalte_pruefsumme"
LIVE, GONE = "https://ris.example/oparl/meeting/1", "https://ris.example/oparl/meeting/2"
CREATED, MODIFIED, SEEN = "2025-01-02 03:04:05.000000", "2025-02-03 04:05:06.000000", "2026-01-01 00:00:00.000000"


def _map(connection: sa.Connection) -> list[tuple[str, str | None, str | None, int | None, bool]]:
    query = "SELECT oparl_id, erstellt, modified, datensatz_id, geloescht FROM oparl_objekt ORDER BY oparl_id"
    return [tuple(row) for row in connection.exec_driver_sql(query)]  # type: ignore[misc]


def test_times_move_onto_the_row_and_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine, BEFORE)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO gremium (id, kennung, name, art, einladung_vorlauf_tage, erinnerung_tage) "
            "VALUES (1, 'kt', 'Kreistag', 'kreistag', 14, '[]')"
        )
        connection.exec_driver_sql(
            "INSERT INTO sitzung (id, gremium_id, titel, beginn, ende, status, ical_uid, ical_sequence, oparl_id) "
            f"VALUES (7, 1, 'Sitzung', '{SEEN}', '{SEEN}', 'geplant', 'uid-7', 0, '{LIVE}')"
        )
        connection.exec_driver_sql(
            "INSERT INTO oparl_objekt (oparl_id, typ, tabelle, datensatz_id, modified, erstellt, geloescht, "
            f"zuletzt_gesehen) VALUES ('{LIVE}', 'Meeting', 'sitzung', 7, '{MODIFIED}', '{CREATED}', 0, '{SEEN}'), "
            f"('{GONE}', 'Meeting', 'sitzung', NULL, NULL, NULL, 1, '{SEEN}')"
        )
    migrate(engine)
    with engine.connect() as connection:
        times = connection.exec_driver_sql("SELECT oparl_erstellt, oparl_modified FROM sitzung").one()
        assert tuple(times) == (CREATED, MODIFIED)
        assert _map(connection) == [(GONE, None, None, None, True)]
    downgrade(engine, BEFORE)
    with engine.connect() as connection:
        assert _map(connection) == [(LIVE, CREATED, MODIFIED, 7, False), (GONE, None, None, None, True)]
    engine.dispose()
