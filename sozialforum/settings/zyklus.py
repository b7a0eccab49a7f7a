"""The stages of the planning cycle: statistics (``[daten]``), conferences (``[konferenz]``),
deadlines (``[fristen]``), minutes (``[protokoll]``), strategy and funding (``[strategie]``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field

from sozialforum.settings.abschnitt import Section


class DateiOptionen(Section):
    """How the scheduled refresh loads the files of one source (what ``daten laden`` takes as
    options): files whose name matches ``muster`` (``*`` and ``?``), the first entry that fits."""

    muster: str
    stichtag: date | None = None  # for files that name none
    unbekannte_ignorieren: bool = False  # keys outside the territory (a nationwide file)
    zuordnung: str | None = None  # the saved reading of the table assistant


class DatenSettings(Section):
    katalog: Path = Path("config/indikatoren.toml")
    geheimhaltung_schwelle: int = Field(default=3, ge=1, description="§16 BStatG; BA minimum")
    geheimhaltung_schwelle_kleinraeumig: int = Field(default=10, ge=1)
    einwohner_mindestzahl: int = Field(default=300, ge=0, description="index floor (Berlin MSS)")
    # Rates on fewer cases than this are flagged "( )": statistically unreliable.
    unsicher_unter: int = Field(default=20, ge=1)
    # Where the refresh flow finds the statistics files (GENESIS CSV, BA workbooks, own tables).
    quellen_ordner: Path = Path("var/statistik")
    # Per source ([[daten.dateien]]): Stichtag, foreign keys, saved reading, by file name pattern.
    dateien: list[DateiOptionen] = Field(default_factory=list)
    # "werte": outputs show values (confidentiality applied); "nur_monitor" (Zwickau): the public
    # sees the index and its classes only, a Kommune the values of its released Gemeinden.
    veroeffentlichung: Literal["werte", "nur_monitor"] = "werte"

    def optionen_fuer(self, dateiname: str) -> DateiOptionen:
        from fnmatch import fnmatch

        for optionen in self.dateien:
            if fnmatch(dateiname.lower(), optionen.muster.lower()):
                return optionen
        return DateiOptionen(muster="*")


class KonferenzSettings(Section):
    # Standing agenda items of every Sozialraumkonferenz: opening and closing; the generated
    # items (proposals, open Aufträge, Maßnahmen, Sozialraumprofil) go between them.
    tops_beginn: list[str] = Field(
        default_factory=lambda: [
            "Begrüßung und Feststellung der Tagesordnung",
            "Genehmigung des Protokolls der letzten Sitzung",
        ]
    )
    tops_ende: list[str] = Field(default_factory=lambda: ["Verschiedenes und nächste Termine"])
    dauer_minuten: int = Field(default=120, ge=15)
    # Attach the agenda as PDF to invitations (the text is always in the mail body too).
    tagesordnung_als_pdf: bool = True
    # The Land whose public holidays and school holidays a date is checked against (ISO 3166-2
    # code without "DE-": NI, NW, BY, ...), and the school holidays (KMK dates, one file).
    bundesland: str = Field(default="NI", pattern="^(BB|BE|BW|BY|HB|HE|HH|MV|NI|NW|RP|SH|SL|SN|ST|TH)$")
    schulferien: Path = Path("config/schulferien.toml")


class FristenSettings(Section):
    # Days before a due date on which the responsible person is reminded (each stage once).
    erinnerung_tage: list[int] = Field(default_factory=lambda: [90, 30, 7])
    # One weekly digest per recipient instead of single reminders.
    wochenuebersicht: bool = False
    wochenuebersicht_wochentag: int = Field(default=0, ge=0, le=6, description="0 = Montag")
    # Overdue items go to geschaeftsstelle.leitung this many days after the due date.
    eskalation_nach_tagen: int = Field(default=1, ge=0)
    # The report's yellow light: due within this many days.
    bald_faellig_tage: int = Field(default=30, ge=1)
    # Milestones of a Fortschreibung per plan type (months before the due date).
    meilensteine: Path = Path("config/fristen.toml")
    # Part of the deadline calendar's address (beschluesse.feed): the higher of this and the
    # generation renewed in the workspace counts; 0 is the address issued before either existed.
    kalender_fassung: int = Field(default=0, ge=0)
    # The council information system's OParl API (system or body URL) for the weekly import.
    oparl_url: str | None = None
    # Gremien that decide (name, Kurzname or OParl id), for council systems whose Beratungen name
    # no role (STERNBERG); empty: the Kreistag / Stadtrat / Gemeinderat among the Gremien.
    oparl_entscheidungsgremien: list[str] = Field(default_factory=list)


class ProtokollSettings(Section):
    # Days the Protokollführung has for the draft (again after a return).
    entwurf_frist_tage: int = Field(default=14, ge=1)
    # Days participants may comment on a submitted draft.
    kommentar_tage: int = Field(default=7, ge=1)
    # Reminder to the Protokollführung this many days before the draft is due.
    erinnerung_vor_frist_tage: int = Field(default=2, ge=0)
    # Late drafts go to the Geschäftsstelle this many days after the due date.
    eskalation_nach_tagen: int = Field(default=0, ge=0)
    # Hours the approval waits before it reminds the Geschäftsstelle (it never approves itself).
    freigabe_erinnerung_stunden: float = Field(default=72, gt=0)
    # Reminders per flow run before the run ends; the daily run starts a new one.
    freigabe_erinnerungen_je_lauf: int = Field(default=3, ge=0)
    # Largest uploaded draft document, in megabytes.
    upload_max_mb: float = Field(default=10, gt=0)


class StrategieSettings(Section):
    # Scores per criterion (Leitsatz) when applications are reviewed: 0 … max_punkte.
    max_punkte: int = Field(default=5, ge=1, le=100)
    # Days a project's responsible person has to report in an evaluation round.
    bericht_frist_tage: int = Field(default=28, ge=1)
    # Reminder this many days before that deadline (once).
    erinnerung_vor_frist_tage: int = Field(default=7, ge=0)
    # Days after the funded period by which the Verwendungsnachweis is due.
    nachweis_frist_tage: int = Field(default=180, ge=1)
    # Dynamisierung of next year's funding: tariff increase per pay group (percent), a default
    # for groups not listed and a rate for material costs; or one flat percentage for everything.
    dynamisierung_tarif: dict[str, float] = Field(default_factory=dict)
    dynamisierung_tarif_standard_prozent: float = Field(default=0, ge=-50, le=50)
    dynamisierung_sachkosten_prozent: float = Field(default=0, ge=-50, le=50)
    dynamisierung_pauschal_prozent: float | None = Field(default=None, ge=-50, le=50)
