"""Failures that reach a person: an alarm is stored once (by its key, whichever machine sees it
first) and forwarded by a channel that does not depend on the broken one — a JSON line in a
file the monitoring reads, and/or a JSON POST to a webhook (the administration's chat).

``zustellung_pruefen`` raises the alarm when messages have been waiting for delivery longer than
``betrieb.alarm_nach_stunden`` (server down, refusing, or no run delivering): once per outage
(keyed by the oldest message still waiting).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.settings import Settings
from sozialforum.store.models import Alarm, OutboxMessage
from sozialforum.store.models.base import table_of
from sozialforum.timeutil import as_utc, format_termin
from sozialforum.vocab import OutboxStatus

log = logging.getLogger(__name__)


def _forward(settings: Settings, payload: dict[str, str]) -> str:
    done: list[str] = []
    config = settings.betrieb
    if config.alarm_datei is not None:
        try:
            config.alarm_datei.parent.mkdir(parents=True, exist_ok=True)
            with open(config.alarm_datei, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(payload, ensure_ascii=False) + "\n")
            done.append(f"Datei {config.alarm_datei}")
        except OSError as exc:
            done.append(f"Datei {config.alarm_datei} nicht beschreibbar: {exc}")
    if config.alarm_webhook:
        try:
            response = httpx.post(config.alarm_webhook, json=payload, timeout=10)
            done.append(f"Webhook: HTTP {response.status_code}")
        except httpx.HTTPError as exc:
            done.append(f"Webhook nicht erreichbar: {exc}")
    return "; ".join(done) or "kein Alarmweg konfiguriert (betrieb.alarm_datei, betrieb.alarm_webhook)"


def melden(engine: Engine, settings: Settings, *, schluessel: str, art: str, text: str, now: datetime) -> bool:
    """Store and forward the alarm unless one with this key exists; True if it was new."""
    table = table_of(Alarm)
    with engine.begin() as connection:
        if connection.scalar(sa.select(table.c.id).where(table.c.schluessel == schluessel)) is not None:
            return False
        try:
            alarm_id = connection.execute(
                sa.insert(table).values(schluessel=schluessel, art=art, text=text, erstellt_am=now)
            ).inserted_primary_key[0]  # type: ignore[index]  # an INSERT always has one
        except sa.exc.IntegrityError:  # another machine was quicker
            return False
    payload = {
        "art": art,
        "text": text,
        "kommune": settings.kommune,
        "an": ", ".join([str(settings.geschaeftsstelle.email), *map(str, settings.geschaeftsstelle.leitung)]),
        "zeit": as_utc(now).isoformat(),
    }
    where = _forward(settings, payload)
    log.warning("Alarm: %s (%s)", text, where)
    with engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.id == alarm_id).values(weitergeleitet=where))
    return True


def zustellung_pruefen(engine: Engine, settings: Settings, *, now: datetime) -> bool:
    """Alarm once when a message has waited longer than ``betrieb.alarm_nach_stunden`` since it
    was queued; True if an alarm went out."""
    table = table_of(OutboxMessage)
    with engine.connect() as connection:
        count, since = connection.execute(
            sa.select(sa.func.count(), sa.func.min(table.c.erstellt_am)).where(
                table.c.status.in_([OutboxStatus.QUEUED.value, OutboxStatus.SENDING.value]),
                table.c.erstellt_am <= now - timedelta(hours=settings.betrieb.alarm_nach_stunden),
            )
        ).one()
    if not count or since is None:
        return False
    since = as_utc(since)
    text = (
        f"Zustellung gestört: {count} Nachrichten sind seit {format_termin(since)} nicht zugestellt "
        f"(Mailserver {settings.mail.smtp_host or 'keiner'}). Bitte den Mailserver prüfen; "
        "'sozialforum konferenz postausgang' zeigt die Antworten des Servers."
    )
    return melden(
        engine, settings, schluessel=f"zustellung-gestoert:{since.isoformat()}", art="zustellung", text=text, now=now
    )
