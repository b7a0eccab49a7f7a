"""Probes against the real portal process (uvicorn on loopback, its own process): request
bodies are limited before they are read, and a body sent to a bad token is never read."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from sozialforum.portal.server import free_port
from sozialforum.vocab import LinkZweck
from tests.conftest import REPO
from tests.portal.conftest import build_world, issue, make_settings

MB = 1024 * 1024
BAD = "/rueckmeldung/" + "A" * 32 + "." + "B" * 32


@dataclass
class Prozess:
    pid: int
    port: int
    rsvp: str  # a valid personal link path

    def rss_peak_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmHWM")


@pytest.fixture
def prozess(sqlite_engine: Engine, tmp_path: Path) -> Iterator[Prozess]:
    port = free_port()
    settings = make_settings(tmp_path, sqlite_engine, base_url=f"http://127.0.0.1:{port}")
    welt = build_world(sqlite_engine)
    rsvp = issue(sqlite_engine, settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    rsvp = rsvp.removeprefix(f"http://127.0.0.1:{port}")
    url = sqlite_engine.url.render_as_string(hide_password=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.portal.portal_prozess", url, str(tmp_path), str(port)], cwd=REPO
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("Portalprozess startet nicht") from None
                time.sleep(0.05)
        yield Prozess(process.pid, port, rsvp)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _status(sock: socket.socket) -> int:
    sock.settimeout(20)
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0


def send(
    port: int, path: str, *, total: int, chunked: bool, content_type: str = "application/x-www-form-urlencoded"
) -> int:
    """POST ``total`` bytes of form fields, streamed in 1 MB pieces; stop when the server closes.
    Returns the HTTP status the server answered with."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    try:
        length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n{length}\r\n\r\n"
        sock.sendall(head.encode())
        piece = b"feld=" + b"x" * (MB - 6) + b"&"
        sent = 0
        try:
            while sent < total:
                payload = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece
                sock.sendall(payload)
                sent += len(piece)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed: what we want
        try:
            return _status(sock)
        except OSError:
            return 0
    finally:
        sock.close()


@pytest.mark.slow
def test_body_limits_against_the_real_process(prozess: Prozess) -> None:
    # Declared too large: 413 at once, to a bad token and to a valid link alike.
    started = time.monotonic()
    assert send(prozess.port, BAD, total=300 * MB, chunked=False) == 413
    assert send(prozess.port, prozess.rsvp, total=300 * MB, chunked=False) == 413
    assert time.monotonic() - started < 10
    # Streamed (chunked) to a bad token: refused without reading the form or spooling an upload.
    assert send(prozess.port, BAD, total=50 * MB, chunked=True) in (403, 0)
    multipart = "multipart/form-data; boundary=xyz"
    bad_upload = "/protokoll-entwurf/" + "A" * 32 + ".B"
    assert send(prozess.port, bad_upload, total=50 * MB, chunked=True, content_type=multipart) in (403, 0)
    # Streamed to a valid link: counted, and cut off at the limit.
    assert send(prozess.port, prozess.rsvp, total=5 * MB, chunked=True) == 413
    # 20 clients each stream 300 MB to bad tokens, half declared, half chunked.
    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda i: send(prozess.port, BAD, total=300 * MB, chunked=i % 2 == 1), range(20)))
    assert all(status in (403, 413, 0) for status in statuses), statuses
    assert prozess.rss_peak_mb() < 250, f"{prozess.rss_peak_mb():.0f} MB"
    # The portal still answers afterwards.
    assert send(prozess.port, "/", total=0, chunked=False) in (200, 404, 405)
