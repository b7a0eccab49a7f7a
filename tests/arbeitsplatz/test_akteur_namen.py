"""Who did something, on the workspace's pages: a person's name, never the store's actor key,
and all names of a page resolved in one go (the SQL statements of a page do not grow with its
rows)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Arbeitslauf,
    Benutzer,
    Datenlieferung,
    FristAenderung,
    PersonalLink,
    Plausibilitaetsbefund,
)
from sozialforum.vocab import LinkZweck
from tests.arbeitsplatz.conftest import Bestand
from tests.portal.conftest import NOW

# Each page with what its newest row shows once 200 rows of each kind are in the store.
SEITEN = {
    "/arbeitsplatz/laeufe": "Karla Kollegin 199",
    "/arbeitsplatz/daten/lieferungen": "von Karla Kollegin 199",
    "/arbeitsplatz/daten/befunde": "Sprung 199",
    "/arbeitsplatz/": "von Karla Kollegin 199",
}


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def _rows(engine: Engine, bestand: Bestand, von: int, bis: int) -> None:
    """Rows ``von``..``bis`` of every listed kind, each by another actor: a colleague with a
    display name unlike her login, a Träger's personal link, the loading flow."""
    with session_scope(engine, actor="test") as session:
        for i in range(von, bis):
            user = Benutzer(name=f"kollegin{i}", anzeigename=f"Karla Kollegin {i}", passwort_hash="-", erstellt_am=NOW)
            link = PersonalLink(
                token_hash=f"{i:064d}",
                person_id=bestand.welt.person_a,
                zweck=LinkZweck.RSVP,
                bezug_id=bestand.welt.sitzung,
                gueltig_bis=NOW + timedelta(days=30),
                erstellt_am=NOW,
            )
            session.add_all([user, link])
            session.flush()
            lieferung = Datenlieferung(
                datei=f"lieferung-{i}.csv",
                pruefsumme=f"{i:064x}",
                geladen_am=NOW,
                akteur=f"flow-run:datenaktualisierung/{i:08d}-0000 (lieferung-{i}.csv)",
                zurueckgezogen_am=NOW,
                zurueckgezogen_grund="falscher Stichtag",
                zurueckgezogen_von=user.name,
            )
            session.add(lieferung)
            session.flush()
            session.add_all(
                [
                    Arbeitslauf(
                        art="berechnung",
                        titel=f"Lauf {i}",
                        gestartet_von=user.name,
                        gestartet_am=NOW + timedelta(seconds=i),
                    ),
                    Plausibilitaetsbefund(
                        datenlieferung_id=lieferung.id,
                        art="sprung",
                        meldung=f"Sprung {i}",
                        akzeptiert_am=NOW,
                        akzeptiert_von=f"link:{link.id}",
                        begruendung="geprüft",
                    ),
                    FristAenderung(
                        frist_ref=f"auftrag:{bestand.auftrag_a}",
                        neu=NOW.date(),
                        grund=f"Grund {i}",
                        akteur=f"benutzer:{user.name}",
                        geaendert_am=NOW,
                    ),
                ]
            )


def test_pages_name_people_and_resolve_them_in_one_go(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    planerin = clients["planerin"]
    _rows(engine, bestand, 0, 2)
    wenige = {}
    for pfad in SEITEN:
        with statements(engine) as seen:
            assert planerin.get(pfad).status_code == 200
        wenige[pfad] = len(seen)
    auftrag = _text(planerin.get(f"/arbeitsplatz/auftraege/{bestand.auftrag_a}").text)
    assert "(Karla Kollegin 1): Grund 1" in auftrag and "benutzer:" not in auftrag
    laeufe = _text(planerin.get("/arbeitsplatz/laeufe").text)
    assert "Karla Kollegin 0" in laeufe and "kollegin0" not in laeufe
    lieferungen = _text(planerin.get("/arbeitsplatz/daten/lieferungen").text)
    assert "(Ablauf „Datenaktualisierung“)" in lieferungen and "flow-run" not in lieferungen
    assert "von Karla Kollegin 1: falscher Stichtag" in lieferungen and "kollegin1" not in lieferungen
    befunde = _text(planerin.get("/arbeitsplatz/daten/befunde").text)
    assert "Anna Albers (persönlicher Link)" in befunde and "link:" not in befunde, befunde

    _rows(engine, bestand, 2, 200)
    for pfad, neueste in SEITEN.items():
        with statements(engine) as seen:
            seite = planerin.get(pfad)
        assert seite.status_code == 200 and neueste in _text(seite.text), pfad
        assert len(seen) == wenige[pfad], (pfad, wenige[pfad], len(seen))
    with statements(engine) as seen:
        auftrag = _text(planerin.get(f"/arbeitsplatz/auftraege/{bestand.auftrag_a}").text)
    assert "(Karla Kollegin 199): Grund 199" in auftrag
    assert len(seen) < 30, len(seen)
