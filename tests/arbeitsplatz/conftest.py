"""The workspace over the portal's small Landkreis: two Ämter with one Auftrag each, a
Fachplan, a Beschluss, a Protokoll, and one account per role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.konten import benutzer, totp
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Arbeitslauf,
    Auftrag,
    Berichtsausgabe,
    Beschluss,
    Fachplan,
    Handlungsempfehlung,
    Massnahme,
    Organisation,
    OutboxMessage,
    Protokoll,
    Tagesordnungspunkt,
    Themenvorschlag,
    TopDokument,
)
from sozialforum.vocab import BenutzerRolle, FachplanArt, OrganisationArt, OutboxStatus, TopQuelle
from tests.portal.conftest import NOW, Clock, Welt, build_world, csrf_of, make_settings

PASSWORT = "korrekt-pferd-batterie"
ROLLEN = {
    "planerin": BenutzerRolle.GESCHAEFTSSTELLE,
    "leiterin": BenutzerRolle.LEITUNG,
    "jugendamt": BenutzerRolle.FACHAMT,
    "gemeinde": BenutzerRolle.KOMMUNE,
}


@dataclass
class Bestand:
    welt: Welt
    amt_a: int
    amt_b: int
    auftrag_a: int
    auftrag_b: int
    fachplan: int
    beschluss: int
    protokoll: int
    benutzer: dict[str, int]
    top: int = 0
    vorschlag: int = 0
    lauf: int = 0
    dokument: int = 0
    nachricht: int = 0
    massnahme: int = 0
    ausgabe: int = 0
    empfehlung: int = 0


def pfad(muster: str, bestand: Bestand, *, benutzer: str = "leiterin") -> str:
    """A route's path with the ids of this Bestand filled in (``{sitzung_id}`` …)."""
    values = {
        "auftrag_id": bestand.auftrag_a,
        "plan_id": bestand.fachplan,
        "beschluss_id": bestand.beschluss,
        "benutzer_id": bestand.benutzer[benutzer],
        "protokoll_id": bestand.protokoll,
        "sitzung_id": bestand.welt.sitzung,
        "top_id": bestand.top,
        "vorschlag_id": bestand.vorschlag,
        "lauf_id": bestand.lauf,
        "dokument_id": bestand.dokument,
        "nachricht_id": bestand.nachricht,
        "person_id": bestand.welt.person_a,
        "organisation_id": bestand.amt_a,
        "gremium_id": bestand.welt.gremium,
        "massnahme_id": bestand.massnahme,
        "ausgabe_id": bestand.ausgabe,
        "empfehlung_id": bestand.empfehlung,
        "held_id": 0,  # no held calendar reply: refused as bad input
        "format": "html",
        "kennung": "bestandserhebung",
        "kind": "personen",
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), muster)


