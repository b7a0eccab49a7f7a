"""Security of the portal: response headers, CSRF tokens, same-origin check, client keys.

CSRF: every form carries ``csrf``, an HMAC under the installation key over the context the page
belongs to (``link:<id>`` for a personal link, ``gs:<session hash>`` for a logged-in user,
``anmelden:<cookie>`` for the login form). A forged cross-site POST cannot know it, since it needs
the link's secret or the session cookie. POSTs whose ``Origin`` names another site are refused
as well (defence in depth; SameSite=Strict cookies are the third layer).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# No scripts at all; styles only from our own origin; forms only back to us; no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Personal links carry their secret in the path: never pass it on in a Referer.
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"x-robots-tag", b"noindex, nofollow"),
]
_NO_STORE = (b"cache-control", b"no-store")
_HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    """Pure ASGI middleware (no BaseHTTPMiddleware: it would cost throughput on every request)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in _HEADERS if h[0] not in present)
                if not is_static and b"cache-control" not in present:
                    headers.append(_NO_STORE)
                if self.https:
                    headers.append(_HSTS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(*, https: bool) -> dict[str, str]:
    """The headers as a dict (for responses made outside the middleware, e.g. the 500 page)."""
    headers = [*_HEADERS, _NO_STORE, *([_HSTS] if https else [])]
    return {name.decode(): value.decode() for name, value in headers}


def csrf_token(key: str, context: str) -> str:
    return hmac.new(key.encode(), f"csrf:{context}".encode(), hashlib.sha256).hexdigest()[:40]


def csrf_valid(key: str, context: str, submitted: object) -> bool:
    if not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(submitted.encode(), csrf_token(key, context).encode())


def same_origin(headers: Any, base_url: str, request_origin: Callable[[], str]) -> bool:
    """False when the browser says the POST comes from another site (Origin or Referer).

    ``request_origin`` gives the origin the request was sent to; it is only asked for when the
    browser names an origin at all.
    """
    origin = headers.get("origin")
    if origin is None or origin == "null":
        # Old browsers send no Origin; a "null" origin (sandbox, privacy mode) proves nothing
        # either way. The CSRF token still protects the form.
        return True
    allowed = {_origin(base_url), request_origin()}
    return _origin(origin) in allowed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def client_key(request_client: Any) -> str:
    """The address failed attempts are counted against (the direct peer; see docs for proxies)."""
    host = getattr(request_client, "host", None) or "unbekannt"
    return str(host)[:100]
