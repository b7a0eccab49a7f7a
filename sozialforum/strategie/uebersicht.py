"""Funds per Träger, Sozialraum and Handlungsfeld, against the need (Leipzig: about 110 funded
projects at about 80 Träger; Ulm: Sozialraumbudgets by need).

A project's money per year (planned and actual, ``projekt_ressource``) is split over the
Sozialräume it works in by their shares (normalised, so shares that do not add up to 100 % still
split the whole amount); a project without areas counts for the whole Kreis (``gebiet_id`` −1).
The need side is the Sozialraumbudget of that year: its shares say what part of the money spent
in Sozialräume each one would get if funds followed need; the difference is shown, not judged.

Whole-column pandas work: 5,000 projects × 10 years × 50 Sozialräume in the time pandas needs.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session

from sozialforum.store.models import Budgetanteil, Budgetverteilung, Massnahme, ProjektGebiet, ProjektRessource
from sozialforum.store.models.base import table_of

KREISWEIT = -1


def mittel_je_gebiet(ressourcen: pd.DataFrame, gebiete: pd.DataFrame, projekte: pd.DataFrame) -> pd.DataFrame:
    """Money per (gebiet_id, handlungsfeld, traeger_id, jahr): columns ``plan_eur`` and ``ist_eur``.

    ``ressourcen``: massnahme_id, jahr, plan_eur, ist_eur; ``gebiete``: massnahme_id, gebiet_id,
    anteil_prozent; ``projekte``: massnahme_id, handlungsfeld, traeger_id.
    """
    shares = gebiete[["massnahme_id", "gebiet_id", "anteil_prozent"]].astype({"anteil_prozent": float})
    total = shares.groupby("massnahme_id")["anteil_prozent"].transform("sum")
    shares = shares.assign(faktor=shares["anteil_prozent"] / total)[["massnahme_id", "gebiet_id", "faktor"]]
    without = ressourcen.loc[
        ~ressourcen["massnahme_id"].isin(shares["massnahme_id"]), ["massnahme_id"]
    ].drop_duplicates()
    shares = pd.concat([shares, without.assign(gebiet_id=KREISWEIT, faktor=1.0)], ignore_index=True)
    money = ressourcen[["massnahme_id", "jahr", "plan_eur", "ist_eur"]].astype({"plan_eur": float, "ist_eur": float})
    split = money.merge(shares, on="massnahme_id").merge(
        projekte[["massnahme_id", "handlungsfeld", "traeger_id"]], on="massnahme_id", how="left"
    )
    split["plan_eur"] = split["plan_eur"] * split["faktor"]
    split["ist_eur"] = split["ist_eur"] * split["faktor"]
    split["handlungsfeld"] = split["handlungsfeld"].fillna("ohne Handlungsfeld")
    split["traeger_id"] = split["traeger_id"].fillna(-1).astype("int64")
    keys = ["gebiet_id", "handlungsfeld", "traeger_id", "jahr"]
    # min_count keeps "no actual figures yet" apart from an actual of 0 €.
    return split.groupby(keys, as_index=False)[["plan_eur", "ist_eur"]].sum(min_count=1)


def gegen_bedarf(mittel: pd.DataFrame, budget: pd.DataFrame) -> pd.DataFrame:
    """Per (gebiet_id, jahr): planned funds, the Sozialraumbudget, and the need-based share of
    the funds spent in Sozialräume (``bedarfsgerecht``) with the difference.

    ``budget``: gebiet_id, jahr, betrag (the Sozialraumbudget's parts).
    """
    per_area = (
        mittel.loc[mittel["gebiet_id"] != KREISWEIT].groupby(["gebiet_id", "jahr"], as_index=False)["plan_eur"].sum()
    )
    table = per_area.merge(budget.astype({"betrag": float}), on=["gebiet_id", "jahr"], how="outer")
    table["plan_eur"] = table["plan_eur"].fillna(0.0)
    in_budget = table["betrag"].notna()
    funds = table.loc[in_budget].groupby("jahr")["plan_eur"].transform("sum")
    weight = table.loc[in_budget, "betrag"] / table.loc[in_budget].groupby("jahr")["betrag"].transform("sum")
    table["bedarfsgerecht"] = float("nan")
    table.loc[in_budget, "bedarfsgerecht"] = funds * weight
    table["differenz"] = table["plan_eur"] - table["bedarfsgerecht"]
    return table.sort_values(["jahr", "gebiet_id"]).reset_index(drop=True)


def _float(column: sa.ColumnElement[object]) -> sa.ColumnElement[float]:
    """Numeric columns read as floats: turning each value into a Decimal first cost more than the
    whole overview (exact cents matter in a Bescheid, not in a sum over 50,000 rows)."""
    return sa.type_coerce(column, sa.Float).label(column.key)


def frames(
    session: Session, jahr_von: int, jahr_bis: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The four input frames from the store, one query each."""
    r = table_of(ProjektRessource)
    g = table_of(ProjektGebiet)
    m = table_of(Massnahme)
    v = table_of(Budgetverteilung)
    a = table_of(Budgetanteil)
    conn = session.connection()
    ressourcen = pd.read_sql(
        sa.select(r.c.massnahme_id, r.c.jahr, _float(r.c.plan_eur), _float(r.c.ist_eur)).where(
            r.c.jahr.between(jahr_von, jahr_bis)
        ),
        conn,
    )
    gebiete = pd.read_sql(sa.select(g.c.massnahme_id, g.c.gebiet_id, _float(g.c.anteil_prozent)), conn)
    projekte = pd.read_sql(
        sa.select(
            m.c.id.label("massnahme_id"), m.c.handlungsfeld, m.c.verantwortlich_organisation_id.label("traeger_id")
        ),
        conn,
    )
    # The latest budget of each year (a recomputed budget replaces the earlier one).
    latest = (
        sa.select(v.c.haushaltsjahr, sa.func.max(v.c.id).label("vid"))
        .where(v.c.haushaltsjahr.between(jahr_von, jahr_bis))
        .group_by(v.c.haushaltsjahr)
        .subquery()
    )
    budget = pd.read_sql(
        sa.select(a.c.gebiet_id, latest.c.haushaltsjahr.label("jahr"), _float(a.c.betrag)).join(
            latest, latest.c.vid == a.c.verteilung_id
        ),
        conn,
    )
    return ressourcen, gebiete, projekte, budget
