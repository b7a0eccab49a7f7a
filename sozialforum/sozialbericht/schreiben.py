"""Write a Sozialbericht (DOCX and PDF) for a Stichtag and a recipient into a folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from sozialforum.channels.pdf import html_to_pdf
from sozialforum.channels.rendering import render
from sozialforum.daten.ergebnis import lade_monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.projektion import Annahmen
from sozialforum.settings import DatenSettings
from sozialforum.sozialbericht.docx_ausgabe import schreibe_docx
from sozialforum.sozialbericht.erstellen import baue_bericht
from sozialforum.sozialbericht.inhalt import Bericht, Empfehlung, bis_stichtag
from sozialforum.sozialbericht.wortlaut import wortlaut

TEMPLATE_PDF = "reports/sozialbericht/sozialbericht_inhalt.html"


@dataclass(frozen=True)
class Berichtsdateien:
    docx: Path
    pdf: Path
    bericht: Bericht
    html: str  # the PDF's body (for checks of the tagged PDF against it)


def dateiname(stichtag: date, empfaenger: Empfaenger) -> str:
    fassung = "intern" if empfaenger.intern else "oeffentlich" if not empfaenger.gemeinden else "freigabe"
    return f"sozialbericht_{stichtag:%Y-%m-%d}_{fassung}"


def schreibe_sozialbericht(
    session: Session,
    katalog: Katalog,
    settings: DatenSettings,
    empfaenger: Empfaenger,
    ziel: Path,
    *,
    kommune: str,
    stichtag: date | None = None,
    titel: str | None = None,
    status: str = "Entwurf",
    empfehlungen: Sequence[Empfehlung] = (),
    annahmen: Annahmen | None = None,
) -> Berichtsdateien:
    """Both documents from one content model. ``stichtag`` None: the latest computed."""
    monitor = lade_monitor(session)
    if monitor is None or not monitor.stichtage:
        raise LookupError("Es gibt noch keine Berechnung: erst Daten laden und berechnen.")
    monitor = bis_stichtag(monitor, stichtag)
    day = monitor.letzter_stichtag
    ziel.mkdir(parents=True, exist_ok=True)
    bericht = baue_bericht(
        session,
        monitor,
        katalog,
        settings,
        empfaenger,
        ziel,
        kommune=kommune,
        titel=titel or f"Sozialbericht {day.year}",
        status=status,
        empfehlungen=empfehlungen,
        annahmen=annahmen,
    )
    kreis = monitor.stand.kreis(day)
    wort = wortlaut(kreis.name if kreis else kommune)
    base = dateiname(day, empfaenger)
    docx = schreibe_docx(bericht, ziel / f"{base}.docx", wort_art=wort.art)
    html = render(TEMPLATE_PDF, b=bericht, wort=wort, pdf=True)
    pdf = ziel / f"{base}.pdf"
    footer = f"{kommune} – {bericht.titel} ({bericht.status})"
    pdf.write_bytes(html_to_pdf(html, title=bericht.titel, footer=footer, erstellt=day))
    return Berichtsdateien(docx, pdf, bericht, html)
