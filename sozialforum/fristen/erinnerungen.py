"""The daily deadline watch: reminders before, escalation after a due date; each exactly once.

Stages: with ``erinnerung_tage = [90, 30, 7]`` a deadline has three reminder windows. On any
day the current stage is the smallest offset whose window has opened; it is sent unless that
stage or a later (smaller) one was already sent for the same due date. So a run after a week of
downtime sends one reminder per deadline (the current stage), never the backlog of stages it
missed, and a deadline created 20 days ahead gets its 30-day reminder once. After the due date
(plus ``eskalation_nach_tagen``) the leadership gets one escalation per deadline and due date.

Exactly once: the decision is a row in ``frist_erinnerung`` with a unique key
(``erinnerung:<ref>:<due>:<stage>``), written in the same transaction as the outbox message
(whose own key is idempotent too). A rerun finds the row; a crash rolls both back; a moved due
date is a new key (the person hears about the new date). Before anything is written, the
deadlines are read again (:func:`dispatch`), so a deadline finished or moved since the scan
gets nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sozialforum.fristen import nachrichten
from sozialforum.fristen.datum import days_until, shift_days, week_key
from sozialforum.fristen.empfaenger import Empfaenger, EmpfaengerVerzeichnis
from sozialforum.fristen.konfiguration import MeilensteinKonfiguration, load_meilensteine
from sozialforum.fristen.quellen import Auswahl, Frist, collect_fristen, open_deadlines
from sozialforum.links import issue_link
from sozialforum.outbox import MailRequest, enqueue_many, existing_keys
from sozialforum.settings import Settings
from sozialforum.store.models import FristErinnerung
from sozialforum.store.models.base import table_of
from sozialforum.timeutil import as_utc
from sozialforum.vocab import ErinnerungArt, LinkZweck, NachrichtArt


class Faellig(NamedTuple):
    """A reminder or escalation that is due; plain values, so a flow task can pass it on.
    (A tuple, not a dataclass: the daily scan creates tens of thousands.)"""

    schluessel: str
    frist_ref: str
    faellig_am: date
    stufe: int
    art: str

    def as_dict(self) -> dict[str, Any]:
        return {**self._asdict(), "faellig_am": self.faellig_am.isoformat()}

    @staticmethod
    def from_dict(values: dict[str, Any]) -> Faellig:
        return Faellig(**{**values, "faellig_am": date.fromisoformat(values["faellig_am"])})


@dataclass
class Versand:
    """What one run did, for the flow's summary and the CLI."""

    erinnerungen: int = 0
    eskalationen: int = 0
    mails: int = 0
    erledigt_oder_verschoben: int = 0  # re-read showed the deadline done or moved
    bereits_gesendet: int = 0  # another run got there first
    zurueckgestellt: int = 0  # waiting for the next weekly digest
    mail_schluessel: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.erinnerungen} Erinnerungen und {self.eskalationen} Eskalationen in "
            f"{self.mails} E-Mails; {self.erledigt_oder_verschoben} inzwischen erledigt oder "
            f"verschoben, {self.zurueckgestellt} für die Wochenübersicht zurückgestellt"
        )


_ERINNERUNG = ErinnerungArt.ERINNERUNG.value
_ESKALATION = ErinnerungArt.ESKALATION.value


def reminder_key(ref: str, due: date, stage: int) -> str:
    return f"erinnerung:{ref}:{due.isoformat()}:{stage}"


def escalation_key(ref: str, due: date) -> str:
    return f"eskalation:{ref}:{due.isoformat()}"


def _offsets(settings: Settings) -> list[int]:
    return sorted({d for d in settings.fristen.erinnerung_tage if d >= 0}, reverse=True)


def _logged(session: Session, today: date, horizon: date) -> tuple[dict[tuple[str, date], int], set[tuple[str, date]]]:
    """Smallest stage reminded per (ref, due date) for the deadlines still ahead, and the
    escalations of those past. Two range reads (index on art, due date), not the whole history."""
    table = table_of(FristErinnerung)
    reminded: dict[tuple[str, date], int] = {}
    for ref, due, stage in session.execute(
        sa.select(table.c.frist_ref, table.c.faellig_am, table.c.stufe).where(
            table.c.art == _ERINNERUNG, table.c.faellig_am >= today, table.c.faellig_am <= horizon
        )
    ).all():
        key = (ref, due)
        if stage < reminded.get(key, stage + 1):
            reminded[key] = stage
    escalated = {
        (ref, due)
        for ref, due in session.execute(
            sa.select(table.c.frist_ref, table.c.faellig_am).where(
                table.c.art == _ESKALATION, table.c.faellig_am < today
            )
        ).all()
    }
    return reminded, escalated


def _stages(offsets: list[int]) -> list[int | None]:
    """For each number of days left (0 … max offset): the current stage, the smallest offset
    whose window has opened. A table, because the scan asks it for every open deadline."""
    top = max(offsets, default=-1)
    return [min(o for o in offsets if left <= o) for left in range(top + 1)]


