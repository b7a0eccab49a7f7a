"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP; SHA-1, 6 digits, 30 s), the
second factor of staff logins that authenticator apps understand."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    """A random 160-bit secret in base32 (RFC 4226 recommends 160 bits)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def hotp(secret: str, counter: int) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F  # dynamic truncation, RFC 4226 section 5.3
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def code_at(secret: str, now: datetime) -> str:
    return hotp(secret, int(now.timestamp()) // STEP_SECONDS)


def verify(secret: str, code: str, now: datetime, *, window: int = 1) -> bool:
    """True if ``code`` is the code of this step or of ``window`` steps either side (clock drift)."""
    return step_of(secret, code, now, window=window) is not None


def step_of(secret: str, code: str, now: datetime, *, window: int = 1) -> int | None:
    """The time step whose code ``code`` is (this step or ``window`` either side), or None."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    step = int(now.timestamp()) // STEP_SECONDS
    matches = [step + d for d in range(-window, window + 1) if hmac.compare_digest(hotp(secret, step + d), code)]
    return matches[-1] if matches else None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (usually from a QR code)."""
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&algorithm=SHA1&digits=6&period=30"
