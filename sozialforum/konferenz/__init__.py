"""Sozialraumkonferenzen: scheduling, the invitation pack, invitations with calendar entries,
updates, cancellations, reminders, RSVPs, the attendance list and calendar feeds.

Steps 2 and 3 of the planning cycle (DOMAIN.md; the Göttingen seed's levels of conferences).
Modules: ``termine`` (scheduling), ``vorbereitung`` (agenda and recipients), ``versand``
(invitation, update, cancel, reminder mails), ``antworten`` (RSVPs by link and calendar reply),
``teilnehmerliste``, ``feeds``.
"""
