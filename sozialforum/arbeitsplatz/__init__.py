"""The workspace of the Geschäftsstelle (issue 12): server-rendered pages under ``/arbeitsplatz``
for staff accounts with roles, mounted into the portal app (one process, one login).

- ``routen``: the registry; every page and action declares its ``Recht`` there (a route
  without one fails the authorisation-matrix test), and ``scope`` checks it on every request.
- ``app``: ``create_app`` = the portal plus the workspace.
- ``uebersicht``: the read model of the start page.
- ``seiten/``: one module per area (Übersicht, Planungsbestand, Protokolle, Benutzer).

Domain work stays in the stage packages (``konten``, ``beschluesse``, ``fristen``,
``stammdaten``, ``protokoll``): the CLI and the workspace call the same functions.
"""
