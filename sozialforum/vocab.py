"""Controlled vocabularies of the domain.

Stored values are ASCII slugs; ``.label`` is the German text shown to users. Each vocabulary
names where its terms come from (DOMAIN.md, the seeds, the statute).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Vocab(StrEnum):
    """A StrEnum whose members carry a German display label: ``X = "slug", "Label"``."""

    label: str

    def __new__(cls, value: str, label: str | None = None) -> Self:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        return obj

    @classmethod
    def parse(cls, raw: str) -> Self:
        """Accept the slug or the German label, case-insensitively."""
        text = raw.strip().lower()
        for member in cls:
            if text in (member.value.lower(), member.label.lower()):
                return member
        raise ValueError(raw)

    @classmethod
    def label_of(cls, value: object) -> str:
        """The German label of a stored slug; a value outside the vocabulary as it is."""
        try:
            return cls(str(value)).label
        except ValueError:
            return str(value)

    @classmethod
    def choices(cls) -> str:
        return ", ".join(member.value for member in cls)


class GebietEbene(Vocab):
    """Levels of the area hierarchy (Göttingen seed: Landkreis → Sozialregion → Sozialraum)."""

    KREIS = "kreis", "Landkreis/Stadt"
    SOZIALREGION = "sozialregion", "Sozialregion"
    SOZIALRAUM = "sozialraum", "Sozialraum"
    PLANUNGSRAUM = "planungsraum", "Planungsraum"
    GEMEINDE = "gemeinde", "Gemeinde"
    ORTSTEIL = "ortsteil", "Ortsteil"


class OrganisationArt(Vocab):
    FREIER_TRAEGER = "freier_traeger", "freier Träger"
    OEFFENTLICHER_TRAEGER = "oeffentlicher_traeger", "öffentlicher Träger"
    AMT = "amt", "Amt/Fachbereich"
    VEREIN = "verein", "Verein"
    KIRCHE = "kirche", "Kirchengemeinde"
    KITA = "kita", "Kita"
    SCHULE = "schule", "Schule"
    FAMILIENZENTRUM = "familienzentrum", "Familienzentrum"
    FRAKTION = "fraktion", "Fraktion"
    SONSTIGE = "sonstige", "sonstige Organisation"


class Rechtsgrundlage(Vocab):
    """Legal basis of contacting a person (Art. 6 Abs. 1 DSGVO)."""

    EINWILLIGUNG = "einwilligung", "Einwilligung (Art. 6 Abs. 1 lit. a DSGVO)"
    VERTRAG = "vertrag", "Vertrag/Zuwendung (Art. 6 Abs. 1 lit. b DSGVO)"
    OEFFENTLICHE_AUFGABE = "oeffentliche_aufgabe", "öffentliche Aufgabe (Art. 6 Abs. 1 lit. e DSGVO)"


class GremiumArt(Vocab):
    """Bodies on their levels (Göttingen seed; Leipzig's Fachgremien)."""

    KREISTAG = "kreistag", "Kreistag/Stadtrat"
    AUSSCHUSS = "ausschuss", "Ausschuss"
    STEUERUNGSGRUPPE = "steuerungsgruppe", "Steuerungsgruppe"
    AG_SOZIALPLANUNG = "ag_sozialplanung", "AG Sozialplanung"
    REGIONALES_SOZIALFORUM = "regionales_sozialforum", "Regionales Sozialforum"
    SOZIALRAUMKONFERENZ = "sozialraumkonferenz", "Sozialraumkonferenz"
    FACHGREMIUM = "fachgremium", "Fachgremium"


class MitgliedRolle(Vocab):
    VORSITZ = "vorsitz", "Vorsitz"
    MITGLIED = "mitglied", "Mitglied"
    STELLVERTRETUNG = "stellvertretung", "Stellvertretung"
    PROTOKOLLFUEHRUNG = "protokollfuehrung", "Protokollführung"
    GESCHAEFTSSTELLE = "geschaeftsstelle", "Geschäftsstelle"
    GAST = "gast", "ständiger Gast"


class SitzungStatus(Vocab):
    GEPLANT = "geplant", "geplant"
    EINGELADEN = "eingeladen", "eingeladen"
    DURCHGEFUEHRT = "durchgefuehrt", "durchgeführt"
    ABGESAGT = "abgesagt", "abgesagt"


class TopQuelle(Vocab):
    """Where an agenda item came from."""

    STANDARD = "standard", "ständiger Punkt"
    VORSCHLAG = "vorschlag", "Themenvorschlag"
    AUFTRAG = "auftrag", "offener Auftrag"
    MASSNAHME = "massnahme", "Maßnahme"
    GESCHAEFTSSTELLE = "geschaeftsstelle", "Geschäftsstelle"


class FachplanArt(Vocab):
    ALTENHILFEPLAN = "altenhilfeplan", "Altenhilfeplan"
    TEILHABEPLAN = "teilhabeplan", "Teilhabeplan"
    JUGENDHILFEPLAN = "jugendhilfeplan", "Jugendhilfeplan"
    WOHNUNGSNOTFALLHILFE = "wohnungsnotfallhilfe", "Wohnungsnotfallhilfe-Konzept"
    KAPAZITAETSPLANUNG = "kapazitaetsplanung", "Kapazitätsbedarfsplanung"
    SOZIALSTRATEGIE = "sozialstrategie", "Sozialstrategie"
    SONSTIGER = "sonstiger", "sonstiger Fachplan"


class MassnahmeStatus(Vocab):
    """Evaluation status of projects (Lörrach seed)."""

    GEPLANT = "geplant", "geplant"
    LAUFENDES_GESCHAEFT = "laufendes_geschaeft", "laufendes Geschäft"
    WEITERENTWICKLUNG = "weiterentwicklung", "Weiterentwicklung"
    PRUEFAUFTRAG = "pruefauftrag", "Prüfauftrag"
    BEENDET = "beendet", "beendet"
    ABGESCHLOSSEN = "abgeschlossen", "abgeschlossen"


class MassnahmeArt(Vocab):
    """Göttingen seed: time-limited Teilprojekte vs permanent Bausteine; Lörrach/Leipzig: projects."""

    TEILPROJEKT = "teilprojekt", "befristetes Teilprojekt"
    BAUSTEIN = "baustein", "unbefristeter Baustein"
    PROJEKT = "projekt", "Projekt"
    MASSNAHME = "massnahme", "Maßnahme"


class VorlageArt(Vocab):
    ANTRAG = "antrag", "Antrag"
    VERWALTUNGSVORLAGE = "verwaltungsvorlage", "Beschlussvorlage der Verwaltung"
    VERWALTUNGSSTANDPUNKT = "verwaltungsstandpunkt", "Verwaltungsstandpunkt"
    INFORMATIONSVORLAGE = "informationsvorlage", "Informationsvorlage"
    ANFRAGE = "anfrage", "Anfrage"


class BeratungRolle(Vocab):
    VORBERATUNG = "vorberatung", "Vorberatung"
    ENTSCHEIDUNG = "entscheidung", "Entscheidung"
    KENNTNISNAHME = "kenntnisnahme", "Kenntnisnahme"


class BeratungErgebnis(Vocab):
    OFFEN = "offen", "noch nicht beraten"
    BESCHLOSSEN = "beschlossen", "beschlossen"
    GEAENDERT_BESCHLOSSEN = "geaendert_beschlossen", "geändert beschlossen"
    ABGELEHNT = "abgelehnt", "abgelehnt"
    VERTAGT = "vertagt", "vertagt"
    ZUR_KENNTNIS = "zur_kenntnis", "zur Kenntnis genommen"
    EMPFOHLEN = "empfohlen", "zur Beschlussfassung empfohlen"


class AuftragQuelle(Vocab):
    BESCHLUSS = "beschluss", "Beschluss"
    PROTOKOLL = "protokoll", "Protokoll"
    BERICHTSPFLICHT = "berichtspflicht", "Berichtspflicht"
    MASSNAHME = "massnahme", "Überprüfung einer Maßnahme"
    FOERDERUNG = "foerderung", "Auflage einer Förderung"
    BEWERTUNG = "bewertung", "Folgeauftrag einer Projektbewertung"


class AuftragStatus(Vocab):
    OFFEN = "offen", "offen"
    IN_ARBEIT = "in_arbeit", "in Arbeit"
    UMGESETZT = "umgesetzt", "umgesetzt"
    VERZOEGERT = "verzoegert", "verzögert"
    GESCHEITERT = "gescheitert", "gescheitert"
    AUFGEHOBEN = "aufgehoben", "aufgehoben"

    @property
    def is_closed(self) -> bool:
        return self in (AuftragStatus.UMGESETZT, AuftragStatus.GESCHEITERT, AuftragStatus.AUFGEHOBEN)


class Antwort(Vocab):
    """RSVP answers; the iTIP PARTSTAT values map onto them (RFC 5545 §3.2.12)."""

    OFFEN = "offen", "noch keine Antwort"
    ZUSAGE = "zusage", "Zusage"
    ABSAGE = "absage", "Absage"
    VIELLEICHT = "vielleicht", "vielleicht"
    DELEGIERT = "delegiert", "Vertretung benannt"


class AntwortQuelle(Vocab):
    LINK = "link", "persönlicher Link"
    KALENDER = "kalender", "Kalenderantwort"
    GESCHAEFTSSTELLE = "geschaeftsstelle", "Geschäftsstelle"


class LinkZweck(Vocab):
    """What one personal link may do; a link is scoped to exactly one purpose and object."""

    RSVP = "rsvp", "Rückmeldung zur Sitzung"
    THEMENVORSCHLAG = "themenvorschlag", "Themenvorschlag"
    FORMULAR = "formular", "Formular"
    PROTOKOLL_ENTWURF = "protokoll_entwurf", "Protokollentwurf"
    PROTOKOLL_KOMMENTAR = "protokoll_kommentar", "Kommentar zum Protokoll"
    SACHSTAND = "sachstand", "Sachstandsmeldung"
    PROJEKTBERICHT = "projektbericht", "Projektbericht"
    FOERDERANTRAG = "foerderantrag", "Förderantrag"
    # The overview of a person's open requests (``bezug_id`` is the person), mailed on request.
    UEBERSICHT = "uebersicht", "Ihre Anfragen"
    # Confirms a contact's new e-mail address (``bezug_id`` is the EmailAenderung), sent there.
    EMAIL_BESTAETIGEN = "email_bestaetigen", "Neue E-Mail-Adresse bestätigen"
    # Undoes a confirmed change (``bezug_id`` is the EmailAenderung), sent to the OLD address:
    # anyone holding a forwarded link can change the address, the owner of the mailbox undoes it.
    EMAIL_ZURUECK = "email_zurueck", "E-Mail-Änderung zurücknehmen"


class OutboxStatus(Vocab):
    QUEUED = "queued", "wartet"
    SENDING = "sending", "wird gesendet"
    SENT = "sent", "gesendet"
    FAILED = "failed", "fehlgeschlagen"
    BOUNCED = "bounced", "unzustellbar"
    SKIPPED = "skipped", "übersprungen"
    # Hand-over begun (final "." of DATA perhaps sent), no reply recorded: a person decides.
    UNCERTAIN = "uncertain", "Zustellung unklar"


class NachrichtArt(Vocab):
    """What a message in the outbox is (``OutboxMessage.art``): every kind that is queued is a
    member, so the demo, the Postausgang page and the command line name it in German. ``plural``
    is the form after a count other than one ("12 Einladungen")."""

    plural: str

    def __new__(cls, value: str, label: str | None = None, plural: str | None = None) -> Self:
        # Enum swaps Vocab.__new__ out once Vocab is built, so the member is made here in full.
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        obj.plural = plural or obj.label
        return obj

    def benannt(self, anzahl: int) -> str:
        """The label for a count: singular for one, plural for any other number."""
        return self.label if anzahl == 1 else self.plural

    @classmethod
    def benenne(cls, art: str, anzahl: int = 1) -> str:
        """The German name of a stored kind (for a count); a kind no longer queued keeps its key
        on screen rather than breaking the page (queueing one is refused: ``outbox.enqueue``)."""
        try:
            return cls(art).benannt(anzahl)
        except ValueError:
            return art

    # Sitzungen (konferenz/)
    EINLADUNG = "einladung", "Einladung", "Einladungen"
    AKTUALISIERUNG = "aktualisierung", "geänderte Einladung", "geänderte Einladungen"
    ABSAGE = "absage", "Sitzungsabsage", "Sitzungsabsagen"
    ERINNERUNG = "erinnerung", "Erinnerung an die Rückmeldung", "Erinnerungen an die Rückmeldung"
    NACHGERUECKT = (
        "nachgerueckt",
        "Nachricht über einen frei gewordenen Platz",
        "Nachrichten über frei gewordene Plätze",
    )
    ZUSTELLPROBLEME = "zustellprobleme", "Bericht über Zustellprobleme", "Berichte über Zustellprobleme"
    # Protokolle: requests, reminders, comments, distribution
    PROTOKOLL = "protokoll", "Nachricht zum Protokoll", "Nachrichten zum Protokoll"
    # Fristen
    FRIST_ERINNERUNG = "frist_erinnerung", "Fristerinnerung", "Fristerinnerungen"
    FRIST_WOCHENUEBERSICHT = "frist_wochenuebersicht", "Wochenübersicht der Fristen", "Wochenübersichten der Fristen"
    FRIST_ESKALATION = (
        "frist_eskalation",
        "Meldung überschrittener Fristen an die Leitung",
        "Meldungen überschrittener Fristen an die Leitung",
    )
    # Strategie und Förderung
    PROJEKTBERICHT = "projektbericht", "Anfrage zum Projektbericht", "Anfragen zum Projektbericht"
    FOERDERUNG = "foerderung", "Einladung zum Förderaufruf", "Einladungen zum Förderaufruf"
    # Beteiligungsportal
    PORTAL_LINK = "portal_link", "persönlicher Link", "persönliche Links"
    ANFRAGEN_LINK = "anfragen_link", "Link zu den offenen Anfragen", "Links zu den offenen Anfragen"
    RSVP_BESTAETIGUNG = "rsvp_bestaetigung", "Bestätigung einer Rückmeldung", "Bestätigungen von Rückmeldungen"
    EMAIL_BESTAETIGEN = (
        "email_bestaetigen",
        "Bitte um Bestätigung einer neuen E-Mail-Adresse",
        "Bitten um Bestätigung einer neuen E-Mail-Adresse",
    )
    EMAIL_GEAENDERT = (
        "email_geaendert",
        "Hinweis auf eine geänderte E-Mail-Adresse",
        "Hinweise auf geänderte E-Mail-Adressen",
    )
    EMAIL_ZURUECKGENOMMEN = (
        "email_zurueckgenommen",
        "Hinweis auf eine zurückgenommene Adressänderung",
        "Hinweise auf zurückgenommene Adressänderungen",
    )


class AuditAktion(Vocab):
    CREATE = "create", "angelegt"
    UPDATE = "update", "geändert"
    DELETE = "delete", "gelöscht"
    ERASE = "erase", "nach Art. 17 DSGVO gelöscht"


class VorschlagStatus(Vocab):
    """What became of a Träger's topic proposal for an agenda (portal)."""

    EINGEREICHT = "eingereicht", "eingereicht"
    UEBERNOMMEN = "uebernommen", "in die Tagesordnung übernommen"
    ABGELEHNT = "abgelehnt", "nicht übernommen"
    ZURUECKGEZOGEN = "zurueckgezogen", "zurückgezogen"


class Beduerfnis(Vocab):
    """Needs an attendee can state with the RSVP, so the venue and support can be arranged."""

    STUFENLOS = "stufenlos", "stufenloser Zugang (Rollstuhl, Rollator)"
    GEBAERDENSPRACHE = "gebaerdensprache", "Gebärdensprachdolmetschung"
    HOERANLAGE = "hoeranlage", "Höranlage oder Induktionsschleife"
    DOLMETSCHUNG = "dolmetschung", "Dolmetschung in eine andere Sprache (bitte im Kommentar nennen)"
    LEICHTE_SPRACHE = "leichte_sprache", "Unterlagen in Leichter Sprache"
    GROSSDRUCK = "grossdruck", "Unterlagen in Großdruck"
    KINDERBETREUUNG = "kinderbetreuung", "Kinderbetreuung während der Sitzung"


class FristArt(Vocab):
    """Where a deadline comes from (DOMAIN.md, steps 5 and 6; Leipzig seed)."""

    AUFTRAG = "auftrag", "Auftrag aus Beschluss"
    PROTOKOLL = "protokoll", "Auftrag aus Protokoll"
    BERICHTSPFLICHT = "berichtspflicht", "Berichtspflicht"
    FORTSCHREIBUNG = "fortschreibung", "Fortschreibung Fachplan"
    MEILENSTEIN = "meilenstein", "Meilenstein der Fortschreibung"
    MASSNAHME = "massnahme", "Überprüfung einer Maßnahme"
    FOERDERUNG = "foerderung", "Verwendungsnachweis einer Förderung"
    BEWERTUNG = "bewertung", "Folgeauftrag einer Projektbewertung"


class Ampel(Vocab):
    """The traffic light of the leadership report, from worst to done."""

    UEBERFAELLIG = "ueberfaellig", "überfällig"
    BALD_FAELLIG = "bald_faellig", "bald fällig"
    IM_PLAN = "im_plan", "im Plan"
    ERLEDIGT = "erledigt", "erledigt"


class KlaerungArt(Vocab):
    """What the OParl import could not decide and leaves to the Geschäftsstelle."""

    ERGEBNIS = "ergebnis", "Ergebnis einer Beratung unklar"
    ENTSCHEIDUNG = "entscheidung", "Beschluss unklar"
    LOESCHUNG = "loeschung", "in der Quelle gelöscht, hier verwendet"


class ErinnerungArt(Vocab):
    ERINNERUNG = "erinnerung", "Erinnerung"
    ESKALATION = "eskalation", "Eskalation an die Leitung"


class ProtokollStatus(Vocab):
    """Where the minutes of one Sitzung stand (DOMAIN.md, step 4). The comment period is not a
    status of its own: it is ``eingereicht`` until ``kommentar_bis``."""

    ANGEFORDERT = "angefordert", "Entwurf angefordert"
    EINGEREICHT = "eingereicht", "Entwurf eingereicht"
    ZURUECKGEGEBEN = "zurueckgegeben", "zur Überarbeitung zurückgegeben"
    FREIGEGEBEN = "freigegeben", "freigegeben"
    VERTEILT = "verteilt", "freigegeben und verteilt"


class ProtokollForm(Vocab):
    STRUKTURIERT = "strukturiert", "Formular je Tagesordnungspunkt"
    DOKUMENT = "dokument", "hochgeladenes Dokument"


class ProtokollEntscheidung(Vocab):
    FREIGEBEN = "freigeben", "freigegeben"
    ZURUECKGEBEN = "zurueckgeben", "zur Überarbeitung zurückgegeben"


class ProtokollPunktArt(Vocab):
    """What a minutes item asks for; both become tracked Aufträge on approval."""

    AUFTRAG = "auftrag", "Auftrag"
    EMPFEHLUNG = "empfehlung", "Empfehlung"


class ProtokollDateiArt(Vocab):
    ENTWURF = "entwurf", "Entwurfsdokument"
    ENDFASSUNG_HTML = "endfassung_html", "Endfassung (HTML)"
    ENDFASSUNG_PDF = "endfassung_pdf", "Endfassung (PDF)"


class ZyklusArt(Vocab):
    """What the daily planning cycle can find due (DOMAIN.md, the planning cycle, steps 1–6)."""

    DATENAKTUALISIERUNG = "datenaktualisierung", "Datenaktualisierung (neue Quelldateien)"
    PROTOKOLL_VERTEILEN = "protokoll_verteilen", "freigegebenes Protokoll verteilen"
    PROTOKOLL_ANFORDERN = "protokoll_anfordern", "Protokollentwurf anfordern"
    ANTWORTEN_LESEN = "antworten_lesen", "Zu- und Absagen aus dem Postfach lesen"
    KONFERENZ_VORBEREITEN = "konferenz_vorbereiten", "Sozialraumkonferenz vorbereiten"
    EINLADUNGEN_VERSENDEN = "einladungen_versenden", "Einladungen versenden"
    KONFERENZ_ERINNERUNG = "konferenz_erinnerung", "an die Sitzung erinnern"
    PROTOKOLLE_NACHHALTEN = "protokolle_nachhalten", "Protokolle nachhalten"
    FRISTEN_UEBERWACHEN = "fristen_ueberwachen", "Fristen überwachen"
    LEITUNGSBERICHT = "leitungsbericht", "Leitungsbericht über Beschlüsse und Fachpläne"
    BEWERTUNGSRUNDE = "bewertungsrunde", "Bewertungsrunde der Projekte: anfragen, erinnern"


class LaufZustand(Vocab):
    """Where long work started from the workspace stands (sending, loading, importing)."""

    WARTET = "wartet", "wartet auf den Start"
    LAEUFT = "laeuft", "läuft"
    FERTIG = "fertig", "fertig"
    FEHLER = "fehler", "mit Fehler beendet"

    @property
    def is_closed(self) -> bool:
        return self in (LaufZustand.FERTIG, LaufZustand.FEHLER)


class ZyklusStatus(Vocab):
    """What became of one due action of the planning cycle."""

    LAEUFT = "laeuft", "läuft"
    ERLEDIGT = "erledigt", "erledigt"
    FEHLGESCHLAGEN = "fehlgeschlagen", "fehlgeschlagen"
    UEBERSPRUNGEN = "uebersprungen", "übersprungen (durch eine spätere Stufe ersetzt)"


# --- Strategie, Projekte und Förderung (Lörrach, Ulm and Leipzig seeds) -------------------------


class StrategieElementArt(Vocab):
    """The layers of a Sozialstrategie (Lörrach seed)."""

    LEITSATZ = "leitsatz", "Leitsatz"
    AUSRICHTUNG = "ausrichtung", "Strategische Ausrichtung"
    LEITLINIE = "leitlinie", "Leitlinie"
    HANDLUNGSFELD = "handlungsfeld", "Handlungsfeld"


class ZielEbene(Vocab):
    WIRKUNGSZIEL = "wirkungsziel", "Wirkungsziel"
    HANDLUNGSZIEL = "handlungsziel", "Handlungsziel"


class Zielart(Vocab):
    """What a target is set on (Ulm contract): a value, a share, a duration, or a growth rate."""

    WERT = "wert", "Wert"
    ANTEIL = "anteil", "Anteil"
    DAUER = "dauer", "Dauer"
    WACHSTUM = "wachstum", "Wachstum je Jahr"


class Zielrichtung(Vocab):
    HOECHSTENS = "hoechstens", "höchstens"
    MINDESTENS = "mindestens", "mindestens"


class Zielstand(Vocab):
    ERREICHT = "erreicht", "erreicht"
    TOLERANZ = "toleranz", "knapp verfehlt (innerhalb der Toleranz)"
    VERFEHLT = "verfehlt", "verfehlt"
    OHNE_DATEN = "ohne_daten", "keine Daten"


class Trend(Vocab):
    BESSER = "besser", "verbessert"
    GLEICH = "gleich", "unverändert"
    SCHLECHTER = "schlechter", "verschlechtert"
    OHNE = "ohne", "kein Vorjahreswert"


class Urteil(Vocab):
    """Verdicts of an evaluation round (Lörrach seed: "Bewertung der Projekte/Maßnahmen")."""

    LAUFENDES_GESCHAEFT = "laufendes_geschaeft", "laufendes Geschäft"
    PRUEFAUFTRAG = "pruefauftrag", "Prüfauftrag"
    WEITERENTWICKLUNG = "weiterentwicklung", "für Weiterentwicklung relevant"
    FORTSETZEN = "fortsetzen", "fortsetzen"
    BEENDET = "beendet", "beendet"
    ABGESCHLOSSEN = "abgeschlossen", "abgeschlossen"
    NICHT_RELEVANT = "nicht_relevant", "nicht relevant"

    @property
    def folgeauftrag(self) -> bool:
        """Verdicts that leave work to do: they become tracked Aufträge with a deadline."""
        return self in (Urteil.PRUEFAUFTRAG, Urteil.WEITERENTWICKLUNG)


class AntragStatus(Vocab):
    ENTWURF = "entwurf", "Entwurf"
    EINGEREICHT = "eingereicht", "eingereicht"
    BEWILLIGT = "bewilligt", "bewilligt"
    ABGELEHNT = "abgelehnt", "abgelehnt"
    ZURUECKGEZOGEN = "zurueckgezogen", "zurückgezogen"


class BenutzerRolle(Vocab):
    """Roles of staff accounts (issue 12): what a logged-in person may see and change."""

    GESCHAEFTSSTELLE = "geschaeftsstelle", "Geschäftsstelle Sozialplanung"
    LEITUNG = "leitung", "Leitung (lesend)"
    FACHAMT = "fachamt", "Fachamt (eigene Aufträge)"
    KOMMUNE = "kommune", "Kommune (freigegebene Gemeindedaten)"


class BenutzerQuelle(Vocab):
    """Where a staff account's password is checked: here (scrypt hash) or in the directory."""

    LOKAL = "lokal", "lokales Konto"
    VERZEICHNIS = "verzeichnis", "Verzeichnisdienst (LDAP)"
