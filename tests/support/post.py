"""Plain invitations in the outbox for the delivery tests: one per address, keys k0, k1, …"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from sozialforum import outbox
from sozialforum.channels.mail import OutgoingMail
from sozialforum.settings import Settings
from sozialforum.vocab import NachrichtArt


def einladungen_einreihen(engine: Engine, settings: Settings, adressen: Sequence[str], *, now: datetime) -> None:
    with Session(engine) as session:
        for n, address in enumerate(adressen):
            mail = OutgoingMail(to=address, to_name=f"P {n}", subject="Einladung", text="Hallo\n")
            outbox.enqueue(
                session,
                schluessel=f"k{n}",
                art=NachrichtArt.EINLADUNG,
                mail=mail,
                person_id=None,
                bezug={},
                now=now,
                settings=settings,
            )
        session.commit()
