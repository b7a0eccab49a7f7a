"""What the Geschäftsstelle sees of the portal: answers per Sitzung and per form, and the links.

Each table is returned as (header, rows) so that the page, the CSV and the XLSX show the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from sozialforum.portal.formulare import Formular, bezug_label
from sozialforum.store.models.akteure import Organisation, Person
from sozialforum.store.models.base import pk
from sozialforum.store.models.gremien import Gremium, Sitzung
from sozialforum.store.models.kommunikation import PersonalLink, Rueckmeldung
from sozialforum.store.models.portal import FormularAnfrage, FormularAntwort, Themenvorschlag
from sozialforum.vocab import Antwort, AntwortQuelle, Beduerfnis, LinkZweck, VorschlagStatus

Table = tuple[list[str], list[list[object]]]


def _label(vocab: Any, value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(vocab(value).label)
    except ValueError:
        return value


def _names(session: Session, person_ids: set[int]) -> dict[int, tuple[str, str]]:
    """person id → (name, Träger name)."""
    if not person_ids:
        return {}
    people = session.exec(select(Person).where(col(Person.id).in_(person_ids))).all()
    org_ids = {p.organisation_id for p in people if p.organisation_id}
    orgs = (
        {o.id: o.name for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids))).all()}
        if org_ids
        else {}
    )
    return {pk(p): (p.anzeigename or p.kennung, orgs.get(p.organisation_id, "")) for p in people}


@dataclass
class SitzungZeile:
    sitzung: Sitzung
    gremium: str
    zaehler: Counter[str]
    personen: int
    vorschlaege: int


def sitzungen(session: Session, *, limit: int = 200) -> list[SitzungZeile]:
    """Sitzungen, newest first, with RSVP counts per answer and the number of topic proposals."""
    rows = session.exec(select(Sitzung).order_by(col(Sitzung.beginn).desc()).limit(limit)).all()
    ids = [s.id for s in rows]
    gremien = {g.id: g.name for g in session.exec(select(Gremium)).all()}
    counts: dict[int | None, Counter[str]] = {i: Counter() for i in ids}
    people: Counter[int | None] = Counter()
    for r in session.exec(select(Rueckmeldung).where(col(Rueckmeldung.sitzung_id).in_(ids))).all():
        counts[r.sitzung_id][str(r.antwort)] += 1
        if r.antwort in (Antwort.ZUSAGE, Antwort.VIELLEICHT):
            people[r.sitzung_id] += r.personen
    vorschlaege = session.exec(select(Themenvorschlag).where(col(Themenvorschlag.sitzung_id).in_(ids))).all()
    proposals: Counter[int | None] = Counter(v.sitzung_id for v in vorschlaege)
    return [
        SitzungZeile(
            s,
            gremien.get(s.gremium_id, ""),
            counts[s.id],
            people[s.id],
            proposals[s.id],
        )
        for s in rows
    ]


def rsvp_table(session: Session, sitzung_id: int) -> Table:
    rows = session.exec(
        select(Rueckmeldung).where(col(Rueckmeldung.sitzung_id) == sitzung_id).order_by(col(Rueckmeldung.id))
    ).all()
    names = _names(session, {r.person_id for r in rows})
    header = ["Person", "Träger", "Antwort", "Personen", "Bedürfnisse", "Kommentar", "Quelle", "Beantwortet am"]
    body: list[list[object]] = []
    for r in sorted(rows, key=lambda r: names.get(r.person_id, ("", ""))[::-1]):
        name, org = names.get(r.person_id, ("", ""))
        body.append(
            [
                name,
                org,
                _label(Antwort, r.antwort),
                r.personen,
                [_label(Beduerfnis, b) for b in r.beduerfnisse],
                r.kommentar,
                _label(AntwortQuelle, r.quelle),
                r.beantwortet_am,
            ]
        )
    return header, body


def proposals_table(session: Session, sitzung_id: int) -> Table:
    rows = session.exec(
        select(Themenvorschlag)
        .where(col(Themenvorschlag.sitzung_id) == sitzung_id)
        .order_by(col(Themenvorschlag.eingereicht_am))
    ).all()
    names = _names(session, {r.person_id for r in rows})
    header = ["Thema", "Begründung", "Minuten", "Person", "Träger", "Status", "Eingereicht am"]
    return header, [
        [
            r.titel,
            r.begruendung,
            r.dauer_minuten,
            *names.get(r.person_id, ("", "")),
            _label(VorschlagStatus, r.status),
            r.eingereicht_am,
        ]
        for r in rows
    ]


@dataclass
class FormularZeile:
    formular: Formular
    anfragen: int
    antworten: int


def forms_overview(session: Session, definitions: dict[str, Formular]) -> list[FormularZeile]:
    requests = Counter(a.formular for a in session.exec(select(FormularAnfrage)).all())
    answered = Counter(
        a.formular
        for a, _ in session.exec(
            select(FormularAnfrage, FormularAntwort).where(FormularAntwort.anfrage_id == FormularAnfrage.id)
        ).all()
    )
    return [FormularZeile(f, requests[k], answered[k]) for k, f in definitions.items()]


def form_table(session: Session, formular: Formular) -> Table:
    """One row per request of the form: Träger, object, version, and every field's value."""
    pairs = session.exec(
        select(FormularAnfrage, Organisation)
        .where(FormularAnfrage.formular == formular.kennung, Organisation.id == FormularAnfrage.organisation_id)
        .order_by(Organisation.name)
    ).all()
    answers = {
        a.anfrage_id: a
        for a in session.exec(
            select(FormularAntwort).where(col(FormularAntwort.anfrage_id).in_([anfrage.id for anfrage, _ in pairs]))
        ).all()
    }
    names = _names(session, {a.person_id for a in answers.values() if a.person_id})
    header = [
        "Träger",
        "Bezug",
        "Frist",
        "Fassung",
        "Eingereicht am",
        "Eingereicht von",
        *[feld.label for feld in formular.felder],
    ]
    options = {feld.name: dict(feld.optionen) for feld in formular.felder}
    body: list[list[object]] = []
    for anfrage, organisation in pairs:
        antwort = answers.get(pk(anfrage))
        werte = antwort.werte if antwort else {}
        values: list[object] = []
        for feld in formular.felder:
            value = werte.get(feld.name)
            if feld.typ == "auswahl" and isinstance(value, str):
                value = options[feld.name].get(value, value)
            values.append(value)
        body.append(
            [
                organisation.name,
                bezug_label(session, formular, anfrage.bezug_id) or "",
                anfrage.frist,
                antwort.version if antwort else None,
                antwort.eingereicht_am if antwort else None,
                names.get(antwort.person_id, ("", ""))[0] if antwort and antwort.person_id else "",
                *values,
            ]
        )
    return header, body


@dataclass
class LinkZeile:
    link: PersonalLink
    person: str
    traeger: str
    zweck: str
    status: str


def links(session: Session, *, zwecke: Sequence[LinkZweck], bezug_ids: Sequence[int], now: datetime) -> list[LinkZeile]:
    """The personal links of some purposes and objects, with a German status."""
    if not bezug_ids:
        return []
    rows = session.exec(
        select(PersonalLink)
        .where(
            col(PersonalLink.zweck).in_([z.value for z in zwecke]),
            col(PersonalLink.bezug_id).in_(list(bezug_ids)),
        )
        .order_by(col(PersonalLink.id).desc())
    ).all()
    names = _names(session, {r.person_id for r in rows})
    result = []
    for r in rows:
        if r.widerrufen_am is not None:
            status = "zurückgezogen"
        elif r.gueltig_bis <= now:
            status = "abgelaufen"
        else:
            status = "gültig" + (", benutzt" if r.zuletzt_benutzt_am else "")
        name, org = names.get(r.person_id, ("", ""))
        result.append(LinkZeile(r, name, org, _label(LinkZweck, r.zweck), status))
    return result
