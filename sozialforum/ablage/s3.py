"""A small client for S3-compatible object stores (AWS Signature Version 4 over httpx).

Path-style addressing (``{endpunkt}/{bucket}/{key}``), as MinIO, SeaweedFS and Ceph RGW expect
on premises. Only what the storage needs: PUT, GET, DELETE, list (ListObjectsV2).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit

import httpx
from defusedxml import ElementTree

from sozialforum.ablage.fehler import AblageFehler
from sozialforum.settings import Settings

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def sign(
    method: str,
    url: str,
    headers: dict[str, str],
    payload_sha256: str,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    now: datetime,
    service: str = "s3",
) -> dict[str, str]:
    """The headers of a request signed with SigV4 (``Authorization``, ``x-amz-date``,
    ``x-amz-content-sha256`` added to ``headers``). ``url`` must be encoded already."""
    parts = urlsplit(url)
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    signed = {k.lower(): " ".join(str(v).split()) for k, v in headers.items()}
    signed["host"] = parts.netloc
    signed["x-amz-date"] = stamp
    signed["x-amz-content-sha256"] = payload_sha256
    names = sorted(signed)
    query = "&".join(
        sorted(
            f"{quote(unquote(k), safe='-_.~')}={quote(unquote(v), safe='-_.~')}"
            for k, _, v in (item.partition("=") for item in parts.query.split("&") if item)
        )
    )
    canonical = "\n".join(
        [
            method,
            parts.path or "/",
            query,
            "".join(f"{name}:{signed[name]}\n" for name in names),
            ";".join(names),
            payload_sha256,
        ]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret_key}".encode(), day), region), service), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    result = {k: v for k, v in headers.items()}
    result["x-amz-date"] = stamp
    result["x-amz-content-sha256"] = payload_sha256
    result["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return result


class S3Client:
    def __init__(self, endpoint: str, bucket: str, *, access_key: str, secret_key: str, region: str) -> None:
        self.endpoint, self.bucket = endpoint.rstrip("/"), bucket
        self.access_key, self.secret_key, self.region = access_key, secret_key, region
        self.http = httpx.Client(timeout=30)

    def _url(self, key: str = "", query: str = "") -> str:
        path = f"/{quote(self.bucket)}" + (f"/{quote(key, safe='/-_.~')}" if key else "")
        return f"{self.endpoint}{path}" + (f"?{query}" if query else "")

    def _request(
        self, method: str, url: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> httpx.Response:
        signed = sign(
            method,
            url,
            headers or {},
            hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256,
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.region,
            now=datetime.now(UTC),
        )
        try:
            return self.http.request(method, url, content=body, headers=signed)
        except httpx.HTTPError as exc:
            raise AblageFehler(f"Objektspeicher {self.endpoint} nicht erreichbar: {exc}") from exc

    def _check(self, response: httpx.Response, what: str) -> None:
        if response.status_code >= 300:
            raise AblageFehler(
                f"Objektspeicher {self.endpoint}: {what} abgelehnt (HTTP {response.status_code}): {response.text[:300]}"
            )

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        self._check(self._request("PUT", self._url(key), data, {"content-type": content_type}), f"Schreiben von {key}")

    def get(self, key: str) -> bytes:
        response = self._request("GET", self._url(key))
        if response.status_code == 404:
            raise FileNotFoundError(f"{key} ist nicht in der Ablage ({self.endpoint}/{self.bucket}).")
        self._check(response, f"Lesen von {key}")
        return response.content

    def delete(self, key: str) -> None:
        response = self._request("DELETE", self._url(key))
        if response.status_code != 404:
            self._check(response, f"Löschen von {key}")

    def list(self, prefix: str = "") -> list[str]:
        keys: list[str] = []
        token: str | None = None
        while True:
            query = f"list-type=2&prefix={quote(prefix, safe='')}"
            if token:
                query += f"&continuation-token={quote(token, safe='')}"
            response = self._request("GET", self._url(query=query))
            self._check(response, f"Auflisten von {prefix or '/'}")
            root = ElementTree.fromstring(response.content)
            ns = root.tag.partition("}")[0] + "}" if root.tag.startswith("{") else ""
            keys += [item.text or "" for item in root.iter(f"{ns}Key")]
            token = root.findtext(f"{ns}NextContinuationToken")
            if root.findtext(f"{ns}IsTruncated") != "true" or not token:
                return keys

    def ensure_bucket(self) -> None:
        response = self._request("PUT", self._url())
        if response.status_code not in (200, 409):
            self._check(response, f"Anlegen des Buckets {self.bucket}")


def client(settings: Settings) -> S3Client:
    config = settings.ablage
    if not (config.s3_endpunkt and config.s3_bucket and config.s3_zugangsschluessel and config.s3_geheimnis):
        raise AblageFehler(
            "Ablage 'art = \"s3\"' braucht s3_endpunkt, s3_bucket, s3_zugangsschluessel und s3_geheimnis "
            "(oder SOZIALFORUM_ABLAGE__S3_GEHEIMNIS)."
        )
    return S3Client(
        config.s3_endpunkt,
        config.s3_bucket,
        access_key=config.s3_zugangsschluessel,
        secret_key=config.s3_geheimnis.get_secret_value(),
        region=config.s3_region,
    )