def plan(
    session: Session, *, today: date, settings: Settings, meilensteine: MeilensteinKonfiguration | None = None
) -> list[Faellig]:
    """Every reminder and escalation due on ``today`` that has not been sent (read only).

    The scan reads only what decides (reference and due date of each open deadline); the
    details are read by :func:`dispatch`, for the few that are due, right before sending.
    """
    meilensteine = meilensteine or load_meilensteine(settings.fristen.meilensteine)
    stages = _stages(_offsets(settings))
    horizon = shift_days(today, len(stages) - 1)
    candidates = open_deadlines(session, meilensteine=meilensteine, bis=horizon)
    reminded, escalated = _logged(session, today, horizon)
    escalate_after = max(settings.fristen.eskalation_nach_tagen, 1)
    due: list[Faellig] = []
    for ref, day in candidates:
        left = (day - today).days
        if left < 0:  # overdue: the leadership hears of it once per due date
            if -left >= escalate_after and (ref, day) not in escalated:
                due.append(Faellig(escalation_key(ref, day), ref, day, left, _ESKALATION))
            continue
        stage = stages[left] if left < len(stages) else None
        if stage is None:
            continue
        sent = reminded.get((ref, day))
        if sent is None or sent > stage:  # this stage (or a later one) not yet sent
            due.append(Faellig(reminder_key(ref, day, stage), ref, day, stage, _ERINNERUNG))
    return due


