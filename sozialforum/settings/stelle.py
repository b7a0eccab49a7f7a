"""Who runs the planning: the Geschäftsstelle (``[geschaeftsstelle]``) and what the portal's legal
pages name (``[rechtliches]``)."""

from __future__ import annotations

from datetime import date

from pydantic import EmailStr, Field

from sozialforum.settings.abschnitt import Section


class GeschaeftsstelleSettings(Section):
    name: str = "Geschäftsstelle Sozialplanung"
    email: EmailStr = "sozialplanung@landkreis-musterland.example"
    telefon: str | None = None
    adresse: str | None = None
    # Who the leadership is, for escalations and reports.
    leitung: list[EmailStr] = Field(default_factory=list)


class RechtlichesSettings(Section):
    """What the portal's Impressum, Datenschutzerklärung and Barrierefreiheitserklärung name
    (§ 5 DDG, Art. 13 DSGVO, § 12b BGG / the Land's BITV). Unset fields fall back to the
    Geschäftsstelle; ``doctor`` names what is still missing before the portal goes public."""

    # The public body that runs the portal, its address and who represents it.
    herausgeber: str | None = None
    anschrift: str | None = None
    vertreten_durch: str | None = None
    # Data protection officer (Art. 37 DSGVO) and the supervisory authority (Art. 77 DSGVO).
    datenschutzbeauftragte: str | None = None
    datenschutzbeauftragte_email: EmailStr | None = None
    aufsichtsbehoerde: str | None = None
    aufsichtsbehoerde_url: str | None = None
    # Months after which answers and comments of Träger staff are deleted once the Sitzung or
    # request is over (minutes and decisions are kept by archive law).
    speicherdauer_monate: int = Field(default=24, ge=1)
    # Accessibility statement: date of the last review, how it was reviewed, what is not yet
    # accessible, and the Land's Schlichtungsstelle (name and web address).
    barrierefreiheit_stand: date | None = None
    barrierefreiheit_methode: str = "Selbstbewertung"
    nicht_barrierefrei: list[str] = Field(default_factory=list)
    schlichtungsstelle: str | None = None
    schlichtungsstelle_url: str | None = None
