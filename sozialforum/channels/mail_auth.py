"""Who really sent a mail: the verdict of our own receiving mail server, or a DKIM signature.

``From`` is whatever the sender typed. What proves it is the ``Authentication-Results`` header
(RFC 8601) that the organisation's receiving MTA adds, recognised by its authserv-id: a reply
counts as sent by its ``From`` domain when that header says ``dmarc=pass``, or ``dkim=pass`` for
a signing domain aligned with the From domain, or ``spf=pass`` for an aligned envelope sender
(DMARC identifier alignment, RFC 7489 §3.1). Headers with another authserv-id, or with ours
further down (below our server's own lines, i.e. written by the sender), are ignored.

Without a configured authserv-id the DKIM signatures are verified here (dkimpy; its DNS lookup
of the public key is the only network access and can be replaced).

Alignment is "relaxed" without a public-suffix list: the two domains are equal or one is a
subdomain of the other. That refuses two sibling subdomains of one organisation (held for a
person to look at, never wrongly taken) and accepts a signer that is a parent of the From domain,
which only the owner of that parent zone can be.
"""

from __future__ import annotations

import email
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.utils import getaddresses

import dkim

# dkimpy's lookup: (name: bytes, timeout=…) → TXT record bytes or None.
DnsAbfrage = Callable[..., bytes | None]

AR_HEADER = "authentication-results"
# ``method[/version] = result`` or ``ptype.property = value``; values may be quoted.
_PAIR = re.compile(r'([A-Za-z0-9_.-]+)(?:/\d+)?\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;"]+)')


@dataclass(frozen=True)
class Ergebnis:
    """One result of an Authentication-Results header: ``dkim=pass header.d=example.org``."""

    methode: str
    resultat: str
    eigenschaften: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ArKopf:
    authserv_id: str  # lower case; "" where the MTA writes none (Exchange Online)
    ergebnisse: tuple[Ergebnis, ...]


@dataclass(frozen=True)
class Nachweis:
    """Whether the sender's domain is proven, and a German sentence saying by what or why not."""

    echt: bool
    grund: str


def _ohne_kommentare(text: str) -> str:
    """Drop RFC 5322 comments ``(…)``, nested or with escapes, but not inside quoted strings."""
    out: list[str] = []
    depth = 0
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\" and (quoted or depth):
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if quoted:
            quoted = char != '"'
            out.append(char)
        elif char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif depth == 0:
            quoted = char == '"'
            out.append(char if char not in "\r\n" else " ")
    return "".join(out)


