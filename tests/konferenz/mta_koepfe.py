"""Header blocks as real receiving mail servers prepend them, for the calendar replies of the
fixtures: Postfix with OpenDKIM and OpenDMARC (one Authentication-Results header each), Exchange
Online (no authserv-id, ``compauth``), Gmail (``header.i``, a full address in ``smtp.mailfrom``),
a mailing list, and what a forger writes. Lines are folded as the servers fold them."""

from __future__ import annotations

from pathlib import Path

REPLIES = Path(__file__).parent / "antworten"
MX = "mx.landkreis-musterland.example"

_POSTFIX_RECEIVED = (
    "Received: from mail.{domain} (mail.{domain} [203.0.113.25])\r\n"
    "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n"
    "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n"
    "\t(No client certificate requested)\r\n"
    f"\tby {MX} (Postfix) with ESMTPS id 4Qx7Lm0Zs9z9sT\r\n"
    "\tfor <sozialplanung@landkreis-musterland.example>; Sun, 22 Feb 2026 17:05:13 +0100 (CET)\r\n"
)
_LMTP = (
    f"Return-Path: <info@awo-sued.example>\r\nDelivered-To: sozialplanung@landkreis-musterland.example\r\n"
    f"Received: from {MX}\r\n\tby imap.landkreis-musterland.example with LMTP\r\n"
    "\tid 8Kq2Lh1Z22bXBQAAgupzMw\r\n\t(envelope-from <info@awo-sued.example>)\r\n"
    "\tfor <sozialplanung@landkreis-musterland.example>; Sun, 22 Feb 2026 17:05:14 +0100\r\n"
)

# OpenDMARC's header on top, OpenDKIM's below it, then Postfix's Received line.
POSTFIX_DMARC_PASS = (
    _LMTP + f"Authentication-Results: {MX}; dmarc=pass (p=quarantine dis=none)\r\n"
    "\theader.from=awo-sued.example\r\n"
    f"Authentication-Results: {MX};\r\n"
    "\tdkim=pass (2048-bit key; unprotected) header.d=awo-sued.example header.i=@awo-sued.example\r\n"
    "\theader.a=rsa-sha256 header.s=mail header.b=Jk2lPq9x;\r\n\tdkim-atps=neutral\r\n"
    + _POSTFIX_RECEIVED.format(domain="awo-sued.example")
)

# A Träger without a DMARC record: OpenDMARC says none, OpenDKIM's aligned signature proves it.
POSTFIX_OHNE_DMARC_DKIM_PASS = (
    _LMTP + f"Authentication-Results: {MX}; dmarc=none (p=none dis=none) header.from=awo-sued.example\r\n"
    f"Authentication-Results: {MX};\r\n"
    "\tdkim=pass (1024-bit key; secure) header.d=awo-sued.example header.i=@awo-sued.example\r\n"
    '\theader.b="Zm9vYmFy"\r\n' + _POSTFIX_RECEIVED.format(domain="awo-sued.example")
)

# The forger's mail fails at our server; the header the forger wrote sits below our Received line.
POSTFIX_FAIL = (
    _LMTP + f"Authentication-Results: {MX}; dmarc=fail (p=none dis=none) header.from=awo-sued.example\r\n"
    f"Authentication-Results: {MX}; spf=softfail (domain owner discourages use of this host)\r\n"
    "\tsmtp.mailfrom=awo-sued.example; dkim=none\r\n" + _POSTFIX_RECEIVED.format(domain="awo-sued.example")
)
GEFAELSCHT_DARUNTER = f"Authentication-Results: {MX}; dmarc=pass header.from=awo-sued.example; dkim=pass\r\n"
# Above ours, but with another authserv-id (a look-alike the forger's own server could write).
GEFAELSCHT_DARUEBER = (
    f"Authentication-Results: {MX}.relay.example; dmarc=pass (p=reject)\r\n\theader.from=awo-sued.example\r\n"
)

# Signed and sent by evil.example with a forged From: SPF and DKIM pass, but for the wrong domain.
POSTFIX_FREMDE_DOMAIN = (
    _LMTP + f"Authentication-Results: {MX}; dmarc=fail (p=none dis=none) header.from=awo-sued.example\r\n"
    f"Authentication-Results: {MX}; spf=pass smtp.mailfrom=bounce@evil.example;\r\n"
    "\tdkim=pass (2048-bit key) header.d=evil.example header.i=@evil.example header.s=s1\r\n"
    + _POSTFIX_RECEIVED.format(domain="evil.example")
)

