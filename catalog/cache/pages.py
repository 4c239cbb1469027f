"""Cached learner pages: lookup in one round trip, store under the tokens read before the query.

A stored page records the tokens that were current *before* its data was read from the database.
A lookup fetches the page and the current tokens in one MGET and serves the page only if they
still match. A write replaces the tokens of what it changed (catalog.cache.invalidation), so a slow
reader that read old rows can only ever store them under tokens that are already dead.
"""

import hashlib
import time
from dataclasses import dataclass, field

from django.conf import settings

from catalog.cache import backoff, counters, keys, stores

WAIT_FOR_BUILDER = 1.0
POLL = 0.01


@dataclass
class Page:
    """One cacheable learner response: its key, its build lock and the token scope it depends on."""

    key: str
    lock: str
    scope: str
    name: str = keys.LISTS  # the scope's name: keys.LISTS or the course's slug (its surrogate key)
    tokens: list = field(default_factory=list)
    locked: bool = False


@dataclass
class Hit:
    body: bytes
    etag: str
    expires: float  # unix time past which no copy of this answer may be served (the edge's bound too)
    scope: str = keys.LISTS


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def page(*, url: str, scope: str) -> Page:
    """`url` is the canonical URL (scheme, host, path, normalised query); scope keys.LISTS or a slug."""
    url_digest = keys.digest(url)
    return Page(key=keys.page(url_digest), lock=keys.lock(url_digest), scope=keys.scope(scope), name=scope)


def lookup(p: Page) -> Hit | None:
    """A hit, or None; on a miss `p.tokens` hold the tokens to store the rebuilt page under."""
    if not settings.CATALOG_CACHE_ENABLED or not backoff.usable():
        return None
    try:
        store = stores.current()
        raw, epoch, gen = store.mget([p.key, keys.epoch(), p.scope])
        hit = _valid(raw, epoch, gen, p.name)
        if hit is None and not (epoch and gen):
            expiring = [p.scope] if keys.is_course_scope(p.scope) else []
            epoch, gen = store.init_tokens([keys.epoch(), p.scope], expiring=expiring, ttl=keys.course_token_ttl())
    except Exception as exc:  # noqa: BLE001
        backoff.failed(exc, "lookup")
        return None
    counters.count("hits" if hit else "misses")
    p.tokens = [epoch, gen]
    return hit


def lookup_or_wait(p: Page, *, sleep=time.sleep, clock=time.monotonic) -> Hit | None:
    """Like lookup, but when another worker is already rebuilding this page, wait for it briefly."""
    hit = lookup(p)
    if hit is not None or not p.tokens:
        return hit
    try:
        p.locked = stores.current().lock(p.lock)
    except Exception as exc:  # noqa: BLE001
        backoff.failed(exc, "lock")
        return None
    if p.locked:
        return None
    deadline = clock() + WAIT_FOR_BUILDER
    watched = [p.key, keys.epoch(), p.scope, p.lock]
    while clock() < deadline:
        sleep(POLL)
        try:
            raw, epoch, gen, building = stores.current().mget(watched)
        except Exception as exc:  # noqa: BLE001
            backoff.failed(exc, "lookup")
            return None
        hit = _valid(raw, epoch, gen, p.name)
        if hit is not None:
            return hit
        if building is None:
            # The builder is done but left nothing valid (an error page, or a write landed
            # meanwhile): waiting longer cannot help, so build it here.
            return None
    return None


def _valid(raw, epoch, gen, scope) -> Hit | None:
    if not raw or not epoch or not gen:
        return None
    header, _, body = raw.partition(b"\n")
    parts = header.split(b"|")
    if len(parts) != 4 or parts[0] != epoch or parts[1] != gen:
        return None
    return Hit(body=body, etag=parts[2].decode(), expires=float(parts[3]), scope=scope)


def store(p: Page, *, body: bytes, etag: str, expires_at=None) -> None:
    """Keep the page for CATALOG_CACHE_TTL seconds, or until `expires_at` (a scheduled switch) if sooner."""
    if not p.tokens or not all(p.tokens) or not backoff.usable():
        release(p)
        return
    now = time.time()
    ttl = float(settings.CATALOG_CACHE_TTL)
    if expires_at is not None:
        ttl = min(ttl, expires_at.timestamp() - now)
    if ttl < 0.001:
        release(p)  # the switch is (about) now: an answer stored now would outlive it
        return
    # The moment it goes, so that a hit tells the edge how long it has left (catalog.cache.surrogate).
    expires = f"{now + ttl:.3f}".encode()
    value = b"|".join([p.tokens[0], p.tokens[1], etag.encode(), expires]) + b"\n" + body
    try:
        s = stores.current()
        s.set(p.key, value, ttl)
        if p.locked:
            s.delete(p.lock)
    except Exception as exc:  # noqa: BLE001
        backoff.failed(exc, "store")


def release(p: Page) -> None:
    """Give up the build lock without storing (the answer was not cacheable), so nobody waits."""
    if not p.locked:
        return
    p.locked = False
    try:
        stores.current().delete(p.lock)
    except Exception as exc:  # noqa: BLE001
        backoff.failed(exc, "release")