def _teile(text: str) -> list[str]:
    """Split on ``;`` outside quoted strings."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts]


def parse_authentication_results(value: str) -> ArKopf:
    """``mx.example.org 1; dkim=pass (ok) header.d=a.example; spf=fail …`` → its parts."""
    teile = _teile(_ohne_kommentare(value))
    erster = teile[0]
    if _PAIR.match(erster):  # no authserv-id: the header starts with a result (Exchange Online)
        authserv_id, resinfos = "", teile
    else:
        authserv_id, resinfos = (erster.split() or [""])[0].lower(), teile[1:]
    ergebnisse = []
    for resinfo in resinfos:
        pairs = [(key.lower(), raw.strip('"')) for key, raw in _PAIR.findall(resinfo)]
        if not pairs:
            continue  # "none", or an empty part after a trailing ";"
        (methode, resultat), rest = pairs[0], pairs[1:]
        ergebnisse.append(Ergebnis(methode, resultat.lower(), {key: wert for key, wert in rest}))
    return ArKopf(authserv_id, tuple(ergebnisse))


def eigene_ergebnisse(message: Message, authserv_id: str) -> tuple[Ergebnis, ...] | None:
    """The results of our MTA: the topmost AR header with our authserv-id and those directly
    below it (OpenDKIM and OpenDMARC write one each). Any other header ends the run, so a header
    the sender wrote (below our server's Received line) never counts. None if there is none."""
    wanted = authserv_id.strip().lower()
    found: list[Ergebnis] = []
    started = False
    for name, value in message.items():
        if name.lower() == AR_HEADER:
            kopf = parse_authentication_results(str(value))
            if kopf.authserv_id == wanted:
                started = True
                found.extend(kopf.ergebnisse)
                continue
        if started:
            break
    return tuple(found) if started else None


def ausgerichtet(domain: str, absender_domain: str) -> bool:
    """Relaxed alignment without a public-suffix list (see the module's text)."""
    d, f = domain.strip().strip(".").lower(), absender_domain.strip().strip(".").lower()
    if not d or not f:
        return False
    return d == f or (f.endswith("." + d) and "." in d) or d.endswith("." + f)


def _domain(value: str) -> str:
    """``kim@a.example`` / ``@a.example`` / ``a.example`` → ``a.example``."""
    return value.rsplit("@", 1)[-1].strip().strip("<>").lower()


def absender_domain(message: Message) -> str | None:
    """The From domain, or None unless there is exactly one From with one address (RFC 7489 §6.6.1)."""
    values = message.get_all("From") or []
    addresses = [address for _, address in getaddresses([str(v) for v in values]) if address]
    if len(values) != 1 or len(addresses) != 1 or "@" not in addresses[0]:
        return None
    return _domain(addresses[0])


def bewerten(ergebnisse: tuple[Ergebnis, ...], domain: str, wer: str) -> Nachweis:
    """Our MTA's results read for the From domain: the first that proves it, else why nothing did."""
    gruende: list[str] = []
    for ergebnis in ergebnisse:
        e = ergebnis.eigenschaften
        if ergebnis.methode == "dmarc":
            header_from = e.get("header.from")
            if ergebnis.resultat == "pass" and (not header_from or _domain(header_from) == domain):
                return Nachweis(True, f"DMARC bestanden für {domain} (laut {wer})")
            gruende.append(f"DMARC {ergebnis.resultat}")
        elif ergebnis.methode == "dkim":
            signer = _domain(e.get("header.d") or e.get("header.i") or "")
            if ergebnis.resultat == "pass" and ausgerichtet(signer, domain):
                return Nachweis(True, f"DKIM-Signatur von {signer} geprüft (laut {wer})")
            if ergebnis.resultat == "pass":
                gruende.append(f"DKIM-Signatur von {signer or 'unbekannt'} passt nicht zur Absenderdomain {domain}")
            else:
                gruende.append(f"DKIM {ergebnis.resultat}" + (f" ({signer})" if signer not in ("", "none") else ""))
        elif ergebnis.methode == "spf":
            envelope = _domain(e.get("smtp.mailfrom") or "")
            if ergebnis.resultat == "pass" and envelope and ausgerichtet(envelope, domain):
                return Nachweis(True, f"SPF bestanden für {envelope} (laut {wer})")
            if ergebnis.resultat == "pass":
                gruende.append(f"SPF für {envelope or 'unbekannt'} passt nicht zur Absenderdomain {domain}")
            else:
                gruende.append(f"SPF {ergebnis.resultat}")
    if not gruende:
        return Nachweis(False, f"{wer} meldet keine Prüfung von DMARC, DKIM oder SPF")
    return Nachweis(False, ", ".join(gruende) + f" (laut {wer})")


def dkim_pruefen(data: bytes, domain: str, dns: DnsAbfrage | None = None) -> Nachweis:
    """Verify the DKIM signatures here: the first valid one of an aligned domain proves the sender.
    A signature with a body length (``l=``) is not taken: text appended after it is unsigned."""
    try:
        signer = dkim.DKIM(data)
    except Exception:  # dkimpy's own header parser: anything it cannot read proves nothing
        return Nachweis(False, "die DKIM-Kopfzeilen sind nicht lesbar")
    count = sum(1 for name, _ in signer.headers if name.lower() == b"dkim-signature")
    if count == 0:
        return Nachweis(False, "die Nachricht trägt keine DKIM-Signatur")
    gruende = []
    abfrage = dns or dkim.dnsplug.get_txt
    ohne_schluessel: list[bytes] = []

    def lookup(name: bytes, timeout: int = 5) -> bytes | None:
        record = abfrage(name, timeout=timeout)
        if record is None:  # dkimpy only logs this and answers False
            ohne_schluessel.append(name)
        return record

    for index in range(count):
        signer.domain = None
        ohne_schluessel.clear()
        try:
            ok = signer.verify(idx=index, dnsfunc=lookup)
            fehler = "nicht prüfbar (kein Schlüssel im DNS)" if ohne_schluessel else ""
        except dkim.DnsTimeoutError:
            ok, fehler = False, "nicht prüfbar (DNS antwortet nicht)"
        except Exception as exc:  # dkimpy's errors and the crypto library's, for any odd input
            changed = "body hash" in str(exc)
            ok, fehler = False, "ungültig (Text nach dem Signieren verändert)" if changed else "ungültig"
        d = (signer.domain or b"?").decode("ascii", "replace").lower()
        if not ok:
            gruende.append(f"DKIM-Signatur von {d} " + (fehler or "ungültig"))
        elif b"l" in (signer.signature_fields or {}):
            gruende.append(f"DKIM-Signatur von {d} deckt nur einen Teil des Textes (l=)")
        elif not ausgerichtet(d, domain):
            gruende.append(f"DKIM-Signatur von {d} passt nicht zur Absenderdomain {domain}")
        else:
            return Nachweis(True, f"DKIM-Signatur von {d} geprüft")
    return Nachweis(False, ", ".join(gruende))


def absender_pruefen(data: bytes, *, authserv_id: str | None, dns: DnsAbfrage | None = None) -> Nachweis:
    """Is the From domain of this mail proven? By our MTA's results when ``authserv_id`` is set
    (Exchange Online: ""), otherwise by verifying DKIM here."""
    message = email.message_from_bytes(data, policy=policy.compat32)
    if not message.get_all("From"):
        return Nachweis(False, "eine Kalenderdatei ohne E-Mail-Kopf")
    domain = absender_domain(message)
    if domain is None:
        return Nachweis(False, "die Nachricht nennt nicht genau einen Absender (From)")
    if authserv_id is None:
        return dkim_pruefen(data, domain, dns)
    wer = f"Mailserver {authserv_id}" if authserv_id else "Exchange Online"
    ergebnisse = eigene_ergebnisse(message, authserv_id)
    if ergebnisse is None:
        return Nachweis(False, f"kein Prüfergebnis (Authentication-Results) von {wer}")
    return bewerten(ergebnisse, domain, wer)
