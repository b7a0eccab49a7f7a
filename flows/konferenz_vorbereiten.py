"""Flow ``konferenz_vorbereiten`` (daily): at each Sitzung's invitation deadline, assemble the
invitation pack (agenda with standing items, Träger proposals, open Aufträge and Maßnahmen of
the Sozialraum, the Sozialraumprofil if there is one, the previous minutes) and the recipient
list (memberships valid on the meeting day, consent present, opted-out left out, one message
per address); then hand the due Sitzungen to ``einladungen_versenden``.

One task per Sitzung (coarse); nothing here sends mail by itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from sozialforum.flows.common import actor, engine_for, settings_from

from sozialforum.konferenz import versand, vorbereitung
from sozialforum.store.db import session_scope
from sozialforum.timeutil import format_termin, utcnow


@task(cache_policy=NO_CACHE)
def faellige_sitzungen(konfiguration: str | None, jetzt: datetime) -> list[int]:
    """Planned Sitzungen whose invitation day (meeting day minus the Gremium's lead time) has come."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        return versand.due_invitations(session, now=jetzt)


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30)
def paket_zusammenstellen(konfiguration: str | None, sitzung_id: int) -> dict[str, Any]:
    """Build the agenda and the recipient list of one Sitzung; returns what the pack holds."""
    settings = settings_from(konfiguration)
    with session_scope(engine_for(settings), actor=actor()) as session:
        pack = vorbereitung.prepare(session, sitzung_id, settings)
        return {
            "sitzung_id": sitzung_id,
            "titel": pack.sitzung.titel,
            "termin": format_termin(pack.sitzung.beginn),
            "tagesordnung": [f"{top.nummer}. {top.titel}" for top in pack.tops],
            "auftraege": len(pack.auftraege),
            "massnahmen": len(pack.massnahmen),
            "profil": pack.profil.titel if pack.profil else None,
            "protokoll": pack.protokoll.titel if pack.protokoll else None,
            "empfaenger": len(pack.empfaenger),
            "uebersprungen": [f"{s.name}: {s.grund}" for s in pack.uebersprungen],
        }


def _markdown(pack: dict[str, Any]) -> str:
    lines = [f"## {pack['titel']} ({pack['termin']})", "", "**Tagesordnung**", ""]
    lines += [f"{item}  " for item in pack["tagesordnung"]]
    lines += [
        "",
        f"Offene Aufträge: {pack['auftraege']} · Maßnahmen: {pack['massnahmen']} · "
        f"Sozialraumprofil: {pack['profil'] or '–'} · Protokoll der letzten Sitzung: {pack['protokoll'] or '–'}",
        "",
        f"**Empfänger:** {pack['empfaenger']}",
    ]
    if pack["uebersprungen"]:
        lines += ["", "**Nicht eingeladen:**", ""] + [f"- {line}" for line in pack["uebersprungen"]]
    return "\n".join(lines)


@flow(name="konferenz_vorbereiten")
def konferenz_vorbereiten(
    konfiguration: str | None = None,
    jetzt: datetime | None = None,
    sitzung_ids: list[int] | None = None,
    versenden: bool = True,
) -> list[dict[str, Any]]:
    """Einladungspakete der fälligen Sitzungen zusammenstellen und (optional) versenden."""
    logger = get_run_logger()
    now = jetzt or utcnow()
    ids = sitzung_ids if sitzung_ids is not None else faellige_sitzungen(konfiguration, now)
    packs = [paket_zusammenstellen(konfiguration, sitzung_id) for sitzung_id in ids]
    for pack in packs:
        logger.info(
            "%s: %d TOP, %d Empfänger, %d nicht eingeladen",
            pack["titel"],
            len(pack["tagesordnung"]),
            pack["empfaenger"],
            len(pack["uebersprungen"]),
        )
    create_markdown_artifact(
        key="konferenz-vorbereiten",
        markdown="# Einladungspakete\n\n"
        + ("\n\n".join(_markdown(p) for p in packs) or "Heute ist keine Einladung fällig."),
        description="Tagesordnung und Empfänger der fälligen Sitzungen",
    )
    if versenden and ids:
        from sozialforum.flows.einladungen_versenden import einladungen_versenden

        einladungen_versenden(konfiguration=konfiguration, jetzt=now, sitzung_ids=ids)
    return packs
