"""A throwaway PostgreSQL cluster from the Debian postgresql-15 binaries (initdb, pg_ctl).

Runs as the ``postgres`` system user when we are root (initdb refuses root). Listens only on a
Unix socket in its own directory plus a free loopback port. Its data lives in memory (``/dev/shm``)
when there is room: on the test machine's disk, creating a test's database from the migrated
template took 1.0–1.3 s (about 850 files, even with ``fsync=off``), in memory 0.1 s, and a
whole run's databases took minutes to delete at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PG_BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), Path("/usr/lib/postgresql/16/bin")]
IN_MEMORY = Path("/dev/shm")
# Enough for the template and a few databases at a time (each test drops its own), the WAL
# (capped below) and a test that fills one database with a few hundred thousand rows.
IN_MEMORY_FREE = 4 * 1024**3


def find_pg_bin() -> Path | None:
    for candidate in PG_BIN_DIRS:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgCluster:
    bin_dir: Path
    base: Path
    port: int
    user: str

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    def url(self, database: str = "postgres", driver: str = "psycopg") -> str:
        return f"postgresql+{driver}://{self.user}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.base)

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            self.user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self.einschalten()

    def einschalten(self) -> None:
        """Start the server on the existing data folder (after :meth:`ausschalten`)."""
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.base} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300 "
            # The WAL may sit in memory too: keep it small.
            "-c max_wal_size=256MB -c min_wal_size=32MB"
        )
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-o", options, "-w", "-t", "60", "-l", str(self.base / "log"), "start"
        )

    def ausschalten(self) -> None:
        """Stop the server as an operator would (``pg_ctl stop -m fast``), keeping its data."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def _data_parent() -> Path | None:
    """Memory when it has room, else the default temporary folder (None)."""
    try:
        if IN_MEMORY.is_dir() and shutil.disk_usage(IN_MEMORY).free >= IN_MEMORY_FREE:
            return IN_MEMORY
    except OSError:
        pass
    return None


def start_cluster() -> PgCluster | None:
    bin_dir = find_pg_bin()
    if bin_dir is None:
        return None
    base = Path(tempfile.mkdtemp(prefix="sf-pg-", dir=_data_parent()))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    cluster = PgCluster(bin_dir=bin_dir, base=base, port=_free_port(), user="sozialforum")
    cluster.start()
    return cluster
