"""Träger take part by link: the RSVP to a Sitzung and topic proposals for its agenda.

The RSVP writes the same ``Rueckmeldung`` row (one per Sitzung and person) that calendar replies
update, so the latest answer wins whichever way it came. It can be changed until the meeting
begins; a cancelled Sitzung takes no answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sozialforum.links import LINK_BY_HASH
from sozialforum.parsing import is_valid_email
from sozialforum.portal.seitenform import ohne_luecken
from sozialforum.store.db import savepoint
from sozialforum.store.direct import DirectStatement
from sozialforum.store.models.akteure import Organisation, Person
from sozialforum.store.models.audit import AuditEntry
from sozialforum.store.models.base import table_of
from sozialforum.store.models.gremien import Gremium, Sitzung, Tagesordnungspunkt
from sozialforum.store.models.kommunikation import PersonalLink, Rueckmeldung
from sozialforum.store.models.portal import Themenvorschlag
from sozialforum.vocab import Antwort, AntwortQuelle, AuditAktion, Beduerfnis, SitzungStatus

# The answers a link offers (DELEGIERT with the deputy's name); OFFEN is only ever the start.
LINK_ANTWORTEN = (Antwort.ZUSAGE, Antwort.VIELLEICHT, Antwort.DELEGIERT, Antwort.ABSAGE)
MAX_PERSONEN = 20


class EingabeFehler(ValueError):
    """Invalid input; ``fehler`` maps field names to German messages."""

    def __init__(self, fehler: dict[str, str]) -> None:
        super().__init__("; ".join(fehler.values()))
        self.fehler = fehler


class SitzungGeschlossen(Exception):
    """The Sitzung takes no more answers (begun or cancelled); the message is German."""


@dataclass(frozen=True)
class RsvpEingabe:
    antwort: Antwort
    personen: int
    beduerfnisse: list[str]
    kommentar: str | None
    vertretung_name: str | None = None
    vertretung_email: str | None = None


# Looked up per submission (an enum's members and values are slow to walk).
_LINK_ANTWORT = {antwort.value: antwort for antwort in LINK_ANTWORTEN}
_BEDUERFNISSE = tuple(beduerfnis.value for beduerfnis in Beduerfnis)


def parse_rsvp(form: Any) -> RsvpEingabe:
    """Check the posted RSVP form; EingabeFehler names every bad field."""
    get = form.get
    fehler: dict[str, str] = {}
    antwort = _LINK_ANTWORT.get(str(get("antwort") or ""))
    if antwort is None:
        fehler["antwort"] = "Bitte wählen Sie, ob Sie teilnehmen."
    raw_personen = str(get("personen") or "1").strip()
    personen = 1
    if not raw_personen.isdigit() or not 1 <= int(raw_personen) <= MAX_PERSONEN:
        fehler["personen"] = f"Bitte geben Sie eine Zahl von 1 bis {MAX_PERSONEN} an."
    else:
        personen = int(raw_personen)
    getlist = getattr(form, "getlist", None)
    chosen = getlist("beduerfnisse") if getlist else (get("beduerfnisse") or [])
    beduerfnisse = [value for value in _BEDUERFNISSE if value in chosen]
    if any(value not in _BEDUERFNISSE for value in chosen):
        fehler["beduerfnisse"] = "Unbekannte Angabe bei den Bedürfnissen."
    kommentar = str(get("kommentar") or "").strip()[:2000] or None
    vertretung_name = vertretung_email = None
    if antwort == Antwort.DELEGIERT:
        vertretung_name = " ".join(str(get("vertretung_name") or "").split()) or None
        vertretung_email = str(get("vertretung_email") or "").strip() or None
        if vertretung_name is None:
            fehler["vertretung_name"] = "Bitte nennen Sie, wer Sie vertritt."
        elif len(vertretung_name) > 200 or not vertretung_name.isprintable():
            fehler["vertretung_name"] = "Bitte geben Sie einen Namen mit höchstens 200 Zeichen an."
        if vertretung_email is not None and not is_valid_email(vertretung_email):
            fehler["vertretung_email"] = "Bitte geben Sie die E-Mail-Adresse vollständig an, z. B. name@traeger.de."
    if fehler:
        raise EingabeFehler(fehler)
    assert antwort is not None
    if antwort == Antwort.ABSAGE:
        personen = 0
    elif antwort == Antwort.DELEGIERT:
        personen = 1  # the deputy
    return RsvpEingabe(antwort, personen, beduerfnisse, kommentar, vertretung_name, vertretung_email)


def sitzung_open(sitzung: Sitzung, *, now: datetime) -> str | None:
    """Why the Sitzung takes no answers any more (German), or None if it does."""
    return _closed(sitzung.status, sitzung.beginn, now)


# Built once: ``session.get`` builds its query anew on every call (a quarter of a millisecond).
_SITZUNG_MIT_GREMIUM = (
    select(Sitzung, Gremium)
    .join(Gremium, col(Gremium.id) == col(Sitzung.gremium_id))
    .where(Sitzung.id == sa.bindparam("sitzung_id"))
)


def load_sitzung(session: Session, sitzung_id: int) -> tuple[Sitzung, Gremium]:
    row = session.exec(_SITZUNG_MIT_GREMIUM, params={"sitzung_id": sitzung_id}).first()
    if row is None:
        raise LookupError(f"Sitzung {sitzung_id} nicht gefunden.")
    return row[0], row[1]


_RSVP = table_of(Rueckmeldung)
_SITZUNG = table_of(Sitzung)
_GREMIUM = table_of(Gremium)
_PERSON = table_of(Person)
_ORGANISATION = table_of(Organisation)
_LINK = table_of(PersonalLink)
_RSVP_FIELDS = (
    "antwort",
    "personen",
    "beduerfnisse",
    "kommentar",
    "vertretung_name",
    "vertretung_email",
    "quelle",
    "beantwortet_am",
    "warteliste",
)
_RSVP_COLUMNS = (_RSVP.c.id.label("rueckmeldung_id"), *(_RSVP.c[name] for name in _RSVP_FIELDS))
# Built once: the RSVP is the portal's hot path (every Träger opens the page and answers within
# the hour after the invitation), so it runs as plain statements instead of through ORM objects,
# and the page's reads go into the statement that verifies the link (links.LINK_BY_HASH).
_SITZUNG_OF_LINK = _SITZUNG.c.id == _LINK.c.bezug_id
_RSVP_OF_LINK = sa.and_(_RSVP.c.sitzung_id == _LINK.c.bezug_id, _RSVP.c.person_id == _LINK.c.person_id)
# Everything the RSVP page shows (see ``rsvp_ansicht``) and a submission needs (the Sitzung's
# state and the person's current row, see ``record_rsvp``).
RSVP_ANSICHT = (
    LINK_BY_HASH.add_columns(
        _SITZUNG.c.titel,
        _SITZUNG.c.beginn,
        _SITZUNG.c.ende,
        _SITZUNG.c.ort,
        _SITZUNG.c.adresse,
        _SITZUNG.c.status,
        _GREMIUM.c.name.label("gremium"),
        _GREMIUM.c.plaetze,
        _PERSON.c.vorname,
        _PERSON.c.nachname,
        _PERSON.c.email,
        _ORGANISATION.c.name.label("organisation"),
        *_RSVP_COLUMNS,
    )
    .outerjoin(_SITZUNG, _SITZUNG_OF_LINK)
    .outerjoin(_GREMIUM, _GREMIUM.c.id == _SITZUNG.c.gremium_id)
    .outerjoin(_ORGANISATION, _ORGANISATION.c.id == _PERSON.c.organisation_id)
    .outerjoin(_RSVP, _RSVP_OF_LINK)
)
# A submission's needs without a link (for other callers, and after a concurrent insert).
_STAND = (
    sa.select(_SITZUNG.c.beginn, _SITZUNG.c.status, *_RSVP_COLUMNS)
    .select_from(
        _SITZUNG.outerjoin(
            _RSVP, sa.and_(_RSVP.c.sitzung_id == _SITZUNG.c.id, _RSVP.c.person_id == sa.bindparam("person_id"))
        )
    )
    .where(_SITZUNG.c.id == sa.bindparam("sitzung_id"))
)
_UPDATE = DirectStatement(_RSVP.update().where(_RSVP.c.id == sa.bindparam("row_id")))


def rsvp_ansicht(row: Any, luecke: Callable[[Any], Any] = ohne_luecken) -> dict[str, Any]:
    """The RSVP page's values from a link's row read with ``RSVP_ANSICHT``: ``sitzung``,
    ``gremium``, ``person``, ``organisation`` (as the templates address them) and ``antwort``
    (the person's current answer, None if there is none yet). The person's and the Träger's
    names and the address pass through ``luecke`` (``portal.seitenform``)."""
    if row.status is None:
        raise LookupError(f"Sitzung {row.bezug_id} nicht gefunden.")
    return {
        "sitzung": SimpleNamespace(
            titel=row.titel, beginn=row.beginn, ende=row.ende, ort=row.ort, adresse=row.adresse, status=row.status
        ),
        "gremium": SimpleNamespace(name=row.gremium, plaetze=row.plaetze),
        # The same name as Person.anzeigename gives.
        "person": SimpleNamespace(
            anzeigename=luecke(" ".join(part for part in (row.vorname, row.nachname) if part)),
            email=luecke(row.email),
        ),
        "organisation": SimpleNamespace(name=luecke(row.organisation)) if row.organisation is not None else None,
        "antwort": (
            SimpleNamespace(**{name: getattr(row, name) for name in _RSVP_FIELDS})
            if row.rueckmeldung_id is not None
            else None
        ),
    }


def record_rsvp(
    connection: sa.Connection,
    *,
    akteur: str,
    sitzung_id: int,
    person_id: int,
    eingabe: RsvpEingabe,
    now: datetime,
    quelle: AntwortQuelle = AntwortQuelle.LINK,
    stand: Any | None = None,
) -> int:
    """Write the answer into the person's one Rueckmeldung row for the Sitzung; return its id.

    Audited like an ORM change (``{field: [old, new]}`` under ``akteur``), in the caller's
    transaction on ``connection`` (a session's connection will do as well). ``stand`` is the
    link's row read with ``RSVP_ANSICHT`` in this transaction, if the caller has it. The UPDATE
    and the audit entry run as ``store.direct`` statements (a third of the answer's CPU went
    into SQLAlchemy's execution machinery around them).
    """
    params = {"sitzung_id": sitzung_id, "person_id": person_id}
    row = stand if stand is not None else connection.execute(_STAND, params).first()
    if row is None or row.status is None:
        raise LookupError(f"Sitzung {sitzung_id} nicht gefunden.")
    closed = _closed(row.status, row.beginn, now)
    if closed:
        raise SitzungGeschlossen(closed)
    new = {
        "antwort": eingabe.antwort.value,
        "personen": eingabe.personen,
        "beduerfnisse": list(eingabe.beduerfnisse),
        "kommentar": eingabe.kommentar,
        "vertretung_name": eingabe.vertretung_name,
        "vertretung_email": eingabe.vertretung_email,
        "quelle": quelle.value,
        "beantwortet_am": now,
    }
    if row.rueckmeldung_id is None:
        try:
            with savepoint(connection):
                key = connection.execute(
                    _RSVP.insert().values(sitzung_id=sitzung_id, person_id=person_id, **new)
                ).inserted_primary_key
                assert key is not None
                row_id = int(key[0])
            _audit(connection, akteur, row_id, AuditAktion.CREATE, {}, now)
            return int(row_id)
        except sa.exc.IntegrityError:  # a calendar reply created the row meanwhile
            row = connection.execute(_STAND, params).first()
            assert row is not None and row.rueckmeldung_id is not None
    old = {name: getattr(row, name) for name in _RSVP_FIELDS}
    changes = {name: [_plain(old[name]), _plain(value)] for name, value in new.items() if old[name] != value}
    if changes:
        # Only what changed is written (the needs' JSON is rarely among it).
        _UPDATE.run(connection, {"row_id": row.rueckmeldung_id, **{name: new[name] for name in changes}})
        _audit(connection, akteur, row.rueckmeldung_id, AuditAktion.UPDATE, changes, now)
    return int(row.rueckmeldung_id)


_AUDIT_INSERT = DirectStatement(table_of(AuditEntry).insert())


def _audit(
    connection: sa.Connection,
    akteur: str,
    row_id: int,
    action: AuditAktion,
    changes: Mapping[str, object],
    now: datetime,
) -> None:
    """The audit entry the session hook would write, as one Core insert (``audit.record_bulk``
    goes through the ORM's bulk path, which costs a third of the RSVP's time)."""
    _AUDIT_INSERT.run(
        connection,
        {
            "zeitpunkt": now,
            "akteur": akteur,
            "tabelle": "rueckmeldung",
            "datensatz_id": row_id,
            "aktion": action.value,
            "aenderungen": dict(changes),
        },
    )


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _closed(status: str, beginn: datetime, now: datetime) -> str | None:
    if status == SitzungStatus.ABGESAGT:
        return "Diese Sitzung wurde abgesagt. Eine Rückmeldung ist nicht mehr nötig."
    if beginn <= now:
        return "Die Sitzung hat bereits begonnen; Rückmeldungen sind nicht mehr möglich."
    return None


def agenda(session: Session, sitzung_id: int) -> list[Tagesordnungspunkt]:
    """The public agenda items (what a Träger may see of the agenda)."""
    return list(
        session.exec(
            select(Tagesordnungspunkt)
            .where(Tagesordnungspunkt.sitzung_id == sitzung_id, Tagesordnungspunkt.oeffentlich)
            .order_by(col(Tagesordnungspunkt.reihenfolge))
        )
    )


def parse_vorschlag(form: Any) -> tuple[str, str | None, int | None]:
    get = form.get
    fehler: dict[str, str] = {}
    titel = " ".join(str(get("titel") or "").split())
    if len(titel) < 3:
        fehler["titel"] = "Bitte geben Sie ein Thema an (mindestens 3 Zeichen)."
    elif len(titel) > 300:
        fehler["titel"] = "Das Thema darf höchstens 300 Zeichen lang sein."
    begruendung = str(get("begruendung") or "").strip()[:5000] or None
    raw = str(get("dauer_minuten") or "").strip()
    dauer = None
    if raw:
        if not raw.isdigit() or not 5 <= int(raw) <= 180:
            fehler["dauer_minuten"] = "Bitte geben Sie eine Dauer von 5 bis 180 Minuten an."
        else:
            dauer = int(raw)
    if fehler:
        raise EingabeFehler(fehler)
    return titel, begruendung, dauer


def propose_topic(
    session: Session,
    *,
    sitzung_id: int,
    person: Person,
    titel: str,
    begruendung: str | None,
    dauer_minuten: int | None,
    now: datetime,
    hoechstens: int = 5,
) -> Themenvorschlag:
    """Record a topic proposal for the Sitzung's agenda (audited); at most ``hoechstens`` per
    person and Sitzung, so one link cannot flood the Geschäftsstelle's list."""
    sitzung, _ = load_sitzung(session, sitzung_id)
    closed = sitzung_open(sitzung, now=now)
    if closed:
        raise SitzungGeschlossen(closed.replace("Rückmeldungen", "Themenvorschläge"))
    assert person.id is not None
    if len(own_proposals(session, sitzung_id=sitzung_id, person_id=person.id)) >= hoechstens:
        raise EingabeFehler(
            {"titel": f"Sie haben bereits {hoechstens} Themen vorgeschlagen; mehr sind je Sitzung nicht möglich."}
        )
    vorschlag = Themenvorschlag(
        sitzung_id=sitzung_id,
        person_id=person.id,
        organisation_id=person.organisation_id,
        titel=titel,
        begruendung=begruendung,
        dauer_minuten=dauer_minuten,
        eingereicht_am=now,
    )
    session.add(vorschlag)  # audited by the session hook (themenvorschlag: Audit.VOLL)
    session.flush()
    assert vorschlag.id is not None
    return vorschlag


def own_proposals(session: Session, *, sitzung_id: int, person_id: int) -> list[Themenvorschlag]:
    """Only the person's own proposals: no Träger sees what another proposed."""
    return list(
        session.exec(
            select(Themenvorschlag)
            .where(Themenvorschlag.sitzung_id == sitzung_id, Themenvorschlag.person_id == person_id)
            .order_by(col(Themenvorschlag.eingereicht_am))
        )
    )
