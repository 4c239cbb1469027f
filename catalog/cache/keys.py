"""Every key of the learners' cache, lock keys included: the one place that spells them.

All keys live under ``<KEY_PREFIX>:cat:v<SCHEMA>[.<CATALOG_CACHE_VERSION>]:``

    page:<sha256 of the canonical URL>   one stored response: "<epoch>|<gen>|<etag>|<expires>\\n<body>"
    lock:<sha256 of the canonical URL>   short build lock of that page, against stampedes
    gen:lists                            token of every list page and the topics list
    gen:course:<slug>                    token of one course's detail page
    epoch                                token of everything (clear, outage repair)
    fence                                the primary's WAL position at the last write (catalog.db.fence)
    stamp                                the replication id of the Redis master the tokens were judged on
    stats:<name>                         counters, flushed from each process in batches
"""

import hashlib

from django.conf import settings

# Bump when the shape of a cached response changes, so a deploy never serves old shapes.
SCHEMA = 2
LISTS = "lists"


def prefix() -> str:
    base = settings.CACHES["default"].get("KEY_PREFIX") or "catalog"
    version = getattr(settings, "CATALOG_CACHE_VERSION", "")
    return f"{base}:cat:v{SCHEMA}{'.' + version if version else ''}:"


def digest(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def page(url_digest: str) -> str:
    return f"{prefix()}page:{url_digest}"


def lock(url_digest: str) -> str:
    return f"{prefix()}lock:{url_digest}"


def scope(name: str) -> str:
    """The token key of a scope: LISTS, or a course's slug."""
    return f"{prefix()}gen:lists" if name == LISTS else f"{prefix()}gen:course:{name}"


def course_token_ttl() -> int:
    """A course's token outlives every page that depends on it, then goes: Redis keeps what learners
    read, not a key for every course ever written (a missing token only kills pages)."""
    return 2 * settings.CATALOG_CACHE_TTL + 60


def is_course_scope(key: str) -> bool:
    return key.startswith(f"{prefix()}gen:course:")


def epoch() -> str:
    return f"{prefix()}epoch"


def fence() -> str:
    return f"{prefix()}fence"


def stamp() -> str:
    return f"{prefix()}stamp"


def stat(name: str) -> str:
    return f"{prefix()}stats:{name}"