def build_bestand(engine: Engine) -> Bestand:
    welt = build_world(engine)
    with session_scope(engine, actor="test") as session:
        amt_a = Organisation(
            kennung="AMT-51", name="Jugendamt", art=OrganisationArt.AMT, email="jugendamt@kreis.example"
        )
        amt_b = Organisation(
            kennung="AMT-50", name="Sozialamt", art=OrganisationArt.AMT, email="sozialamt@kreis.example"
        )
        session.add_all([amt_a, amt_b])
        session.flush()
        beschluss = Beschluss(kennung="B-1/2026", titel="Familienzentren stärken", datum=date(2026, 1, 20))
        session.add(beschluss)
        session.flush()
        a = Auftrag(
            kennung="A-JA",
            beschreibung="Geheimer Auftrag des Jugendamts",
            verantwortlich_organisation_id=amt_a.id,
            frist=date(2026, 3, 20),
            beschluss_id=beschluss.id,
        )
        b = Auftrag(
            kennung="A-SA",
            beschreibung="Interner Auftrag des Sozialamts",
            verantwortlich_organisation_id=amt_b.id,
            frist=date(2026, 2, 1),
        )
        plan = Fachplan(
            kennung="FP-JH",
            name="Jugendhilfeplan",
            art=FachplanArt.JUGENDHILFEPLAN,
            beschlossen_am=date(2022, 6, 1),
            turnus_monate=60,
            zustaendig_organisation_id=amt_a.id,
        )
        protokoll = Protokoll(sitzung_id=welt.sitzung, angefordert_am=NOW, entwurf_frist=date(2026, 4, 1))
        top = Tagesordnungspunkt(
            sitzung_id=welt.sitzung,
            reihenfolge=1,
            nummer="1",
            titel="Bericht der Geschäftsstelle",
            quelle=TopQuelle.GESCHAEFTSSTELLE,
        )
        vorschlag = Themenvorschlag(
            sitzung_id=welt.sitzung, person_id=welt.person_a, titel="Schulweg im Quartier", eingereicht_am=NOW
        )
        lauf = Arbeitslauf(art="berechnung", titel="Kennzahlen berechnen", gestartet_von="planerin", gestartet_am=NOW)
        session.add_all([a, b, plan, protokoll, top, vorschlag, lauf])
        session.flush()
        dokument = TopDokument(
            top_id=top.id,
            dateiname="Vorlage.md",
            mimetype="text/markdown",
            groesse=7,
            inhalt=b"# Titel",
            hochgeladen_am=NOW,
            hochgeladen_von="planerin",
        )
        nachricht = OutboxMessage(
            schluessel="test:1",
            art="einladung",
            empfaenger="a@traeger.example",
            betreff="Einladung",
            status=OutboxStatus.FAILED,
            erstellt_am=NOW,
            antwort_server="550 Postfach voll",
        )
        massnahme = Massnahme(
            kennung="M-JA", titel="Familienhebammen im Quartier", verantwortlich_organisation_id=amt_a.id
        )
        ausgabe = Berichtsausgabe(titel="Sozialbericht 2025", stichtag=date(2025, 12, 31), angelegt_am=NOW)
        session.add_all([dokument, nachricht, massnahme, ausgabe])
        session.flush()
        empfehlung = Handlungsempfehlung(ausgabe_id=ausgabe.id, position=1, titel="Frühe Hilfen", text="Ausbauen.")
        session.add(empfehlung)
        session.flush()
        ids = {}
        for name, rolle in ROLLEN.items():
            user = benutzer.create_user(
                session,
                name=name,
                anzeigename=name.capitalize(),
                password=PASSWORT,
                now=NOW,
                rolle=rolle,
                organisation_id=amt_a.id if rolle == BenutzerRolle.FACHAMT else None,
                person_id=welt.person_b if rolle == BenutzerRolle.KOMMUNE else None,
            )
            ids[name] = user.id
        return Bestand(
            welt,
            amt_a.id,
            amt_b.id,
            a.id,
            b.id,
            plan.id,
            beschluss.id,
            protokoll.id,
            ids,  # type: ignore[arg-type]
            top=top.id,
            vorschlag=vorschlag.id,
            lauf=lauf.id,  # type: ignore[arg-type]
            dokument=dokument.id,  # type: ignore[arg-type]
            nachricht=nachricht.id,  # type: ignore[arg-type]
            massnahme=massnahme.id,  # type: ignore[arg-type]
            ausgabe=ausgabe.id,  # type: ignore[arg-type]
            empfehlung=empfehlung.id,  # type: ignore[arg-type]
        )


@pytest.fixture
def ap_settings(tmp_path, engine: Engine) -> Settings:  # type: ignore[no-untyped-def]
    return make_settings(tmp_path, engine)


@pytest.fixture
def bestand(engine: Engine) -> Bestand:
    return build_bestand(engine)


@pytest.fixture
def app(ap_settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    return create_app(ap_settings, engine, clock=Clock())


def login(client: TestClient, name: str, password: str = PASSWORT) -> TestClient:
    form = client.get("/gs/anmelden")
    response = client.post(
        "/gs/anmelden",
        data={"csrf": csrf_of(form.text), "name": name, "passwort": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/arbeitsplatz/"
    return client


def zwei_faktoren_einschalten(client: TestClient) -> str:
    """Switch the second factor on from the account page as its owner does; returns the secret."""
    page = client.get("/arbeitsplatz/konto").text
    secret = page.split('name="geheimnis" value="')[1].split('"')[0]
    on = client.post(
        "/arbeitsplatz/konto/zwei-faktoren",
        data={"csrf": csrf_of(page), "geheimnis": secret, "code": totp.code_at(secret, NOW)},
    )
    assert "Die Anmeldung in zwei Schritten ist eingeschaltet." in on.text
    return secret


@pytest.fixture
def clients(app, bestand: Bestand) -> Iterator[dict[str | None, TestClient]]:  # type: ignore[no-untyped-def]
    """One logged-in client per role, and ``None``: no login."""
    opened = {name: TestClient(app, base_url="http://testserver") for name in [None, *ROLLEN]}
    for client in opened.values():
        client.__enter__()
    try:
        for name, client in opened.items():
            if name is not None:
                login(client, name)
        yield opened
    finally:
        for client in opened.values():
            client.__exit__(None, None, None)


def im_browser_anmelden(browser: Any, base: str, *, breite: int, hoehe: int, passwort: str = PASSWORT) -> Any:
    """A German browser context of this size, logged in as "planerin"; returns the page."""
    context = browser.new_context(locale="de-DE", viewport={"width": breite, "height": hoehe})
    page = context.new_page()
    page.goto(f"{base}/gs/anmelden")
    page.fill("#f-name", "planerin")
    page.fill("#f-passwort", passwort)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/arbeitsplatz/")
    return page
