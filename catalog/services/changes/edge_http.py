"""The edges a write purges, each behind one small interface: `name`, and `purge(keys)` that raises on failure.

- Varnish (CATALOG_EDGE_PURGE_URLS, one per instance): `PURGE /` with the keys in an `xkey` header, which
  deploy/varnish/catalog.vcl hands to vmod xkey when the caller is in its `purgers` ACL.
- Fastly (CATALOG_EDGE_FASTLY_SERVICE_ID and _TOKEN): its bulk purge by surrogate key; learner answers
  carry `Surrogate-Key` (catalog.cache.surrogate).
- Cloudflare (CATALOG_EDGE_CLOUDFLARE_ZONE_ID and _TOKEN): its purge by cache tag; answers carry `Cache-Tag`.

No database here: catalog.services.changes.edge decides when to purge and keeps what failed.
"""

import functools
import json

import urllib3
from django.conf import settings


class EdgeError(Exception):
    """An edge did not take a purge (unreachable, refused, or answered an error)."""


@functools.cache
def _pool() -> urllib3.PoolManager:
    return urllib3.PoolManager(num_pools=16, maxsize=4, retries=False)


def _send(method: str, url: str, *, headers: dict, body: bytes | None = None) -> bytes:
    timeout = settings.CATALOG_EDGE_PURGE_TIMEOUT
    try:
        response = _pool().request(
            method, url, headers=headers, body=body, timeout=urllib3.Timeout(connect=min(timeout, 1.0), read=timeout)
        )
    except urllib3.exceptions.HTTPError as exc:
        raise EdgeError(f"{type(exc).__name__}: {exc}") from exc
    if response.status != 200:
        raise EdgeError(f"answered {response.status}: {response.data[:200].decode(errors='replace')}")
    return response.data


def _chunks(keys: list[str], *, most: int, chars: int = 1 << 30):
    chunk, length = [], 0
    for key in keys:
        if chunk and (len(chunk) >= most or length + len(key) + 1 > chars):
            yield chunk
            chunk, length = [], 0
        chunk.append(key)
        length += len(key) + 1
    if chunk:
        yield chunk


class Varnish:
    # Varnish refuses request headers past http_req_hdr_len (8 KB by default): several purges then.
    HEADER_CHARS = 6000

    def __init__(self, url: str):
        self.name = url

    def purge(self, keys: list[str]) -> None:
        for chunk in _chunks(keys, most=len(keys), chars=self.HEADER_CHARS):
            _send("PURGE", f"{self.name}/", headers={"xkey": " ".join(chunk)})


class Fastly:
    name = "fastly"
    MOST = 256  # keys per bulk purge

    def purge(self, keys: list[str]) -> None:
        url = f"{settings.CATALOG_EDGE_FASTLY_API}/service/{settings.CATALOG_EDGE_FASTLY_SERVICE_ID}/purge"
        headers = {"Fastly-Key": settings.CATALOG_EDGE_FASTLY_TOKEN, "Content-Type": "application/json"}
        for chunk in _chunks(keys, most=self.MOST):
            _send("POST", url, headers=headers, body=json.dumps({"surrogate_keys": chunk}).encode())


class Cloudflare:
    name = "cloudflare"
    MOST = 30  # tags per purge request

    def purge(self, keys: list[str]) -> None:
        url = f"{settings.CATALOG_EDGE_CLOUDFLARE_API}/zones/{settings.CATALOG_EDGE_CLOUDFLARE_ZONE_ID}/purge_cache"
        headers = {
            "Authorization": f"Bearer {settings.CATALOG_EDGE_CLOUDFLARE_TOKEN}",
            "Content-Type": "application/json",
        }
        for chunk in _chunks(keys, most=self.MOST):
            answer = _send("POST", url, headers=headers, body=json.dumps({"tags": chunk}).encode())
            try:
                success = json.loads(answer).get("success")
            except (ValueError, AttributeError):
                success = False
            if success is not True:
                raise EdgeError(f"answered without success: {answer[:200].decode(errors='replace')}")


CDNS = {"fastly": Fastly, "cloudflare": Cloudflare}


def configured() -> list:
    """Every edge this deployment purges, from the settings (read each time: tests change them)."""
    varnishes = [Varnish(url) for url in settings.CATALOG_EDGE_PURGE_URLS]
    return varnishes + [CDNS[name]() for name in settings.CATALOG_EDGE_CDNS]


def by_name(name: str):
    return next((edge for edge in configured() if edge.name == name), None)
