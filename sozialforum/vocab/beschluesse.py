"""Decisions and deadlines: council papers and their deliberation, Aufträge, Fachpläne,
deadlines, reminders and the leadership report's traffic light."""

from __future__ import annotations

from sozialforum.vocab.basis import Vocab


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


class KlaerungArt(Vocab):
    """What the OParl import could not decide and leaves to the Geschäftsstelle."""

    ERGEBNIS = "ergebnis", "Ergebnis einer Beratung unklar"
    ENTSCHEIDUNG = "entscheidung", "Beschluss unklar"
    LOESCHUNG = "loeschung", "in der Quelle gelöscht, hier verwendet"


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


class FachplanArt(Vocab):
    ALTENHILFEPLAN = "altenhilfeplan", "Altenhilfeplan"
    TEILHABEPLAN = "teilhabeplan", "Teilhabeplan"
    JUGENDHILFEPLAN = "jugendhilfeplan", "Jugendhilfeplan"
    WOHNUNGSNOTFALLHILFE = "wohnungsnotfallhilfe", "Wohnungsnotfallhilfe-Konzept"
    KAPAZITAETSPLANUNG = "kapazitaetsplanung", "Kapazitätsbedarfsplanung"
    SOZIALSTRATEGIE = "sozialstrategie", "Sozialstrategie"
    SONSTIGER = "sonstiger", "sonstiger Fachplan"


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


class ErinnerungArt(Vocab):
    ERINNERUNG = "erinnerung", "Erinnerung"
    ESKALATION = "eskalation", "Eskalation an die Leitung"


class Ampel(Vocab):
    """The traffic light of the leadership report, from worst to done."""

    UEBERFAELLIG = "ueberfaellig", "überfällig"
    BALD_FAELLIG = "bald_faellig", "bald fällig"
    IM_PLAN = "im_plan", "im Plan"
    ERLEDIGT = "erledigt", "erledigt"
