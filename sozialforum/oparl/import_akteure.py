"""OParl Organization, Person and Membership into Gremium/Organisation, Person, Mitgliedschaft.

Persons come in with their names only: e-mail addresses and phone numbers of office holders
stay in the council system (data minimisation, Art. 5 Abs. 1 lit. c DSGVO), and an imported
person has no legal basis to be mailed by us until the Geschäftsstelle records one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import col

from sozialforum.oparl.speicher import VENDOR, apply, kennung_for
from sozialforum.oparl.zuordnung import mitglied_rolle, organisation_kind
from sozialforum.store.models import Gremium, Mitgliedschaft, Organisation, Person
from sozialforum.timeutil import BERLIN
from sozialforum.vocab import GremiumArt, OrganisationArt

if TYPE_CHECKING:
    from sozialforum.oparl.lauf import Lauf
    from sozialforum.oparl.stapel import Eintrag


def organization(run: Lauf, entry: Eintrag) -> None:
    o, r = entry.obj, run.leser
    oid = r.id(o)
    name = r.text(o, "name", 300) or r.text(o, "shortName", 300)
    if not name:
        run.leser.maengel.melde(oid, "name", "fehlt: die Kurzform der id wird verwendet")
        name = oid.rstrip("/").rsplit("/", 1)[-1]
    modified = r.zeitpunkt(o, "modified")
    created = r.zeitpunkt(o, "created")
    kind = organisation_kind(
        r.text(o, "organizationType"),
        r.text(o, "classification"),
        name,
        bool(o.get("meeting")) or bool(o.get("membership")),
    )
    eigen = eigene_art(run, o)  # our own export: the kind as it was
    kind = eigen or kind
    earlier = run.index.mapped_table(oid)
    as_gremium = isinstance(kind, GremiumArt) if earlier is None else earlier == "gremium"
    if as_gremium:
        art = kind if isinstance(kind, GremiumArt) else GremiumArt.FACHGREMIUM
        row_id = run.index.find("gremium", oid)
        row = run.session.get(Gremium, row_id) if row_id else None
        if row is None:
            kennung = kennung_for(oid)
            short = r.text(o, "shortName", 60)
            taken = sa.select(col(Gremium.id)).where(col(Gremium.kennung) == short)
            if eigen and short and run.session.scalar(taken) is None:
                kennung = short
            row = Gremium(kennung=kennung, name=name, art=art, oparl_id=oid)
            run.session.add(row)
            state = "neu"
        else:
            state = "geaendert" if apply(row, {"name": name, "art": art}) else "unveraendert"
        run.session.flush()
        run.index.remember(oid, "Organization", "gremium", row.id, modified=modified, created=created)
    else:
        row_id = run.index.find("organisation", oid)
        org = run.session.get(Organisation, row_id) if row_id else None
        if org is None:
            # Mapped as an organisation earlier although it now looks like a body that meets: it
            # stays an organisation, of no particular kind.
            org_art = kind if isinstance(kind, OrganisationArt) else OrganisationArt.SONSTIGE
            org = Organisation(kennung=kennung_for(oid), name=name, art=org_art)
            run.session.add(org)
            state = "neu"
        else:
            state = "geaendert" if apply(org, {"name": name}) else "unveraendert"
        run.session.flush()
        run.index.remember(oid, "Organization", "organisation", org.id, modified=modified, created=created)
    run.bericht.zaehle("Organization", state)


def eigene_art(run: Lauf, o: dict[str, Any]) -> GremiumArt | None:
    """The Gremium kind our own export gives under ``sozialforum:art`` (OParl has no such field)."""
    value = o.get(f"{VENDOR}:art")
    if value is None:
        return None
    try:
        return GremiumArt(value)
    except ValueError:
        run.leser.maengel.melde(run.leser.id(o), f"{VENDOR}:art", f"unbekannte Art {str(value)[:40]!r}: ignoriert")
        return None


def organization_parents(run: Lauf, entries: list[Eintrag]) -> None:
    """``subOrganizationOf`` once all Gremien of the run exist."""
    for entry in entries:
        oid = run.leser.id(entry.obj)
        parent_url = run.leser.url(entry.obj, "subOrganizationOf")
        row_id = run.index.find("gremium", oid)
        if not parent_url or row_id is None:
            continue
        parent_id = run.index.find("gremium", parent_url)
        if parent_id is None and run.index.find("organisation", parent_url) is None:
            run.dangling(oid, "subOrganizationOf", parent_url)
        if parent_id is not None and parent_id != row_id:
            apply(run.session.get(Gremium, row_id), {"parent_id": parent_id})


def person(run: Lauf, entry: Eintrag) -> None:
    o, r = entry.obj, run.leser
    oid = r.id(o)
    modified = r.zeitpunkt(o, "modified")
    r.zeitpunkt(o, "created")
    if r.wahr(o, "deleted"):
        run.index.remember(oid, "Person", "person", run.index.find("person", oid), modified=modified, geloescht=True)
        run.bericht.zaehle("Person", "uebersprungen")
        return
    full = r.text(o, "name", 200)
    family = r.text(o, "familyName", 100)
    given = r.text(o, "givenName", 100)
    if family is None and full:
        parts = full.split()
        family, given = parts[-1], given or (" ".join(parts[:-1]) or None)
    if not family:  # STERNBERG: persons without any name; kept so that memberships resolve
        run.leser.maengel.melde(oid, "name", "Person ohne Namen: als „(ohne Namen)“ übernommen")
        family = "(ohne Namen)"
    values: dict[str, Any] = {"nachname": family[:100], "vorname": given, "anrede": r.text(o, "formOfAddress", 20)}
    row_id = run.index.find("person", oid)
    row = run.session.get(Person, row_id) if row_id else None
    if row is None:
        row = Person(kennung=kennung_for(oid), **values)
        run.session.add(row)
        state = "neu"
    else:
        state = "geaendert" if row.geloescht_am is None and apply(row, values) else "unveraendert"
    run.session.flush()
    run.index.remember(oid, "Person", "person", row.id, modified=modified)
    run.bericht.zaehle("Person", state)


def membership(run: Lauf, entry: Eintrag) -> None:
    o, r = entry.obj, run.leser
    oid = r.id(o)
    modified = r.zeitpunkt(o, "modified")
    parent = run.stapel.get(entry.parent)
    person_url = r.url(o, "person") or (entry.parent if parent and parent.typ == "Person" else None)
    org_url = r.url(o, "organization")
    gremium_id = run.index.find("gremium", org_url)
    person_id = run.index.find("person", person_url)
    if gremium_id is None:
        if org_url and run.index.find("organisation", org_url) is None:
            run.dangling(oid, "organization", org_url)
        run.bericht.zaehle("Membership", "uebersprungen")  # e.g. a Fraktion: not a Gremium here
        return
    if person_id is None:
        run.dangling(oid, "person", person_url)
        run.bericht.zaehle("Membership", "uebersprungen")
        return
    start = r.datum(o, "startDate")
    if start is None:
        created = r.zeitpunkt(o, "created")
        if created is None:
            run.leser.maengel.melde(oid, "startDate", "fehlt (und created auch): übersprungen")
            run.bericht.zaehle("Membership", "uebersprungen")
            return
        run.leser.maengel.melde(oid, "startDate", "fehlt: das Datum von created wird verwendet")
        start = created.astimezone(BERLIN).date()
    end = r.datum(o, "endDate")
    if end is not None and end < start:
        run.leser.maengel.melde(oid, "endDate", "liegt vor startDate: ignoriert")
        end = None
    values: dict[str, Any] = {
        "rolle": mitglied_rolle(r.text(o, "role")),
        "stimmberechtigt": bool(r.wahr(o, "votingRight")),
        "bis": end,
        "organisation_id": run.index.find("organisation", r.url(o, "onBehalfOf")),
    }
    row_id = run.index.find("mitgliedschaft", oid)
    row = run.session.get(Mitgliedschaft, row_id) if row_id else None
    if row is None:  # the same membership entered by hand before: adopt it
        row = run.session.scalars(
            sa.select(Mitgliedschaft).where(
                col(Mitgliedschaft.gremium_id) == gremium_id,
                col(Mitgliedschaft.person_id) == person_id,
                col(Mitgliedschaft.von) == start,
            )
        ).first()
    if row is None:
        row = Mitgliedschaft(gremium_id=gremium_id, person_id=person_id, von=start, oparl_id=oid, **values)
        run.session.add(row)
        state = "neu"
    else:
        changed = apply(
            row, {"oparl_id": oid, "gremium_id": gremium_id, "person_id": person_id, "von": start, **values}
        )
        state = "geaendert" if changed else "unveraendert"
    run.session.flush()
    run.index.remember(oid, "Membership", "mitgliedschaft", row.id, modified=modified)
    run.bericht.zaehle("Membership", state)
