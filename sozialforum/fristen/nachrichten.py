"""The mails of the deadline watch: a reminder, an escalation to the leadership, a weekly digest."""

from __future__ import annotations

from dataclasses import dataclass

from sozialforum.channels.mail import OutgoingMail
from sozialforum.channels.rendering import render_text
from sozialforum.fristen.empfaenger import Empfaenger
from sozialforum.fristen.quellen import Frist
from sozialforum.settings import Settings
from sozialforum.timeutil import format_anzahl, format_datum


@dataclass(frozen=True)
class Eintrag:
    frist: Frist
    tage: int  # days until due (negative: overdue); for escalations: days overdue
    zustaendig: str | None = None
    link: str | None = None  # personal link to report the Sachstand (Aufträge of the recipient)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def erinnerung(empfaenger: Empfaenger, eintrag: Eintrag, settings: Settings) -> OutgoingMail:
    frist = eintrag.frist
    text = render_text(
        "mail/fristen/erinnerung.txt",
        anrede_name=empfaenger.name,
        frist=frist,
        tage=eintrag.tage,
        link=eintrag.link,
        geschaeftsstelle=settings.geschaeftsstelle,
    )
    subject = f"Erinnerung: Frist am {format_datum(frist.faellig_am)} – {_short(frist.titel)}"
    return OutgoingMail(to=empfaenger.adresse, to_name=empfaenger.name, subject=subject, text=text)


def eskalation(empfaenger: Empfaenger, eintraege: list[Eintrag], settings: Settings) -> OutgoingMail:
    text = render_text("mail/fristen/eskalation.txt", eintraege=eintraege, geschaeftsstelle=settings.geschaeftsstelle)
    if len(eintraege) == 1:
        subject = f"Frist überschritten: {_short(eintraege[0].frist.titel)}"
    else:
        subject = f"{len(eintraege)} Fristen überschritten"
    return OutgoingMail(to=empfaenger.adresse, to_name=empfaenger.name, subject=subject, text=text)


def wochenuebersicht(empfaenger: Empfaenger, eintraege: list[Eintrag], woche: str, settings: Settings) -> OutgoingMail:
    year, week = woche.split("-W")
    label = f"KW {int(week)}/{year}"
    text = render_text(
        "mail/fristen/wochenuebersicht.txt",
        anrede_name=empfaenger.name,
        eintraege=eintraege,
        woche=label,
        geschaeftsstelle=settings.geschaeftsstelle,
    )
    count = format_anzahl(len(eintraege), "Frist", "Fristen")
    return OutgoingMail(
        to=empfaenger.adresse, to_name=empfaenger.name, subject=f"Wochenübersicht Fristen ({label}): {count}", text=text
    )
