"""Personal links and the outbox: what a link may do, what a message is, where it stands."""

from __future__ import annotations

from typing import Self

from sozialforum.vocab.basis import Vocab


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
    KALENDERADRESSE = (
        "kalenderadresse",
        "Mitteilung einer neuen Kalenderadresse",
        "Mitteilungen neuer Kalenderadressen",
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
