"""The learners' cache: every key, lookup and invalidation lives here (the only django-redis user).

What is cached: the exact response bytes of what learners read (course list pages, course details,
the topics list), with their ETag. Editors never read or fill it.

Keys, all under ``<KEY_PREFIX>:cat:v<CACHE_SCHEMA>[.<CATALOG_CACHE_VERSION>]:``

    page:<sha256 of method-less canonical URL>   one stored response: "<epoch>|<gen>|<etag>\n<body>"
    gen:lists                                    token of every list page and the topics list
    gen:course:<slug>                            token of one course's detail page
    epoch                                        token of everything (clear, outage repair)
    fence                                        primary WAL position of the last write (replica.py)
    lock:<page hash>                             short build lock against stampedes
    stats:hits, stats:misses                     counters, flushed from each process in batches

A stored page records the tokens that were current *before* its data was read from the database.
A lookup fetches the page and the current tokens in one MGET (one round trip) and serves the page
only if they still match. A write, after it commits, replaces the tokens of what it changed with
fresh random ones: invalidation is O(changed courses), never a scan, and a slow reader that read old
rows can only ever store them under tokens that are already dead.

Redis failures never reach a caller: reads fall back to the database, writes still commit. After a
failure this process leaves Redis alone for BACKOFF seconds (logging once per window). If an
invalidation itself failed, the process replaces the epoch token as soon as Redis answers again
(on its next cache use, or from a timer), so entries that outlived the outage are never served.
"""

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

# Bump when the shape of a cached response changes, so a deploy never serves old shapes.
CACHE_SCHEMA = 1
BACKOFF = 1.0
LOCK_MS = 3000
WAIT_FOR_BUILDER = 1.0
STATS_FLUSH_EVERY = 100


def _prefix() -> str:
    cfg = settings.CACHES["default"]
    base = cfg.get("KEY_PREFIX") or "catalog"
    version = getattr(settings, "CATALOG_CACHE_VERSION", "")
    return f"{base}:cat:v{CACHE_SCHEMA}{'.' + version if version else ''}:"


def _new_token() -> bytes:
    return secrets.token_hex(8).encode()


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


# --- storage: raw Redis (bytes, no pickling) or Django's in-process cache ----------------------


# Raise a number stored as a string to ARGV[1], never lower it (writers finish out of order).
_RAISE_FENCE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""


class _RedisStore:
    def __init__(self):
        from django_redis import get_redis_connection

        self.client = get_redis_connection("default")

    def mget(self, keys):
        # The hit path: one command on a pooled connection, without redis-py's per-command retry and
        # event machinery (a third of a hit's cost). Any failure drops the connection and raises.
        pool = self.client.connection_pool
        connection = pool.get_connection()
        try:
            connection.send_command("MGET", *keys)
            return connection.read_response()
        except BaseException:
            connection.disconnect()
            raise
        finally:
            pool.release(connection)

    def set(self, key, value, ttl):
        self.client.set(key, value, ex=ttl)

    def set_many(self, mapping):
        self.client.mset(mapping)

    def publish(self, tokens, *, fence_key, fence):
        """Raise the fence (if any), then replace the tokens: one round trip, in that order."""
        pipe = self.client.pipeline(transaction=False)
        if fence is not None:
            pipe.eval(_RAISE_FENCE, 1, fence_key, fence)
        pipe.mset(tokens)
        pipe.execute()

    def raise_fence(self, key, value):
        self.client.eval(_RAISE_FENCE, 1, key, value)

    def init_tokens(self, keys):
        """Give missing tokens a fresh value and return the values now stored."""
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.set(key, _new_token(), nx=True)
        for key in keys:
            pipe.get(key)
        return pipe.execute()[len(keys) :]

    def lock(self, key):
        return bool(self.client.set(key, b"1", nx=True, px=LOCK_MS))

    def delete(self, *keys):
        self.client.delete(*keys)

    def incr(self, counts):
        pipe = self.client.pipeline(transaction=False)
        for key, n in counts.items():
            if n:
                pipe.incrby(key, n)
        pipe.execute()

    def count_pages(self, prefix):
        return sum(1 for _ in self.client.scan_iter(match=prefix + "page:*", count=1000))

    def clear(self, prefix):
        # Only for the operator's `catalog_cache clear`; writes never scan.
        for keys in _chunks(self.client.scan_iter(match=prefix + "*", count=1000), 1000):
            self.client.delete(*keys)


