"""What every flow shares: settings and store from plain parameters, and the audit actor.

Tasks take plain values (a config path, ids, dates), never sessions or clients, so that they
can be retried and cached; each opens what it needs from the settings.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from functools import lru_cache

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from sozialforum.flows import grenzen
from sqlalchemy.engine import Engine

from sozialforum.betrieb import alarm
from sozialforum.outbox import deliver_pending
from sozialforum.settings import Settings, load_settings
from sozialforum.store.db import pruefe_bestand


def settings_from(config: str | None) -> Settings:
    """Settings for a flow run; ``config`` is a path to a TOML file or None for the default."""
    return load_settings(config)


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    """The configured store, checked (``pruefe_bestand``): a worker started without its
    configuration fails with the German reason instead of filling a new empty SQLite file."""
    return pruefe_bestand(url)


def engine_for(settings: Settings) -> Engine:
    """One migrated engine per database URL and process."""
    return _engine(settings.db_url)


def actor() -> str:
    """The audit actor of the running flow: ``flow-run:<name>/<id>``."""
    run_id = flow_run.get_id()
    return f"flow-run:{flow_run.get_flow_name()}/{run_id}" if run_id else "flow-run:lokal"


def smtp_platz(settings: Settings) -> AbstractContextManager[None]:
    """The global SMTP slot, held around every batch that goes out over SMTP, whichever flow or
    schedule started it (with no SMTP server the outbox writes files: nothing to share)."""
    return grenzen.belegen(grenzen.SMTP) if settings.mail.smtp_host else nullcontext()


@task(name="zustellen", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=30)
def zustellen(konfiguration: str | None, jetzt: datetime) -> str:
    """Send what the outbox holds (exactly once; a retry resends nothing already sent).
    A server that refuses every message fails the run loudly."""
    settings = settings_from(konfiguration)
    with smtp_platz(settings):
        report = deliver_pending(engine_for(settings), settings, now=jetzt)
    # A delivery failing for too long reaches a person by another channel (once per outage).
    alarm.zustellung_pruefen(engine_for(settings), settings, now=jetzt)
    report.raise_if_unfinished()
    return report.summary()
