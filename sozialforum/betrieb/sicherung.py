"""A consistent backup of the store while sozialforum runs:

    python -m sozialforum.betrieb.sicherung ZIEL   # SQLite: a .db copy; PostgreSQL: a pg_dump -Fc file

SQLite uses its online backup API (a consistent copy even while flows write; copying the file
could catch half a transaction). PostgreSQL uses ``pg_dump --format=custom``, restored with
``pg_restore`` (docs/betrieb.md). The configuration comes from SOZIALFORUM_CONFIG / the
environment as for every command.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from sozialforum.settings import Settings, SettingsError, load_settings


def sqlite_sichern(quelle: Path, ziel: Path) -> Path:
    """Copy a live SQLite database with the online backup API."""
    ziel.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{quelle}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(ziel)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    return ziel


def pg_dump_befehl(url: str, ziel: Path, *, pg_dump: str = "pg_dump") -> tuple[list[str], dict[str, str]]:
    """The pg_dump call for the store's URL, whole: host and port (also a socket folder given as
    ``?host=/run/postgresql``), ``sslmode`` and the other libpq parameters go to libpq as a
    connection URI; the password only through PGPASSWORD (never on the command line)."""
    parsed = sa.engine.make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    conninfo = parsed._replace(drivername="postgresql", password=None).render_as_string(hide_password=False)
    command = [pg_dump, "--format=custom", "--no-owner", f"--file={ziel}", f"--dbname={conninfo}"]
    return command, env


def pg_sichern(url: str, ziel: Path, *, pg_dump: str = "pg_dump") -> Path:
    """``pg_dump --format=custom`` of the store (password from the URL via PGPASSWORD)."""
    ziel.parent.mkdir(parents=True, exist_ok=True)
    command, env = pg_dump_befehl(url, ziel, pg_dump=pg_dump)
    subprocess.run(command, check=True, env=env, capture_output=True, text=True)
    return ziel


def sichern(settings: Settings, ziel: Path, *, pg_dump: str = "pg_dump") -> Path:
    url = settings.db_url
    if url.startswith("sqlite"):
        return sqlite_sichern(Path(url.split("///", 1)[-1]), ziel)
    return pg_sichern(url, ziel, pg_dump=pg_dump)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("Aufruf: python -m sozialforum.betrieb.sicherung ZIELDATEI", file=sys.stderr)
        return 1
    try:
        settings = load_settings(None)
    except SettingsError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2
    tool = shutil.which("pg_dump") or "pg_dump"
    try:
        written = sichern(settings, Path(args[0]), pg_dump=tool)
    except (OSError, sqlite3.Error, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        print(f"Fehler: Sicherung fehlgeschlagen: {detail}", file=sys.stderr)
        return 3
    print(f"Sicherung geschrieben: {written}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
