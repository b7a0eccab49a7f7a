"""Demo step of the portal: the Träger of one Sozialraum answer over real HTTP on loopback.

The Geschäftsstelle requests the Bestandserhebung from the Träger of the first Sozialraum (one
personal link per contact, mailed through the outbox); one Träger opens its links in the portal,
served by uvicorn on a free loopback port, answers the RSVP of the next Sitzung, proposes a topic
and fills the form (twice: the second submission becomes version 2). The answers are exported as
the Geschäftsstelle would download them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
from sqlmodel import col, select

from sozialforum import outbox
from sozialforum.channels.tabular import to_xlsx
from sozialforum.links import issue_link
from sozialforum.portal import auswertung as portal_auswertung
from sozialforum.portal import formulare, linkversand
from sozialforum.portal.app import create_app
from sozialforum.portal.server import free_port, serve_in_thread
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gebiet, Organisation, Person, Sitzung
from sozialforum.store.models.base import pk
from sozialforum.vocab import GebietEbene, LinkZweck

if TYPE_CHECKING:
    from sozialforum.demo import DemoRun


@contextmanager
def _served(run: DemoRun) -> Iterator[tuple[str, Settings]]:
    """The portal on a free loopback port, with settings whose base URL points there."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = run.settings.model_copy(update={"portal": run.settings.portal.model_copy(update={"base_url": base})})
    with serve_in_thread(create_app(settings, run.engine, clock=lambda: run.now), port):
        yield base, settings


def _post(client: httpx.Client, url: str, data: dict[str, object]) -> httpx.Response:
    page = client.get(url)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    return client.post(url, data={**data, "csrf": token.group(1) if token else ""}, follow_redirects=True)


def demo_step(run: DemoRun) -> list[str]:
    definitions = formulare.load_formulare(run.settings.portal.formulare)
    with session_scope(run.engine, actor="demo:portal") as session:
        raum = session.exec(
            select(Gebiet).where(Gebiet.ebene == GebietEbene.SOZIALRAUM).order_by(Gebiet.schluessel)
        ).first()
        sitzung = session.exec(select(Sitzung).where(Sitzung.beginn > run.now).order_by(col(Sitzung.beginn))).first()
        if raum is None or sitzung is None:
            return ["Kein Sozialraum oder keine kommende Sitzung: Schritt ausgelassen."]
        traeger = session.exec(
            select(Organisation).where(Organisation.gebiet_id == raum.id).order_by(Organisation.kennung)
        ).all()
        people = {o.id: session.exec(select(Person).where(Person.organisation_id == o.id)).all() for o in traeger}
        answering = next((o for o in traeger if any(p.contactable for p in people[o.id])), None)
        sitzung_id, raum_id, raum_name = pk(sitzung), pk(raum), raum.name
    if answering is None:
        return [f"{raum_name}: kein Träger mit erreichbarer Ansprechperson; Schritt ausgelassen."]
    lines: list[str] = []
    with _served(run) as (base, settings):
        with session_scope(run.engine, actor="demo:portal") as session:
            requested = linkversand.request_form_by_mail(
                session,
                formular=definitions["bestandserhebung"],
                organisation_ids=[pk(o) for o in traeger],
                bezug_id=raum_id,
                now=run.now,
                # The mails stay in the outbox after the demo: their links point where
                # `sozialforum portal` serves, not to this step's passing port.
                settings=run.settings,
            )
            person = next(p for p in people[answering.id] if p.contactable)
            anfrage = formulare.request_form(
                session,
                formular=definitions["bestandserhebung"],
                organisation_id=pk(answering),
                bezug_id=raum_id,
                now=run.now,
            )
            common: dict[str, Any] = {"person_id": pk(person), "now": run.now, "settings": settings}
            rsvp = issue_link(session, zweck=LinkZweck.RSVP, bezug_id=sitzung_id, **common)
            thema = issue_link(session, zweck=LinkZweck.THEMENVORSCHLAG, bezug_id=sitzung_id, **common)
            bogen = issue_link(session, zweck=LinkZweck.FORMULAR, bezug_id=pk(anfrage), **common)
        lines.append(
            f"Bestandserhebung „{raum_name}“ bei {len(traeger)} Trägern angefragt: {requested.gesendet} "
            f"persönliche Links in den Postausgang, {len(requested.uebersprungen)} ohne Einwilligung"
        )
        with httpx.Client(timeout=30) as client:
            answers = [
                _post(client, rsvp, {"antwort": "zusage", "personen": "2", "beduerfnisse": ["stufenlos"]}),
                _post(
                    client,
                    thema,
                    {
                        "titel": "Hortplätze und Übergang Kita–Grundschule",
                        "begruendung": "Die Warteliste im Hort wächst.",
                        "dauer_minuten": "20",
                    },
                ),
                _post(
                    client,
                    bogen,
                    {
                        "angebote": "Familiencafé, Elternberatung",
                        "plaetze": "60",
                        "zielgruppen": ["Eltern und Familien", "Kinder im Kita- und Hortalter"],
                    },
                ),
                _post(
                    client,
                    bogen,
                    {
                        "angebote": "Familiencafé, Elternberatung, Sprachkurs für Mütter",
                        "plaetze": "75",
                        "zielgruppen": ["Eltern und Familien", "Frauen"],
                        "luecken": "Kaum Angebote für pflegende Angehörige.",
                    },
                ),
            ]
            blocked = client.get(rsvp[:-3] + "xyz")
    confirmed = sum("gespeichert" in a.text or "eingegangen" in a.text for a in answers)
    lines.append(
        f"{person.anzeigename} ({answering.name}) über {base}: Rückmeldung, Themenvorschlag, Bogen "
        f"zweimal gesendet – {confirmed} von 4 bestätigt; veränderter Link: HTTP {blocked.status_code}"
    )
    with session_scope(run.engine, actor="demo:portal") as session:
        header, rows = portal_auswertung.form_table(session, definitions["bestandserhebung"])
        antwort = formulare.current_answer(session, pk(anfrage))
    target = run.settings.reports_dir / "portal" / "bestandserhebung.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(to_xlsx("Bestandserhebung", header, rows))
    delivery = outbox.deliver_pending(run.engine, run.settings, now=run.now)
    lines += [
        f"Antwort gespeichert in Fassung {antwort.version if antwort else 0}; Export der Geschäftsstelle: {target}",
        f"Postausgang: {delivery.summary()}",
        "Portal selbst starten: `sozialforum portal benutzer-anlegen NAME`, dann `sozialforum portal` "
        f"(Anmeldung der Geschäftsstelle unter {run.settings.portal.base_url}/gs/anmelden)",
    ]
    return lines
