"""How stored messages leave: SMTP through the ``emails`` package, or .eml files in a folder.

SMTP runs the transaction itself on the ``emails`` client (an ``smtplib.SMTP``) so that it can
put a record between the body and the one moment that decides whether a message went out: the
final ``.`` of DATA (RFC 5321 §4.1.1.4). The body goes out without its terminator; then
``handing_over`` is called (the outbox commits "hand-over begins" in the store); only then the
``.`` follows. A process killed before that record sends nothing (the server drops an unfinished
DATA); killed after it, the message is "in doubt" and a person decides, it is never resent by
itself. If ``handing_over`` raises, the connection is dropped without the terminator.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sozialforum import ablage
from sozialforum.settings import Settings


@dataclass
class Outcome:
    ok: bool
    reply: str
    permanent: bool = False
    connection_lost: bool = False
    # The terminator may have reached the server but no reply came: the message may have gone out.
    uncertain: bool = False


# A bare ASCII address as the outbox stores it (checked when the message was rendered): it goes
# into MAIL/RCPT as ``<address>``. smtplib's general quoting parses every address with the
# email package's address parser first, which costs more than the rest of the dialogue.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


def _path(address: str) -> str:
    """The reverse or forward path of MAIL/RCPT (RFC 5321 §4.1.2)."""
    return f"<{address}>" if _PLAIN_ADDRESS.fullmatch(address) else smtplib.quoteaddr(address)


def _reply(code: int, text: bytes | str) -> str:
    body = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {body}".strip()


def _refused(code: int, text: bytes | str) -> Outcome:
    # RFC 5321 §4.2.1: 5yz is a permanent negative completion reply, 4yz a transient one.
    return Outcome(False, _reply(code, text), permanent=500 <= code < 600)


class FileTransport:
    """No SMTP configured: one .eml per message. The name derives from the record, so a resend
    after a crash rewrites the same file and never adds a second one."""

    name = "datei"

    def __init__(self, directory: Path, settings: Settings | None = None) -> None:
        self.directory = directory
        self.settings = settings  # given: each file also goes into the configured storage (ablage)
        directory.mkdir(parents=True, exist_ok=True)

    def send(
        self,
        *,
        message_id: int,
        art: str,
        sender: str,
        recipient: str,
        content: bytes,
        handing_over: Callable[[], None],
        while_waiting: Callable[[], object] | None = None,
    ) -> Outcome:
        """Files need no hand-over record: a rerun rewrites the same file (``handing_over`` unused)."""
        target = self.directory / f"{message_id:07d}-{art}.eml"
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(content)
        temporary.replace(target)
        if self.settings is not None:
            ablage.ablegen(self.settings, target, f"outbox/{target.name}")  # no copy for the folder default
        if while_waiting is not None:
            while_waiting()
        return Outcome(True, f"geschrieben: {target.name}")

    def close(self) -> None:
        pass


def tls_context(settings: Settings) -> ssl.SSLContext:
    """A verifying TLS context (certificate and host name). smtplib's own default for STARTTLS
    and SMTP_SSL verifies nothing, which would let anyone on the path read the invitations."""
    cafile = settings.mail.ca_datei
    return ssl.create_default_context(cafile=str(cafile) if cafile else None)


def _backend_class() -> type:
    from emails.backend import SMTPBackend
    from emails.backend.smtp.client import SMTPClientWithResponse, SMTPClientWithResponse_SSL

    class VerifyingClient(SMTPClientWithResponse):
        def initialize(self) -> None:
            if not self._initialized:
                if self.tls:
                    self.starttls(context=self.parent.tls_context)
                if self.user:
                    self.login(user=self.user, password=self.password)
                self.ehlo_or_helo_if_needed()
                self._initialized = True

    class VerifyingSslClient(SMTPClientWithResponse_SSL):
        def __init__(self, **kw: Any) -> None:
            # No host here, so SMTP_SSL does not connect yet (the emails client would connect
            # twice, the first time without our context); SMTP.__init__ then connects once.
            smtplib.SMTP_SSL.__init__(self, context=kw["parent"].tls_context)
            SMTPClientWithResponse.__init__(self, **kw)

    class Backend(SMTPBackend):
        connection_cls = VerifyingClient
        connection_ssl_cls = VerifyingSslClient

    return Backend


class SmtpTransport:
    """SMTP over one connection for the whole batch (STARTTLS or SSL with verified certificates,
    login), through the ``emails`` package's client."""

    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        mail = settings.mail
        options: dict[str, Any] = {
            "host": mail.smtp_host,
            "port": mail.smtp_port,
            "timeout": mail.timeout_sekunden,
            "ssl": mail.sicherheit == "ssl",
            "tls": mail.sicherheit == "starttls",
            "fail_silently": False,
        }
        if mail.benutzer:
            options["user"] = mail.benutzer
            options["password"] = mail.passwort.get_secret_value() if mail.passwort else ""
        self.backend = _backend_class()(**options)
        self.backend.tls_context = tls_context(settings) if mail.sicherheit != "keine" else None
        self._tuned: object = None  # the socket that got TCP_NODELAY

    def connect(self) -> None:
        """Open the connection now, so that a wrong host or password fails the run at once."""
        self._client()

    def _client(self) -> Any:
        client = self.backend.get_client()
        if client.sock is not None and client.sock is not self._tuned:
            # Small commands follow each other; without TCP_NODELAY, Nagle's algorithm holds
            # each until the server's delayed ACK (~40 ms a message). Once per connection.
            client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._tuned = client.sock
        return client

    def send(
        self,
        *,
        message_id: int,
        art: str,
        sender: str,
        recipient: str,
        content: bytes,
        handing_over: Callable[[], None],
        while_waiting: Callable[[], object] | None = None,
    ) -> Outcome:
        """One SMTP transaction. ``while_waiting`` runs after the end of DATA, while the server
        works on the message, before its reply is read."""
        terminated: list[bool] = []  # set once the final dot was handed to the socket
        try:
            return self._transaction(sender, recipient, content, handing_over, while_waiting, terminated)
        except (OSError, smtplib.SMTPException) as exc:  # SMTPException is an OSError too
            self._drop()
            what = "Verbindung abgebrochen" if isinstance(exc, smtplib.SMTPServerDisconnected) else "Verbindungsfehler"
            if terminated:
                return Outcome(
                    False, f"{what} nach dem Ende der Nachricht: {exc!r}", connection_lost=True, uncertain=True
                )
            return Outcome(False, f"{what}: {exc!r}", connection_lost=True)

    def _drop(self) -> None:
        """Close the socket without QUIT (inside DATA a QUIT would be read as part of the body):
        the server drops an unfinished message."""
        client = self.backend._client
        self.backend._client = None
        if client is not None:
            with contextlib.suppress(OSError):
                client.close()

    def _transaction(
        self,
        sender: str,
        recipient: str,
        content: bytes,
        handing_over: Callable[[], None],
        while_waiting: Callable[[], object] | None,
        terminated: list[bool],
    ) -> Outcome:
        client = self._client()
        size = f" SIZE={len(content)}" if client.does_esmtp and client.has_extn("size") else ""
        client.putcmd("mail", f"FROM:{_path(sender)}{size}")
        code, text = client.getreply()
        if code != 250:
            client.rset()
            return _refused(code, text)
        client.putcmd("rcpt", f"TO:{_path(recipient)}")
        code, text = client.getreply()
        if code not in (250, 251):
            client.rset()
            return _refused(code, text)
        code, text = client.docmd("data")
        if code != 354:
            client.rset()
            return _refused(code, text)
        body = smtplib._quote_periods(content)  # type: ignore[attr-defined]  # RFC 5321 §4.5.2
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        # The body without the terminator: killed now, the server drops the unfinished message.
        client.send(body)
        try:
            handing_over()  # committed in the store: from here on the message is in doubt
        except BaseException:
            self._drop()
            raise
        terminated.append(True)
        client.send(b".\r\n")
        if while_waiting is not None:
            while_waiting()
        code, text = client.getreply()
        if code != 250:
            return _refused(code, text)
        return Outcome(True, _reply(code, text))

    def close(self) -> None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self.backend.close()


Transport = FileTransport | SmtpTransport


def open_transport(settings: Settings) -> Transport:
    if settings.mail.smtp_host:
        return SmtpTransport(settings)
    return FileTransport(settings.outbox_dir, settings)