class _DjangoStore:
    """The in-process fallback when REDIS_URL is unset (one process, e.g. `make run`)."""

    def __init__(self):
        self.cache = caches["default"]

    def mget(self, keys):
        found = self.cache.get_many(keys)
        return [found.get(k) for k in keys]

    def set(self, key, value, ttl):
        self.cache.set(key, value, ttl)

    def set_many(self, mapping):
        self.cache.set_many(mapping, timeout=None)

    def publish(self, tokens, *, fence_key, fence):
        if fence is not None:
            self.raise_fence(fence_key, fence)
        self.set_many(tokens)

    def raise_fence(self, key, value):
        with _state.lock:
            if int(self.cache.get(key) or 0) < value:
                self.cache.set(key, str(value).encode(), timeout=None)

    def init_tokens(self, keys):
        for key in keys:
            self.cache.add(key, _new_token(), timeout=None)
        return self.mget(keys)

    def lock(self, key):
        return self.cache.add(key, b"1", timeout=LOCK_MS / 1000)

    def delete(self, *keys):
        self.cache.delete_many(keys)

    def incr(self, counts):
        for key, n in counts.items():
            if n:
                self.cache.add(key, 0, timeout=None)
                self.cache.incr(key, n)

    def count_pages(self, prefix):
        return None

    def clear(self, prefix):
        self.cache.clear()


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- process state: the store, the back-off window and the pending repair ---------------------


class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.store = None
        self.store_for = None
        self.down_until = 0.0
        self.needs_repair = False
        self.repair_timer = None
        self.counts = {"hits": 0, "misses": 0}


_state = _State()


def _store():
    cfg = settings.CACHES["default"]
    key = (cfg["BACKEND"], cfg.get("LOCATION"))
    if _state.store_for != key:
        with _state.lock:
            if _state.store_for != key:
                is_redis = cfg["BACKEND"].startswith("django_redis.")
                _state.store = _RedisStore() if is_redis else _DjangoStore()
                _state.store_for = key
                _state.down_until = 0.0
    return _state.store


def reset_process_state():
    """Forget the back-off window and counters (tests, and after settings change)."""
    with _state.lock:
        _state.store_for = None
        _state.down_until = 0.0
        _state.needs_repair = False
        _state.counts = {"hits": 0, "misses": 0}


def _failed(exc, during: str):
    now = time.monotonic()
    with _state.lock:
        first_in_window = now >= _state.down_until
        _state.down_until = now + BACKOFF
    if first_in_window:
        logger.warning(
            "catalog cache unavailable during %s (%s: %s); serving from the database for %.1fs",
            during,
            type(exc).__name__,
            exc,
            BACKOFF,
        )


def _usable() -> bool:
    """False inside a back-off window; repairs a failed invalidation before any other use."""
    if time.monotonic() < _state.down_until:
        return False
    if _state.needs_repair:
        return _repair()
    return True


def _repair() -> bool:
    try:
        fence = _primary_lsn()
        _store().publish({_prefix() + "epoch": _new_token()}, fence_key=_prefix() + "fence", fence=fence)
    except Exception as exc:  # noqa: BLE001 - any Redis failure means "not yet"
        _failed(exc, "repair")
        _schedule_repair()
        return False
    _state.needs_repair = False
    logger.warning("catalog cache reachable again; every entry stored before the outage is now dead")
    return True


def _schedule_repair():
    with _state.lock:
        if _state.repair_timer is not None and _state.repair_timer.is_alive():
            return
        timer = threading.Timer(BACKOFF, _repair_from_timer)
        timer.daemon = True
        _state.repair_timer = timer
    timer.start()


def _repair_from_timer():
    if _state.needs_repair and time.monotonic() >= _state.down_until:
        _repair()
    elif _state.needs_repair:
        _state.repair_timer = None
        _schedule_repair()


# --- pages --------------------------------------------------------------------------------------


@dataclass
class Page:
    """One cacheable learner response: its key and the token it depends on."""

    key: str
    scope: str
    tokens: list = field(default_factory=list)
    locked: bool = False


@dataclass
class Hit:
    body: bytes
    etag: str


def page(*, url: str, scope: str) -> Page:
    """`url` is the canonical URL (scheme, host, path, normalised query); scope "lists" or a slug."""
    prefix = _prefix()
    digest = hashlib.sha256(url.encode()).hexdigest()
    scope_key = f"{prefix}gen:lists" if scope == "lists" else f"{prefix}gen:course:{scope}"
    return Page(key=f"{prefix}page:{digest}", scope=scope_key)


