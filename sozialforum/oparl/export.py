"""Our Gremien, Sitzungen with Tagesordnungspunkten, Vorlagen and Beschlüsse as OParl 1.1.

Written as static files that any web server can serve: every list as one page and every object
under its own id (``<base>/body/1/meeting/12.json``), so the ids resolve. OParl knows no
implementation status; ours travels under the vendor prefix ``sozialforum:`` (additional
properties are allowed by the spec schemas): ``sozialforum:umsetzung`` on each Beschluss with
status, progress, traffic light, Aufträge with their deadlines (wording and date) and reports.
Persons and memberships are not exported (personal data; the council system publishes them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.oparl.export_adressen import T, Urls, natural
from sozialforum.oparl.export_beschluesse import beschluss_papers
from sozialforum.oparl.export_ordner import pages, single_page
from sozialforum.oparl.export_zeiten import Times, mit_zeiten, stamp, zeiten
from sozialforum.oparl.speicher import VENDOR
from sozialforum.settings import Settings
from sozialforum.store.models import Beratung, Gremium, Sitzung, Tagesordnungspunkt, Vorlage
from sozialforum.store.models.base import pk
from sozialforum.vocab import BeratungErgebnis, BeratungRolle, GremiumArt, SitzungStatus, VorlageArt

_STATE = {
    SitzungStatus.GEPLANT: "terminiert",
    SitzungStatus.EINGELADEN: "eingeladen",
    SitzungStatus.DURCHGEFUEHRT: "durchgeführt",
    SitzungStatus.ABGESAGT: "abgesagt",
}


def _organizations(session: Session, urls: Urls) -> list[dict[str, Any]]:
    times = zeiten(session, "gremium")
    result = []
    for g in session.scalars(sa.select(Gremium).order_by(col(Gremium.id))):
        obj: dict[str, Any] = {
            "id": urls.of("organization", g.id),
            "type": T + "Organization",
            "body": urls.body_id,
            "name": g.name,
            "shortName": g.kennung,
            "organizationType": "Gremium",
            "classification": GremiumArt(g.art).label,
            f"{VENDOR}:art": GremiumArt(g.art).value,
        }
        if g.parent_id:
            obj["subOrganizationOf"] = urls.of("organization", g.parent_id)
        result.append(mit_zeiten(obj, times, g.id))
    return sorted(result, key=lambda o: natural(o["id"]))


def _agenda_item(
    t: Tagesordnungspunkt,
    meeting_url: str,
    consultations: Mapping[tuple[int, int | None], int | None],
    sitzung_id: int,
    urls: Urls,
    times: Times,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": urls.of("agendaItem", t.id),
        "type": T + "AgendaItem",
        "meeting": meeting_url,
        "number": t.nummer,
        "order": t.reihenfolge,
        "name": t.titel,
        "public": t.oeffentlich,
    }
    if t.ergebnis:
        obj["result"] = t.ergebnis
    if t.vorlage_id and (t.vorlage_id, sitzung_id) in consultations:
        obj["consultation"] = urls.of("consultation", consultations[(t.vorlage_id, sitzung_id)])
    return mit_zeiten(obj, times, t.id)


def _meetings(session: Session, urls: Urls) -> list[dict[str, Any]]:
    times, top_times = zeiten(session, "sitzung"), zeiten(session, "tagesordnungspunkt")
    consultations = {
        (b.vorlage_id, b.sitzung_id): b.id
        for b in session.scalars(sa.select(Beratung).where(col(Beratung.sitzung_id).is_not(None)))
    }
    tops: dict[int, list[Tagesordnungspunkt]] = {}
    for t in session.scalars(sa.select(Tagesordnungspunkt).order_by(col(Tagesordnungspunkt.reihenfolge))):
        tops.setdefault(t.sitzung_id, []).append(t)
    result = []
    for s in session.scalars(sa.select(Sitzung).order_by(col(Sitzung.beginn), col(Sitzung.id))):
        url = urls.of("meeting", s.id)
        status = SitzungStatus(s.status)
        obj: dict[str, Any] = {
            "id": url,
            "type": T + "Meeting",
            "name": s.titel,
            "meetingState": _STATE[status],
            f"{VENDOR}:status": status.value,
            "cancelled": status is SitzungStatus.ABGESAGT,
            "start": stamp(s.beginn),
            "end": stamp(s.ende),
            "organization": [urls.of("organization", s.gremium_id)],
            "agendaItem": [_agenda_item(t, url, consultations, pk(s), urls, top_times) for t in tops.get(pk(s), [])],
        }
        if s.ort or s.adresse:
            location: dict[str, Any] = {"id": urls.location(url), "type": T + "Location"}
            if s.ort:
                location["description"] = s.ort
            if s.adresse:
                location["streetAddress"] = s.adresse
            obj["location"] = location
        result.append(mit_zeiten(obj, times, s.id))
    return sorted(result, key=lambda o: (o["start"], natural(o["id"])))


def _consultation(b: Beratung, paper_url: str, urls: Urls) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": urls.of("consultation", b.id),
        "type": T + "Consultation",
        "paper": paper_url,
        "role": BeratungRolle(b.rolle).label,
        "authoritative": BeratungRolle(b.rolle) is BeratungRolle.ENTSCHEIDUNG,
    }
    if b.gremium_id:
        obj["organization"] = [urls.of("organization", b.gremium_id)]
    if b.sitzung_id:
        obj["meeting"] = urls.of("meeting", b.sitzung_id)
    obj[f"{VENDOR}:ergebnis"] = BeratungErgebnis(b.ergebnis).label
    if b.datum:
        obj[f"{VENDOR}:datum"] = b.datum.isoformat()
    return obj


def _papers(session: Session, urls: Urls, today: date, bald: int) -> list[dict[str, Any]]:
    times = zeiten(session, "vorlage")
    steps: dict[int, list[Beratung]] = {}
    for b in session.scalars(sa.select(Beratung).order_by(col(Beratung.reihenfolge), col(Beratung.id))):
        steps.setdefault(b.vorlage_id, []).append(b)
    result = []
    for v in session.scalars(sa.select(Vorlage).order_by(col(Vorlage.id))):
        url = urls.of("paper", v.id)
        obj: dict[str, Any] = {
            "id": url,
            "type": T + "Paper",
            "body": urls.body_id,
            "name": v.titel,
            "reference": v.kennung,
            "date": v.datum.isoformat(),
            "paperType": VorlageArt(v.art).label,
            "consultation": [_consultation(b, url, urls) for b in steps.get(pk(v), [])],
        }
        if v.bezug_vorlage_id:
            obj["superordinatedPaper"] = [urls.of("paper", v.bezug_vorlage_id)]
        result.append(mit_zeiten(obj, times, v.id))
    result.sort(key=lambda o: natural(o["id"]))
    return result + beschluss_papers(session, urls, today, bald)


def export_oparl(session: Session, *, base_url: str, today: date, settings: Settings) -> dict[str, dict[str, Any]]:
    """Every file of the export: relative path → JSON object."""
    urls = Urls(base_url, session)
    lists = {
        "organization": _organizations(session, urls),
        "meeting": _meetings(session, urls),
        "paper": _papers(session, urls, today, settings.fristen.bald_faellig_tage),
    }
    system_url = f"{urls.base}/system.json"
    body = {
        "id": urls.body_id,
        "type": T + "Body",
        "system": system_url,
        "name": settings.kommune,
        "organization": urls.lists("organizations"),
        "person": urls.lists("people"),
        "meeting": urls.lists("meetings"),
        "paper": urls.lists("papers"),
        "legislativeTerm": [],
        "contactEmail": str(settings.geschaeftsstelle.email),
        "contactName": settings.geschaeftsstelle.name,
        f"{VENDOR}:hinweis": "Umsetzungsstand der Beschlüsse unter sozialforum:umsetzung",
    }
    files: dict[str, dict[str, Any]] = {
        "system.json": {
            "id": system_url,
            "type": T + "System",
            "oparlVersion": "https://schema.oparl.org/1.1/",
            "body": f"{urls.base}/bodies.json",
            "name": f"sozialforum – {settings.kommune}",
        },
        "bodies.json": single_page([body], f"{urls.base}/bodies.json"),
        "body/1.json": body,
        "body/1/people.json": single_page([], urls.lists("people")),
    }
    for kind, items in lists.items():
        for page_url, content in pages(items, urls.lists(f"{kind}s")):
            files[page_url.removeprefix(urls.base + "/")] = content
        for item in items:
            files[item["id"].removeprefix(urls.base + "/")] = item
    for meeting in lists["meeting"]:
        for item in meeting["agendaItem"]:
            files[item["id"].removeprefix(urls.base + "/")] = item
        if isinstance(meeting.get("location"), dict):  # the embedded Location resolves too
            files[meeting["location"]["id"].removeprefix(urls.base + "/")] = meeting["location"]
    for paper in lists["paper"]:
        for item in paper.get("consultation", []):
            files[item["id"].removeprefix(urls.base + "/")] = item
    return files
