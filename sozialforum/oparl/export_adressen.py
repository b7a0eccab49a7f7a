"""The URLs of the export: every id is the URL of its file, stable across export → import → export."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.store.models import Beratung, Gremium, OparlObjekt, Sitzung, Tagesordnungspunkt, Vorlage
from sozialforum.store.models.base import table_of

T = "https://schema.oparl.org/1.1/"


def natural(url: str) -> tuple[Any, ...]:
    """Sort key of an id: ``…/paper/2.json`` before ``…/paper/10.json`` before ``…/paper/beschluss-1.json``."""
    stem = url.rsplit("/", 1)[-1].removesuffix(".json")
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", stem))


_OWN: dict[str, type[Any]] = {
    "organization": Gremium,
    "meeting": Sitzung,
    "agendaItem": Tagesordnungspunkt,
    "paper": Vorlage,
    "consultation": Beratung,
}


class Urls:
    """Every id is the URL of its file: ``<base>/body/1/<kind>/<row id>.json`` — or, for a row
    imported from an export at this same base (ours, read back), the id it had there, so that
    export → import → export gives the same files."""

    def __init__(self, base: str, session: Session) -> None:
        self.base = base.rstrip("/")
        self.body = f"{self.base}/body/1"
        self.body_id = f"{self.body}.json"
        self.own: dict[tuple[str, int], str] = {}
        for kind, model in _OWN.items():
            table = table_of(model)
            prefix = f"{self.body}/{kind}/"
            query = sa.select(table.c.id, table.c.oparl_id).where(table.c.oparl_id.startswith(prefix, autoescape=True))
            for row_id, oparl_id in session.execute(query):
                self._adopt(kind, row_id, oparl_id, prefix)
        prefix = f"{self.body}/paper/beschluss-"
        query = sa.select(col(OparlObjekt.datensatz_id), col(OparlObjekt.oparl_id)).where(
            col(OparlObjekt.tabelle) == "beschluss",
            col(OparlObjekt.datensatz_id).is_not(None),
            col(OparlObjekt.oparl_id).startswith(prefix, autoescape=True),
        )
        for row_id, oparl_id in session.execute(query):
            self._adopt("beschluss", row_id, oparl_id, prefix)
        self.taken = set(self.own.values())

    def _adopt(self, kind: str, row_id: int, oparl_id: str, prefix: str) -> None:
        name = oparl_id.removeprefix(prefix)
        if name.endswith(".json") and re.fullmatch(r"[\w.-]+", name):
            self.own[(kind, row_id)] = oparl_id

    def of(self, kind: str, row_id: object) -> str:
        if isinstance(row_id, int) and (kind, row_id) in self.own:
            return self.own[(kind, row_id)]
        url = f"{self.body}/{kind}/{row_id}.json"
        if url in self.taken:  # a row made here whose number an adopted id already uses
            url = f"{self.body}/{kind}/lokal-{row_id}.json"
        return url

    def beschluss(self, row_id: int | None) -> str:
        if row_id is not None and ("beschluss", row_id) in self.own:
            return self.own[("beschluss", row_id)]
        return self.of("paper", f"beschluss-{row_id}")

    def location(self, meeting_url: str) -> str:
        return f"{self.body}/location/sitzung-{meeting_url.rsplit('/', 1)[-1]}"

    def lists(self, kind: str) -> str:
        return f"{self.body}/{kind}.json"
