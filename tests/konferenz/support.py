"""Helpers of the conference tests: decoded views of mails for golden files, strict calendar
checks (the `ical` package, icalendar, and libical's RFC 5546 restriction check)."""

from __future__ import annotations

import email
import re
import shutil
import subprocess
from email import policy
from email.message import EmailMessage
from pathlib import Path

from tests.support import golden

GOLDEN = Path(__file__).parent / "golden"
TOKEN = re.compile(r"/rueckmeldung/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")
UID = re.compile(r"sitzung-[0-9a-f-]{36}@")


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def calendar_part(message: EmailMessage) -> tuple[str, str]:
    """(method parameter, calendar text) of the text/calendar part inside multipart/alternative."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            return str(part.get_param("method")), data.decode("utf-8")
    raise AssertionError("kein text/calendar-Teil")


def decoded_view(raw: bytes) -> str:
    """A readable, stable view of a mail: headers, part tree, decoded texts, calendar; personal
    tokens and the random UID replaced. Binary attachments appear by name and type only."""
    message = parse(raw)
    lines = [f"{name}: {message[name]}" for name in ("From", "To", "Subject", "Content-Language")]

    def tree(part: EmailMessage, depth: int) -> None:
        method = part.get_param("method")
        lines.append(
            f"{'  ' * depth}[{part.get_content_type()}"
            f"{'; method=' + str(method) if method else ''}"
            f"{'; ' + str(part.get_filename()) if part.get_filename() else ''}]"
        )
        if part.is_multipart():
            for child in part.iter_parts():
                tree(child, depth + 1)  # type: ignore[arg-type]

    tree(message, 0)
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html", "text/calendar"):
            data = part.get_payload(decode=True)
            assert isinstance(data, bytes)
            content = data.decode("utf-8")
            if kind == "text/calendar":  # folded lines may split a token: unfold first
                content = content.replace("\r\n ", "")
            lines += [f"===== {kind}", content.replace("\r\n", "⏎\n")]
    text = "\n".join(lines)
    text = TOKEN.sub("/rueckmeldung/<TOKEN>", text)
    return UID.sub("sitzung-<UID>@", text)


def assert_golden(name: str, actual: str) -> None:
    golden.assert_golden(GOLDEN / name, actual)


LIBICAL_CHECK = """
import sys
import gi
gi.require_version('ICalGLib', '3.0')
from gi.repository import ICalGLib as I
component = I.Component.new_from_string(sys.stdin.read())
ok = I.restriction_check(component)
errors = []
for kind in (I.ComponentKind.VEVENT_COMPONENT, I.ComponentKind.VCALENDAR_COMPONENT):
    inner = component if kind == I.ComponentKind.VCALENDAR_COMPONENT else component.get_first_component(kind)
    prop = inner.get_first_property(I.PropertyKind.XLICERROR_PROPERTY) if inner else None
    while prop:
        errors.append(prop.as_ical_string().strip())
        prop = inner.get_next_property(I.PropertyKind.XLICERROR_PROPERTY)
print("OK" if ok and not errors else "FEHLER " + " | ".join(errors))
"""


def libical_available() -> bool:
    system_python = shutil.which("python3", path="/usr/bin")
    if system_python is None:
        return False
    probe = subprocess.run(
        [system_python, "-c", "import gi; gi.require_version('ICalGLib', '3.0')"], capture_output=True
    )
    return probe.returncode == 0


def libical_restriction_check(calendar: str) -> str:
    """libical's per-method check of RFC 5546 (system Python with GObject introspection)."""
    result = subprocess.run(
        ["/usr/bin/python3", "-c", LIBICAL_CHECK], input=calendar, text=True, capture_output=True, check=True
    )
    return result.stdout.strip()
