"""The planning year of the demo Landkreis: the Sitzungen of the year, a new statistics delivery,
and what the people do on each simulated day — Träger answer invitations, members attend,
the Protokollführung writes the draft, the Geschäftsstelle approves it. Everything else is the
planning cycle's job (``flows/demo/zyklus.py`` runs it day by day).

The people act through the same services the portal and the command line use; time is a
parameter, so the year runs in minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col

from sozialforum.betrieb.zyklus import faellige_aktionen
from sozialforum.daten.genesis_schreiben import write_genesis
from sozialforum.demo.kalender import sitzungstag
from sozialforum.demo.protokoll import demo_draft
from sozialforum.demo.quellen import LAND, exists, gemeinden, population
from sozialforum.konferenz.antworten import record_answer
from sozialforum.konferenz.termine import plan_serie
from sozialforum.protokoll.entwurf import submit_draft
from sozialforum.protokoll.freigabe import decide
from sozialforum.protokoll.teilnehmende import protokollfuehrung
from sozialforum.settings import Settings
from sozialforum.store.models import Datenlieferung, Gremium, Protokoll, Rueckmeldung, Sitzung, ZyklusTag
from sozialforum.timeutil import MONATE, add_months, as_utc, format_datum
from sozialforum.vocab import (
    Antwort,
    AntwortQuelle,
    ProtokollEntscheidung,
    ProtokollStatus,
    SitzungStatus,
    ZyklusArt,
)

# Two Sozialraumkonferenzen meet in spring and autumn (besides whatever else the store holds).
GREMIEN = ("SRK-05", "SRK-09")
# The daily scans run on every cycle day; a day is worth simulating when something else is due.
SCANS = {ZyklusArt.FRISTEN_UEBERWACHEN, ZyklusArt.PROTOKOLLE_NACHHALTEN, ZyklusArt.ANTWORTEN_LESEN}
ENTWURF_NACH_TAGEN = 3  # the Protokollführung writes the draft three days after the meeting
ANTWORT_NACH_TAGEN = 2  # Träger answer two days after the invitation


@dataclass
class Tagebuch:
    """What the people did in the year, for the summary."""

    zusagen: int = 0
    absagen: int = 0
    anwesend: int = 0
    entwuerfe: int = 0
    freigaben: int = 0
    lieferungen: list[str] = field(default_factory=list)


def jahr_planen(session: Session, *, start: date, settings: Settings) -> list[int]:
    """Spring and autumn Sitzungen of the demo Gremien (idempotent: planning again adds nothing)."""
    # Spring and autumn, each on a Tuesday to Thursday that is no holiday (a fixed six-month step
    # once put a conference on 25 December).
    first = sitzungstag(start + timedelta(days=42))
    days = [first, sitzungstag(add_months(first, 6))]
    ids: list[int] = []
    for offset, kennung in enumerate(GREMIEN):
        gremium = session.scalars(sa.select(Gremium).where(col(Gremium.kennung) == kennung)).first()
        if gremium is None or gremium.id is None:
            continue
        series = [
            sitzung
            for day in days
            for sitzung in plan_serie(
                session,
                gremium_id=gremium.id,
                erster_tag=day,
                uhrzeit=time(16 + 2 * offset),
                settings=settings,
                intervall_monate=6,
                anzahl=1,
                ort="Bürgerhaus",
                # "Sozialraumkonferenz Osterberg, Sitzung im Januar 2027", as the minutes' demo
                # names its Sitzung (not "Sozialraumkonferenz Osterberg: Sozialraumkonferenz")
                titel=f"{gremium.name}, Sitzung im {MONATE[day.month - 1]} {day.year}",
            )
        ]
        ids += [s.id for s in series if s.id is not None]
    return ids


def statistik_liefern(session: Session, *, ordner: Path) -> Path:
    """The Statistisches Landesamt delivers the population of the next reference date (GENESIS
    12411-02-03-5, as downloaded) into the sources folder; the cycle picks it up."""
    tables = session.scalars(sa.select(Datenlieferung).where(col(Datenlieferung.tabelle).like("12411%"))).all()
    years = [date.fromisoformat(day).year for row in tables for day in row.stichtage]
    year = max(years, default=2023) + 1
    day = date(year, 12, 31)
    valid = [g for g in gemeinden()[0] if exists(g, day)]
    table = {g.key: population(g, year) for g in valid}
    kreis = [sum(values[i] for values in table.values()) for i in range(17)]
    rows = [
        (day, LAND[0], LAND[1], [round(v * LAND[2] / sum(kreis) * 0.97) for v in kreis]),
        (day, "03199", "Landkreis Musterland", kreis),
    ]
    rows += [(day, g.key, g.name, table[g.key]) for g in sorted(valid, key=lambda g: g.key)]
    ordner.mkdir(parents=True, exist_ok=True)
    target = ordner / f"12411-02-03-5_bevoelkerung_{year}.csv"
    write_genesis(target, rows, stand=date(year + 1, 9, 30))
    return target


def zyklus_faellig(session: Session, *, today: date, now: datetime, settings: Settings) -> bool:
    """Whether to simulate the cycle today: more than its daily scans is due (the monthly report
    counts only on the last day of a month in which the cycle has not run yet)."""
    due = {a.art for a in faellige_aktionen(session, today=today, now=now, settings=settings)} - SCANS
    if due - {ZyklusArt.LEITUNGSBERICHT}:
        return True
    last = session.scalar(sa.select(sa.func.max(ZyklusTag.tag)))
    month_ends = (today + timedelta(days=1)).month != today.month
    return last is None or (month_ends and (last.year, last.month) != (today.year, today.month))


def _answer(session: Session, now: datetime, diary: Tagebuch) -> None:
    """Two of three invited answer by their personal link two days after the invitation."""
    rows = (
        session.execute(
            sa.select(Rueckmeldung, Sitzung)
            .join(Sitzung, col(Sitzung.id) == col(Rueckmeldung.sitzung_id))
            .where(
                col(Sitzung.status) == SitzungStatus.EINGELADEN.value,
                col(Sitzung.beginn) > as_utc(now),
                col(Rueckmeldung.antwort) == Antwort.OFFEN.value,
                col(Rueckmeldung.eingeladen_am) <= now - timedelta(days=ANTWORT_NACH_TAGEN),
            )
        )
        .tuples()
        .all()
    )
    for row, sitzung in rows:
        if row.person_id % 3 == 0 or row.beantwortet_am is not None:
            continue  # these never answer by themselves: they get the reminders
        answer = Antwort.ABSAGE if row.person_id % 7 == 0 else Antwort.ZUSAGE
        record_answer(
            session,
            sitzung_id=sitzung.id or 0,
            person_id=row.person_id,
            antwort=answer,
            quelle=AntwortQuelle.LINK,
            now=now,
        )
        if answer == Antwort.ZUSAGE:
            diary.zusagen += 1
        else:
            diary.absagen += 1


def _hold(session: Session, now: datetime, diary: Tagebuch) -> None:
    """Meetings that ended took place: those who accepted were there."""
    held = session.scalars(
        sa.select(Sitzung).where(
            col(Sitzung.status) == SitzungStatus.EINGELADEN.value,
            col(Sitzung.ende) <= as_utc(now),
        )
    ).all()
    for sitzung in held:
        sitzung.status = SitzungStatus.DURCHGEFUEHRT
        session.add(sitzung)
        for row in session.scalars(sa.select(Rueckmeldung).where(col(Rueckmeldung.sitzung_id) == sitzung.id)):
            if row.antwort == Antwort.ZUSAGE:
                row.anwesend = True
                session.add(row)
                diary.anwesend += 1
    session.flush()


def _minutes(session: Session, now: datetime, settings: Settings, diary: Tagebuch) -> None:
    """The Protokollführung writes the draft; after the comment period the Geschäftsstelle approves."""
    for protokoll in session.scalars(
        sa.select(Protokoll).where(
            col(Protokoll.status).in_([ProtokollStatus.ANGEFORDERT.value, ProtokollStatus.EINGEREICHT.value])
        )
    ).all():
        sitzung = session.get(Sitzung, protokoll.sitzung_id)
        assert sitzung is not None and protokoll.id is not None
        if protokoll.status == ProtokollStatus.ANGEFORDERT and as_utc(protokoll.angefordert_am) + timedelta(
            days=ENTWURF_NACH_TAGEN
        ) <= as_utc(now):
            writer = protokollfuehrung(session, sitzung)
            if writer is None or writer.id is None:
                continue
            submit_draft(
                session,
                protokoll_id=protokoll.id,
                person_id=writer.id,
                settings=settings,
                now=now,
                eingabe=demo_draft(session, sitzung, submitted=now, revision=False, settings=settings),
            )
            diary.entwuerfe += 1
        elif (
            protokoll.status == ProtokollStatus.EINGEREICHT
            and protokoll.kommentar_bis is not None
            and as_utc(protokoll.kommentar_bis) <= as_utc(now)
        ):
            decide(
                session,
                protokoll_id=protokoll.id,
                version_nummer=None,
                entscheidung=ProtokollEntscheidung.FREIGEBEN,
                anmerkungen="",
                entschieden_von=settings.geschaeftsstelle.name,
                quelle="demo",
                now=now,
                settings=settings,
            )
            diary.freigaben += 1


def menschen(session: Session, *, now: datetime, settings: Settings, diary: Tagebuch) -> None:
    """Everything the people of the demo Landkreis do at ``now``."""
    _answer(session, now, diary)
    _hold(session, now, diary)
    _minutes(session, now, settings, diary)


def zeitraum(start: date, ende: date) -> str:
    return f"{format_datum(start, weekday=False)} bis {format_datum(ende, weekday=False)}"