def lookup(p: Page) -> Hit | None:
    """A hit, or None; on a miss `p.tokens` hold the tokens to store the rebuilt page under."""
    if not settings.CATALOG_CACHE_ENABLED or not _usable():
        return None
    epoch_key = _prefix() + "epoch"
    try:
        store = _store()
        raw, epoch, gen = store.mget([p.key, epoch_key, p.scope])
        hit = _valid(raw, epoch, gen)
        if hit is None and not (epoch and gen):
            epoch, gen = store.init_tokens([epoch_key, p.scope])
    except Exception as exc:  # noqa: BLE001
        _failed(exc, "lookup")
        return None
    _count("hits" if hit else "misses")
    p.tokens = [epoch, gen]
    return hit


def lookup_or_wait(p: Page) -> Hit | None:
    """Like lookup, but when another worker is already rebuilding this page, wait for it briefly."""
    hit = lookup(p)
    if hit is not None or not p.tokens:
        return hit
    try:
        p.locked = _store().lock(p.key.replace(":page:", ":lock:"))
    except Exception as exc:  # noqa: BLE001
        _failed(exc, "lock")
        return None
    if p.locked:
        return None
    deadline = time.monotonic() + WAIT_FOR_BUILDER
    keys = [p.key, _prefix() + "epoch", p.scope, p.key.replace(":page:", ":lock:")]
    while time.monotonic() < deadline:
        time.sleep(0.01)
        try:
            raw, epoch, gen, building = _store().mget(keys)
        except Exception as exc:  # noqa: BLE001
            _failed(exc, "lookup")
            return None
        hit = _valid(raw, epoch, gen)
        if hit is not None:
            return hit
        if building is None:
            # The builder is done but left nothing valid (an error page, or a write landed
            # meanwhile): waiting longer cannot help, so build it here.
            return None
    return None


def _valid(raw, epoch, gen) -> Hit | None:
    if not raw or not epoch or not gen:
        return None
    header, _, body = raw.partition(b"\n")
    parts = header.split(b"|")
    if len(parts) != 3 or parts[0] != epoch or parts[1] != gen:
        return None
    return Hit(body=body, etag=parts[2].decode())


def store(p: Page, *, body: bytes, etag: str) -> None:
    if not p.tokens or not all(p.tokens) or not _usable():
        return
    value = b"|".join([p.tokens[0], p.tokens[1], etag.encode()]) + b"\n" + body
    try:
        s = _store()
        s.set(p.key, value, settings.CATALOG_CACHE_TTL)
        if p.locked:
            s.delete(p.key.replace(":page:", ":lock:"))
    except Exception as exc:  # noqa: BLE001
        _failed(exc, "store")


def release(p: Page) -> None:
    """Give up the build lock without storing (the answer was not cacheable), so nobody waits."""
    if not p.locked:
        return
    p.locked = False
    try:
        _store().delete(p.key.replace(":page:", ":lock:"))
    except Exception as exc:  # noqa: BLE001
        _failed(exc, "release")


def _count(what: str) -> None:
    counts = _state.counts
    counts[what] += 1
    if counts["hits"] + counts["misses"] >= STATS_FLUSH_EVERY:
        flush_stats()


def flush_stats() -> None:
    with _state.lock:
        counts, _state.counts = _state.counts, {"hits": 0, "misses": 0}
    prefix = _prefix()
    try:
        _store().incr({f"{prefix}stats:{k}": n for k, n in counts.items()})
    except Exception as exc:  # noqa: BLE001
        _failed(exc, "stats")


# --- invalidation -------------------------------------------------------------------------------


class _Changes:
    """Courses changed in the current transaction; flushed once, after the outermost commit."""

    def __init__(self, key):
        self.key = key
        self.slugs: set[str] = set()
        self.course_ids: set[int] = set()

    def __call__(self):
        slugs = set(self.slugs)
        if self.course_ids:
            from .models import Course

            # From the primary: after the commit, before the fence is raised, a replica may lag.
            courses = Course.objects.using("default").filter(pk__in=self.course_ids)
            slugs.update(courses.values_list("slug", flat=True))
        course_invalidate(slugs=slugs)


