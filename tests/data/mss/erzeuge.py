"""Builds the MSS-style test table and its published classes, by the published method of the
Berlin "Monitoring Soziale Stadtentwicklung" and independently of the product (plain Python).

24 Planungsräume of a made-up city, four status indicators (S1 Arbeitslosigkeit, S2
Langzeitarbeitslosigkeit, S3 Transferbezug, S4 Kinderarmut: shares in %, 31.12.2023) and four
dynamics indicators (D1–D4: their change in percentage points since 31.12.2021). The MSS method:

1. each indicator z-standardised over all Planungsräume (standard deviation of the population),
2. per area the z-values of the status indicators added up, the sum z-standardised again: the
   status index; the same with the dynamics indicators: the dynamics index,
3. classes: status hoch < −1,0 ≤ mittel ≤ +1,0 < niedrig ≤ +1,5 < sehr niedrig;
   dynamics positiv < −1,0 ≤ stabil ≤ +1,0 < negativ.

The table publishes the z-values with four decimals (``mss_zwerte_2023.csv``), the index values
with two and the classes (``tests/daten/golden/mss_klassen.csv``). Run from the repository root:
``python tests/data/mss/erzeuge.py``; the output is committed, the test does not run this.
"""

from __future__ import annotations

import random
import statistics
from pathlib import Path

HERE = Path(__file__).parent
GOLDEN = HERE.parents[1] / "daten" / "golden" / "mss_klassen.csv"
NAMES = ["Arbeitslosigkeit", "Langzeitarbeitslosigkeit", "Transferbezug", "Kinderarmut"]
N = 24


def z(values: list[float]) -> list[float]:
    mean = statistics.fmean(values)
    spread = statistics.pstdev(values)
    return [(v - mean) / spread for v in values]


def index(columns: list[list[float]]) -> list[float]:
    return z([sum(parts) for parts in zip(*columns, strict=True)])


def status(value: float) -> str:
    return "hoch" if value < -1 else "mittel" if value <= 1 else "niedrig" if value <= 1.5 else "sehr niedrig"


def dynamik(value: float) -> str:
    return "positiv" if value < -1 else "stabil" if value <= 1 else "negativ"


def zahl(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}".replace(".", ",")
    return "0," + "0" * digits if text.strip("-0,") == "" else text


def build(seed: int) -> tuple[list[list[float]], list[list[float]]] | None:
    rng = random.Random(seed)
    need = [rng.gauss(0, 1) for _ in range(N)]  # a latent level of need per Planungsraum
    trend = [rng.gauss(0, 1) for _ in range(N)]
    bases = [(6.0, 2.0), (2.5, 1.0), (9.0, 4.0), (18.0, 9.0)]
    rates, changes = [], []
    for mean, spread in bases:
        now = [max(0.3, mean + spread * (0.8 * n + 0.4 * rng.gauss(0, 1))) for n in need]
        change = [spread * 0.15 * (0.8 * t + 0.5 * rng.gauss(0, 1)) for t in trend]
        rates.append([round(v, 1) for v in now])
        changes.append([round(v, 1) for v in change])
    published_s = [[round(v, 4) for v in z(column)] for column in rates]
    published_d = [[round(v, 4) for v in z(column)] for column in changes]
    # The classes must not hang on the fourth decimal: the index from the published (rounded)
    # z-values, standardised again or not, gives the same two decimals and classes, and no
    # index lies within 0,02 of a class boundary.
    for published, exact in ((published_s, rates), (published_d, changes)):
        direct = index([z(column) for column in exact])
        texts = {tuple(zahl(v, 2) for v in index(p)) for p in (published, [z(c) for c in published])}
        if texts != {tuple(zahl(v, 2) for v in direct)}:
            return None
        if any(abs(abs(v) - edge) < 0.02 for v in direct for edge in (1.0, 1.5)):
            return None
    s, d = index(published_s), index(published_d)
    if {status(v) for v in s} != {"hoch", "mittel", "niedrig", "sehr niedrig"}:
        return None
    if {dynamik(v) for v in d} != {"positiv", "stabil", "negativ"}:
        return None
    return published_s, published_d


def main() -> None:
    seed = next(seed for seed in range(1000) if build(seed) is not None)
    built = build(seed)
    assert built is not None
    published_s, published_d = built
    keys = [f"{1 + i // 6:02d}01{1 + i // 6:02d}{1 + i % 6:02d}" for i in range(N)]  # Berlin-like PLR ids
    header = ["planungsraum", "stichtag"]
    header += [f"S{j + 1} {name} (z-Wert)" for j, name in enumerate(NAMES)]
    header += [f"D{j + 1} {name} (z-Wert)" for j, name in enumerate(NAMES)]
    lines = [";".join(header)]
    for i, key in enumerate(keys):
        values = [column[i] for column in (*published_s, *published_d)]
        lines.append(";".join([key, "31.12.2023", *(zahl(v, 4) for v in values)]))
    (HERE / "mss_zwerte_2023.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    s, d = index(published_s), index(published_d)
    golden = ["Planungsraum;Statusindex;Status;Dynamikindex;Dynamik"]
    golden += [f"{key};{zahl(s[i], 2)};{status(s[i])};{zahl(d[i], 2)};{dynamik(d[i])}" for i, key in enumerate(keys)]
    GOLDEN.write_text("\n".join(golden) + "\n", encoding="utf-8")
    print(f"seed {seed}: {N} Planungsräume")


if __name__ == "__main__":
    main()
