"""A Sozialstrategie with one Leitsatz and an open Förderaufruf, for the pages behind an application link."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session

from sozialforum.store.models import Foerderaufruf, Strategie, Strategieelement
from sozialforum.vocab import StrategieElementArt


def foerderaufruf(strategie_id: int, titel: str = "Prävention 2026") -> Foerderaufruf:
    """The call "FA-2026": deadline 31.03.2026, 250,000 € for 2026."""
    return Foerderaufruf(
        kennung="FA-2026",
        titel=titel,
        strategie_id=strategie_id,
        frist=date(2026, 3, 31),
        haushaltsstelle="PSP 1.31.3.1.01.01",
        mittel_eur=Decimal(250_000),
        foerderjahr=2026,
    )


def aufruf_anlegen(session: Session) -> int:
    """The id of the call "FA-2026" (deadline 31.03.2026) of a new Strategie "S-2019"."""
    strategie = Strategie(kennung="S-2019", titel="Sozialstrategie", fassung="Fortschreibung 2019")
    session.add(strategie)
    session.flush()
    assert strategie.id is not None
    session.add(
        Strategieelement(
            strategie_id=strategie.id,
            art=StrategieElementArt.LEITSATZ,
            nummer=1,
            titel="Kein unter 25-Jähriger geht verloren",
        )
    )
    aufruf = foerderaufruf(strategie.id)
    session.add(aufruf)
    session.flush()
    assert aufruf.id is not None
    return aufruf.id
