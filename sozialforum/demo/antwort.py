"""A calendar reply whose sender is not proven, for the demo: a first-time user should see what
the Geschäftsstelle gets to decide on the Sitzung's page (take over or discard) before a real one
arrives. The mail is what our mail server hands over for a reply that failed DMARC (a forged
From, or a Träger whose mail provider signs nothing): its Authentication-Results on top, the
Received line below. It is read as a Landkreis with ``mail.antworten_pruefen = "streng"`` and its
server's ``authserv_id`` reads it, the setting production should run with."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from sqlmodel import Session

from sozialforum.channels import ical
from sozialforum.konferenz import antworten
from sozialforum.settings import Settings

# The receiving server of the demo Landkreis (config/sozialforum.toml names it in its example).
MX = "mx.landkreis-musterland.example"


def unbelegte_absage(*, uid: str, attendee: str, organizer: str, now: datetime) -> bytes:
    """A declining reply as Thunderbird sends it, after our server found DMARC failing."""
    domain = attendee.rsplit("@", 1)[-1]
    mail = EmailMessage()
    mail["Authentication-Results"] = f"{MX}; dmarc=fail (p=none dis=none) header.from={domain}"
    mail["Authentication-Results"] = f"{MX}; spf=softfail smtp.mailfrom={domain}; dkim=none"
    mail["Received"] = f"from mail.{domain} by {MX} (Postfix) with ESMTPS"
    mail["From"], mail["To"], mail["Subject"] = attendee, organizer, "Abgelehnt: Sozialraumkonferenz"
    mail.set_content("Leider kann ich nicht teilnehmen.")
    calendar = ical.build_reply(
        uid=uid, sequence=0, dtstamp=now, attendee=attendee, partstat="DECLINED", organizer=organizer
    )
    mail.add_attachment(calendar, maintype="text", subtype="calendar", params={"method": "REPLY"})
    return mail.as_bytes()


def zurueckhalten(
    session: Session, *, uid: str, attendee: str, now: datetime, settings: Settings
) -> antworten.AntwortBericht:
    """Read the unproven reply as "streng" does: held for a person to decide, nothing recorded."""
    streng = settings.model_copy(deep=True)
    streng.mail.authserv_id, streng.mail.antworten_pruefen = MX, "streng"
    data = unbelegte_absage(uid=uid, attendee=attendee, organizer=str(settings.mail.absender), now=now)
    bericht = antworten.AntwortBericht()
    antworten.process_message(session, data, herkunft="demo-absage.eml", now=now, report=bericht, settings=streng)
    return bericht