# Kim's reply sent to the network's list: the list keeps From, adds a footer (the original
# signature breaks) and signs and sends as itself.
POSTFIX_MAILINGLISTE = (
    f"Authentication-Results: {MX}; dmarc=fail (p=none dis=none) header.from=familienzentrum.example\r\n"
    f"Authentication-Results: {MX};\r\n"
    '\tdkim=fail reason="signature verification failed" (2048-bit key)\r\n'
    "\theader.d=familienzentrum.example header.i=@familienzentrum.example header.b=Q1w2E3r4;\r\n"
    "\tdkim=pass (2048-bit key) header.d=lists.netzwerk-sued.example header.b=T5y6U7i8\r\n"
    f"Authentication-Results: {MX}; spf=pass (sender SPF authorized)\r\n"
    "\tsmtp.mailfrom=netzwerk-bounces@lists.netzwerk-sued.example\r\n"
    + _POSTFIX_RECEIVED.format(domain="lists.netzwerk-sued.example")
    + "List-Id: Netzwerk Sued <netzwerk.lists.netzwerk-sued.example>\r\n"
    "List-Post: <mailto:netzwerk@lists.netzwerk-sued.example>\r\nPrecedence: list\r\n"
)

# Exchange Online writes its verdict without an authserv-id and renames foreign headers.
EXCHANGE_ONLINE = (
    "Authentication-Results: spf=pass (sender IP is 40.107.22.54)\r\n"
    " smtp.mailfrom=caritas-sued.example; dkim=pass (signature was verified)\r\n"
    " header.d=caritas-sued.example;dmarc=pass action=none\r\n"
    " header.from=caritas-sued.example;compauth=pass reason=100\r\n"
    "Received-SPF: Pass (protection.outlook.com: domain of caritas-sued.example\r\n"
    " designates 40.107.22.54 as permitted sender) receiver=protection.outlook.com;\r\n"
    " client-ip=40.107.22.54; helo=EUR05-DB8-obe.outbound.protection.outlook.com; pr=C\r\n"
    "Received: from EUR05-DB8-obe.outbound.protection.outlook.com (40.107.22.54) by\r\n"
    " AM4PEPF00027A5F.mail.protection.outlook.com (10.167.16.73) with Microsoft SMTP\r\n"
    " Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
    " 15.20.7677.15 via Frontend Transport; Sat, 21 Feb 2026 11:15:02 +0000\r\n"
    "Authentication-Results-Original: caritas-sued.example; dmarc=pass header.from=awo-sued.example\r\n"
)
# Nothing proven; Microsoft's own guess (compauth) passes anyway: not a proof of the domain.
EXCHANGE_NUR_COMPAUTH = (
    "Authentication-Results: spf=none (sender IP is 198.51.100.7)\r\n"
    " smtp.mailfrom=caritas-sued.example; dkim=none (message not signed)\r\n"
    " header.d=none;dmarc=none action=none header.from=caritas-sued.example;compauth=pass\r\n"
    " reason=109\r\n"
)

GMAIL = (
    "Authentication-Results: mx.google.com;\r\n"
    "       dkim=pass header.i=@awo-sued.example header.s=google header.b=kX3v9QeR;\r\n"
    "       spf=pass (google.com: domain of info@awo-sued.example designates 209.85.220.41 as\r\n"
    "       permitted sender) smtp.mailfrom=info@awo-sued.example;\r\n"
    "       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=awo-sued.example\r\n"
    "Received: from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])\r\n"
    "        by mx.google.com with SMTPS id a640c23a62f3a-a7a1b2c3d4e5sor123456766b.11.2026.02.22.00.12.34\r\n"
    "        for <sozialplanung@landkreis-musterland.example>;\r\n"
    "        Sun, 22 Feb 2026 00:12:34 -0800 (PST)\r\n"
)


def mail(fixture: str, oben: str = "", unten: str = "") -> bytes:
    """A fixture reply as delivered: ``oben`` prepended by the servers, ``unten`` the forger's own
    headers written above the message's."""
    return (oben + unten).encode() + (REPLIES / fixture).read_bytes()
