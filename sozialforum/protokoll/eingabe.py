"""The draft as it comes from the portal form, and its checks.

Input contract (kept apart from the stored model): entries per Tagesordnungspunkt, Aufträge and
recommendations as typed rows, or an uploaded document (PDF, DOCX, Markdown) with the Aufträge
entered in the form. Every problem is reported at once, in German, naming the file or the row
and field; a rejected draft changes nothing.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from sqlalchemy.orm import Session

from sozialforum.parsing import parse_date
from sozialforum.problems import Problem, ProblemReport
from sozialforum.protokoll.teilnehmende import verantwortliche_auswahl
from sozialforum.settings import Settings
from sozialforum.store.models import Organisation, Person, Sitzung, Tagesordnungspunkt
from sozialforum.timeutil import berlin, format_datum_kurz, format_zahl, local_to_utc
from sozialforum.vocab import ProtokollPunktArt
from sozialforum.zipcheck import zu_gross_entpackt

FORMULAR = "Protokollentwurf"
PUNKTE = "Protokollentwurf, Aufträge und Empfehlungen"
# Suffix → (mimetype, label). The content is checked too: a renamed file does not pass.
DOKUMENTTYPEN = {
    ".pdf": ("application/pdf", "PDF"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    ".md": ("text/markdown", "Markdown"),
    ".markdown": ("text/markdown", "Markdown"),
}
MAX_TEXT = 20_000


@dataclass(frozen=True)
class EintragEingabe:
    tagesordnungspunkt_id: int | None
    diskussion: str = ""
    ergebnis: str = ""
    titel: str = ""  # only for an entry without a Tagesordnungspunkt


@dataclass(frozen=True)
class PunktEingabe:
    art: str  # "auftrag" | "empfehlung"
    beschreibung: str
    verantwortlich: str  # "person:<id>" | "organisation:<id>" | ""
    frist: str  # as typed: 31.12.2026 or 2026-12-31
    tagesordnungspunkt_id: int | None = None

    @property
    def leer(self) -> bool:
        return not (self.beschreibung.strip() or self.verantwortlich.strip() or self.frist.strip())


@dataclass(frozen=True)
class DokumentEingabe:
    dateiname: str
    inhalt: bytes


@dataclass(frozen=True)
class EntwurfEingabe:
    eintraege: tuple[EintragEingabe, ...] = ()
    punkte: tuple[PunktEingabe, ...] = ()
    dokument: DokumentEingabe | None = None
    anmerkung: str = ""
    beginn: str = ""  # actual begin and end, "17:05" (empty: as invited)
    ende: str = ""


@dataclass(frozen=True)
class GeprueftesDokument:
    dateiname: str
    mimetype: str
    inhalt: bytes
    text: str  # extracted for the final minutes


@dataclass(frozen=True)
class GepruefterPunkt:
    art: ProtokollPunktArt
    beschreibung: str
    verantwortlich_person_id: int | None
    verantwortlich_organisation_id: int | None
    frist: date
    tagesordnungspunkt_id: int | None


@dataclass
class GepruefterEntwurf:
    eintraege: list[EintragEingabe] = field(default_factory=list)
    punkte: list[GepruefterPunkt] = field(default_factory=list)
    dokument: GeprueftesDokument | None = None
    anmerkung: str = ""
    beginn: datetime | None = None
    ende: datetime | None = None


def _uhrzeit(text: str, feld: str, sitzung: Sitzung, problems: list[Problem]) -> datetime | None:
    """ "17:05", "17.05" or "17" on the Sitzung's day (Europe/Berlin); empty: None."""
    value = text.strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?(?:\s*Uhr)?", value)
    if match is None or int(match[1]) > 23 or int(match[2] or 0) > 59:
        problems.append(Problem(FORMULAR, None, feld, f"„{value[:20]}“ ist keine Uhrzeit (SS:MM, z. B. 17:05)"))
        return None
    return local_to_utc(berlin(sitzung.beginn).date(), int(match[1]), int(match[2] or 0))


def _docx_text(content: bytes) -> str:
    import docx  # python-docx; imported here since only uploads need it

    document = docx.Document(io.BytesIO(content))
    return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()


DATEINAME_MAX = 120  # characters; the stored columns allow 200 (top_dokument) and 255
# Control (a line break, NUL), format (a bidi override, a zero-width space), surrogate, private
# and unassigned characters: none belongs in a file name.
_UNSICHTBAR = {"Cc", "Cf", "Cs", "Co", "Cn"}
_VERBOTEN = str.maketrans({c: "_" for c in '<>:"|?*'})  # not allowed in Windows file names


