"""Akteure in the workspace: search and paging, an edit audited with the user, memberships over
time, the legal basis of contact; an actor list checked in a dry run that changes nothing (with
row and column for every problem) and then applied; DSGVO Auskunft and Löschung with the
Kennung typed to confirm."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Mitgliedschaft, Person
from tests.arbeitsplatz.conftest import Bestand
from tests.portal.conftest import csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
KOPF = (
    "kennung;anrede;vorname;nachname;email;telefon;funktion;organisation;rechtsgrundlage;"
    "einwilligung_am;einwilligung_quelle;abgemeldet_am\n"
)


def _post(client: TestClient, path: str, data: dict[str, object], **kwargs: object):  # type: ignore[no-untyped-def]
    csrf = csrf_of(client.get("/arbeitsplatz/konto").text)
    return client.post(path, data={"csrf": csrf, **data}, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


def _personen(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(Person)) or 0  # type: ignore[arg-type]


def test_search_edit_membership_and_contact(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    planerin, leiterin = clients["planerin"], clients["leiterin"]
    pid = bestand.welt.person_a
    with session_scope(engine, actor="test") as session:
        nachname = session.get(Person, pid).nachname  # type: ignore[union-attr]
    found = planerin.get(f"/arbeitsplatz/akteure?art=personen&q={nachname[:4]}")
    assert found.status_code == 200 and f"/arbeitsplatz/akteure/personen/{pid}" in found.text
    assert "Nichts gefunden" in planerin.get("/arbeitsplatz/akteure?q=gibt-es-nicht").text
    assert "Jugendamt" in leiterin.get("/arbeitsplatz/akteure?art=organisationen").text

    bad = _post(planerin, f"/arbeitsplatz/akteure/personen/{pid}", {"nachname": "Neu", "email": "kein-at"})
    assert bad.status_code == 400 and "E-Mail: „kein-at“ ist keine gültige Adresse" in bad.text
    ok = _post(planerin, f"/arbeitsplatz/akteure/personen/{pid}", {"nachname": "Neumann", "email": "n@traeger.example"})
    assert ok.status_code == 303
    with session_scope(engine, actor="test") as session:
        entry = session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.tabelle == "person", AuditEntry.datensatz_id == pid)
            .order_by(AuditEntry.id.desc())  # type: ignore[union-attr]
        ).first()
        assert entry is not None and entry.akteur == "benutzer:planerin" and "nachname" in entry.aenderungen
    assert leiterin.post(f"/arbeitsplatz/akteure/personen/{pid}", data={"nachname": "X"}).status_code == 403

    added = _post(
        planerin,
        f"/arbeitsplatz/akteure/personen/{pid}/mitgliedschaft",
        {"gremium": bestand.welt.gremium, "rolle": "vorsitz", "von": "2026-01-01"},
    )
    assert added.status_code == 303
    with session_scope(engine, actor="test") as session:
        mid = session.scalar(sa.select(Mitgliedschaft.id).where(Mitgliedschaft.person_id == pid))
    early = _post(
        planerin, f"/arbeitsplatz/akteure/personen/{pid}/mitgliedschaft", {"beenden": mid, "bis": "2025-12-31"}
    )
    assert early.status_code == 400 and "vor dem Beginn" in early.text
    ended = _post(
        planerin, f"/arbeitsplatz/akteure/personen/{pid}/mitgliedschaft", {"beenden": mid, "bis": "2026-06-30"}
    )
    assert ended.status_code == 303
    page = planerin.get(f"/arbeitsplatz/akteure/gremien/{bestand.welt.gremium}").text
    assert "Neumann" in page and "30.06.2026" in page

    no_source = _post(planerin, f"/arbeitsplatz/akteure/personen/{pid}/kontakt", {"rechtsgrundlage": "einwilligung"})
    assert no_source.status_code == 400 and "Quelle der Einwilligung" in no_source.text
    withdrawn = _post(planerin, f"/arbeitsplatz/akteure/personen/{pid}/kontakt", {"widerruf": "ja"})
    assert withdrawn.status_code == 303
    assert "nicht erlaubt" in planerin.get(f"/arbeitsplatz/akteure/personen/{pid}").text


def test_an_actor_list_is_checked_first_and_then_applied(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    planerin = clients["planerin"]
    vorher = _personen(engine)
    bad = KOPF + "P-NEU-1;;Nina;Neu;nina@traeger.example;;;T-GIBTS-NICHT;oeffentliche_aufgabe;;;\n"
    bad += "P-NEU-2;;;;ohne-name@traeger.example;;;;oeffentliche_aufgabe;;;\n"
    checked = _post(
        planerin,
        "/arbeitsplatz/akteure/import/pruefen",
        {"liste": "personen"},
        files={"datei": ("personen.csv", bad.encode(), "text/csv")},
    )
    assert checked.status_code == 200 and "im Bestand wurde nichts geändert" in checked.text
    assert "T-GIBTS-NICHT" in checked.text and "nachname" in checked.text
    assert _personen(engine) == vorher
    good = KOPF + "P-NEU-1;;Nina;Neu;nina@traeger.example;;;;oeffentliche_aufgabe;;;\n"
    clean = _post(
        planerin,
        "/arbeitsplatz/akteure/import/pruefen",
        {"liste": "personen"},
        files={"datei": ("personen.csv", good.encode(), "text/csv")},
    )
    assert "1 neu, 0 geändert" in clean.text and _personen(engine) == vorher  # the dry run changed nothing
    token = clean.text.split('name="token" value="')[1].split('"')[0]
    stranger = _post(
        clients["leiterin"], "/arbeitsplatz/akteure/import/uebernehmen", {"token": token, "liste": "personen"}
    )
    assert stranger.status_code == 403
    applied = _post(planerin, "/arbeitsplatz/akteure/import/uebernehmen", {"token": token, "liste": "personen"})
    assert applied.status_code == 303 and _personen(engine) == vorher + 1
    again = _post(planerin, "/arbeitsplatz/akteure/import/uebernehmen", {"token": token, "liste": "personen"})
    assert again.status_code == 400 and "gibt es nicht (mehr)" in again.text


def test_auskunft_and_loeschung(clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine) -> None:
    planerin = clients["planerin"]
    pid = bestand.welt.person_b
    auskunft = planerin.get(f"/arbeitsplatz/akteure/personen/{pid}/auskunft")
    assert auskunft.status_code == 200 and "attachment" in auskunft.headers["content-disposition"]
    document = json.loads(auskunft.text)
    assert document["auskunft_nach"] == "Art. 15 DSGVO" and document["person"]["id"] == pid
    assert clients["leiterin"].get(f"/arbeitsplatz/akteure/personen/{pid}/auskunft").status_code == 403
    # The same Auskunft to read (the text the command writes with --text), offered beside it.
    pfad = f"/arbeitsplatz/akteure/personen/{pid}/auskunft/text"
    assert pfad in planerin.get(f"/arbeitsplatz/akteure/personen/{pid}").text
    lesbar = planerin.get(pfad)
    assert lesbar.status_code == 200 and lesbar.headers["content-type"].startswith("text/plain")
    assert "auskunft-P-B.txt" in lesbar.headers["content-disposition"]
    assert lesbar.text.startswith("Auskunft nach Art. 15 DSGVO über Bernd Brandt (P-B)\n"), lesbar.text
    assert "Personendaten" in lesbar.text and "person_id" not in lesbar.text and "link:" not in lesbar.text
    assert clients["leiterin"].get(pfad).status_code == 403
    with session_scope(engine, actor="test") as session:
        kennung = session.get(Person, pid).kennung  # type: ignore[union-attr]
    wrong = _post(planerin, f"/arbeitsplatz/akteure/personen/{pid}/loeschen", {"bestaetigung": "falsch"})
    assert wrong.status_code == 400 and "es wurde nichts gelöscht" in wrong.text
    with session_scope(engine, actor="test") as session:
        assert session.get(Person, pid).geloescht_am is None  # type: ignore[union-attr]
    done = _post(planerin, f"/arbeitsplatz/akteure/personen/{pid}/loeschen", {"bestaetigung": kennung})
    assert done.status_code == 303 and "meldung=geloescht" in done.headers["location"]
    with session_scope(engine, actor="test") as session:
        person = session.get(Person, pid)
        assert person is not None and person.geloescht_am is not None and person.email is None
    assert planerin.get(f"/arbeitsplatz/akteure/personen/{pid}").status_code == 404
