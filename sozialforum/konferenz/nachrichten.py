"""The mails of a Sitzung: invitation, update, cancellation and reminder, one per recipient.

Body from Jinja2 templates (HTML autoescaped, plain text alongside; date, time and place in the
body, not only in the calendar part), calendar part by iTIP (REQUEST for invitation and update,
CANCEL for cancellation; reminders carry none, the entry is already in the calendar).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sozialforum.channels import ical
from sozialforum.channels.mail import Attachment, OutgoingMail
from sozialforum.channels.pdf import html_to_pdf
from sozialforum.channels.rendering import environment, render
from sozialforum.konferenz.empfaenger import Empfaenger
from sozialforum.konferenz.vorbereitung import Einladungspaket
from sozialforum.settings import Settings
from sozialforum.timeutil import format_datum_kurz
from sozialforum.vocab import NachrichtArt

ARTEN = (NachrichtArt.EINLADUNG, NachrichtArt.AKTUALISIERUNG, NachrichtArt.ABSAGE, NachrichtArt.ERINNERUNG)
MAX_ATTACHMENT = 5 * 1024 * 1024  # many Träger mailboxes refuse mails beyond 10 MB
_SUBJECT = {
    NachrichtArt.EINLADUNG: "Einladung: {titel} am {datum}",
    NachrichtArt.AKTUALISIERUNG: "Geänderte Einladung: {titel} am {datum}",
    NachrichtArt.ABSAGE: "Abgesagt: {titel} am {datum}",
    NachrichtArt.ERINNERUNG: "Erinnerung: {titel} am {datum} – bitte geben Sie Rückmeldung",
}


def greeting(recipient: Empfaenger, nachname: str | None = None) -> str:
    """German salutation: "Sehr geehrte Frau Yilmaz," with a known form of address."""
    last = nachname or recipient.name.split(" ")[-1]
    anrede = (recipient.anrede or "").strip().lower()
    if anrede in ("frau", "fr."):
        return f"Sehr geehrte Frau {last},"
    if anrede in ("herr", "hr."):
        return f"Sehr geehrter Herr {last},"
    return f"Guten Tag {recipient.name},"


@dataclass
class Composer:
    """Renders the mails of one Sitzung; what is the same for everyone is computed once."""

    pack: Einladungspaket
    settings: Settings
    now: datetime
    art: NachrichtArt
    aenderung: str | None = None
    grund: str | None = None
    # Answers kept by an update (a change of place only): invited address → PARTSTAT.
    antworten: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if self.art not in ARTEN:
            raise ValueError(f"Unbekannte Nachrichtenart {self.art!r}.")
        sitzung = self.pack.sitzung
        self.subject = _SUBJECT[self.art].format(titel=sitzung.titel, datum=format_datum_kurz(sitzung.beginn))
        self.context: dict[str, Any] = {
            "art": self.art,
            "sitzung": sitzung,
            "gremium": self.pack.gremium,
            "tops": self.pack.tops,
            "profil": self.pack.profil,
            "protokoll": self.pack.protokoll,
            "aenderung": self.aenderung,
            "grund": self.grund,
            "geschaeftsstelle": self.settings.geschaeftsstelle,
            "betreff": self.subject,
        }
        self.attachments: tuple[Attachment, ...] = ()
        if self.art in (NachrichtArt.EINLADUNG, NachrichtArt.AKTUALISIERUNG):
            agenda = (self.agenda_pdf(),) if self.settings.konferenz.tagesordnung_als_pdf else ()
            self.attachments = agenda + self.documents()
        # Templates are looked up once; rendering per recipient is then only the fill-in.
        self._html = _template("mail/konferenz/nachricht.html", autoescape=True)
        self._text = _template("mail/konferenz/nachricht.txt", autoescape=False)

    def agenda_pdf(self) -> Attachment:
        html = render("mail/konferenz/tagesordnung.html", erstellt=self.now, **self.context)
        data = html_to_pdf(
            html, title=f"Tagesordnung {self.pack.sitzung.titel}", footer=f"{self.pack.gremium.name} – Tagesordnung"
        )
        day = self.pack.sitzung.beginn.strftime("%Y-%m-%d")
        return Attachment(filename=f"Tagesordnung-{day}.pdf", content=data, mimetype="application/pdf")

    def documents(self) -> tuple[Attachment, ...]:
        """The area profile and the last minutes as PDF, when they exist, and the agenda items'
        documents; each only when it is not too big for a mail (larger ones are named in the text
        only)."""
        files = [v.attachment(MAX_ATTACHMENT) for v in (self.pack.profil, self.pack.protokoll) if v is not None]
        pdfs = [
            Attachment(filename=name, content=data, mimetype="application/pdf")
            for name, data in (f for f in files if f is not None)
        ]
        # The agenda items' own documents (Vorlagen, presentations) as uploaded, within the same limit.
        own = [
            Attachment(filename=d.dateiname, content=d.inhalt, mimetype=d.mimetype)
            for d in self.pack.dokumente
            if d.groesse <= MAX_ATTACHMENT
        ]
        return tuple(pdfs + own)

    def _attendee(self, recipient: Empfaenger) -> ical.Attendee:
        kept = (self.antworten or {}).get(recipient.email.lower())
        if kept is None:
            return ical.Attendee(email=recipient.email, name=recipient.name)
        return ical.Attendee(email=recipient.email, name=recipient.name, partstat=kept, rsvp=False)

    def event(self, recipient: Empfaenger, link: str | None) -> ical.Event:
        sitzung, pack = self.pack.sitzung, self.pack
        lines = [f"{pack.gremium.name}", "", "Tagesordnung:"]
        lines += [f"{top.nummer}. {top.titel}" for top in pack.tops]
        # No personal answer link here: calendars share an event's DESCRIPTION (with assistants,
        # delegates, whole teams), and the link would let any of them answer in this person's
        # name. The link stands in the mail body only; the calendar's own buttons answer too.
        del link
        return ical.Event(
            uid=sitzung.ical_uid,
            sequence=sitzung.ical_sequence,
            dtstamp=self.now,
            start=sitzung.beginn,
            end=sitzung.ende,
            summary=sitzung.titel,
            description="\n".join(lines),
            location=", ".join(part for part in (sitzung.ort, sitzung.adresse) if part) or None,
            organizer_email=str(self.settings.mail.absender),
            organizer_name=self.settings.mail.absender_name,
            attendees=(self._attendee(recipient),),
            cancelled=self.art == NachrichtArt.ABSAGE,
        )

    def mail(self, recipient: Empfaenger, link: str | None) -> OutgoingMail:
        context = {**self.context, "anrede": greeting(recipient), "link": link}
        calendar: bytes | None = None
        method: str | None = None
        if self.art != NachrichtArt.ERINNERUNG:
            method = "CANCEL" if self.art == NachrichtArt.ABSAGE else "REQUEST"
            calendar = ical.build_calendar([self.event(recipient, link)], method=method)
        return OutgoingMail(
            to=recipient.email,
            to_name=recipient.name,
            subject=self.subject,
            text=self._text.render(**context),
            html=self._html.render(**context),
            attachments=self.attachments,
            calendar=calendar,
            calendar_method=method,
        )


def _template(name: str, *, autoescape: bool) -> Any:
    return environment(autoescape=autoescape).get_template(name)