def sicherer_dateiname(roh: str) -> str:
    """A client's file name made safe to store, show, print, send as an attachment and save
    on any system: invisible and control characters dropped, any path (``../``, ``C:\\``) cut
    off, characters Windows refuses replaced, spaces collapsed, leading and trailing dots and
    spaces removed, at most ``DATEINAME_MAX`` characters (the suffix kept); "Datei" if nothing
    is left. Used at the upload and again wherever a stored name is used (rows stored before)."""
    text = "".join(c for c in unicodedata.normalize("NFC", roh) if unicodedata.category(c) not in _UNSICHTBAR)
    name = " ".join(PurePath(text.replace("\\", "/")).name.translate(_VERBOTEN).split()).strip(" .")
    if len(name) > DATEINAME_MAX:
        suffix = PurePath(name).suffix
        suffix = suffix if 1 < len(suffix) <= 10 else ""
        name = name[: DATEINAME_MAX - len(suffix)].rstrip(" .") + suffix
    return name or "Datei"


def pruefe_dokument(dokument: DokumentEingabe, *, settings: Settings) -> GeprueftesDokument:
    """Check an uploaded draft: allowed type (by name and by content), size, readable. The name
    is made safe (``sicherer_dateiname``) at this, the only way in."""
    name = sicherer_dateiname(dokument.dateiname)

    def fail(meldung: str) -> ProblemReport:
        return ProblemReport([Problem(name, None, None, meldung)])

    suffix = PurePath(name).suffix.lower()
    if suffix not in DOKUMENTTYPEN:
        raise fail("Dateityp nicht erlaubt: bitte ein PDF-, DOCX- oder Markdown-Dokument (.pdf, .docx, .md) hochladen.")
    limit = int(settings.protokoll.upload_max_mb * 1024 * 1024)
    size = len(dokument.inhalt)
    if size == 0:
        raise fail("Die Datei ist leer.")
    if size > limit:
        raise fail(
            f"Die Datei ist zu groß ({format_zahl(size / 1024 / 1024, 1)} MB); erlaubt sind "
            f"höchstens {format_zahl(settings.protokoll.upload_max_mb, 1)} MB."
        )
    mimetype, label = DOKUMENTTYPEN[suffix]
    content = dokument.inhalt
    if suffix == ".docx" and (meldung := zu_gross_entpackt(content)):
        raise fail(meldung)
    try:
        if suffix == ".pdf":
            if not content.startswith(b"%PDF-"):
                raise ValueError
            text = _pdf_text(content)
        elif suffix == ".docx":
            if not zipfile.is_zipfile(io.BytesIO(content)):
                raise ValueError
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" not in archive.namelist():
                    raise ValueError
            text = _docx_text(content)
        else:
            if b"\x00" in content:
                raise ValueError
            text = content.decode("utf-8-sig")
    except Exception:  # any parser error means the same to the user: not a readable file
        raise fail(f"Die Datei ist kein lesbares {label}-Dokument (beschädigt oder umbenannt?).") from None
    return GeprueftesDokument(dateiname=name, mimetype=mimetype, inhalt=content, text=text)


def _owner(session: Session, raw: str) -> tuple[int | None, int | None]:
    kind, _, ident = raw.strip().partition(":")
    if not ident.isdigit():
        raise ValueError("unbekannte Auswahl")
    if kind == "person":
        person = session.get(Person, int(ident))
        if person is None or person.geloescht_am is not None:
            raise ValueError("diese Person gibt es nicht (mehr)")
        return person.id, person.organisation_id
    if kind == "organisation":
        if session.get(Organisation, int(ident)) is None:
            raise ValueError("diese Organisation gibt es nicht")
        return None, int(ident)
    raise ValueError("unbekannte Auswahl")


