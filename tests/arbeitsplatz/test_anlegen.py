"""Träger and Gremien entered by hand, and members taken in and out on the Gremium's page, over
real HTTP: a Kennung made from the name, every wrong field named at the field with nothing
stored, a form without its CSRF token refused, each change audited under the planner's name."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col

from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Gremium, Mitgliedschaft, Organisation, Person
from sozialforum.vocab import AuditAktion, MitgliedRolle, OrganisationArt
from tests.arbeitsplatz.conftest import Bestand
from tests.portal.conftest import csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _anzahl(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _audit(engine: Engine, tabelle: str, datensatz: int) -> list[AuditEntry]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(AuditEntry).where(col(AuditEntry.tabelle) == tabelle, col(AuditEntry.datensatz_id) == datensatz)
        )
        return [AuditEntry.model_validate(row._mapping) for row in rows]


def _id(location: str) -> int:
    found = re.search(r"/(\d+)\?meldung=", location)
    assert found, location
    return int(found.group(1))


def test_a_traeger_entered_by_hand(clients: dict[str | None, TestClient], engine: Engine) -> None:
    planerin = clients["planerin"]
    assert (
        'href="/arbeitsplatz/akteure/organisationen/neu">Träger anlegen' in planerin.get("/arbeitsplatz/akteure").text
    )
    form = planerin.get("/arbeitsplatz/akteure/organisationen/neu").text
    assert "Spitzenverband" in form and "Deutscher Caritasverband" in form and "Sozialraum Nord (Sozialraum)" in form
    gebiet = int(form.split(">Sozialraum Nord (Sozialraum)")[0].rsplit('value="', 1)[1].split('"')[0])
    felder = {
        "csrf": csrf_of(form),
        "name": "Arbeiterwohlfahrt Kreisverband Musterland e. V.",
        "kurzname": "AWO KV",
        "art": "freier_traeger",
        "dachverband": "Arbeiterwohlfahrt (AWO)",
        "gebiet": str(gebiet),
        "adresse": "Hauptstraße 1, 37154 Musterstadt",
        "email": "info@awo-musterland.example",
    }
    vorher = _anzahl(engine, Organisation)

    falsch = planerin.post(
        "/arbeitsplatz/akteure/organisationen/neu", data={**felder, "name": " ", "email": "info@awo", "art": "x"}
    )
    assert falsch.status_code == 400
    # Each message at its field (aria-invalid, the text below the label), all listed on top.
    assert 'id="fehler-name">Name: bitte angeben.' in falsch.text
    assert 'id="fehler-email">E-Mail: „info@awo“ ist keine gültige Adresse.' in falsch.text
    assert 'id="fehler-art">Art: bitte wählen.' in falsch.text
    assert 'value="Hauptstraße 1, 37154 Musterstadt"' in falsch.text  # what was typed stays
    assert _anzahl(engine, Organisation) == vorher

    ohne_csrf = planerin.post("/arbeitsplatz/akteure/organisationen/neu", data={**felder, "csrf": "gefaelscht"})
    assert ohne_csrf.status_code == 403 and "Formular nicht angenommen" in ohne_csrf.text
    assert _anzahl(engine, Organisation) == vorher
    assert clients["leiterin"].get("/arbeitsplatz/akteure/organisationen/neu").status_code == 403

    erste = planerin.post("/arbeitsplatz/akteure/organisationen/neu", data=felder, follow_redirects=False)
    assert erste.status_code == 303 and erste.headers["location"].endswith("?meldung=angelegt")
    seite = planerin.get(erste.headers["location"]).text
    assert "Angelegt." in seite and "<dd>awo-kv</dd>" in seite and "Sozialraum Nord" in seite
    zweite = planerin.post("/arbeitsplatz/akteure/organisationen/neu", data=felder, follow_redirects=False)
    ohne_kurzname = planerin.post(
        "/arbeitsplatz/akteure/organisationen/neu",
        data={**felder, "kurzname": "", "name": "Caritasverband für den Landkreis Musterland-Süd e. V."},
        follow_redirects=False,
    )
    with engine.connect() as connection:
        kennungen = dict(connection.execute(sa.select(Organisation.id, Organisation.kennung)).all())  # type: ignore[call-overload]
        neu = connection.execute(sa.select(Organisation).where(col(Organisation.id) == _id(erste.headers["location"])))
        traeger = neu.one()
    assert kennungen[_id(zweite.headers["location"])] == "awo-kv-2"  # the same Kurzname: numbered
    assert kennungen[_id(ohne_kurzname.headers["location"])] == "caritasverband-fuer-den-landkreis"
    assert traeger.art == OrganisationArt.FREIER_TRAEGER and traeger.dachverband == "Arbeiterwohlfahrt (AWO)"
    assert traeger.gebiet_id == gebiet and traeger.email == "info@awo-musterland.example"
    (angelegt,) = _audit(engine, "organisation", traeger.id)
    assert angelegt.aktion == AuditAktion.CREATE and angelegt.akteur == "benutzer:planerin"

    # Bearbeiten on its page: a wrong field comes back at the field, a right one is stored.
    pfad = f"/arbeitsplatz/akteure/organisationen/{traeger.id}"
    aendern = {**felder, "csrf": csrf_of(seite), "art": "verein", "telefon": "05551 1234"}
    falsch = planerin.post(pfad, data={**aendern, "email": "kein@"})
    assert (
        falsch.status_code == 400
        and 'id="fehler-email"' in falsch.text
        and '<details id="bearbeiten" open>' in falsch.text
    )
    assert planerin.post(pfad, data=aendern, follow_redirects=False).status_code == 303
    geaendert = [e for e in _audit(engine, "organisation", traeger.id) if e.aktion == AuditAktion.UPDATE]
    assert len(geaendert) == 1 and geaendert[0].aenderungen["art"] == ["freier_traeger", "verein"]
    assert geaendert[0].akteur == "benutzer:planerin"


def test_a_gremium_with_its_chair_and_members(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    planerin = clients["planerin"]
    assert 'href="/arbeitsplatz/akteure/gremien/neu">Gremium anlegen' in planerin.get("/arbeitsplatz/akteure").text
    form = planerin.get("/arbeitsplatz/akteure/gremien/neu").text
    assert "<datalist" not in form and "Albers" not in form  # no list of every person
    felder = {
        "csrf": csrf_of(form),
        "name": "Sozialraumkonferenz Süd",
        "art": "sozialraumkonferenz",
        "einladung_vorlauf_tage": "14",
        "vorsitz": "Albers, Anna – Diakonie Nord e. V. [P-A]",
        "geschaeftsfuehrung": "P-B",  # a Kennung typed by hand is taken too
    }
    vorher = (_anzahl(engine, Gremium), _anzahl(engine, Mitgliedschaft))

    falsch = planerin.post(
        "/arbeitsplatz/akteure/gremien/neu", data={**felder, "vorsitz": "Niemand, Nie", "einladung_vorlauf_tage": "0"}
    )
    assert falsch.status_code == 400
    assert 'id="fehler-vorsitz">Vorsitz: „Niemand, Nie“ ist keine bekannte Person' in falsch.text
    # A name typed, not picked: the form comes back offering the persons it matches, only them.
    getippt = planerin.post("/arbeitsplatz/akteure/gremien/neu", data={**felder, "vorsitz": "albers diakonie"})
    assert getippt.status_code == 400 and 'value="Sozialraumkonferenz Süd"' in getippt.text
    assert 'id="fehler-vorsitz">Vorsitz: zu „albers diakonie“ passt eine Person – bitte aus der Liste wählen.' in (
        getippt.text
    )
    assert re.findall(r'<datalist id="l-vorsitz"><option value="([^"]*)">', getippt.text) == [felder["vorsitz"]]
    assert "Brandt" not in getippt.text
    assert 'id="fehler-einladung_vorlauf_tage">Einladung vorab (Tage): mindestens 1.' in falsch.text
    ohne_csrf = planerin.post("/arbeitsplatz/akteure/gremien/neu", data={**felder, "csrf": ""})
    assert ohne_csrf.status_code == 403
    assert (_anzahl(engine, Gremium), _anzahl(engine, Mitgliedschaft)) == vorher

    angelegt = planerin.post("/arbeitsplatz/akteure/gremien/neu", data=felder, follow_redirects=False)
    assert angelegt.status_code == 303
    gremium_id = _id(angelegt.headers["location"])
    seite = planerin.get(angelegt.headers["location"]).text
    assert "Angelegt." in seite and "<dd>sozialraumkonferenz-sued</dd>" in seite and "14 Tage vor der Sitzung" in seite
    assert "Vorsitz" in seite and "Geschäftsstelle" in seite
    with engine.connect() as connection:
        rollen = dict(
            connection.execute(
                sa.select(Mitgliedschaft.person_id, Mitgliedschaft.rolle).where(  # type: ignore[call-overload]
                    col(Mitgliedschaft.gremium_id) == gremium_id
                )
            ).all()
        )
    assert rollen == {
        bestand.welt.person_a: MitgliedRolle.VORSITZ,
        bestand.welt.person_b: MitgliedRolle.GESCHAEFTSSTELLE,
    }
    assert _audit(engine, "gremium", gremium_id)[0].akteur == "benutzer:planerin"

    # Bearbeiten: the Sozialraum's Gremium may not report to itself.
    pfad = f"/arbeitsplatz/akteure/gremien/{gremium_id}"
    kreis = planerin.post(pfad, data={**felder, "csrf": csrf_of(seite), "uebergeordnet": str(gremium_id)})
    assert kreis.status_code == 400 and 'id="fehler-uebergeordnet"' in kreis.text
    oben = planerin.post(
        pfad,
        data={**felder, "csrf": csrf_of(seite), "uebergeordnet": str(bestand.welt.gremium)},
        follow_redirects=False,
    )
    assert oben.status_code == 303
    assert "Berichtet an" in planerin.get(pfad).text

    # Members from the page: the same person twice is refused, another one joins; one is removed.
    aufnehmen = f"{pfad}/mitglieder"
    doppelt = planerin.post(aufnehmen, data={"csrf": csrf_of(seite), "person": "P-A", "von": "2026-03-01"})
    assert doppelt.status_code == 400 and "ist schon Mitglied dieses Gremiums" in doppelt.text
    ohne_person = planerin.post(aufnehmen, data={"csrf": csrf_of(seite), "person": "", "von": "2026-03-01"})
    assert ohne_person.status_code == 400 and "Person: bitte suchen und eine auswählen." in ohne_person.text
    # The search on the page (GET, no script): by part of the e-mail address, of the Träger's name.
    assert "f-person" not in seite and 'id="f-suche"' in seite  # nothing offered before a search
    with session_scope(engine, actor="test") as session:
        session.add(Person(kennung="P-C", vorname="Carla", nachname="Cordes", email="c.cordes@verein.example"))
    gefunden = planerin.get(f"{pfad}?suche=CORDES@verein").text
    assert re.findall(r'name="person" value="([^"]*)"', gefunden) == ["P-C"] and "1 Treffer" in gefunden
    assert re.findall(r'name="person" value="([^"]*)"', planerin.get(f"{pfad}?suche=verein").text) == ["P-C"]
    assert "Keine Person passt zu „zzz“" in planerin.get(f"{pfad}?suche=zzz").text
    # P-A (Diakonie) chairs it already: adding her again would only be refused, so she is not offered
    mitglied = planerin.get(f"{pfad}?suche=diakonie").text
    assert 'name="person"' not in mitglied and "die nicht schon Mitglied ist" in mitglied
    with session_scope(engine, actor="test") as session:  # more than a page shows: 50 and a word
        session.add_all(Person(kennung=f"M-{i:02d}", vorname=f"V{i:02d}", nachname="Muster") for i in range(51))
    viele = planerin.get(f"{pfad}?suche=muster").text
    assert len(re.findall(r'name="person" value="M-', viele)) == 50 and "Mehr als 50 Treffer für „muster“" in viele
    assert len(re.findall(r'name="person" value="M-', planerin.get(f"{pfad}?suche=muster v07").text)) == 1
    assert planerin.post(aufnehmen, data={"csrf": "", "person": "P-A"}).status_code == 403
    auf = planerin.post(
        aufnehmen,
        data={"csrf": csrf_of(seite), "person": "P-C", "rolle": "stellvertretung", "von": "2026-03-01"},
        follow_redirects=False,
    )
    assert auf.status_code == 303 and auf.headers["location"].endswith("?meldung=aufgenommen")
    seite = planerin.get(auf.headers["location"]).text
    assert (
        "Die Person ist in das Gremium aufgenommen." in seite and "Carla Cordes" in seite and "Stellvertretung" in seite
    )
    with engine.connect() as connection:
        mitgliedschaft = connection.execute(
            sa.select(Mitgliedschaft.id).where(  # type: ignore[call-overload]
                col(Mitgliedschaft.gremium_id) == gremium_id, col(Mitgliedschaft.rolle) == MitgliedRolle.STELLVERTRETUNG
            )
        ).scalar_one()
    entfernen = f"{pfad}/mitglieder/entfernen"
    assert "wirklich aus dem Gremium entfernen?" in seite and 'value="ja"' in seite
    unbestaetigt = planerin.post(entfernen, data={"csrf": csrf_of(seite), "mitgliedschaft": mitgliedschaft})
    assert unbestaetigt.status_code == 400 and _anzahl(engine, Mitgliedschaft) == vorher[1] + 3
    fremd = planerin.post(
        f"/arbeitsplatz/akteure/gremien/{bestand.welt.gremium}/mitglieder/entfernen",
        data={"csrf": csrf_of(seite), "mitgliedschaft": mitgliedschaft, "bestaetigt": "ja"},
    )
    assert fremd.status_code == 400  # only from its own Gremium's page
    weg = planerin.post(
        entfernen,
        data={"csrf": csrf_of(seite), "mitgliedschaft": mitgliedschaft, "bestaetigt": "ja"},
        follow_redirects=False,
    )
    assert weg.status_code == 303 and _anzahl(engine, Mitgliedschaft) == vorher[1] + 2
    (geloescht,) = [e for e in _audit(engine, "mitgliedschaft", mitgliedschaft) if e.aktion == AuditAktion.DELETE]
    assert geloescht.akteur == "benutzer:planerin"
    leiterin = clients["leiterin"]
    lesend = leiterin.get(pfad).text
    assert "Mitglied aufnehmen" not in lesend and 'name="person"' not in leiterin.get(f"{pfad}?suche=a").text
    assert leiterin.post(aufnehmen, data={"csrf": csrf_of(leiterin.get(pfad).text), "person": "P-A"}).status_code == 403
