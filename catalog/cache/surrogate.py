"""What a learner answer tells the edge (Varnish, a CDN): how long it may keep it, and the surrogate keys it
depends on, scoped like the cache's tokens (catalog.cache.keys): every list, or one course; and `all`.

A write purges the keys of what it changed (catalog.services.changes.edge); a scheduled switch needs no
purge, because no answer is kept past the next one. The seconds are whole and rounded down, so the edge
lets a copy go before the switch, never after it (the contract allows a second).
"""

import math

from django.conf import settings

from catalog.cache import keys

# Response headers the edge reads and strips (deploy/varnish/catalog.vcl). Surrogate-Control is the
# Edge Architecture header that Varnish (with our VCL) and Fastly obey and that never reaches browsers.
TTL_HEADER = "Surrogate-Control"
KEYS_HEADER = "xkey"
# What each CDN adapter reads besides (catalog.services.changes.edge_http): its keys header and its separator.
CDN_KEYS_HEADERS = {"fastly": ("Surrogate-Key", " "), "cloudflare": ("Cache-Tag", ",")}
CLOUDFLARE_TTL_HEADER = "CDN-Cache-Control"
# Past this many courses in one write, purging `all` costs one key instead of one per course.
MANY = 200


def prefix() -> str:
    return settings.CACHES["default"].get("KEY_PREFIX") or "catalog"


def all_key() -> str:
    return f"{prefix()}:all"


def key(scope: str) -> str:
    """The surrogate key of a token scope: keys.LISTS or a course's slug."""
    return f"{prefix()}:lists" if scope == keys.LISTS else f"{prefix()}:course:{scope}"


def purge_keys(slugs) -> list[str]:
    """The keys a write that changed these courses purges: every list, and each course (or everything)."""
    slugs = set(slugs)
    if len(slugs) > MANY:
        return [all_key()]
    return [key(keys.LISTS), *sorted(key(slug) for slug in slugs)]


def max_age(expires_at: float | None, now: float) -> int:
    """Whole seconds the edge may keep an answer: CATALOG_EDGE_TTL, or less up to `expires_at` (unix time)."""
    ttl = settings.CATALOG_EDGE_TTL
    if expires_at is not None:
        ttl = min(ttl, math.floor(expires_at - now))
    return max(ttl, 0)


def headers(scope: str, seconds: int) -> dict[str, str]:
    """The headers of a learner answer the edge may keep `seconds` (0: it must not keep it)."""
    base = prefix()
    names = [f"{base}:lists" if scope == keys.LISTS else f"{base}:course:{scope}", f"{base}:all"]  # key(), all_key()
    found = {TTL_HEADER: f"max-age={seconds}", KEYS_HEADER: " ".join(names)}
    for cdn in settings.CATALOG_EDGE_CDNS:
        header, separator = CDN_KEYS_HEADERS[cdn]
        found[header] = separator.join(names)
        if cdn == "cloudflare":
            found[CLOUDFLARE_TTL_HEADER] = f"max-age={seconds}"
    return found
