"""The area tree as the plausibility report reads it: arrays, not one object per area."""

from __future__ import annotations

from datetime import date
from functools import cached_property

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlmodel import col

from sozialforum.daten import gebietsstand
from sozialforum.store.models import Gebiet


class Gebiete:
    """The area tree as arrays (read on every load: four columns, no objects per area); keys,
    names and register populations only when a finding needs them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._namen: dict[int, tuple[str, str, int | None]] = {}
        self._eltern: np.ndarray | None = None

    def eltern(self) -> np.ndarray:
        """The ids of areas that have sub-areas (a few hundred: Sozialräume and above)."""
        if self._eltern is None:
            query = sa.select(col(Gebiet.parent_id)).where(col(Gebiet.parent_id).is_not(None)).distinct()
            self._eltern = np.array(self.session.connection().execute(query).scalars().all(), dtype=np.int64)
        return self._eltern

    @cached_property
    def _baum(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(ids, parent by id, valid from, valid to), read only when a sum is to be compared.
        Dates as ISO text (compared as text): no date object per area and load."""
        rows = (
            self.session.connection()
            .execute(
                sa.select(
                    col(Gebiet.id),
                    col(Gebiet.parent_id),
                    sa.cast(col(Gebiet.gueltig_ab), sa.String),
                    sa.cast(col(Gebiet.gueltig_bis), sa.String),
                )
            )
            .all()
        )
        ids_, parents, ab, bis = zip(*rows, strict=True) if rows else ((), (), (), ())
        ids = np.array(ids_, dtype=np.int64)
        parent = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int64)
        parent[ids] = [-1 if p is None else p for p in parents]
        return (
            ids,
            parent,
            np.array(ab, dtype="U10"),
            np.array(["9999-12-31" if b is None else b for b in bis], dtype="U10"),
        )

    def _name(self, bereich_id: int) -> tuple[str, str, int | None]:
        if bereich_id not in self._namen:  # only for the few areas a finding names
            row = (
                self.session.connection()
                .execute(
                    sa.select(col(Gebiet.schluessel), col(Gebiet.name), col(Gebiet.einwohner)).where(
                        col(Gebiet.id) == bereich_id
                    )
                )
                .one()
            )
            self._namen[bereich_id] = (row[0], row[1], row[2])
        return self._namen[bereich_id]

    def label(self, bereich_id: int) -> str:
        key, name, _ = self._name(bereich_id)
        return f"{name} ({key})"

    def schluessel(self, bereich_id: int) -> str:
        return self._name(bereich_id)[0]

    def einwohner(self, bereich_id: int) -> int | None:
        return self._name(bereich_id)[2]

    def ebenen(self, day: date) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        """The areas valid on ``day`` in id order and, deepest first, per level the rows of the
        children grouped by parent, their parents' rows and where each group starts (as
        ``gebietsstand.Baum``, from arrays)."""
        ids, parent, ab, bis = self._baum
        text = day.isoformat()
        valid = np.sort(ids[(ab <= text) & (text <= bis)])
        row_of = np.full(len(parent), -1, dtype=np.int64)
        row_of[valid] = np.arange(len(valid))
        parent_row = np.where(parent[valid] >= 0, row_of[np.maximum(parent[valid], 0)], -1)
        depth = np.zeros(len(valid), dtype=np.int64)
        current = parent_row.copy()
        for _ in range(50):  # a tree is shallow; the bound guards against a cycle
            has = current >= 0
            if not has.any():
                break
            depth += has
            current = np.where(has, parent_row[np.maximum(current, 0)], -1)
        return valid, gebietsstand.ebenen(depth, parent_row)
