"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests and benchmarks.

Run as a script it serves until killed and appends every message to a directory (one file per
message), so that a test can kill the *sender* process and still count what arrived.
"""

from __future__ import annotations

import socket
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class Collector:
    """The handler: stores envelopes; ``refuse`` maps an address to a reply like '550 unknown'."""

    messages: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    refuse_all: str | None = None
    hang_up_after: int | None = None  # drop the connection on the DATA after this many messages
    directory: Path | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse_all:
            return self.refuse_all
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        if self.hang_up_after is not None and len(self.messages) >= self.hang_up_after:
            self.hang_up_after = None  # once: the next connection works again
            server.transport.close()  # type: ignore[union-attr]
            return "421 closing"  # never read: the client sees the connection end
        with self.lock:
            self.messages.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), content))
            if self.directory is not None:
                name = f"{len(self.messages):07d}.eml"
                (self.directory / name).write_bytes(content)
        return "250 Message accepted for delivery"


class LoopbackSmtp:
    def __init__(self, collector: Collector | None = None) -> None:
        self.collector = collector or Collector()
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=free_port(), data_size_limit=50_000_000)

    def __enter__(self) -> LoopbackSmtp:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return int(self.controller.port)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    import time

    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    with LoopbackSmtp(Collector(directory=target)) as smtp:
        (target / "port").write_text(str(smtp.port))
        while True:
            time.sleep(3600)
