"""Benchmark: the Förderübersicht (funds per Sozialraum, Handlungsfeld and Träger against the
Sozialraumbudget) and the attainment of every Ziel per Sozialraum and year, through the product
and, in the same run over the same store, as a bare pandas computation of the same sums.

Workload: 5,000 projects × 10 years of resources, each project in 1–3 of 50 Sozialräume, a
Sozialraumbudget per year; 100 Ziele (value, share and growth targets) × 50 Sozialräume ×
10 years of Kennzahl values. Product path: ``strategie.uebersicht.frames`` + ``mittel_je_gebiet``
+ ``gegen_bedarf`` and ``strategie.zielerreichung.aus_bestand``. Baseline: ``pd.read_sql`` of
the same columns and the same merges and group sums written directly. Both must agree.
Goal: product ≤ 2 × bare.

    python benchmarks/foerderung.py [--projekte 5000] [--wiederholungen 5]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

JAHRE = list(range(2016, 2026))
GEBIETE = 50
ZIELE = 100


def setup(url: str, projekte: int) -> sa.Engine:
    from sozialforum.store.db import make_engine, migrate
    from sozialforum.store.models import (
        Budgetanteil,
        Budgetverteilung,
        Gebiet,
        Kennzahlwert,
        Massnahme,
        Organisation,
        ProjektGebiet,
        ProjektRessource,
        Strategie,
        Ziel,
    )

    engine = make_engine(url)
    migrate(engine)
    rng = random.Random(15)
    t = {m.__name__: m.__table__ for m in (Gebiet, Organisation, Massnahme, ProjektRessource, ProjektGebiet)}  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(
            t["Gebiet"].insert(),
            [
                {"id": i + 1, "schluessel": f"SR{i:02d}", "name": f"Sozialraum {i}", "ebene": "sozialraum"}
                for i in range(GEBIETE)
            ],
        )
        conn.execute(
            t["Organisation"].insert(),
            [{"id": i + 1, "kennung": f"T{i}", "name": f"Träger {i}", "art": "freier_traeger"} for i in range(80)],
        )
        felder = ["Kinder und Jugend", "Grundsicherung", "Ältere und Pflege", "Teilhabe"]
        conn.execute(
            t["Massnahme"].insert(),
            [
                {
                    "id": i + 1,
                    "kennung": f"P{i}",
                    "titel": f"Projekt {i}",
                    "handlungsfeld": felder[i % 4],
                    "status": "laufendes_geschaeft",
                    "art": "projekt",
                    "verantwortlich_organisation_id": rng.randint(1, 80),
                }
                for i in range(projekte)
            ],
        )
        conn.execute(
            t["ProjektRessource"].insert(),
            [
                {
                    "massnahme_id": i + 1,
                    "jahr": jahr,
                    "plan_eur": rng.randint(5_000, 200_000),
                    "ist_eur": None if jahr == JAHRE[-1] else rng.randint(0, 200_000),
                    "plan_vzae": 0,
                }
                for i in range(projekte)
                for jahr in JAHRE
            ],
        )
        rows = []
        for i in range(projekte):
            if i % 10 == 0:
                continue  # Kreis-wide projects
            for gebiet in rng.sample(range(1, GEBIETE + 1), rng.randint(1, 3)):
                rows.append(
                    {"massnahme_id": i + 1, "gebiet_id": gebiet, "anteil_prozent": rng.choice([20, 30, 50, 100])}
                )
        conn.execute(t["ProjektGebiet"].insert(), rows)
        for jahr in JAHRE:
            vid = conn.execute(
                Budgetverteilung.__table__.insert().returning(Budgetverteilung.__table__.c.id),  # type: ignore[attr-defined]
                {
                    "kennung": "hze",
                    "haushaltsjahr": jahr,
                    "stichtag": date(jahr - 1, 12, 31),
                    "gesamt": 5_000_000,
                    "erstellt_am": datetime(jahr, 1, 1, tzinfo=UTC),
                    "herleitung": {},
                },
            ).scalar_one()
            conn.execute(
                Budgetanteil.__table__.insert(),  # type: ignore[attr-defined]
                [{"verteilung_id": vid, "gebiet_id": g, "betrag": 100_000 + 1_000 * g} for g in range(1, GEBIETE + 1)],
            )
        sid = conn.execute(
            Strategie.__table__.insert().returning(Strategie.__table__.c.id),  # type: ignore[attr-defined]
            {"kennung": "S", "titel": "Sozialstrategie", "fassung": "Fortschreibung 2019"},
        ).scalar_one()
        arten = [
            ("wert", "hoechstens", 30, 1, None),
            ("anteil", "mindestens", 80, 0, None),
            ("wachstum", "hoechstens", 0.6, 0.2, JAHRE[0]),
        ]
        conn.execute(
            Ziel.__table__.insert(),  # type: ignore[attr-defined]
            [
                {
                    "id": z + 1,
                    "kennung": f"Z{z}",
                    "strategie_id": sid,
                    "titel": f"Ziel {z}",
                    "kennzahl": f"Kennzahl {z}",
                    "ebene": "wirkungsziel",
                    "zielart": arten[z % 3][0],
                    "richtung": arten[z % 3][1],
                    "zielwert": arten[z % 3][2],
                    "toleranz": arten[z % 3][3],
                    "basisjahr": arten[z % 3][4],
                }
                for z in range(ZIELE)
            ],
        )
        conn.execute(
            Kennzahlwert.__table__.insert(),  # type: ignore[attr-defined]
            [
                {
                    "ziel_id": z + 1,
                    "stichtag": date(jahr, 12, 31),
                    "gebiet_id": g,
                    "wert": round(rng.uniform(20, 1000), 2),
                }
                for z in range(ZIELE)
                for g in range(1, GEBIETE + 1)
                for jahr in JAHRE
            ],
        )
    return engine


def product(engine: sa.Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    from sqlalchemy.orm import Session

    from sozialforum.strategie.uebersicht import frames, gegen_bedarf, mittel_je_gebiet
    from sozialforum.strategie.zielerreichung import aus_bestand

    with Session(engine) as session:
        ressourcen, gebiete, projekte, budget = frames(session, JAHRE[0], JAHRE[-1])
        bedarf = gegen_bedarf(mittel_je_gebiet(ressourcen, gebiete, projekte), budget)
        erreichung = aus_bestand(session, 1)
    return bedarf, erreichung


def bare(engine: sa.Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    with engine.connect() as conn:
        r = pd.read_sql("SELECT massnahme_id, jahr, plan_eur FROM projekt_ressource", conn)
        g = pd.read_sql("SELECT massnahme_id, gebiet_id, anteil_prozent FROM projekt_gebiet", conn)
        b = pd.read_sql(
            "SELECT a.gebiet_id, v.haushaltsjahr AS jahr, a.betrag FROM budgetanteil a "
            "JOIN budgetverteilung v ON v.id = a.verteilung_id",
            conn,
        )
        z = pd.read_sql("SELECT id AS ziel_id, zielart, richtung, zielwert, toleranz, basisjahr FROM ziel", conn)
        k = pd.read_sql("SELECT ziel_id, gebiet_id, stichtag, wert FROM kennzahlwert", conn)
    g["faktor"] = g["anteil_prozent"] / g.groupby("massnahme_id")["anteil_prozent"].transform("sum")
    split = r.merge(g, on="massnahme_id")
    split["plan_eur"] = split["plan_eur"] * split["faktor"]
    per_area = split.groupby(["gebiet_id", "jahr"], as_index=False)["plan_eur"].sum().merge(b, on=["gebiet_id", "jahr"])
    per_area["bedarfsgerecht"] = per_area.groupby("jahr")["plan_eur"].transform("sum") * (
        per_area["betrag"] / per_area.groupby("jahr")["betrag"].transform("sum")
    )
    k["jahr"] = pd.to_datetime(k["stichtag"]).dt.year
    k = k.merge(z, on="ziel_id")
    base = k[["ziel_id", "gebiet_id", "jahr", "wert"]].rename(columns={"jahr": "basisjahr", "wert": "basiswert"})
    k = k.merge(base, on=["ziel_id", "gebiet_id", "basisjahr"], how="left")
    n = k["jahr"] - k["basisjahr"]
    rate = ((k["wert"] / k["basiswert"]) ** (1 / n) - 1) * 100
    k["ist"] = np.where(k["zielart"] == "wachstum", np.where(n > 0, rate, np.nan), k["wert"])
    sign = np.where(k["richtung"] == "hoechstens", 1.0, -1.0)
    k["abstand"] = np.maximum(0, sign * (k["ist"] - k["zielwert"]))
    return per_area, k


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projekte", type=int, default=5_000)
    parser.add_argument("--wiederholungen", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        print(
            f"Aufbau: {args.projekte} Projekte × {len(JAHRE)} Jahre × {GEBIETE} Sozialräume, {ZIELE} Ziele …",
            file=sys.stderr,
        )
        engine = setup(url, args.projekte)
        bedarf, erreichung = product(engine)
        per_area, k = bare(engine)
        # Same sums: funds per area and year, and the distance to every target.
        mine = bedarf.dropna(subset=["betrag"]).set_index(["gebiet_id", "jahr"])["plan_eur"].sort_index()
        theirs = per_area.set_index(["gebiet_id", "jahr"])["plan_eur"].sort_index()
        assert np.allclose(mine.to_numpy(), theirs.to_numpy()), "Förderübersicht weicht ab"
        a = erreichung.sort_values(["ziel_id", "gebiet_id", "jahr"])["abstand"].to_numpy()
        b = k.sort_values(["ziel_id", "gebiet_id", "jahr"])["abstand"].to_numpy()
        assert np.allclose(a, b, equal_nan=True), "Zielerreichung weicht ab"
        times: dict[str, list[float]] = {"produkt": [], "pandas": []}
        for _ in range(args.wiederholungen):
            for name, run in (("produkt", product), ("pandas", bare)):
                start = time.perf_counter()
                run(engine)
                times[name].append(time.perf_counter() - start)
        p, q = statistics.median(times["produkt"]), statistics.median(times["pandas"])
        print(f"Produkt (Förderübersicht + Zielerreichung): {p * 1000:8.1f} ms (Median aus {args.wiederholungen})")
        print(f"bloßes pandas (dieselben Summen):           {q * 1000:8.1f} ms")
        print(f"Verhältnis: {p / q:.2f} (Ziel ≤ 2,0)")
        print(
            json.dumps(
                {
                    "ratio": round(p / q, 3),
                    "produkt_ms": round(p * 1000, 1),
                    "pandas_ms": round(q * 1000, 1),
                    "zeilen_ressourcen": args.projekte * len(JAHRE),
                    "zeilen_kennzahlen": ZIELE * GEBIETE * len(JAHRE),
                }
            )
        )


if __name__ == "__main__":
    main()
