"""Flow ``arbeitsplatz-lauf``: long work started from a workspace page (``sozialforum.arbeitsplatz.laeufe``).

The page records an Arbeitslauf; ``starter`` starts this flow for it — through the deployment
when a Prefect server is configured and serves it, as a flow run beside the portal otherwise.
The flow claims the row (a doubled start does the work once), calls the same tasks the
scheduled flows use, and writes progress, the German result or the German error back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from prefect import flow
from prefect.runtime import flow_run
from sozialforum.flows import grenzen
from sozialforum.flows.common import engine_for, settings_from, zustellen
from sozialforum.flows.datenaktualisierung import berechnen, datei_laden
from sozialforum.flows.einladungen_versenden import einladen
from sozialforum.flows.leitungsbericht import oparl_importieren

from sozialforum.arbeitsplatz import laeufe
from sozialforum.timeutil import utcnow

DEPLOYMENT = "arbeitsplatz-lauf/arbeitsplatz-lauf"
log = logging.getLogger(__name__)

Melden = Callable[[str], None]


def _einladungen(konfiguration: str | None, parameter: dict[str, Any], jetzt: datetime, melde: Melden) -> list[str]:
    melde("Einladungen werden erstellt und zugestellt")
    result = einladen(konfiguration, int(parameter["sitzung_id"]), jetzt)
    return [f"{result['sitzung']}: {result['zusammenfassung']}"] + [
        f"{p['empfaenger']}: {p['grund']}" for p in result["probleme"]
    ]


def _berechnung(konfiguration: str | None, parameter: dict[str, Any], jetzt: datetime, melde: Melden) -> list[str]:
    melde("Kennzahlen werden berechnet")
    result = berechnen(konfiguration, jetzt)
    return ["Kennzahlen berechnet." if result["neu"] else "Nichts Neues zu berechnen: der Stand ist aktuell."]


def _datenlieferung(konfiguration: str | None, parameter: dict[str, Any], jetzt: datetime, melde: Melden) -> list[str]:
    melde("Datei wird geprüft und geladen")
    geladen = datei_laden(konfiguration, str(parameter["pfad"]), jetzt)
    lines = [
        f"{geladen['datei']}: {geladen['status']} – {geladen['werte']} Werte für {geladen['gebiete']} Gebiete, "
        f"Stichtage {geladen['stichtage']}",
        *geladen["hinweise"],
        *geladen.get("befunde", []),
    ]
    return lines + _berechnung(konfiguration, parameter, jetzt, melde)


def _oparl(konfiguration: str | None, parameter: dict[str, Any], jetzt: datetime, melde: Melden) -> list[str]:
    melde("Ratsinformationssystem wird abgerufen")
    url = parameter.get("url") or settings_from(konfiguration).fristen.oparl_url
    if not url:
        raise ValueError("Keine OParl-Adresse eingerichtet (fristen.oparl_url).")
    # Without the scheduled run's retries a minute apart: the person who started it is watching,
    # sees the reason at once and can start it again; what was read is kept either way.
    importieren = oparl_importieren.with_options(retries=0)
    result = importieren(konfiguration, url, jetzt, bool(parameter.get("voll")))
    return [str(result["zeilen"]), f"Mängel der Quelle: {result['maengel']}"]


def _zustellen(konfiguration: str | None, parameter: dict[str, Any], jetzt: datetime, melde: Melden) -> list[str]:
    melde("Postausgang wird zugestellt")
    return [zustellen(konfiguration, jetzt)]


def _sozialbericht(konfiguration: str | None, parameter: dict[str, Any], jetzt: datetime, melde: Melden) -> list[str]:
    from sozialforum.sozialbericht.ausgaben import freigabe_lauf

    melde("Sozialbericht wird geschrieben (Word und PDF, öffentliche Fassung)")
    settings = settings_from(konfiguration)
    return freigabe_lauf(engine_for(settings), settings, int(parameter["ausgabe_id"]), str(parameter["akteur"]), jetzt)


ARBEITEN: dict[str, Callable[[str | None, dict[str, Any], datetime, Melden], list[str]]] = {
    "einladungen": _einladungen,
    "datenlieferung": _datenlieferung,
    "berechnung": _berechnung,
    "oparl": _oparl,
    "zustellen": _zustellen,
    "sozialbericht": _sozialbericht,
}
assert set(ARBEITEN) == set(laeufe.ARTEN), "every kind of work the pages offer has its flow"


@flow(name="arbeitsplatz-lauf", log_prints=False)
def arbeitsplatz_lauf(lauf_id: int, konfiguration: str | None = None) -> list[str]:
    """Lange Arbeit aus dem Arbeitsplatz (Versand, Laden, Abruf) ausführen und ihr Ergebnis festhalten."""
    engine = engine_for(settings_from(konfiguration))
    auftrag = laeufe.beginne(engine, lauf_id, flow_run_id=str(flow_run.get_id() or "") or None)
    if auftrag is None:
        return []  # started before: the first run does the work
    try:
        ergebnis = ARBEITEN[auftrag.art](
            konfiguration, auftrag.parameter, utcnow(), lambda text: laeufe.melde(engine, lauf_id, text)
        )
    except BaseException as exc:
        laeufe.scheitere(engine, lauf_id, laeufe.fehlertext(exc))
        raise
    laeufe.beende(engine, lauf_id, ergebnis)
    return ergebnis


def starter(konfiguration: str | None) -> laeufe.Starter:
    """Start an Arbeitslauf: on a Prefect server through its deployment (a worker runs it);
    without a server, or when the server does not serve the deployment, in a thread of this
    process (the run is still a flow run, with its log and state)."""

    def start(lauf_id: int) -> None:
        if grenzen.aktiv() and _ueber_deployment(lauf_id, konfiguration):
            return
        threading.Thread(
            target=_lokal, args=(lauf_id, konfiguration), name=f"arbeitslauf-{lauf_id}", daemon=True
        ).start()

    return start


def _ueber_deployment(lauf_id: int, konfiguration: str | None) -> bool:
    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound

    try:
        run_deployment(
            DEPLOYMENT,
            parameters={"lauf_id": lauf_id, "konfiguration": konfiguration},
            timeout=0,
            idempotency_key=f"arbeitslauf:{lauf_id}",
        )
    except ObjectNotFound:
        log.warning("Deployment %s fehlt auf dem Prefect-Server; der Lauf %s läuft im Portal.", DEPLOYMENT, lauf_id)
        return False
    return True


def protokoll_fortsetzen(lauf_id: str, entscheidung: str, anmerkungen: str, von: str) -> bool:
    """A minutes decision taken in the workspace resumes the paused run (as ``protokoll freigeben``)."""
    from sozialforum.flows.protokoll_einsammeln import resume_with_decision

    return resume_with_decision(lauf_id, entscheidung=entscheidung, anmerkungen=anmerkungen, entschieden_von=von)


def _lokal(lauf_id: int, konfiguration: str | None) -> None:
    try:
        arbeitsplatz_lauf(lauf_id, konfiguration)
    except BaseException:  # recorded in the row by the flow; the thread has nobody to tell
        log.exception("Arbeitslauf %s fehlgeschlagen", lauf_id)
