"""RSVPs: by the personal web link (portal) and by calendar reply (iTIP REPLY) from the mailbox.

A calendar reply is matched on the Sitzung's UID and the attendee's address, which must be the
address the invitation went to; the mail's sender must be that attendee (anything else is
reported as forged). Answers to an older SEQUENCE than the one that last asked everyone again
are stale. Link and calendar write the same Rueckmeldung row; the later answer wins.
Nothing in a reply ever crashes the run: every problem becomes a line of the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sozialforum import outbox
from sozialforum.channels.ical_reply import CalendarReply, ReplyFormatError, parse_reply_message
from sozialforum.channels.mailbox import Quelle, open_source, parse_bounce
from sozialforum.konferenz import plaetze
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Rueckmeldung, Sitzung
from sozialforum.timeutil import as_utc, format_anzahl, format_termin
from sozialforum.vocab import Antwort, AntwortQuelle, SitzungStatus

# Clock skew allowed between the attendee's calendar and ours.
SPIELRAUM = timedelta(minutes=15)

# RFC 5545 §3.2.12 PARTSTAT for VEVENT → our answers.
PARTSTAT = {
    "ACCEPTED": Antwort.ZUSAGE,
    "DECLINED": Antwort.ABSAGE,
    "TENTATIVE": Antwort.VIELLEICHT,
    "DELEGATED": Antwort.DELEGIERT,
}


@dataclass
class AntwortProblem:
    herkunft: str  # the mail (mailbox key) or file
    grund: str


@dataclass
class AntwortBericht:
    erfasst: int = 0
    unveraendert: int = 0
    unzustellbar: int = 0
    probleme: list[AntwortProblem] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{format_anzahl(self.erfasst, 'Rückmeldung', 'Rückmeldungen')} erfasst, {self.unveraendert} unverändert, "
            f"{format_anzahl(self.unzustellbar, 'Unzustellbarkeitsmeldung', 'Unzustellbarkeitsmeldungen')}, "
            f"{format_anzahl(len(self.probleme), 'Problem', 'Probleme')}"
        )


def record_answer(
    session: Session,
    *,
    sitzung_id: int,
    person_id: int,
    antwort: Antwort,
    quelle: AntwortQuelle,
    now: datetime,
    personen: int | None = None,
    kommentar: str | None = None,
    erfasst_von: str | None = None,
) -> Rueckmeldung:
    """Record an answer (link, Geschäftsstelle); creates the row if the person was not invited
    by mail (e.g. registered by phone)."""
    row = session.exec(
        select(Rueckmeldung).where(Rueckmeldung.sitzung_id == sitzung_id, Rueckmeldung.person_id == person_id)
    ).first()
    if row is None:
        row = Rueckmeldung(sitzung_id=sitzung_id, person_id=person_id)
    row.antwort, row.quelle, row.beantwortet_am = antwort, quelle, as_utc(now)
    if personen is not None:
        row.personen = personen
    if kommentar is not None:
        row.kommentar = kommentar
    row.erfasst_von = erfasst_von
    session.add(row)
    session.flush()
    plaetze.zuteilen_in(session, sitzung_id, now=now)
    session.refresh(row)
    return row


def apply_reply(
    session: Session, reply: CalendarReply, *, now: datetime, settings: Settings | None = None
) -> tuple[bool, str | None]:
    """Apply one calendar answer: (changed, problem). A problem means nothing was recorded.
    With ``settings``, whoever moves up from the waiting list is mailed (queued in this
    transaction; the next delivery sends it)."""
    sitzung = session.exec(select(Sitzung).where(Sitzung.ical_uid == reply.uid)).first()
    if sitzung is None:
        return False, f"keine Einladung mit UID {reply.uid!r}"
    if reply.method == "COUNTER":
        wann = f" ({format_termin(reply.proposed_start)})" if reply.proposed_start else ""
        return False, (
            f"{reply.attendee} schlägt für „{sitzung.titel}“ einen anderen Termin vor{wann}: "
            "nicht übernommen, bitte mit der Person klären"
        )
    # SENT-BY (RFC 5545 §3.2.18) names an assistant who answers for the attendee: a mail from
    # that address is the attendee's answer (Sabre/VObject and Nextcloud accept it the same way).
    if reply.sender and reply.sender not in (reply.attendee, reply.sent_by):
        return False, (
            f"Absender {reply.sender} ist nicht der antwortende Teilnehmer {reply.attendee} "
            "(gefälscht oder weitergeleitet)"
        )
    row = session.exec(
        select(Rueckmeldung).where(
            Rueckmeldung.sitzung_id == sitzung.id, sa.func.lower(Rueckmeldung.eingeladen_an) == reply.attendee
        )
    ).first()
    vertretung = None
    if row is None and reply.delegated_from:
        # A delegate answering (DELEGATED-FROM an invitee): the answer stands for the invitee's
        # place, with the delegate named.
        row = session.exec(
            select(Rueckmeldung).where(
                Rueckmeldung.sitzung_id == sitzung.id,
                sa.func.lower(Rueckmeldung.eingeladen_an).in_(reply.delegated_from),
            )
        ).first()
        vertretung = reply.attendee
    if row is None:
        return False, f"{reply.attendee} wurde zu „{sitzung.titel}“ nicht eingeladen"
    if sitzung.status == SitzungStatus.ABGESAGT:
        return False, f"Antwort von {reply.attendee} zu „{sitzung.titel}“: die Sitzung ist abgesagt"
    if as_utc(sitzung.ende) < as_utc(now):
        return False, f"Antwort von {reply.attendee} zu „{sitzung.titel}“: die Sitzung hat schon stattgefunden"
    # A reply can only answer a version that was sent, stamped no later than now (with a few
    # minutes of clock skew). Taking a higher SEQUENCE or a future DTSTAMP would make every later,
    # genuine answer look outdated (what Sabre/VObject and Nextcloud refuse as well).
    if reply.sequence is not None and reply.sequence > (sitzung.ical_sequence or 0):
        return False, (
            f"Antwort von {reply.attendee} nennt Fassung {reply.sequence}, verschickt wurde höchstens "
            f"Fassung {sitzung.ical_sequence or 0}: nicht übernommen"
        )
    if reply.dtstamp is not None and as_utc(reply.dtstamp) > as_utc(now) + SPIELRAUM:
        return False, f"Antwort von {reply.attendee} ist auf einen Zeitpunkt in der Zukunft datiert: nicht übernommen"
    antwort = PARTSTAT.get(reply.partstat)
    if antwort is None:
        return False, f"Antwort von {reply.attendee} ohne Zu- oder Absage (PARTSTAT={reply.partstat})"
    if reply.sequence is not None and row.sequenz is not None and reply.sequence < row.sequenz:
        return False, (
            f"veraltete Antwort von {reply.attendee} (zur Fassung {reply.sequence}, gültig ist Fassung {row.sequenz})"
        )
    answered = as_utc(reply.dtstamp) if reply.dtstamp else as_utc(now)
    if row.quelle is not None and row.beantwortet_am is not None and answered < row.beantwortet_am:
        return False, None  # an older answer arriving late: the newer one stands
    if row.antwort == antwort and row.quelle == AntwortQuelle.KALENDER:
        return False, None
    row.antwort, row.quelle, row.beantwortet_am = antwort, AntwortQuelle.KALENDER, answered
    if reply.comment and reply.comment.strip():  # Exchange sends an empty COMMENT: keep the portal's
        row.kommentar = reply.comment.strip()[:2000]
    if vertretung and vertretung not in (row.kommentar or ""):
        row.kommentar = f"{row.kommentar or ''}\nVertreten durch {vertretung}".strip()[:2000]
    if vertretung:
        row.vertretung_email = vertretung[:254]
    if reply.sequence is not None:
        row.sequenz = max(reply.sequence, row.sequenz or 0)
    session.add(row)
    session.flush()
    zuteilung = plaetze.zuteilen_in(session, row.sitzung_id, now=now)
    if settings is not None and zuteilung.nachgerueckt:
        plaetze.nachruecker_benachrichtigen(session, row.sitzung_id, zuteilung.nachgerueckt, now=now, settings=settings)
    return True, None


def process_message(
    session: Session,
    data: bytes,
    *,
    herkunft: str,
    now: datetime,
    report: AntwortBericht,
    settings: Settings | None = None,
) -> None:
    """One incoming mail: a bounce, a calendar answer, or something to report."""
    bounce = parse_bounce(data)
    if bounce is not None:
        if outbox.record_bounce(session, message_id=bounce.message_id, diagnose=bounce.diagnose, now=now):
            report.unzustellbar += 1
        else:
            report.probleme.append(
                AntwortProblem(herkunft, f"Unzustellbarkeitsmeldung zu unbekannter Nachricht {bounce.message_id}")
            )
        return
    try:
        replies = parse_reply_message(data)
    except ReplyFormatError as exc:
        report.probleme.append(AntwortProblem(herkunft, str(exc)))
        return
    except Exception as exc:  # malformed input must never stop the run
        report.probleme.append(AntwortProblem(herkunft, f"nicht lesbar: {exc!r}"))
        return
    for reply in replies:
        changed, problem = apply_reply(session, reply, now=now, settings=settings)
        if problem:
            report.probleme.append(AntwortProblem(herkunft, problem))
        elif changed:
            report.erfasst += 1
        else:
            report.unveraendert += 1


def process_mailbox(
    engine: Engine, settings: Settings, *, now: datetime, actor: str = "postfach", source: Quelle | None = None
) -> AntwortBericht:
    """Read every unprocessed mail of the configured mailbox; each in its own transaction,
    marked as processed after its commit."""
    report = AntwortBericht()
    source = source or open_source(settings)
    if source is None:
        return report
    try:
        for eingang in source.messages():
            with session_scope(engine, actor=actor) as session:
                process_message(
                    session, eingang.data, herkunft=eingang.herkunft, now=now, report=report, settings=settings
                )
            source.done(eingang)
    finally:
        source.close()
    return report


def process_files(
    engine: Engine, paths: list[Path], *, now: datetime, actor: str, settings: Settings | None = None
) -> AntwortBericht:
    """Answers saved as .eml or .ics files (e.g. dragged out of Outlook)."""
    report = AntwortBericht()
    for path in paths:
        with session_scope(engine, actor=actor) as session:
            process_message(session, path.read_bytes(), herkunft=path.name, now=now, report=report, settings=settings)
    return report