def _punkt(
    session: Session,
    row: int,
    eingabe: PunktEingabe,
    today: date,
    tops: set[int],
    problems: list[Problem],
    offered: set[str],
) -> GepruefterPunkt | None:
    start = len(problems)

    def problem(spalte: str, meldung: str) -> None:
        problems.append(Problem(PUNKTE, row, spalte, meldung))

    try:
        art = ProtokollPunktArt.parse(eingabe.art or "auftrag")
    except ValueError:
        problem("Art", f"„{eingabe.art}“ ist weder Auftrag noch Empfehlung")
        art = ProtokollPunktArt.AUFTRAG
    beschreibung = eingabe.beschreibung.strip()
    if not beschreibung:
        problem("Beschreibung", "fehlt: was ist zu tun?")
    elif len(beschreibung) > 2000:
        problem("Beschreibung", "ist zu lang (höchstens 2.000 Zeichen)")
    person_id = organisation_id = None
    if not eingabe.verantwortlich.strip():
        problem("Verantwortlich", "fehlt: jede Aufgabe braucht eine verantwortliche Person oder Organisation")
    elif eingabe.verantwortlich.strip() not in offered:
        # The same answer whether the id exists or not: the form is no oracle for people.
        problem("Verantwortlich", "steht nicht zur Auswahl: bitte aus der Liste wählen")
    else:
        try:
            person_id, organisation_id = _owner(session, eingabe.verantwortlich)
        except ValueError as exc:
            problem("Verantwortlich", str(exc))
    frist = None
    if not eingabe.frist.strip():
        problem("Frist", "fehlt: bis wann ist die Aufgabe zu erledigen? (TT.MM.JJJJ)")
    else:
        try:
            frist = parse_date(eingabe.frist)
        except ValueError as exc:
            problem("Frist", str(exc))
        else:
            if frist < today:
                problem(
                    "Frist",
                    f"liegt in der Vergangenheit ({format_datum_kurz(frist)}); bitte ein Datum ab heute angeben",
                )
    if eingabe.tagesordnungspunkt_id is not None and eingabe.tagesordnungspunkt_id not in tops:
        problem("Tagesordnungspunkt", "gehört nicht zu dieser Sitzung")
    if len(problems) > start or frist is None:
        return None
    return GepruefterPunkt(
        art=art,
        beschreibung=beschreibung,
        verantwortlich_person_id=person_id,
        verantwortlich_organisation_id=organisation_id,
        frist=frist,
        tagesordnungspunkt_id=eingabe.tagesordnungspunkt_id,
    )


def pruefe_entwurf(
    session: Session,
    sitzung: Sitzung,
    eingabe: EntwurfEingabe,
    *,
    today: date,
    settings: Settings,
    tops: list[Tagesordnungspunkt],
) -> GepruefterEntwurf:
    """The checked draft, or ProblemReport with every problem found."""
    problems: list[Problem] = []
    result = GepruefterEntwurf(anmerkung=eingabe.anmerkung.strip()[:MAX_TEXT])
    result.beginn = _uhrzeit(eingabe.beginn, "Beginn", sitzung, problems)
    result.ende = _uhrzeit(eingabe.ende, "Ende", sitzung, problems)
    if result.beginn and result.ende and result.ende <= result.beginn:
        problems.append(Problem(FORMULAR, None, "Ende", "Das Ende liegt nicht nach dem Beginn"))
    if eingabe.dokument is not None:
        try:
            result.dokument = pruefe_dokument(eingabe.dokument, settings=settings)
        except ProblemReport as report:
            problems.extend(report.problems)
    top_ids = {top.id for top in tops if top.id is not None}
    offered = {wert for wert, _ in verantwortliche_auswahl(session, sitzung)}
    for eintrag in eingabe.eintraege:
        if eintrag.tagesordnungspunkt_id is not None and eintrag.tagesordnungspunkt_id not in top_ids:
            problems.append(
                Problem(
                    FORMULAR,
                    None,
                    "Tagesordnungspunkt",
                    f"TOP {eintrag.tagesordnungspunkt_id} gehört nicht zu dieser Sitzung",
                )
            )
            continue
        too_long = max(len(eintrag.diskussion), len(eintrag.ergebnis)) > MAX_TEXT
        if too_long:
            problems.append(
                Problem(FORMULAR, None, "Diskussion/Ergebnis", "Text zu lang (höchstens 20.000 Zeichen je Feld)")
            )
        if eintrag.diskussion.strip() or eintrag.ergebnis.strip():
            result.eintraege.append(eintrag)
    if not result.eintraege and result.dokument is None and not problems:
        problems.append(
            Problem(
                FORMULAR,
                None,
                None,
                "Der Entwurf ist leer: bitte mindestens einen "
                "Tagesordnungspunkt ausfüllen oder ein Dokument hochladen.",
            )
        )
    for row, punkt in enumerate(eingabe.punkte, start=1):
        if punkt.leer:
            continue  # the form offers blank rows
        checked = _punkt(session, row, punkt, today, top_ids, problems, offered)
        if checked is not None:
            result.punkte.append(checked)
    if problems:
        raise ProblemReport(problems)
    return result
