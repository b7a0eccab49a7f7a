"""The planning cycle's decisions: what is due on a day, read from the store (``today`` and ``now``
are parameters, so a simulated week or year is the same code as the real one).

Every due action has a natural key (``Aktion.schluessel``). Per-Sitzung actions (prepare, invite,
remind, request the minutes) and per-period actions (the monthly leadership report) are derived
from the state of the store, not from the calendar of past runs: after downtime whatever became
due in the meantime is still due, and runs once, because its key is booked when it ran
(``sozialforum.betrieb.buchfuehrung``). The daily scans (deadlines, minutes reminders, the
mailbox) are keyed by the day they run; each scan catches up on missed days by itself (the
deadline watch sends an overdue reminder once, however many days were missed).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten.aktualisierung import quelldateien
from sozialforum.konferenz.termine import invitation_due, meeting_day, reminder_due
from sozialforum.protokoll.lage import held_without_protokoll
from sozialforum.settings import Settings
from sozialforum.store.models import (
    Bewertungsrunde,
    Datenlieferung,
    Gremium,
    Projektbericht,
    Protokoll,
    Sitzung,
    ZyklusAktion,
)
from sozialforum.timeutil import BERLIN, berlin, format_datum, format_termin
from sozialforum.vocab import ProtokollStatus, SitzungStatus, ZyklusArt, ZyklusStatus

# The order in which a day's actions run: data first (the conference packs show the new
# profile), distribute approved minutes before the daily minutes run looks at them, read the
# answers before reminding those who have not answered (mailbox, invitations and reminders are
# one call of einladungen_versenden when due on the same day).
REIHENFOLGE: tuple[ZyklusArt, ...] = (
    ZyklusArt.DATENAKTUALISIERUNG,
    ZyklusArt.PROTOKOLL_VERTEILEN,
    ZyklusArt.PROTOKOLL_ANFORDERN,
    ZyklusArt.KONFERENZ_VORBEREITEN,
    ZyklusArt.ANTWORTEN_LESEN,
    ZyklusArt.EINLADUNGEN_VERSENDEN,
    ZyklusArt.KONFERENZ_ERINNERUNG,
    ZyklusArt.PROTOKOLLE_NACHHALTEN,
    ZyklusArt.BEWERTUNGSRUNDE,
    ZyklusArt.FRISTEN_UEBERWACHEN,
    ZyklusArt.LEITUNGSBERICHT,
)
# The flow (function and flow name, found through prefect.yaml) that carries out each kind.
FLOW: dict[ZyklusArt, str] = {
    ZyklusArt.DATENAKTUALISIERUNG: "datenaktualisierung",
    ZyklusArt.PROTOKOLL_VERTEILEN: "protokoll_einsammeln",
    ZyklusArt.PROTOKOLL_ANFORDERN: "protokoll_einsammeln",
    ZyklusArt.ANTWORTEN_LESEN: "einladungen_versenden",
    ZyklusArt.KONFERENZ_VORBEREITEN: "konferenz_vorbereiten",
    ZyklusArt.EINLADUNGEN_VERSENDEN: "einladungen_versenden",
    ZyklusArt.KONFERENZ_ERINNERUNG: "einladungen_versenden",
    ZyklusArt.PROTOKOLLE_NACHHALTEN: "protokolle_nachhalten",
    ZyklusArt.FRISTEN_UEBERWACHEN: "fristen_ueberwachen",
    ZyklusArt.LEITUNGSBERICHT: "leitungsbericht",
    ZyklusArt.BEWERTUNGSRUNDE: "bewertungsrunde",
}


@dataclass(frozen=True)
class Aktion:
    """One due action, as plain values (it travels between Prefect tasks)."""

    art: ZyklusArt
    schluessel: str
    faellig_am: date
    beschreibung: str
    # Keyword arguments for the flow that carries the action out (``FLOW[art]``). Actions of one
    # day for the same flow are merged into one call where their lists can be joined.
    parameter: dict[str, Any] = field(default_factory=dict)
    # Keys of earlier stages this action replaces (a missed reminder stage is not sent late).
    ersetzt: tuple[str, ...] = ()

    @property
    def flow(self) -> str:
        return FLOW[self.art]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["art"] = self.art.value
        data["faellig_am"] = self.faellig_am.isoformat()
        data["ersetzt"] = list(self.ersetzt)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Aktion:
        return cls(
            art=ZyklusArt(data["art"]),
            schluessel=data["schluessel"],
            faellig_am=date.fromisoformat(str(data["faellig_am"])),
            beschreibung=data["beschreibung"],
            parameter=dict(data.get("parameter") or {}),
            ersetzt=tuple(data.get("ersetzt") or ()),
        )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BERLIN)


def _new_source_files(session: Session, settings: Settings) -> list[tuple[Path, str]]:
    folder = settings.daten.quellen_ordner
    if not folder.is_dir():
        return []
    files = quelldateien(folder)
    sums = [(path, hashlib.sha256(path.read_bytes()).hexdigest()) for path in files]
    known = set(
        session.scalars(
            sa.select(col(Datenlieferung.pruefsumme)).where(col(Datenlieferung.pruefsumme).in_([s for _, s in sums]))
        )
    )
    return [(path, digest) for path, digest in sums if digest not in known]


def datenaktualisierung(session: Session, *, today: date, settings: Settings) -> list[Aktion]:
    """New files in the sources folder (by checksum: a file loaded before is not new, whatever
    its name) make one refresh, which loads them and computes everything again."""
    new = _new_source_files(session, settings)
    if not new:
        return []
    key = hashlib.sha256("|".join(sorted(d for _, d in new)).encode()).hexdigest()[:20]
    names = ", ".join(path.name for path, _ in new)
    return [
        Aktion(
            ZyklusArt.DATENAKTUALISIERUNG,
            f"datenaktualisierung:{key}",
            today,
            f"{len(new)} neue Quelldatei(en) laden und neu berechnen: {names}",
            {"quellen": str(settings.daten.quellen_ordner)},
        )
    ]


def _sitzung_text(sitzung: Sitzung) -> str:
    return f"„{sitzung.titel}“ am {format_termin(sitzung.beginn)}"


def protokolle_verteilen(session: Session) -> list[Aktion]:
    """Minutes approved outside a running flow (the command line, the portal): distribute them."""
    rows = session.scalars(sa.select(Protokoll).where(col(Protokoll.status) == ProtokollStatus.FREIGEGEBEN.value))
    result = []
    for protokoll in rows:
        sitzung = session.get(Sitzung, protokoll.sitzung_id)
        assert sitzung is not None
        day = berlin(protokoll.freigegeben_am).date() if protokoll.freigegeben_am else meeting_day(sitzung)
        result.append(
            Aktion(
                ZyklusArt.PROTOKOLL_VERTEILEN,
                f"protokoll_verteilen:protokoll:{protokoll.id}",
                day,
                f"Protokoll der Sitzung {_sitzung_text(sitzung)} verteilen",
                {"sitzung_id": protokoll.sitzung_id},
            )
        )
    return result


def protokolle_anfordern(session: Session, *, now: datetime, settings: Settings) -> list[Aktion]:
    since = now - timedelta(days=settings.betrieb.protokoll_suchzeitraum_tage)
    result = []
    for sitzung_id in held_without_protokoll(session, now=now, seit=since):
        sitzung = session.get(Sitzung, sitzung_id)
        assert sitzung is not None
        result.append(
            Aktion(
                ZyklusArt.PROTOKOLL_ANFORDERN,
                f"protokoll_anfordern:sitzung:{sitzung_id}",
                berlin(sitzung.ende).date(),
                f"Protokollentwurf der Sitzung {_sitzung_text(sitzung)} anfordern",
                {"sitzung_id": sitzung_id},
            )
        )
    return result


def _ahead(session: Session, status: SitzungStatus, today: date) -> list[tuple[Sitzung, Gremium]]:
    rows = session.execute(
        sa.select(Sitzung, Gremium)
        .join(Gremium, col(Gremium.id) == col(Sitzung.gremium_id))
        .where(col(Sitzung.status) == status.value, col(Sitzung.beginn) > _start_of(today))
        .order_by(col(Sitzung.beginn))
    )
    return [(sitzung, gremium) for sitzung, gremium in rows.tuples()]


def konferenzen(session: Session, *, today: date, settings: Settings) -> list[Aktion]:
    """Prepare the pack ``vorbereitung_vorlauf_tage`` before the invitation day, then invite."""
    result = []
    lead = timedelta(days=settings.betrieb.vorbereitung_vorlauf_tage)
    for sitzung, gremium in _ahead(session, SitzungStatus.GEPLANT, today):
        invite_on = invitation_due(sitzung, gremium)
        if invite_on - lead <= today:
            result.append(
                Aktion(
                    ZyklusArt.KONFERENZ_VORBEREITEN,
                    f"konferenz_vorbereiten:sitzung:{sitzung.id}",
                    invite_on - lead,
                    f"Einladungspaket der Sitzung {_sitzung_text(sitzung)} zusammenstellen",
                    {"sitzung_ids": [sitzung.id], "versenden": False},
                )
            )
        if invite_on <= today:
            result.append(
                Aktion(
                    ZyklusArt.EINLADUNGEN_VERSENDEN,
                    f"einladungen_versenden:sitzung:{sitzung.id}",
                    invite_on,
                    f"zur Sitzung {_sitzung_text(sitzung)} einladen",
                    {"sitzung_ids": [sitzung.id]},
                )
            )
    return result


def erinnerungen(session: Session, *, today: date) -> list[Aktion]:
    """The reminder stage due for each invited Sitzung; stages missed during downtime are
    replaced by the latest one (one reminder, not a burst). A moved Sitzung has new keys."""
    result = []
    for sitzung, gremium in _ahead(session, SitzungStatus.EINGELADEN, today):
        tage = reminder_due(sitzung, gremium, today=today)
        if tage is None:
            continue
        day = meeting_day(sitzung)
        prefix = f"konferenz_erinnerung:sitzung:{sitzung.id}:{day.isoformat()}"
        earlier = tuple(
            f"{prefix}:{t}"
            for t in sorted(set(gremium.erinnerung_tage), reverse=True)
            if t > tage and day - timedelta(days=t) <= today
        )
        result.append(
            Aktion(
                ZyklusArt.KONFERENZ_ERINNERUNG,
                f"{prefix}:{tage}",
                day - timedelta(days=tage),
                f"an die Sitzung {_sitzung_text(sitzung)} erinnern ({tage} Tag(e) vorher)",
                {"sitzung_ids": []},
                ersetzt=earlier,
            )
        )
    return result


def taegliche_laeufe(*, today: date, settings: Settings) -> list[Aktion]:
    """The daily scans, keyed by the day; the monthly leadership report, keyed by the month."""
    day = today.isoformat()
    result = []
    if settings.mail.imap_host or settings.mail.maildir:
        result.append(
            Aktion(
                ZyklusArt.ANTWORTEN_LESEN,
                f"antworten_lesen:{day}",
                today,
                "Zu- und Absagen und Unzustellbarkeitsmeldungen aus dem Postfach lesen",
                {"sitzung_ids": []},
            )
        )
    result.append(
        Aktion(
            ZyklusArt.PROTOKOLLE_NACHHALTEN,
            f"protokolle_nachhalten:{day}",
            today,
            "Protokollentwürfe nachhalten: erinnern, eskalieren, Freigaben starten",
            {"seit_tagen": settings.betrieb.protokoll_suchzeitraum_tage},
        )
    )
    result.append(
        Aktion(
            ZyklusArt.FRISTEN_UEBERWACHEN,
            f"fristen_ueberwachen:{day}",
            today,
            "Fristen überwachen: Erinnerungen und Eskalationen",
        )
    )
    report_day = today.replace(day=settings.betrieb.leitungsbericht_tag)
    if today >= report_day:
        result.append(
            Aktion(
                ZyklusArt.LEITUNGSBERICHT,
                f"leitungsbericht:{today:%Y-%m}",
                report_day,
                f"Leitungsbericht für {format_datum(today, weekday=False).split(' ', 1)[1]} mit Fristen-Kalender",
            )
        )
    return result


def bewertungsrunden(session: Session, *, today: date) -> list[Aktion]:
    """While an evaluation round has reports outstanding and its deadline has not passed, its flow
    runs daily (it asks whoever was not asked yet and sends the one reminder); after the deadline
    there is nothing left to send."""
    offen = (
        session.execute(
            sa.select(col(Bewertungsrunde.kennung))
            .join(Projektbericht, col(Projektbericht.runde_id) == col(Bewertungsrunde.id))
            .where(col(Bewertungsrunde.berichtsfrist) >= today)
            .where(col(Projektbericht.eingegangen_am).is_(None))
            .distinct()
        )
        .scalars()
        .all()
    )
    if not offen:
        return []
    return [
        Aktion(
            ZyklusArt.BEWERTUNGSRUNDE,
            f"bewertungsrunde:{today.isoformat()}",
            today,
            f"Bewertungsrunde(n) {', '.join(sorted(offen))}: Berichte anfragen, einmal erinnern",
        )
    ]


def _closed_keys(session: Session, keys: list[str], settings: Settings) -> set[str]:
    """Keys that must not run again: done, replaced, or failed too often (a person must look)."""
    closed: set[str] = set()
    for start in range(0, len(keys), 500):
        rows = session.execute(
            sa.select(
                col(ZyklusAktion.schluessel),
                col(ZyklusAktion.status),
                col(ZyklusAktion.versuche),
            ).where(col(ZyklusAktion.schluessel).in_(keys[start : start + 500]))
        )
        for key, status, versuche in rows.tuples():
            if status in (ZyklusStatus.ERLEDIGT, ZyklusStatus.UEBERSPRUNGEN) or (
                status == ZyklusStatus.FEHLGESCHLAGEN and versuche >= settings.betrieb.max_versuche
            ):
                closed.add(key)
    return closed


def faellige_aktionen(session: Session, *, today: date, now: datetime, settings: Settings) -> list[Aktion]:
    """Everything due on ``today`` (or earlier and not yet done), in the order it should run."""
    candidates = [
        *datenaktualisierung(session, today=today, settings=settings),
        *protokolle_verteilen(session),
        *protokolle_anfordern(session, now=now, settings=settings),
        *konferenzen(session, today=today, settings=settings),
        *erinnerungen(session, today=today),
        *bewertungsrunden(session, today=today),
        *taegliche_laeufe(today=today, settings=settings),
    ]
    closed = _closed_keys(session, [a.schluessel for a in candidates], settings)
    due = [a for a in candidates if a.schluessel not in closed]
    rank = {art: index for index, art in enumerate(REIHENFOLGE)}
    return sorted(due, key=lambda a: (rank[a.art], a.faellig_am, a.schluessel))
