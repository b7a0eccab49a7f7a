"""The RSVP's form reading (``portal.eingabe``) gives what Starlette's own parser gives."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from sozialforum.portal.eingabe import HOECHSTENS_FELDER, formular

BODIES = [
    b"csrf=ab%2Bc&antwort=zusage&personen=1&kommentar=Gr%C3%BC%C3%9Fe+x%26y+%3Cb%3E",
    b"beduerfnisse=rollstuhl&beduerfnisse=dolmetsch&leer=&ohne",
    b"kommentar=%E2%82%AC+%ZZ+%C3&x=1%3D2",
    b"",
]


def _request(body: bytes, content_type: bytes = b"application/x-www-form-urlencoded") -> Request:
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
    }
    return Request(scope, receive)


async def _starlette(request: Request) -> FormData:
    return await request.form()


def _run(coroutine: Coroutine[Any, Any, FormData]) -> FormData:
    """The coroutine in an event loop of its own thread: in a full run an earlier test in the
    same worker process may have left this thread's loop marked running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.mark.parametrize("body", BODIES)
def test_url_encoded_fields_are_read_as_starlette_reads_them(body: bytes) -> None:
    ours = _run(formular(_request(body)))
    theirs = _run(_starlette(_request(body)))
    assert list(ours.multi_items()) == list(theirs.multi_items())


def test_too_many_fields_are_refused_with_400() -> None:
    body = b"&".join(b"f%d=1" % index for index in range(HOECHSTENS_FELDER + 1))
    with pytest.raises(HTTPException) as refused:
        _run(formular(_request(body)))
    assert refused.value.status_code == 400


def test_other_content_types_go_starlettes_way() -> None:
    body = b'--x\r\nContent-Disposition: form-data; name="antwort"\r\n\r\nzusage\r\n--x--\r\n'
    form = _run(formular(_request(body, b"multipart/form-data; boundary=x")))
    assert form["antwort"] == "zusage"
