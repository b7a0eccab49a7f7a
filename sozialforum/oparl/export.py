"""Our Gremien, Sitzungen with Tagesordnungspunkten, Vorlagen and Beschlüsse as OParl 1.1.

Written as static files that any web server can serve: every list as one page and every object
under its own id (``<base>/body/1/meeting/12.json``), so the ids resolve. OParl knows no
implementation status; ours travels under the vendor prefix ``sozialforum:`` (additional
properties are allowed by the spec schemas): ``sozialforum:umsetzung`` on each Beschluss with
status, progress, traffic light, Aufträge with their deadlines (wording and date) and reports.
Persons and memberships are not exported (personal data; the council system publishes them).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import SQLModel, col

from sozialforum.beschluesse.stand import beschluss_staende
from sozialforum.oparl.speicher import TIMES_ON_ROW, VENDOR
from sozialforum.settings import Settings
from sozialforum.store.models import (
    AuditEntry,
    Beratung,
    Beschlusspunkt,
    Gremium,
    OparlObjekt,
    Sitzung,
    Tagesordnungspunkt,
    Umsetzungsbericht,
    Vorlage,
)
from sozialforum.store.models.base import pk, table_of
from sozialforum.timeutil import berlin
from sozialforum.vocab import BeratungErgebnis, BeratungRolle, GremiumArt, SitzungStatus, VorlageArt

T = "https://schema.oparl.org/1.1/"
Times = dict[int, tuple[str | None, str | None]]  # created/modified per row id
_STATE = {
    SitzungStatus.GEPLANT: "terminiert",
    SitzungStatus.EINGELADEN: "eingeladen",
    SitzungStatus.DURCHGEFUEHRT: "durchgeführt",
    SitzungStatus.ABGESAGT: "abgesagt",
}


def _stamp(moment: datetime) -> str:
    return berlin(moment).isoformat(timespec="seconds")


def _times(session: Session, table: str) -> Times:
    """created/modified of each row: from the audit trail, or for a row imported from OParl the
    source's own times (so an import of our export gives the same export back)."""
    rows = session.execute(
        sa.select(
            col(AuditEntry.datensatz_id), sa.func.min(col(AuditEntry.zeitpunkt)), sa.func.max(col(AuditEntry.zeitpunkt))
        )
        .where(col(AuditEntry.tabelle) == table)
        .group_by(col(AuditEntry.datensatz_id))
    )
    times: Times = {row_id: (_stamp(first), _stamp(last)) for row_id, first, last in rows if row_id is not None}
    source = session.execute(
        sa.select(col(OparlObjekt.datensatz_id), col(OparlObjekt.erstellt), col(OparlObjekt.modified)).where(
            col(OparlObjekt.tabelle) == table,
            col(OparlObjekt.datensatz_id).is_not(None),
            col(OparlObjekt.geloescht).is_(False),
            sa.or_(col(OparlObjekt.erstellt).is_not(None), col(OparlObjekt.modified).is_not(None)),
        )
    )
    found = list(source)
    if table in TIMES_ON_ROW:  # the times of a live imported row are on the row itself
        own = SQLModel.metadata.tables[table]
        found += session.execute(
            sa.select(own.c.id, own.c.oparl_erstellt, own.c.oparl_modified).where(
                sa.or_(own.c.oparl_erstellt.is_not(None), own.c.oparl_modified.is_not(None))
            )
        ).all()
    for row_id, created, modified in found:
        audit = times.get(row_id, (None, None))
        times[row_id] = (
            _stamp(created) if created else audit[0],
            _stamp(modified) if modified else audit[1],
        )
    return times


def _with_times(obj: dict[str, Any], times: Times, row_id: int | None) -> dict[str, Any]:
    created, modified = times.get(row_id or 0, (None, None))
    if created:
        obj["created"] = created
    if modified:
        obj["modified"] = modified
    return obj


def _natural(url: str) -> tuple[Any, ...]:
    """Sort key of an id: ``…/paper/2.json`` before ``…/paper/10.json`` before ``…/paper/beschluss-1.json``."""
    stem = url.rsplit("/", 1)[-1].removesuffix(".json")
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", stem))


PAGE_SIZE = 100


def _page_url(url: str, number: int) -> str:
    """``…/meetings.json`` for page 1, ``…/meetings-2.json`` after it (static files, no query)."""
    return url if number == 1 else f"{url.removesuffix('.json')}-{number}.json"


