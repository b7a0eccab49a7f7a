"""iCalendar objects for invitations, updates, cancellations and feeds (RFC 5545, iTIP RFC 5546,
iMIP RFC 6047), written by hand so that every byte is known.

- One stable UID per Sitzung for its whole life (``Sitzung.ical_uid``); SEQUENCE rises with
  every change the attendees must see, so clients replace the entry instead of adding one.
- Times as local Europe/Berlin wall-clock with ``TZID`` and the short two-rule VTIMEZONE that
  Google and Thunderbird send (icalendar's generated zones list dates and end in 2038).
- CRLF line ends, lines folded at 75 octets without splitting a UTF-8 character (§3.1), TEXT
  values escaped (§3.3.11), parameter values quoted (§3.2).
- A personalised invitation lists only its recipient as ATTENDEE: every Träger gets its own
  message, and the addresses of the others are nobody else's business (DSGVO).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sozialforum.timeutil import BERLIN, as_utc

CRLF = "\r\n"
PRODID = "-//sozialforum//Sozialraumkonferenzen//DE"
TZID = "Europe/Berlin"
# How often a subscribed feed should be fetched again (RFC 7986 §5.7 REFRESH-INTERVAL; Outlook reads
# X-PUBLISHED-TTL when "Aktualisierungen gemäß Empfehlung des Herausgebers" is ticked, as it is by
# default). A moved or cancelled meeting also reaches every invitee as an iTIP mail, so the feed
# may lag a few hours; polled much more often, a Landkreis's feeds would load the portal for nothing.
FEED_REFRESH = "PT4H"

# RFC 5545 §3.6.5; the rules of EU summer time since 1996 (Directive 2000/84/EC).
VTIMEZONE_BERLIN = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "X-LIC-LOCATION:Europe/Berlin",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

PARTSTATS = ("NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED")


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str | None = None
    partstat: str = "NEEDS-ACTION"
    rsvp: bool = True
    role: str = "REQ-PARTICIPANT"


@dataclass(frozen=True)
class Event:
    uid: str
    sequence: int
    dtstamp: datetime
    start: datetime
    end: datetime
    summary: str
    description: str | None = None
    location: str | None = None
    url: str | None = None
    organizer_email: str | None = None
    organizer_name: str | None = None
    attendees: tuple[Attendee, ...] = ()
    cancelled: bool = False
    categories: tuple[str, ...] = field(default_factory=tuple)


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, line breaks."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def quote_param(value: str) -> str:
    """A parameter value; DQUOTE is not allowed inside one (§3.2), control characters neither."""
    cleaned = _CONTROL.sub(" ", value).replace('"', "'")
    if any(ch in cleaned for ch in ":;,") or cleaned != cleaned.strip() or not cleaned.isascii():
        return f'"{cleaned}"'
    return cleaned


def fold(line: str) -> str:
    """Fold one content line at 75 octets (§3.1), never inside a UTF-8 sequence."""
    if len(line) <= 75 and line.isascii():  # most lines: no need to count octets
        return line + CRLF
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line + CRLF
    pieces: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # continuation byte: step back
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with one space
    return (CRLF + " ").join(pieces) + CRLF


_VTIMEZONE_FOLDED = "".join(fold(line) for line in VTIMEZONE_BERLIN)


def utc_stamp(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y%m%dT%H%M%SZ")


def local_stamp(moment: datetime) -> str:
    return as_utc(moment).astimezone(BERLIN).strftime("%Y%m%dT%H%M%S")


def mailto(address: str) -> str:
    return f"mailto:{address}"


def _person_line(name: str, email: str, cn: str | None, extra: Sequence[str] = ()) -> str:
    params = [f"CN={quote_param(cn)}"] if cn else []
    params.extend(extra)
    return ";".join([name, *params]) + ":" + mailto(email)


def _event_lines(event: Event, method: str | None) -> list[str]:
    status = "CANCELLED" if event.cancelled or method == "CANCEL" else "CONFIRMED"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{utc_stamp(event.dtstamp)}",
        f"DTSTART;TZID={TZID}:{local_stamp(event.start)}",
        f"DTEND;TZID={TZID}:{local_stamp(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories))
    if event.organizer_email:
        lines.append(_person_line("ORGANIZER", event.organizer_email, event.organizer_name))
    for attendee in event.attendees:
        extra = ["CUTYPE=INDIVIDUAL", f"ROLE={attendee.role}", f"PARTSTAT={attendee.partstat}"]
        if attendee.rsvp and method != "CANCEL":
            extra.append("RSVP=TRUE")
        lines.append(_person_line("ATTENDEE", attendee.email, attendee.name, extra))
    lines += [f"STATUS:{status}", "TRANSP:OPAQUE", "CLASS:PUBLIC", "END:VEVENT"]
    return lines


def build_calendar(
    events: Sequence[Event],
    *,
    method: str | None,
    calname: str | None = None,
    description: str | None = None,
) -> bytes:
    """A VCALENDAR with the Berlin VTIMEZONE and the given events, as CRLF bytes.

    ``method`` is the iTIP method (REQUEST, CANCEL, PUBLISH) or None for a plain feed file.
    """
    if method == "REQUEST" or method == "CANCEL":
        for event in events:
            if not event.organizer_email or not event.attendees:
                raise ValueError(f"{method} braucht ORGANIZER und ATTENDEE (RFC 5546 §3.2).")
    lines = ["BEGIN:VCALENDAR", f"PRODID:{PRODID}", "VERSION:2.0", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if calname:  # a feed to subscribe to, not a message
        lines.append(f"X-WR-CALNAME:{escape_text(calname)}")
        lines.append(f"X-WR-TIMEZONE:{TZID}")
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{FEED_REFRESH}", f"X-PUBLISHED-TTL:{FEED_REFRESH}"]
    if description:
        lines.append(f"X-WR-CALDESC:{escape_text(description)}")
    head = "".join(fold(line) for line in lines)
    body = "".join(fold(line) for event in events for line in _event_lines(event, method))
    return (head + (_VTIMEZONE_FOLDED if events else "") + body + "END:VCALENDAR" + CRLF).encode("utf-8")


def build_reply(
    *, uid: str, sequence: int, dtstamp: datetime, attendee: str, partstat: str, organizer: str | None = None
) -> bytes:
    """An attendee's answer (METHOD:REPLY, RFC 5546 §3.2.3), as a calendar client sends it."""
    if partstat not in PARTSTATS:
        raise ValueError(f"Unbekannte Teilnahmeantwort {partstat!r}.")
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "METHOD:REPLY",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{utc_stamp(dtstamp)}",
    ]
    if organizer:
        lines.append(f"ORGANIZER:{mailto(organizer)}")
    lines += [f"ATTENDEE;PARTSTAT={partstat}:{mailto(attendee)}", "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) for line in lines).encode("utf-8")
