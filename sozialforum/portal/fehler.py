"""The portal's German error pages as exceptions (``app.create_app`` renders them)."""

from __future__ import annotations

from datetime import datetime


class PortalFehler(Exception):
    """A German error page with a status code (CSRF failure, lockout, not found …)."""

    def __init__(self, status_code: int, titel: str, meldung: str) -> None:
        super().__init__(meldung)
        self.status_code, self.titel, self.meldung = status_code, titel, meldung


class NichtAngemeldet(Exception):
    """The staff view needs a login; the handler redirects to the login page (``leerlauf``:
    with the notice that the session ended for lack of activity)."""

    def __init__(self, *, leerlauf: bool = False) -> None:
        super().__init__()
        self.leerlauf = leerlauf


CSRF_FEHLER = PortalFehler(
    403,
    "Formular nicht angenommen",
    "Das Formular konnte nicht angenommen werden, weil es abgelaufen ist oder nicht von dieser "
    "Seite stammt. Bitte laden Sie die Seite neu und senden Sie es noch einmal.",
)


KEINE_BERECHTIGUNG = PortalFehler(
    403,
    "Keine Berechtigung",
    "Diese Seite oder Aktion ist mit Ihrer Rolle nicht möglich. Wenden Sie sich bei Bedarf an die Geschäftsstelle.",
)


KALENDER_UNGUELTIG = PortalFehler(404, "Kalender nicht gefunden", "Diese Kalenderadresse ist ungültig.")
# An address withdrawn in the workspace (or by the deadline calendar's setting).
KALENDER_ZURUECKGEZOGEN = PortalFehler(
    404,
    "Kalender nicht gefunden",
    "Diese Kalenderadresse gilt nicht mehr. Die neue Adresse erhalten Sie von der Geschäftsstelle.",
)


def gesperrt(bis: datetime) -> PortalFehler:
    return PortalFehler(
        429,
        "Zu viele ungültige Versuche",
        "Von Ihrem Anschluss kamen zu viele ungültige Anfragen. Bitte versuchen Sie es später "
        "noch einmal oder wenden Sie sich an die Geschäftsstelle.",
    )
