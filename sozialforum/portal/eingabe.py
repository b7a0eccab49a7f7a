"""A submitted form read from the request body (the RSVP's answer, the portal's hot path).

Starlette reads ``application/x-www-form-urlencoded`` through python-multipart's streaming
parser, a callback per field written in Python: for the RSVP's four short fields that cost
about a tenth of the answer's CPU. The body limit (``security.BodyLimit``) has bounded the body
before it is read, so it is read whole and split with ``urllib.parse.parse_qsl``, which decodes
names and values as Starlette does (``+`` is a space, ``%xx`` escapes are UTF-8). Any other
content type goes Starlette's way.
"""

from __future__ import annotations

from typing import cast
from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

# As many fields as Starlette takes before it answers 400.
HOECHSTENS_FELDER = 1000


async def formular(request: Request) -> FormData:
    """The request's form fields (``request.form()`` for what is not URL-encoded)."""
    content_type = request.headers.get("content-type", "")
    if content_type.partition(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return await request.form()
    body = await request.body()
    try:
        fields = parse_qsl(
            body.decode("latin-1"), keep_blank_values=True, max_num_fields=HOECHSTENS_FELDER, separator="&"
        )
    except ValueError:
        raise HTTPException(status_code=400, detail="Zu viele Felder.") from None
    return FormData(cast("list[tuple[str, str | UploadFile]]", fields))