def _bundle_key(prefix: str, recipient: Empfaenger, keys: list[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:16]
    return f"{prefix}:{recipient.schluessel[:200]}:{digest}"


def dispatch(
    session: Session,
    planned: list[Faellig],
    *,
    today: date,
    now: datetime,
    settings: Settings,
    meilensteine: MeilensteinKonfiguration | None = None,
) -> Versand:
    """Re-read the planned deadlines, then record and enqueue what is still due, in the
    caller's transaction (all or nothing)."""
    meilensteine = meilensteine or load_meilensteine(settings.fristen.meilensteine)
    result = Versand()
    fresh = {
        f.ref: f
        for f in collect_fristen(
            session, meilensteine=meilensteine, auswahl=Auswahl.for_refs({p.frist_ref for p in planned})
        )
    }
    table = table_of(FristErinnerung)
    known: set[str] = set()
    keys = [p.schluessel for p in planned]
    for start in range(0, len(keys), 900):
        known.update(
            session.scalars(sa.select(table.c.schluessel).where(table.c.schluessel.in_(keys[start : start + 900])))
        )
    todo: list[tuple[Faellig, Frist]] = []
    for item in planned:
        frist = fresh.get(item.frist_ref)
        if frist is None or frist.erledigt or frist.faellig_am != item.faellig_am:
            result.erledigt_oder_verschoben += 1
        elif item.schluessel in known:
            result.bereits_gesendet += 1
        else:
            todo.append((item, frist))
    people = EmpfaengerVerzeichnis(session, [f for _, f in todo], settings)
    mails: list[MailRequest] = []
    log: list[dict[str, Any]] = []
    reminders = [(i, f) for i, f in todo if i.art == ErinnerungArt.ERINNERUNG.value]
    escalations = [(i, f) for i, f in todo if i.art == ErinnerungArt.ESKALATION.value]
    sent_digests = _sent_digests(session, reminders, people, today, settings)
    _reminders(session, reminders, people, today, now, settings, mails, log, result, sent_digests)
    _escalations(escalations, people, today, settings, mails, log, result, sent_digests)
    if log:
        for row in log:
            row["erstellt_am"] = as_utc(now)
        session.execute(sa.insert(table), log)
        enqueue_many(session, mails, now=now, settings=settings)
    result.mails = len(mails)
    result.mail_schluessel = [m.schluessel for m in mails]
    return result


def _digest_key(recipient: Empfaenger, today: date) -> str:
    return f"frist-wochenuebersicht:{recipient.schluessel[:200]}:{week_key(today)}"


def _weekly_escalation_key(recipient: Empfaenger, today: date) -> str:
    return f"frist-eskalation-woche:{recipient.schluessel[:200]}:{week_key(today)}"


def _sent_digests(
    session: Session,
    reminders: list[tuple[Faellig, Frist]],
    people: EmpfaengerVerzeichnis,
    today: date,
    settings: Settings,
) -> set[str]:
    """In weekly mode: the digests of this week that already went out (new items then wait)."""
    if not settings.fristen.wochenuebersicht:
        return set()
    keys = {_digest_key(people.fuer(f), today) for _, f in reminders}
    keys |= {_weekly_escalation_key(r, today) for r in people.leitung}
    return existing_keys(session, keys)


def _log_row(item: Faellig, recipient: str, person_id: int | None, mail_key: str) -> dict[str, Any]:
    return {
        "schluessel": item.schluessel,
        "frist_ref": item.frist_ref,
        "faellig_am": item.faellig_am,
        "stufe": item.stufe,
        "art": item.art,
        "empfaenger": recipient[:254],
        "person_id": person_id,
        "outbox_schluessel": mail_key[:300],
    }


def _sachstand_link(
    session: Session, frist: Frist, recipient: Empfaenger, now: datetime, settings: Settings
) -> str | None:
    """A personal link to report on one's own Auftrag (the portal's Sachstand page)."""
    if recipient.person_id is None or frist.person_id != recipient.person_id:
        return None
    kind, number = frist.ref.split(":")[:2]
    if kind != "auftrag":
        return None
    return issue_link(
        session,
        person_id=recipient.person_id,
        zweck=LinkZweck.SACHSTAND,
        bezug_id=int(number),
        now=now,
        settings=settings,
    )


def _reminders(
    session: Session,
    todo: list[tuple[Faellig, Frist]],
    people: EmpfaengerVerzeichnis,
    today: date,
    now: datetime,
    settings: Settings,
    mails: list[MailRequest],
    log: list[dict[str, Any]],
    result: Versand,
    sent_digests: set[str],
) -> None:
    by_recipient: dict[Empfaenger, list[tuple[Faellig, Frist]]] = defaultdict(list)
    for item, frist in todo:
        by_recipient[people.fuer(frist)].append((item, frist))
    week = week_key(today)
    for recipient, items in by_recipient.items():
        if settings.fristen.wochenuebersicht:
            key = _digest_key(recipient, today)
            if today.weekday() < settings.fristen.wochenuebersicht_wochentag or key in sent_digests:
                result.zurueckgestellt += len(items)
                continue
            entries = [
                nachrichten.Eintrag(
                    f,
                    days_until(f.faellig_am, today),
                    people.zustaendig(f),
                    _sachstand_link(session, f, recipient, now, settings),
                )
                for _, f in items
            ]
            mail = nachrichten.wochenuebersicht(recipient, entries, week, settings)
            mails.append(
                MailRequest(
                    key,
                    NachrichtArt.FRIST_WOCHENUEBERSICHT,
                    mail,
                    recipient.person_id,
                    {"fristen": [i.frist_ref for i, _ in items], "woche": week},
                )
            )
            log.extend(_log_row(i, recipient.adresse, recipient.person_id, key) for i, _ in items)
            result.erinnerungen += len(items)
            continue
        for item, frist in items:
            key = f"frist:{item.schluessel}"
            entry = nachrichten.Eintrag(
                frist,
                days_until(frist.faellig_am, today),
                link=_sachstand_link(session, frist, recipient, now, settings),
            )
            mails.append(
                MailRequest(
                    key,
                    NachrichtArt.FRIST_ERINNERUNG,
                    nachrichten.erinnerung(recipient, entry, settings),
                    recipient.person_id,
                    {"frist": item.frist_ref, "stufe": item.stufe},
                )
            )
            log.append(_log_row(item, recipient.adresse, recipient.person_id, key))
            result.erinnerungen += 1


def _escalations(
    todo: list[tuple[Faellig, Frist]],
    people: EmpfaengerVerzeichnis,
    today: date,
    settings: Settings,
    mails: list[MailRequest],
    log: list[dict[str, Any]],
    result: Versand,
    sent_digests: set[str],
) -> None:
    if not todo:
        return
    weekly = settings.fristen.wochenuebersicht
    if weekly and (
        today.weekday() < settings.fristen.wochenuebersicht_wochentag
        or _weekly_escalation_key(people.leitung[0], today) in sent_digests
    ):
        result.zurueckgestellt += len(todo)
        return
    entries = [nachrichten.Eintrag(f, -days_until(f.faellig_am, today), people.zustaendig(f)) for _, f in todo]
    keys = [item.schluessel for item, _ in todo]
    mail_keys = []
    for recipient in people.leitung:
        if weekly:
            key = _weekly_escalation_key(recipient, today)
        else:
            key = _bundle_key(f"frist-eskalation:{today.isoformat()}", recipient, keys)
        mails.append(
            MailRequest(
                key,
                NachrichtArt.FRIST_ESKALATION,
                nachrichten.eskalation(recipient, entries, settings),
                None,
                {"fristen": [item.frist_ref for item, _ in todo]},
            )
        )
        mail_keys.append(key)
    addresses = ", ".join(r.adresse for r in people.leitung)
    log.extend(_log_row(item, addresses, None, mail_keys[0]) for item, _ in todo)
    result.eskalationen += len(todo)


def pruefe_fristen(session: Session, *, today: date, now: datetime, settings: Settings) -> Versand:
    """Scan and send in one go (the CLI; the flow runs the two steps as separate tasks)."""
    meilensteine = load_meilensteine(settings.fristen.meilensteine)
    planned = plan(session, today=today, settings=settings, meilensteine=meilensteine)
    return dispatch(session, planned, today=today, now=now, settings=settings, meilensteine=meilensteine)