def _pages(items: list[dict[str, Any]], url: str, size: int = PAGE_SIZE) -> list[tuple[str, dict[str, Any]]]:
    """The pages of one list as (URL, page), with OParl 1.1 §5.3 pagination and links."""
    total = max(1, -(-len(items) // size))
    result = []
    for number in range(1, total + 1):
        links = {"first": _page_url(url, 1), "last": _page_url(url, total), "self": _page_url(url, number)}
        if number > 1:
            links["prev"] = _page_url(url, number - 1)
        if number < total:
            links["next"] = _page_url(url, number + 1)
        chunk = items[(number - 1) * size : number * size]
        page = {
            "data": chunk,
            "pagination": {
                "totalElements": len(items),
                "elementsPerPage": size,
                "currentPage": number,
                "totalPages": total,
            },
            "links": links,
        }
        result.append((_page_url(url, number), page))
    return result


def _page(items: list[dict[str, Any]], url: str) -> dict[str, Any]:
    return _pages(items, url)[0][1]


_OWN: dict[str, type[Any]] = {
    "organization": Gremium,
    "meeting": Sitzung,
    "agendaItem": Tagesordnungspunkt,
    "paper": Vorlage,
    "consultation": Beratung,
}


class _Urls:
    """Every id is the URL of its file: ``<base>/body/1/<kind>/<row id>.json`` — or, for a row
    imported from an export at this same base (ours, read back), the id it had there, so that
    export → import → export gives the same files."""

    def __init__(self, base: str, session: Session) -> None:
        self.base = base.rstrip("/")
        self.body = f"{self.base}/body/1"
        self.body_id = f"{self.body}.json"
        self.own: dict[tuple[str, int], str] = {}
        for kind, model in _OWN.items():
            table = table_of(model)
            prefix = f"{self.body}/{kind}/"
            query = sa.select(table.c.id, table.c.oparl_id).where(table.c.oparl_id.startswith(prefix, autoescape=True))
            for row_id, oparl_id in session.execute(query):
                self._adopt(kind, row_id, oparl_id, prefix)
        prefix = f"{self.body}/paper/beschluss-"
        query = sa.select(col(OparlObjekt.datensatz_id), col(OparlObjekt.oparl_id)).where(
            col(OparlObjekt.tabelle) == "beschluss",
            col(OparlObjekt.datensatz_id).is_not(None),
            col(OparlObjekt.oparl_id).startswith(prefix, autoescape=True),
        )
        for row_id, oparl_id in session.execute(query):
            self._adopt("beschluss", row_id, oparl_id, prefix)
        self.taken = set(self.own.values())

    def _adopt(self, kind: str, row_id: int, oparl_id: str, prefix: str) -> None:
        name = oparl_id.removeprefix(prefix)
        if name.endswith(".json") and re.fullmatch(r"[\w.-]+", name):
            self.own[(kind, row_id)] = oparl_id

    def of(self, kind: str, row_id: object) -> str:
        if isinstance(row_id, int) and (kind, row_id) in self.own:
            return self.own[(kind, row_id)]
        url = f"{self.body}/{kind}/{row_id}.json"
        if url in self.taken:  # a row made here whose number an adopted id already uses
            url = f"{self.body}/{kind}/lokal-{row_id}.json"
        return url

    def beschluss(self, row_id: int | None) -> str:
        if row_id is not None and ("beschluss", row_id) in self.own:
            return self.own[("beschluss", row_id)]
        return self.of("paper", f"beschluss-{row_id}")

    def location(self, meeting_url: str) -> str:
        return f"{self.body}/location/sitzung-{meeting_url.rsplit('/', 1)[-1]}"

    def lists(self, kind: str) -> str:
        return f"{self.body}/{kind}.json"


def _organizations(session: Session, urls: _Urls) -> list[dict[str, Any]]:
    times = _times(session, "gremium")
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
        result.append(_with_times(obj, times, g.id))
    return sorted(result, key=lambda o: _natural(o["id"]))


def _agenda_item(
    t: Tagesordnungspunkt,
    meeting_url: str,
    consultations: Mapping[tuple[int, int | None], int | None],
    sitzung_id: int,
    urls: _Urls,
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
    return _with_times(obj, times, t.id)


def _meetings(session: Session, urls: _Urls) -> list[dict[str, Any]]:
    times, top_times = _times(session, "sitzung"), _times(session, "tagesordnungspunkt")
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
            "start": _stamp(s.beginn),
            "end": _stamp(s.ende),
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
        result.append(_with_times(obj, times, s.id))
    return sorted(result, key=lambda o: (o["start"], _natural(o["id"])))


def _consultation(b: Beratung, paper_url: str, urls: _Urls) -> dict[str, Any]:
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


def _umsetzung(stand: Any, reports: list[Umsetzungsbericht], punkte: dict[int, str]) -> dict[str, Any]:
    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    def auftrag(t: Any) -> dict[str, Any]:
        obj = {
            "kennung": t.auftrag.kennung,
            "beschreibung": t.auftrag.beschreibung,
            "frist": day(t.auftrag.frist),
            "fristWortlaut": t.auftrag.frist_wortlaut,
            "status": t.auftrag.status,
            "fortschrittProzent": t.auftrag.fortschritt_prozent,
            "erledigtAm": day(t.auftrag.erledigt_am),
            "begonnenAm": day(t.auftrag.begonnen_am),
            "quelle": t.auftrag.quelle,
            "ampel": t.ampel.value,
        }
        if t.auftrag.beschlusspunkt_id in punkte:
            obj["punkt"] = punkte[t.auftrag.beschlusspunkt_id]
        return obj

    def bericht(r: Umsetzungsbericht) -> dict[str, Any]:
        obj = {"datum": r.datum.isoformat(), "status": r.status, "text": r.text}
        if r.auftrag_id in kennungen:
            obj["auftrag"] = kennungen[r.auftrag_id]
        return obj

    kennungen = {t.auftrag.id: t.auftrag.kennung for t in stand.auftraege}

    return {
        "status": stand.status.value,
        "statusText": stand.status.label,
        "fortschrittProzent": stand.fortschritt,
        "ampel": stand.ampel.value,
        "ampelText": stand.ampel.label,
        "naechsteFrist": day(stand.naechste_frist),
        "erledigtAm": day(stand.erledigt_am),
        "auftraege": [auftrag(t) for t in stand.auftraege],
        "berichte": [bericht(r) for r in reports],
    }


def _papers(session: Session, urls: _Urls, today: date, bald: int) -> list[dict[str, Any]]:
    times = _times(session, "vorlage")
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
        result.append(_with_times(obj, times, v.id))
    result.sort(key=lambda o: _natural(o["id"]))
    return result + _beschluss_papers(session, urls, today, bald)


def _beschluss_papers(session: Session, urls: _Urls, today: date, bald: int) -> list[dict[str, Any]]:
    """Each Beschluss as a Paper of type "Beschluss", its implementation under our prefix."""
    times = _times(session, "beschluss")
    reports: dict[int, list[Umsetzungsbericht]] = {}
    query = sa.select(Umsetzungsbericht).order_by(col(Umsetzungsbericht.datum), col(Umsetzungsbericht.id))
    for report in session.scalars(query):
        if report.beschluss_id is not None:  # reports on an Auftrag alone are not in the export
            reports.setdefault(report.beschluss_id, []).append(report)
    punkte: dict[int, list[Beschlusspunkt]] = {}
    for punkt in session.scalars(sa.select(Beschlusspunkt).order_by(col(Beschlusspunkt.id))):
        punkte.setdefault(punkt.beschluss_id, []).append(punkt)
    result = []
    for stand in sorted(beschluss_staende(session, today=today, bald=bald), key=lambda s: s.beschluss.id or 0):
        beschluss = stand.beschluss
        obj: dict[str, Any] = {
            "id": urls.beschluss(beschluss.id),
            "type": T + "Paper",
            "body": urls.body_id,
            "name": beschluss.titel,
            "reference": beschluss.kennung,
            "date": beschluss.datum.isoformat(),
            "paperType": "Beschluss",
        }
        if beschluss.vorlage_id:
            obj["relatedPaper"] = [urls.of("paper", beschluss.vorlage_id)]
        if beschluss.gremium_id:
            obj["underDirectionOf"] = [urls.of("organization", beschluss.gremium_id)]
        if beschluss.text:
            obj[f"{VENDOR}:beschlusstext"] = beschluss.text
        for name in ("fassung", "dezernat", "amt"):
            if getattr(beschluss, name):
                obj[f"{VENDOR}:{name}"] = getattr(beschluss, name)
        own = punkte.get(beschluss.id or 0, [])
        if own:
            obj[f"{VENDOR}:punkte"] = [{"nummer": p.nummer, "text": p.text} for p in own]
        obj[f"{VENDOR}:umsetzung"] = _umsetzung(
            stand, reports.get(beschluss.id or 0, []), {pk(p): p.nummer for p in own}
        )
        result.append(_with_times(obj, times, beschluss.id))
    return sorted(result, key=lambda o: _natural(o["id"]))


def export_oparl(session: Session, *, base_url: str, today: date, settings: Settings) -> dict[str, dict[str, Any]]:
    """Every file of the export: relative path → JSON object."""
    urls = _Urls(base_url, session)
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
        "bodies.json": _page([body], f"{urls.base}/bodies.json"),
        "body/1.json": body,
        "body/1/people.json": _page([], urls.lists("people")),
    }
    for kind, items in lists.items():
        for page_url, page in _pages(items, urls.lists(f"{kind}s")):
            files[page_url.removeprefix(urls.base + "/")] = page
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


def write_export(files: dict[str, dict[str, Any]], directory: Path) -> int:
    """Replace ``directory`` by the export as a whole: written beside it, then swapped in by two
    renames, so a server never sees a half-written export and no file of an earlier one stays."""
    directory = directory.resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{directory.name}.neu-", dir=directory.parent))
    try:
        for relative, obj in files.items():
            target = fresh / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        old = directory.parent / f".{directory.name}.alt-{fresh.name.rsplit('-', 1)[-1]}"
        if directory.exists():
            directory.rename(old)
        fresh.rename(directory)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return len(files)


def internal_urls(files: dict[str, dict[str, Any]], base: str) -> set[str]:
    """Every URL under ``base`` that the export mentions anywhere (for the resolve check)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.startswith(base.rstrip("/") + "/"):
            found.add(node)

    for obj in files.values():
        walk(obj)
    return found


def objects_to_validate(files: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each OParl object once (list pages are containers, not objects)."""
    return [obj for obj in files.values() if "type" in obj]