def _transaction_key(connection):
    """Identifies the outermost transaction the application opened.

    That is the outermost atomic block, except under Django's TestCase, whose wrapping blocks never
    commit: there it is the first block the code under test opened (known by its savepoint).
    """
    for i, block in enumerate(connection.atomic_blocks):
        if not getattr(block, "_from_testcase", False):
            return None if i == 0 else connection.savepoint_ids[i - 1]
    return None


def course_changed(*, slugs=(), course_ids=(), using="default") -> None:
    """Record that these courses changed; the cache forgets them once the transaction commits."""
    course_ids = [pk for pk in course_ids if pk is not None]
    connection = transaction.get_connection(using)
    changes = None
    if connection.in_atomic_block:
        # One pending flush per transaction: reuse the one already queued, if any. A rollback
        # discards the queue (and with it the flush), so nothing is invalidated for a write that
        # never happened.
        key = _transaction_key(connection)
        for _sids, func, _robust in connection.run_on_commit:
            if isinstance(func, _Changes) and func.key == key:
                changes = func
                break
    is_new = changes is None
    if is_new:
        changes = _Changes(_transaction_key(connection) if connection.in_atomic_block else None)
    changes.slugs.update(slugs)
    changes.course_ids.update(course_ids)
    if is_new:
        # Outside a transaction this runs at once: the write has already committed.
        transaction.on_commit(changes, using=using, robust=True)


invalidations = 0  # flushes performed by this process (observable in tests and stats)


def course_invalidate(*, slugs) -> None:
    """Kill the lists, the topics and these courses' detail pages, in one round trip."""
    global invalidations
    invalidations += 1
    prefix = _prefix()
    tokens = {f"{prefix}gen:lists": _new_token()}
    tokens.update({f"{prefix}gen:course:{slug}": _new_token() for slug in slugs})
    if time.monotonic() < _state.down_until:
        _state.needs_repair = True
        _schedule_repair()
        return
    fence = _fence_position()
    try:
        _store().publish(tokens, fence_key=prefix + "fence", fence=fence)
    except Exception as exc:  # noqa: BLE001
        _failed(exc, "invalidation")
        _state.needs_repair = True
        _schedule_repair()


def _primary_lsn():
    """The WAL position a read replica must reach before learners read there (None: no replica)."""
    from . import replica

    return replica.primary_lsn()


def _fence_position():
    """The fence for this invalidation. If the primary cannot say right now, the tokens are still
    replaced, and the repair raises the fence (and kills every page) as soon as it can."""
    from django.db import DatabaseError

    try:
        return _primary_lsn()
    except DatabaseError as exc:
        logger.warning("could not read the primary's WAL position for the replica fence (%s); repairing", exc)
        _state.needs_repair = True
        _schedule_repair()
        return None


def fence_read(*, initial=None) -> int | None:
    """The replica fence; None when unknown (Redis unreachable). A missing fence (Redis emptied)
    is set from `initial()` (the primary's position now), which is safe: every write that returned
    committed before it."""
    if not _usable():
        return None
    key = _prefix() + "fence"
    try:
        (value,) = _store().mget([key])
        if value is None and initial is not None:
            value = initial()
            if value is not None:
                _store().raise_fence(key, value)
    except Exception as exc:  # noqa: BLE001
        _failed(exc, "fence")
        return None
    return None if value is None else int(value)


# --- operations ---------------------------------------------------------------------------------


def ping() -> str:
    """ "ok", "unavailable", or "in-process" when no Redis is configured (for /readyz)."""
    s = _store()
    if not isinstance(s, _RedisStore):
        return "in-process"
    try:
        s.client.ping()
    except Exception:  # noqa: BLE001
        return "unavailable"
    return "ok"


def stats() -> dict:
    flush_stats()
    prefix = _prefix()
    s = _store()
    hits, misses, epoch, lists = s.mget(
        [f"{prefix}stats:hits", f"{prefix}stats:misses", f"{prefix}epoch", f"{prefix}gen:lists"]
    )
    return {
        "backend": settings.CACHES["default"]["BACKEND"],
        "prefix": prefix,
        "pages": s.count_pages(prefix),
        "hits": int(hits or 0),
        "misses": int(misses or 0),
        "epoch": epoch.decode() if isinstance(epoch, bytes) else epoch,
        "lists_generation": lists.decode() if isinstance(lists, bytes) else lists,
        "ttl": settings.CATALOG_CACHE_TTL,
    }


def clear() -> None:
    """Drop every catalog key (operators only: this one scans)."""
    _store().clear(_prefix())
    _store().set_many({_prefix() + "epoch": _new_token()})
