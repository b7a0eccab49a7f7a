"""Who takes part: areas, organisations, bodies, members, staff accounts, the audit trail."""

from __future__ import annotations

from sozialforum.vocab.basis import Vocab


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


class SitzungEnde(Vocab):
    """Why a staff login session ended (``benutzer_sitzung.beendet_grund``)."""

    ABMELDUNG = "abmeldung", "abgemeldet"
    LEERLAUF = "leerlauf", "ohne Aktivität abgelaufen"
    PASSWORT = "passwort", "neues Passwort"
    GESPERRT = "gesperrt", "Konto gesperrt"
    ZWEITER_FAKTOR = "zweiter_faktor", "zweiter Faktor geändert"


class AuditAktion(Vocab):
    CREATE = "create", "angelegt"
    UPDATE = "update", "geändert"
    DELETE = "delete", "gelöscht"
    ERASE = "erase", "nach Art. 17 DSGVO gelöscht"
