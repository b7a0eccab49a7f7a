"""Benchmark of the data refresh: ~11,000 Gemeinden × 80 indicators × 10 Stichtage in GENESIS
flat CSV files, through the product's refresh path (load every file with checks and provenance
into the store, compute aggregation, change, index and classes, store the results) beside two
bare baselines doing the same read, reshape and z-standardisation: pandas and polars. All run in
the same invocation, each in its own process, so that the paths do not share a heap.

    python benchmarks/datenaktualisierung.py            # the full size (takes a few minutes)
    python benchmarks/datenaktualisierung.py --klein    # a quick check (1,100 Gemeinden, 3 Stichtage)
    python benchmarks/datenaktualisierung.py --datenbank postgresql://…   # PostgreSQL instead of SQLite

Goals (from the issues): the product within 1.5× the time and 2× the peak memory of pandas, and
within 1.0× the time and 0.25× the peak memory of polars. Memory: the peak resident set of the
child process (``ru_maxrss`` from ``wait4``) minus its resident set after the imports, so each
path's imports are excluded and no path's heap hides another's; the product's worker that parses
files ahead (``daten.vorlesen``) is added with its own peak less its imports. CPU seconds (all
threads, the worker included) are reported beside wall time: on a busy machine they compare
fairer. The last line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SYMBOLS = [".", "-", "/", "x", "..."]


def _rss_kb() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _cpu() -> float:
    """CPU seconds of this process (all its threads) and of its children that ended: on a busy
    machine the fairer comparison, since wall time there depends on what else runs."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


_IMPORT_RSS = "import {module}\nprint(open('/proc/self/status').read().split('VmRSS:')[1].split()[0])"


# --- generating the input ----------------------------------------------------------------------


def gemeinde_keys(n: int) -> list[str]:
    """8-digit AGS-like keys with leading zeros: 16 Länder, 25 Gemeinden per Sozialraum."""
    return [f"{1 + i // (n // 16 + 1):02d}{i:06d}" for i in range(n)]


def write_files(folder: Path, n: int, indicators: int, days: list[date]) -> list[Path]:
    from sozialforum.daten.genesis_schreiben import indent, write_table

    rng = np.random.default_rng(42)
    keys = gemeinde_keys(n)
    header = [["", "", *(f"{day:%d.%m.%Y}" for _ in range(indicators))] for day in days]
    files = []
    for position, day in enumerate(days):
        counts = rng.integers(0, 5000, size=(n, indicators))
        counts[:, 0] = rng.integers(20_000, 60_000, size=n)  # Merkmal 01: the population, the denominator
        values = counts.astype(str)
        mask = rng.random((n, indicators)) < 0.01
        mask[:, 0] = False
        values[mask] = rng.choice(SYMBOLS, size=int(mask.sum()))
        rows = ([key, indent(key, f"Gemeinde {key}"), *row] for key, row in zip(keys, values.tolist(), strict=True))
        path = folder / f"99999-01-01-5_{day:%Y}.csv"
        write_table(
            path,
            tabelle="99999-01-01-5",
            titel=["Benchmark: 80 Merkmale nach Gemeinden"],
            kopf=[header[position], ["", "", *(f"Merkmal {j + 1:02d}" for j in range(indicators))]],
            zeilen=rows,
            stand=date(2024, 9, 1),
        )
        files.append(path)
    return files


