"""RSVPs: by the personal web link (portal) and by calendar reply (iTIP REPLY) from the mailbox.

A calendar reply is matched on the Sitzung's UID and the attendee's address, which must be the
address the invitation went to; the mail's sender must be that attendee (anything else is
reported as forged), and with ``mail.antworten_pruefen`` the sender's domain must be proven
(``channels.mail_auth``): unproven replies are named ("melden") or held for the Geschäftsstelle
("streng", ``konferenz.zurueckgehalten``), who takes them over here (``take_over``).
Answers to an older SEQUENCE than the one that last asked everyone again are stale. Link and
calendar write the same Rueckmeldung row; the later answer wins.
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
from sozialforum.channels.mail_auth import DnsAbfrage, Nachweis, absender_pruefen
from sozialforum.channels.mailbox import Quelle, open_source, parse_bounce
from sozialforum.konferenz import plaetze, zurueckgehalten
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
    # Sender not proven: held for the Geschäftsstelle ("streng") or recorded and named ("melden").
    zurueckgehalten: list[AntwortProblem] = field(default_factory=list)
    ohne_nachweis: list[AntwortProblem] = field(default_factory=list)

    def summary(self) -> str:
        # The unproven ones belong to the answers recorded, not to the problems counted last.
        davon = f" (davon {len(self.ohne_nachweis)} ohne belegten Absender)" if self.ohne_nachweis else ""
        text = (
            f"{format_anzahl(self.erfasst, 'Rückmeldung', 'Rückmeldungen')} erfasst{davon}, "
            f"{self.unveraendert} unverändert, "
            f"{format_anzahl(self.unzustellbar, 'Unzustellbarkeitsmeldung', 'Unzustellbarkeitsmeldungen')}, "
            f"{format_anzahl(len(self.probleme), 'Problem', 'Probleme')}"
        )
        if self.zurueckgehalten:
            text += f", {len(self.zurueckgehalten)} zurückgehalten (Absender nicht belegt)"
        return text


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


@dataclass
class Vorhaben:
    """A calendar answer that passed every check, and what it would write."""

    reply: CalendarReply
    sitzung: Sitzung
    row: Rueckmeldung
    antwort: Antwort
    beantwortet: datetime
    vertretung: str | None


def check_reply(session: Session, reply: CalendarReply, *, now: datetime) -> Vorhaben | str | None:
    """What one calendar answer would change: a Vorhaben, a problem (German; nothing is recorded)
    or None when the answer changes nothing."""
    sitzung = session.exec(select(Sitzung).where(Sitzung.ical_uid == reply.uid)).first()
    if sitzung is None:
        return f"keine Einladung mit UID {reply.uid!r}"
    if reply.method == "COUNTER":
        wann = f" ({format_termin(reply.proposed_start)})" if reply.proposed_start else ""
        return (
            f"{reply.attendee} schlägt für „{sitzung.titel}“ einen anderen Termin vor{wann}: "
            "nicht übernommen, bitte mit der Person klären"
        )
    # SENT-BY (RFC 5545 §3.2.18) names an assistant who answers for the attendee: a mail from
    # that address is the attendee's answer (Sabre/VObject and Nextcloud accept it the same way).
    if reply.sender and reply.sender not in (reply.attendee, reply.sent_by):
        return (
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
        return f"{reply.attendee} wurde zu „{sitzung.titel}“ nicht eingeladen"
    if sitzung.status == SitzungStatus.ABGESAGT:
        return f"Antwort von {reply.attendee} zu „{sitzung.titel}“: die Sitzung ist abgesagt"
    if as_utc(sitzung.ende) < as_utc(now):
        return f"Antwort von {reply.attendee} zu „{sitzung.titel}“: die Sitzung hat schon stattgefunden"
    # A reply can only answer a version that was sent, stamped no later than now (with a few
    # minutes of clock skew). Taking a higher SEQUENCE or a future DTSTAMP would make every later,
    # genuine answer look outdated (what Sabre/VObject and Nextcloud refuse as well).
    if reply.sequence is not None and reply.sequence > (sitzung.ical_sequence or 0):
        return (
            f"Antwort von {reply.attendee} nennt Fassung {reply.sequence}, verschickt wurde höchstens "
            f"Fassung {sitzung.ical_sequence or 0}: nicht übernommen"
        )
    if reply.dtstamp is not None and as_utc(reply.dtstamp) > as_utc(now) + SPIELRAUM:
        return f"Antwort von {reply.attendee} ist auf einen Zeitpunkt in der Zukunft datiert: nicht übernommen"
    antwort = PARTSTAT.get(reply.partstat)
    if antwort is None:
        return f"Antwort von {reply.attendee} ohne Zu- oder Absage (PARTSTAT={reply.partstat})"
    if reply.sequence is not None and row.sequenz is not None and reply.sequence < row.sequenz:
        return (
            f"veraltete Antwort von {reply.attendee} (zur Fassung {reply.sequence}, gültig ist Fassung {row.sequenz})"
        )
    answered = as_utc(reply.dtstamp) if reply.dtstamp else as_utc(now)
    if row.quelle is not None and row.beantwortet_am is not None and answered < row.beantwortet_am:
        return None  # an older answer arriving late: the newer one stands
    if row.antwort == antwort and row.quelle == AntwortQuelle.KALENDER:
        return None
    return Vorhaben(reply, sitzung, row, antwort, answered, vertretung)


def write_reply(
    session: Session,
    vorhaben: Vorhaben,
    *,
    now: datetime,
    settings: Settings | None = None,
    erfasst_von: str | None = None,
) -> None:
    """Record a checked answer. With ``settings``, whoever moves up from the waiting list is
    mailed (queued in this transaction; the next delivery sends it)."""
    reply, row, vertretung = vorhaben.reply, vorhaben.row, vorhaben.vertretung
    row.antwort, row.quelle, row.beantwortet_am = vorhaben.antwort, AntwortQuelle.KALENDER, vorhaben.beantwortet
    row.erfasst_von = erfasst_von
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


def apply_reply(
    session: Session, reply: CalendarReply, *, now: datetime, settings: Settings | None = None
) -> tuple[bool, str | None]:
    """Apply one calendar answer: (changed, problem). A problem means nothing was recorded."""
    geprueft = check_reply(session, reply, now=now)
    if not isinstance(geprueft, Vorhaben):
        return False, geprueft
    write_reply(session, geprueft, now=now, settings=settings)
    return True, None


def process_message(
    session: Session,
    data: bytes,
    *,
    herkunft: str,
    now: datetime,
    report: AntwortBericht,
    settings: Settings | None = None,
    dns: DnsAbfrage | None = None,
) -> None:
    """One incoming mail: a bounce, a calendar answer, or something to report. With ``settings``,
    the sender is checked as ``mail.antworten_pruefen`` says (``dns``: the DKIM key lookup)."""
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
    politik = settings.mail.antworten_pruefen if settings is not None else "aus"
    nachweis: Nachweis | None = None
    for reply in replies:
        geprueft = check_reply(session, reply, now=now)
        if isinstance(geprueft, str):
            report.probleme.append(AntwortProblem(herkunft, geprueft))
            continue
        if geprueft is None:
            report.unveraendert += 1
            continue
        if settings is not None and politik != "aus":
            nachweis = nachweis or absender_pruefen(data, authserv_id=settings.mail.authserv_id, dns=dns)
        if nachweis is not None and not nachweis.echt:
            was = f"{geprueft.antwort.label} von {reply.attendee} zu „{geprueft.sitzung.titel}“"
            if politik == "streng":
                assert geprueft.sitzung.id is not None
                zurueckgehalten.halten(
                    session,
                    reply,
                    sitzung_id=geprueft.sitzung.id,
                    person_id=geprueft.row.person_id,
                    antwort=geprueft.antwort,
                    herkunft=herkunft,
                    grund=nachweis.grund,
                    now=now,
                )
                grund = f"{was} zurückgehalten, Absender nicht belegt: {nachweis.grund}"
                report.zurueckgehalten.append(AntwortProblem(herkunft, grund))
                continue
            grund = f"{was} übernommen, Absender aber nicht belegt: {nachweis.grund}"
            report.ohne_nachweis.append(AntwortProblem(herkunft, grund))
        write_reply(session, geprueft, now=now, settings=settings)
        report.erfasst += 1


def take_over(
    session: Session, *, sitzung_id: int, held_id: int, now: datetime, von: str, settings: Settings | None = None
) -> bool:
    """The Geschäftsstelle takes a held reply over: checked like any reply against the answers
    of now, recorded with who took it. False if a newer answer stands (the held one is done);
    ValueError (German) if it cannot be taken any more (cancelled, over, stale)."""
    held = zurueckgehalten.offene_von(session, sitzung_id, held_id)
    if not held.daten:  # erased (Art. 17 DSGVO, retention): nothing left to take over
        raise ValueError("Nicht übernommen: der Inhalt dieser Antwort ist gelöscht. Bitte verwerfen.")
    geprueft = check_reply(session, zurueckgehalten.aus_daten(held.daten), now=now)
    if isinstance(geprueft, str):
        raise ValueError(f"Nicht übernommen: {geprueft}. Bitte verwerfen.")
    if geprueft is not None:
        write_reply(session, geprueft, now=now, settings=settings, erfasst_von=von)
    zurueckgehalten.erledigen(session, held, uebernommen=True, von=von, now=now)
    return geprueft is not None


def process_mailbox(
    engine: Engine,
    settings: Settings,
    *,
    now: datetime,
    actor: str = "postfach",
    source: Quelle | None = None,
    dns: DnsAbfrage | None = None,
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
                    session, eingang.data, herkunft=eingang.herkunft, now=now, report=report, settings=settings, dns=dns
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
