"""Submitting a draft (a new version each time) and commenting on it."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.links import issue_link
from sozialforum.problems import Problem, ProblemReport
from sozialforum.protokoll import mails
from sozialforum.protokoll.anfordern import tagesordnung
from sozialforum.protokoll.eingabe import EntwurfEingabe, GepruefterEntwurf, pruefe_entwurf
from sozialforum.protokoll.lage import ProtokollFehler, get_protokoll, get_sitzung, gremium_of
from sozialforum.protokoll.teilnehmende import teilnehmende
from sozialforum.settings import Settings
from sozialforum.store import audit
from sozialforum.store.models import (
    PersonalLink,
    Protokoll,
    ProtokollDatei,
    ProtokollEintrag,
    ProtokollKommentar,
    ProtokollPunkt,
    ProtokollVersion,
    Sitzung,
)
from sozialforum.timeutil import as_utc, berlin, format_termin
from sozialforum.vocab import AuditAktion, LinkZweck, ProtokollDateiArt, ProtokollForm, ProtokollStatus

CLOSED = (ProtokollStatus.FREIGEGEBEN, ProtokollStatus.VERTEILT)
MAX_KOMMENTAR = 5000


def _store_version(
    session: Session,
    protokoll: Protokoll,
    sitzung: Sitzung,
    entwurf: GepruefterEntwurf,
    *,
    person_id: int,
    now: datetime,
) -> ProtokollVersion:
    version = ProtokollVersion(
        protokoll_id=protokoll.id,  # type: ignore[arg-type]  # stored: id set
        nummer=protokoll.aktuelle_version + 1,
        form=ProtokollForm.DOKUMENT if entwurf.dokument else ProtokollForm.STRUKTURIERT,
        eingereicht_am=now,
        eingereicht_von_person_id=person_id,
        anmerkung=entwurf.anmerkung or None,
        beginn=entwurf.beginn,
        ende=entwurf.ende,
    )
    session.add(version)
    session.flush()
    tops = {top.id: top for top in tagesordnung(session, sitzung)}
    for order, eintrag in enumerate(entwurf.eintraege, start=1):
        top = tops.get(eintrag.tagesordnungspunkt_id) if eintrag.tagesordnungspunkt_id else None
        session.add(
            ProtokollEintrag(
                version_id=version.id,  # type: ignore[arg-type]  # stored: id set
                tagesordnungspunkt_id=top.id if top else None,
                reihenfolge=order,
                nummer=top.nummer if top else "–",
                titel=top.titel if top else (eintrag.titel or "Sonstiges"),
                diskussion=eintrag.diskussion.strip(),
                ergebnis=eintrag.ergebnis.strip(),
            )
        )
    for order, punkt in enumerate(entwurf.punkte, start=1):
        session.add(
            ProtokollPunkt(
                version_id=version.id,  # type: ignore[arg-type]  # stored: id set
                tagesordnungspunkt_id=punkt.tagesordnungspunkt_id,
                reihenfolge=order,
                art=punkt.art,
                beschreibung=punkt.beschreibung,
                frist=punkt.frist,
                verantwortlich_person_id=punkt.verantwortlich_person_id,
                verantwortlich_organisation_id=punkt.verantwortlich_organisation_id,
            )
        )
    if entwurf.dokument is not None:
        session.add(
            ProtokollDatei(
                protokoll_id=protokoll.id,  # type: ignore[arg-type]  # stored: id set
                version_id=version.id,  # type: ignore[arg-type]  # stored: id set
                art=ProtokollDateiArt.ENTWURF,
                dateiname=entwurf.dokument.dateiname,
                mimetype=entwurf.dokument.mimetype,
                groesse=len(entwurf.dokument.inhalt),
                sha256=hashlib.sha256(entwurf.dokument.inhalt).hexdigest(),
                inhalt=entwurf.dokument.inhalt,
                erstellt_am=now,
            )
        )
    return version


def submit_draft(
    session: Session, *, protokoll_id: int, person_id: int, eingabe: EntwurfEingabe, now: datetime, settings: Settings
) -> ProtokollVersion:
    """Store a checked draft as the next version, open the comment period and invite the
    participants to comment. ProblemReport (nothing changed) for a bad draft."""
    protokoll = get_protokoll(session, protokoll_id)
    if protokoll.status in CLOSED:
        raise ProtokollFehler("Das Protokoll ist bereits freigegeben; ein neuer Entwurf ist nicht mehr möglich.")
    if person_id != protokoll.protokollfuehrung_person_id:
        raise ProtokollFehler("Nur die Protokollführung dieser Sitzung kann einen Entwurf einreichen.")
    sitzung = get_sitzung(session, protokoll.sitzung_id)
    tops = tagesordnung(session, sitzung)
    checked = pruefe_entwurf(session, sitzung, eingabe, today=berlin(now).date(), settings=settings, tops=tops)
    version = _store_version(session, protokoll, sitzung, checked, person_id=person_id, now=now)
    # Versions are a record (Audit.PROTOKOLL), not hook-audited: the submission is recorded here.
    audit.record_bulk(
        session,
        table="protokoll_version",
        entries=[(version.id or 0, AuditAktion.CREATE, {"protokoll_id": protokoll_id, "nummer": version.nummer})],
    )
    protokoll.aktuelle_version = version.nummer
    protokoll.status = ProtokollStatus.EINGEREICHT
    protokoll.kommentar_bis = now + timedelta(days=settings.protokoll.kommentar_tage)
    protokoll.freigabe_lauf_id = None
    protokoll.freigabe_erinnerungen = 0
    session.add(protokoll)
    _invite_comments(session, protokoll, sitzung, version, now=now, settings=settings)
    return version


def _still_invited(session: Session, protokoll: Protokoll, person_id: int, *, now: datetime) -> bool:
    """True if the person holds a comment link for these minutes that still works; it is then
    extended to the new comment period instead of mailing them again (13 versions of a draft
    used to mean 13 mails to every participant). The link always shows the current version."""
    links = session.scalars(
        sa.select(PersonalLink).where(
            col(PersonalLink.person_id) == person_id,
            col(PersonalLink.zweck) == LinkZweck.PROTOKOLL_KOMMENTAR,
            col(PersonalLink.bezug_id) == protokoll.id,
            col(PersonalLink.widerrufen_am).is_(None),
        )
    ).all()
    live = [link for link in links if as_utc(link.gueltig_bis) > as_utc(now)]
    for link in live:
        assert protokoll.kommentar_bis is not None
        link.gueltig_bis = max(as_utc(link.gueltig_bis), as_utc(protokoll.kommentar_bis))
        session.add(link)
    return bool(live)


def _invite_comments(
    session: Session,
    protokoll: Protokoll,
    sitzung: Sitzung,
    version: ProtokollVersion,
    *,
    now: datetime,
    settings: Settings,
) -> None:
    gremium = gremium_of(session, sitzung)
    assert protokoll.id is not None and protokoll.kommentar_bis is not None
    bezug = {"protokoll_id": protokoll.id, "sitzung_id": sitzung.id, "version": version.nummer}
    context = {"gremium": gremium, "sitzung": sitzung, "protokoll": protokoll, "version": version, "settings": settings}
    for person in teilnehmende(session, sitzung):
        if person.id == version.eingereicht_von_person_id or not person.contactable or person.id is None:
            continue
        schluessel = f"protokoll:{protokoll.id}:v{version.nummer}:kommentar:person={person.id}"
        if mails.already_queued(session, schluessel):
            continue
        if _still_invited(session, protokoll, person.id, now=now):
            continue  # a resubmitted draft: the link they have shows the new version
        link = issue_link(
            session,
            person_id=person.id,
            zweck=LinkZweck.PROTOKOLL_KOMMENTAR,
            bezug_id=protokoll.id,
            now=now,
            settings=settings,
            gueltig_bis=protokoll.kommentar_bis,
        )
        subject = mails.betreff(gremium, sitzung, f"Entwurf (Version {version.nummer}) zur Kommentierung")
        mails.an_person(
            session,
            schluessel=schluessel,
            person=person,
            subject=subject,
            body=mails.text("kommentar_einladung", person=person, link=link, **context),
            bezug=bezug,
            now=now,
            settings=settings,
        )
    mails.an_geschaeftsstelle(
        session,
        schluessel=f"protokoll:{protokoll.id}:v{version.nummer}:eingegangen",
        subject=mails.betreff(gremium, sitzung, f"Entwurf (Version {version.nummer}) eingegangen"),
        body=mails.text("entwurf_eingegangen", **context),
        bezug=bezug,
        now=now,
        settings=settings,
    )


def add_comment(
    session: Session, *, protokoll_id: int, person_id: int, text: str, tagesordnungspunkt_id: int | None, now: datetime
) -> ProtokollKommentar:
    """A participant's comment on the current version, within the comment period."""
    protokoll = get_protokoll(session, protokoll_id)
    if protokoll.status != ProtokollStatus.EINGEREICHT or protokoll.kommentar_bis is None:
        raise ProtokollFehler("Zu diesem Protokoll können zurzeit keine Kommentare abgegeben werden.")
    if as_utc(now) >= as_utc(protokoll.kommentar_bis):
        raise ProtokollFehler(f"Die Kommentierungsfrist ist am {format_termin(protokoll.kommentar_bis)} abgelaufen.")
    sitzung = get_sitzung(session, protokoll.sitzung_id)
    if person_id not in {p.id for p in teilnehmende(session, sitzung)}:
        raise ProtokollFehler("Kommentieren können nur Teilnehmende der Sitzung.")
    body = text.strip()
    problems = []
    if not body:
        problems.append(Problem("Kommentar", None, "Kommentar", "fehlt"))
    elif len(body) > MAX_KOMMENTAR:
        problems.append(Problem("Kommentar", None, "Kommentar", "ist zu lang (höchstens 5.000 Zeichen)"))
    top_ids = {top.id for top in tagesordnung(session, sitzung)}
    if tagesordnungspunkt_id is not None and tagesordnungspunkt_id not in top_ids:
        problems.append(Problem("Kommentar", None, "Tagesordnungspunkt", "gehört nicht zu dieser Sitzung"))
    if problems:
        raise ProblemReport(problems)
    version = session.scalars(
        sa.select(ProtokollVersion).where(
            col(ProtokollVersion.protokoll_id) == protokoll_id,
            col(ProtokollVersion.nummer) == protokoll.aktuelle_version,
        )
    ).one()
    comment = ProtokollKommentar(
        protokoll_id=protokoll_id,
        version_id=version.id,  # type: ignore[arg-type]  # stored: id set
        person_id=person_id,
        tagesordnungspunkt_id=tagesordnungspunkt_id,
        text=body,
        erstellt_am=now,
    )
    session.add(comment)
    session.flush()
    audit.record_bulk(
        session,
        table="protokoll_kommentar",
        entries=[(comment.id or 0, AuditAktion.CREATE, {"protokoll_id": protokoll_id, "version_id": version.id})],
    )
    return comment


def kommentare(session: Session, protokoll: Protokoll, version_id: int | None = None) -> list[ProtokollKommentar]:
    query = sa.select(ProtokollKommentar).where(col(ProtokollKommentar.protokoll_id) == protokoll.id)
    if version_id is not None:
        query = query.where(col(ProtokollKommentar.version_id) == version_id)
    return list(session.scalars(query.order_by(col(ProtokollKommentar.erstellt_am), col(ProtokollKommentar.id))))