def write_catalogue(path: Path, indicators: int) -> None:
    lines = [
        "[dimensionen]",
        *(f'd{d} = "Dimension {d}"' for d in range(indicators // 10 + 1)),
        "",
        "[index]",
        'ebenen = ["gemeinde"]',
        'bevoelkerung = "m01"',
        "",
    ]
    for j in range(1, indicators + 1):
        lines += [f"[merkmale.m{j:02d}]", f'name = "Merkmal {j:02d}"', ""]
    for j in range(1, indicators + 1):
        lines += [
            f"[indikatoren.i{j:02d}]",
            f'name = "Indikator {j:02d}"',
            f'dimension = "d{j // 10}"',
            f'zaehler = "m{j:02d}"',
            'nenner = "m01"',
            "index = true",
            "",
        ]
    mapping = ", ".join(f'"Merkmal {j:02d}" = "m{j:02d}"' for j in range(1, indicators + 1))
    lines += [
        "[[quellen]]",
        'kennung = "benchmark"',
        'format = "genesis"',
        'name = "Benchmark"',
        'tabelle = "99999-01-01"',
        f"spalten = {{ {mapping} }}",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def create_areas(url: str, n: int) -> None:
    import sqlalchemy as sa

    from sozialforum.store.db import make_engine, migrate
    from sozialforum.store.models import Gebiet

    engine = make_engine(url)
    migrate(engine)
    keys = gemeinde_keys(n)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(Gebiet),
            [{"schluessel": "00000000", "name": "Bund", "ebene": "kreis", "gueltig_ab": date(1900, 1, 1)}],
        )
        root = connection.scalar(sa.select(Gebiet.id))
        regions = sorted({key[:2] for key in keys})
        connection.execute(
            sa.insert(Gebiet),
            [
                {
                    "schluessel": f"R{r}",
                    "name": f"Land {r}",
                    "ebene": "sozialregion",
                    "parent_id": root,
                    "gueltig_ab": date(1900, 1, 1),
                }
                for r in regions
            ],
        )
        region_id = dict(
            connection.execute(sa.select(Gebiet.schluessel, Gebiet.id).where(Gebiet.ebene == "sozialregion")).all()
        )
        raeume = sorted({key[:6] for key in keys})
        connection.execute(
            sa.insert(Gebiet),
            [
                {
                    "schluessel": f"S{s}",
                    "name": f"Raum {s}",
                    "ebene": "sozialraum",
                    "parent_id": region_id[f"R{s[:2]}"],
                    "gueltig_ab": date(1900, 1, 1),
                }
                for s in raeume
            ],
        )
        raum_id = dict(
            connection.execute(sa.select(Gebiet.schluessel, Gebiet.id).where(Gebiet.ebene == "sozialraum")).all()
        )
        connection.execute(
            sa.insert(Gebiet),
            [
                {
                    "schluessel": key,
                    "ags": key,
                    "name": f"Gemeinde {key}",
                    "ebene": "gemeinde",
                    "parent_id": raum_id[f"S{key[:6]}"],
                    "einwohner": 5000,
                    "gueltig_ab": date(1900, 1, 1),
                }
                for key in keys
            ],
        )
    engine.dispose()


# --- the two measured paths -------------------------------------------------------------------


def run_product(url: str, katalog_path: str, files: list[str]) -> dict[str, float]:
    from sozialforum.daten.aktualisierung import lade, rechne
    from sozialforum.daten.katalog import load_katalog
    from sozialforum.daten.vorlesen import vorlesen
    from sozialforum.settings import load_settings
    from sozialforum.store.db import make_engine

    settings = load_settings(ROOT / "config" / "sozialforum.toml", database_url=url)
    engine = make_engine(url)
    katalog = load_katalog(Path(katalog_path))
    now = datetime(2024, 10, 1, tzinfo=UTC)
    # The worker that parses ahead (``daten.vorlesen``) is a process of its own: its peak counts
    # for the product, less its resident set after its imports (as for every path here).
    imports = subprocess.run(
        # the worker imports the computation too (``daten.vorrechnen``) once it computes
        [sys.executable, "-c", _IMPORT_RSS.format(module="sozialforum.daten.vorlesen, sozialforum.daten.vorrechnen")],
        capture_output=True,
        check=True,
        text=True,
    )
    start_rss, start, cpu = _rss_kb(), time.perf_counter(), _cpu()
    rechnen = (katalog, settings.daten.einwohner_mindestzahl)
    with vorlesen([(Path(path), None) for path in files], rechnen=rechnen) as vorleser:  # as the flow does
        for path in files:
            lade(engine, Path(path), katalog, now=now, akteur="benchmark")
        loaded = time.perf_counter()
        result = rechne(engine, katalog, settings, now=now, akteur="benchmark")
    assert result.neu
    end = time.perf_counter()
    return {
        "sekunden": end - start,
        "cpu_sekunden": _cpu() - cpu,  # the worker's included
        "laden": loaded - start,
        "berechnen": end - loaded,
        "speicher_mb": (_peak_kb() - start_rss) / 1024,
        "start_kb": start_rss,
        "vorleser_spitze_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if vorleser.gestartet else 0,
        "vorleser_import_kb": int(imports.stdout),
        "vorgelesen": vorleser.uebernommen,
        "vorgerechnet": vorleser.vorrechnung.uebernommen if vorleser.vorrechnung else 0,
    }


def run_baseline(files: list[str], rows: int) -> dict[str, float]:
    import pandas as pd

    start_rss, start, cpu = _rss_kb(), time.perf_counter(), _cpu()
    frames = []
    for path in files:
        with open(path, encoding="latin-1") as handle:
            dates = handle.readlines()[2].split(";")
        frame = pd.read_csv(
            path,
            sep=";",
            skiprows=4,
            nrows=rows,
            header=None,
            encoding="latin-1",
            decimal=",",
            na_values=SYMBOLS,
            keep_default_na=False,
            dtype={0: str, 1: str},
        )
        long = frame.melt(id_vars=[0, 1], var_name="merkmal", value_name="wert")
        long["stichtag"] = dates[2]
        frames.append(long)
    data = pd.concat(frames, ignore_index=True)
    groups = data.groupby(["merkmal", "stichtag"])["wert"]
    data["z"] = (data["wert"] - groups.transform("mean")) / groups.transform("std", ddof=0)
    assert data["z"].notna().sum() > 0
    end = time.perf_counter()
    return {
        "sekunden": end - start,
        "cpu_sekunden": _cpu() - cpu,
        "speicher_mb": (_peak_kb() - start_rss) / 1024,
        "start_kb": start_rss,
    }


def run_polars(files: list[str], rows: int) -> dict[str, float]:
    """The pandas baseline's work in polars: read, reshape to long form, z-standardise per
    Merkmal and Stichtag (standard deviation of the population, ddof=0)."""
    import polars as pl

    start_rss, start, cpu = _rss_kb(), time.perf_counter(), _cpu()
    frames = []
    for path in files:
        raw = Path(path).read_bytes()
        dates = raw.split(b"\n", 3)[2].decode("latin-1").split(";")
        # polars parses the whole file in parallel chunks before it stops at n_rows, and the
        # GENESIS footer (a quoted licence over three lines) breaks that: hand it the data rows.
        body = raw[: raw.index(b"\n__________")]
        frame = pl.read_csv(
            body,
            separator=";",
            skip_rows=4,
            n_rows=rows,
            has_header=False,
            encoding="utf8-lossy",
            decimal_comma=True,
            null_values=SYMBOLS,
            schema_overrides={"column_1": pl.String, "column_2": pl.String},
        )
        numbers = [c for c in frame.columns if c not in ("column_1", "column_2")]
        long = frame.with_columns(pl.col(numbers).cast(pl.Float64)).unpivot(
            index=["column_1", "column_2"], on=numbers, variable_name="merkmal", value_name="wert"
        )
        frames.append(long.with_columns(pl.lit(dates[2]).alias("stichtag")))
    data = pl.concat(frames)
    groups = ["merkmal", "stichtag"]
    data = data.with_columns(
        ((pl.col("wert") - pl.col("wert").mean().over(groups)) / pl.col("wert").std(ddof=0).over(groups)).alias("z")
    )
    assert data["z"].drop_nulls().len() > 0
    end = time.perf_counter()
    return {
        "sekunden": end - start,
        "cpu_sekunden": _cpu() - cpu,
        "speicher_mb": (_peak_kb() - start_rss) / 1024,
        "start_kb": start_rss,
    }


def _child(kind: str, payload: dict) -> dict[str, float]:
    """One path in a child process; its peak memory is the child's own ``ru_maxrss``, read
    from ``wait4`` when it ends, less its resident set once the imports were done."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [sys.executable, __file__, "--kind", kind, "--payload", json.dumps(payload)],
            stdout=out,
            stderr=err,
            cwd=ROOT,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{kind} fehlgeschlagen:\n{err.read().decode(errors='replace')}")
        result = json.loads(out.read().decode().strip().splitlines()[-1])
    result["spitze_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    result["speicher_mb"] = (usage.ru_maxrss - result.pop("start_kb")) / 1024
    if "vorleser_spitze_kb" in result:  # the product's worker: added to its process's peak
        worker = max(result.pop("vorleser_spitze_kb") - result.pop("vorleser_import_kb"), 0)
        result["vorleser_mb"] = worker / 1024
        result["speicher_mb"] += worker / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark der Datenaktualisierung gegen bloßes pandas.")
    parser.add_argument("--klein", action="store_true", help="Schneller Test: 1.100 Gemeinden, 3 Stichtage.")
    parser.add_argument("--datenbank", help="Datenbank-URL (Standard: SQLite im Temp-Ordner).")
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--payload", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.kind:
        payload = json.loads(args.payload)
        if args.kind == "produkt":
            result = run_product(payload["url"], payload["katalog"], payload["files"])
        elif args.kind == "polars":
            result = run_polars(payload["files"], payload["rows"])
        else:
            result = run_baseline(payload["files"], payload["rows"])
        print(json.dumps(result))
        return
    n, indicators, stichtage = (1_100, 80, 3) if args.klein else (11_000, 80, 10)
    days = [date(2014 + i, 12, 31) for i in range(stichtage)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"Erzeuge {stichtage} GENESIS-Dateien: {n:,} Gemeinden × {indicators} Merkmale …".replace(",", "."))
        files = [str(p) for p in write_files(folder, n, indicators, days)]
        katalog = folder / "indikatoren.toml"
        write_catalogue(katalog, indicators)
        url = args.datenbank or f"sqlite:///{folder / 'benchmark.db'}"
        create_areas(url, n)
        baseline = _child("basis", {"files": files, "rows": n})
        fast = _child("polars", {"files": files, "rows": n})
        product = _child("produkt", {"url": url, "katalog": str(katalog), "files": files})
    cells = n * indicators * stichtage
    print(f"Werte: {cells:,}".replace(",", "."))
    print(
        f"pandas (Lesen, Umformen, z-Standardisierung): {baseline['sekunden']:7.1f} s, "
        f"{baseline['speicher_mb']:7.0f} MB Spitze"
    )
    print(
        f"Produkt (Laden mit Prüfung und Herkunft, Berechnen, Speichern): {product['sekunden']:7.1f} s "
        f"(Laden {product['laden']:.1f} s, Berechnen {product['berechnen']:.1f} s), "
        f"{product['speicher_mb']:7.0f} MB Spitze (davon Vorleser {product['vorleser_mb']:.0f} MB, "
        f"{product['vorgelesen']} Dateien vorgelesen, {product['vorgerechnet']} Stichtage vorgerechnet)"
    )
    print(
        f"polars (Lesen, Umformen, z-Standardisierung): {fast['sekunden']:7.1f} s, {fast['speicher_mb']:7.0f} MB Spitze"
    )
    time_ratio = product["sekunden"] / baseline["sekunden"]
    memory_ratio = product["speicher_mb"] / max(baseline["speicher_mb"], 1)
    polars_time = product["sekunden"] / fast["sekunden"]
    polars_memory = product["speicher_mb"] / max(fast["speicher_mb"], 1)
    polars_cpu = product["cpu_sekunden"] / fast["cpu_sekunden"]
    print(f"Verhältnis zu pandas: Zeit {time_ratio:.2f} (Ziel ≤ 1,5), Speicher {memory_ratio:.2f} (Ziel ≤ 2,0)")
    print(f"Verhältnis zu polars: Zeit {polars_time:.2f} (Ziel ≤ 1,0), Speicher {polars_memory:.2f} (Ziel ≤ 0,25)")
    print(
        f"CPU-Zeit: Produkt {product['cpu_sekunden']:.1f} s, pandas {baseline['cpu_sekunden']:.1f} s, "
        f"polars {fast['cpu_sekunden']:.1f} s (Verhältnis zu polars {polars_cpu:.2f}); Last {os.getloadavg()[0]:.1f}"
    )
    print(
        json.dumps(
            {
                "werte": cells,
                "time_ratio": round(time_ratio, 3),
                "memory_ratio": round(memory_ratio, 3),
                "polars_time_ratio": round(polars_time, 3),
                "polars_memory_ratio": round(polars_memory, 3),
                "polars_cpu_ratio": round(polars_cpu, 3),
                "produkt_sekunden": round(product["sekunden"], 2),
                "laden_sekunden": round(product["laden"], 2),
                "berechnen_sekunden": round(product["berechnen"], 2),
                "pandas_sekunden": round(baseline["sekunden"], 2),
                "polars_sekunden": round(fast["sekunden"], 2),
                "produkt_cpu_sekunden": round(product["cpu_sekunden"], 2),
                "pandas_cpu_sekunden": round(baseline["cpu_sekunden"], 2),
                "polars_cpu_sekunden": round(fast["cpu_sekunden"], 2),
                "last": round(os.getloadavg()[0], 1),
                "produkt_mb": round(product["speicher_mb"], 1),
                "pandas_mb": round(baseline["speicher_mb"], 1),
                "polars_mb": round(fast["speicher_mb"], 1),
                "produkt_spitze_mb": round(product["spitze_mb"], 1),
                "vorleser_mb": round(product["vorleser_mb"], 1),
                "vorgelesen": product["vorgelesen"],
                "vorgerechnet": product["vorgerechnet"],
                "pandas_spitze_mb": round(baseline["spitze_mb"], 1),
                "polars_spitze_mb": round(fast["spitze_mb"], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
