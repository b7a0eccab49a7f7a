"""The append-only audit trail: who or which flow run changed which record, when, from what to what.

Rows are written by the session hook in ``sozialforum.store.audit``; nothing updates or deletes them,
with one exception the law demands: Art. 17 erasure redacts the personal values in them.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlmodel import Field, SQLModel

from sozialforum.store.models.base import Audit, instant, json_field, slug
from sozialforum.vocab import AuditAktion


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __audit__: ClassVar[Audit] = Audit.PROTOKOLL

    id: int | None = Field(default=None, primary_key=True)
    zeitpunkt: datetime = instant(nullable=False, index=True)
    akteur: str = Field(max_length=200, description="user name or 'flow-run:<id>'")
    tabelle: str = Field(max_length=60, index=True)
    datensatz_id: int | None = Field(default=None, index=True)
    aktion: AuditAktion = slug()
    aenderungen: dict[str, object] = json_field(default_factory=dict)
