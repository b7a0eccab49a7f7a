"""Operations: the daily cycle and ``serve`` (``[betrieb]``), where outputs are kept (``[ablage]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr

from sozialforum.settings.abschnitt import Section


class BetriebSettings(Section):
    """Operations: the daily planning cycle and ``sozialforum serve``."""

    # The conference pack is assembled this many days before the invitations go out, so the
    # Geschäftsstelle can look at the agenda first.
    vorbereitung_vorlauf_tage: int = Field(default=3, ge=0)
    # Held Sitzungen without a Protokoll are looked for this many days back.
    protokoll_suchzeitraum_tage: int = Field(default=60, ge=1)
    # The leadership report is made once a month, from this day of the month on.
    leitungsbericht_tag: int = Field(default=1, ge=1, le=28)
    # A failed action is tried again on the following days, at most this often in all.
    max_versuche: int = Field(default=3, ge=1)
    # ``sozialforum serve`` starts its own Prefect server on this port (loopback) unless
    # prefect_api_url (or the environment variable PREFECT_API_URL) names one.
    prefect_port: int = Field(default=4200, ge=1, le=65535)
    prefect_api_url: str | None = None
    # Alarms (a delivery failing for too long) go out once, by a channel that does not depend on
    # the mail server: appended as a JSON line to this file (for the monitoring) and/or posted as
    # JSON to this webhook (e.g. the administration's chat).
    alarm_datei: Path | None = None
    alarm_webhook: str | None = None
    # A message still not delivered this many hours after its first failed attempt raises an alarm.
    alarm_nach_stunden: float = Field(default=24, gt=0)
    # Flow runs send a heartbeat this often (seconds, at least 30 as Prefect allows); a run
    # silent for three heartbeats is set "Crashed" by the automation that 'sozialforum serve' and
    # 'sozialforum doctor --reparieren' create on the Prefect server, which frees its
    # deployment's slot. Prefect's own default is 180: keep 3 × this value above that.
    herzschlag_sekunden: int = Field(default=90, ge=30)


class AblageSettings(Section):
    """Where outputs (reports, minutes, .eml without SMTP, statistics deliveries) are kept so
    every machine and the portal can read them: a folder (embedded default) or an S3-compatible
    object store (MinIO, SeaweedFS) for several machines."""

    art: Literal["ordner", "s3"] = "ordner"
    # The folder for art = "ordner"; unset: data_dir itself (reports are under data_dir/berichte).
    ordner: Path | None = None
    s3_endpunkt: str | None = None
    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    s3_zugangsschluessel: str | None = None
    # Better from the environment: SOZIALFORUM_ABLAGE__S3_GEHEIMNIS.
    s3_geheimnis: SecretStr | None = None
