"""Where cache entries live: raw Redis (bytes, no pickling), or in-process pages with shared token files."""

import contextlib
import fcntl
import os
import secrets
import threading

from django.conf import settings
from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import OutOfMemoryError

from catalog.cache import keys as keys_module

LOCK_MS = 3000
TOKENS = "tokens"  # the Django cache that holds the tokens when REDIS_URL is unset

# Raise a number stored as a string to ARGV[1], never lower it (writers finish out of order).
_RAISE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""


def is_sentinel(pool) -> bool:
    from redis.sentinel import SentinelConnectionPool

    return isinstance(pool, SentinelConnectionPool)


def new_token() -> bytes:
    return secrets.token_hex(8).encode()


class RedisStore:
    def __init__(self):
        from django_redis import get_redis_connection

        self.client = get_redis_connection("default")
        # Each thread keeps the connection of its hits (taking one from the pool and giving it back cost
        # as much as the command), except behind Sentinel, where the pool decides which server is master.
        self.held = threading.local() if not is_sentinel(self.client.connection_pool) else None

    def mget(self, keys):
        # The hit path: one command, without redis-py's per-command retry and event machinery (a third
        # of a hit's cost). Any failure drops the connection and raises.
        pool = self.client.connection_pool
        if self.held is None:
            connection = pool.get_connection()
            try:
                return self._mget(connection, keys)
            finally:
                pool.release(connection)
        connection = getattr(self.held, "connection", None)
        if connection is not None:
            try:
                return self._mget(connection, keys)
            except RedisConnectionError:
                pass  # it went stale since the last request (a restart, an idle timeout): once more, afresh
        # The thread's own, outside the pool's count: it closes when the thread ends and forgets it.
        self.held.connection = pool.connection_class(**pool.connection_kwargs)
        return self._mget(self.held.connection, keys)

    @staticmethod
    def _mget(connection, keys):
        try:
            connection.send_command("MGET", *keys)
            return connection.read_response()
        except BaseException:
            connection.disconnect()
            raise

    def set(self, key, value, ttl):
        self.client.set(key, value, px=max(1, int(ttl * 1000)))

    def set_many(self, mapping):
        self.client.mset(mapping)

    def publish(self, tokens, *, fence_key, fence, expiring=(), ttl=None):
        """Raise the fence (if any), then replace the tokens: one round trip, in that order. Tokens
        named in `expiring` go after `ttl` seconds (a missing token only ever kills pages)."""
        pipe = self.client.pipeline(transaction=False)
        if fence is not None:
            pipe.eval(_RAISE, 1, fence_key, fence)
        lasting = {key: value for key, value in tokens.items() if key not in expiring}
        if lasting:
            pipe.mset(lasting)
        for key in expiring:
            pipe.set(key, tokens[key], ex=ttl)
        try:
            pipe.execute()
        except OutOfMemoryError:
            # A full Redis under `noeviction` refuses the new tokens but still allows deletions, and
            # a missing token kills its pages too: so no process can serve what this write replaced.
            self.client.delete(*tokens, fence_key)
            raise

    def raise_number(self, key, value):
        self.client.eval(_RAISE, 1, key, value)

    def init_tokens(self, keys, *, expiring=(), ttl=None):
        """Give missing tokens a fresh value and return the values now stored."""
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.set(key, new_token(), nx=True, ex=ttl if key in expiring else None)
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

    def ping(self):
        self.client.ping()

    def clear(self, prefix):
        # Only for the operator's `catalog_cache clear`; writes never scan.
        for keys in _chunks(self.client.scan_iter(match=prefix + "*", count=1000), 1000):
            self.client.delete(*keys)


class LocalStore:
    """Without REDIS_URL (`make run`): pages in this process's memory, tokens in files every process shares.

    Pages stay in Django's in-process cache (`default`); the tokens that decide whether a page may
    be served (epoch, lists, each course, the fence) and the counters live in the `tokens` cache,
    files under CATALOG_CACHE_DIR. So `import_courses` run in another terminal replaces the tokens
    that `make run` checks on every hit, and the change shows at once. A token file that is missing
    (culled, or the directory removed) reads as "no token": the pages stored under it are dead.
    """

    # Past this many courses in one write, replacing the epoch (every page) costs one file instead of
    # one file per course; a file cache lists its directory on every write.
    MANY = 50
    LOCAL = ("page:", "lock:")

    def __init__(self):
        self.local = caches["default"]
        self.shared = caches[TOKENS]
        self.lock_numbers = threading.Lock()

    def mget(self, keys):
        local = self._local()
        found = self.local.get_many([k for k in keys if k.startswith(local)])
        found.update(self.shared.get_many([k for k in keys if not k.startswith(local)]))
        return [found.get(k) for k in keys]

    def set(self, key, value, ttl):
        self._for(key).set(key, value, ttl)

    def set_many(self, mapping):
        self.shared.set_many(mapping, timeout=None)

    def publish(self, tokens, *, fence_key, fence, expiring=(), ttl=None):
        if fence is not None:
            self.raise_number(fence_key, fence)
        if len(tokens) > self.MANY:
            tokens = {keys_module.epoch(): new_token(), keys_module.scope(keys_module.LISTS): new_token()}
        for key, value in tokens.items():
            self.shared.set(key, value, timeout=ttl if key in expiring else None)

    def raise_number(self, key, value):
        with self._numbers():
            if int(self.shared.get(key) or 0) < value:
                self.shared.set(key, str(value).encode(), timeout=None)

    def init_tokens(self, keys, *, expiring=(), ttl=None):
        for key in keys:
            self.shared.add(key, new_token(), timeout=ttl if key in expiring else None)
        return self.mget(keys)

    def lock(self, key):
        return self.local.add(key, b"1", timeout=LOCK_MS / 1000)

    def delete(self, *keys):
        for key in keys:
            self._for(key).delete(key)

    def incr(self, counts):
        with self._numbers():
            for key, n in counts.items():
                if n:
                    self.shared.set(key, int(self.shared.get(key) or 0) + n, timeout=None)

    def count_pages(self, prefix):
        return None

    def ping(self):
        pass

    def clear(self, prefix):
        self.local.clear()
        self.shared.clear()

    def _local(self) -> tuple[str, ...]:
        prefix = keys_module.prefix()
        return tuple(prefix + kind for kind in self.LOCAL)

    def _for(self, key):
        return self.local if key.startswith(self._local()) else self.shared

    @contextlib.contextmanager
    def _numbers(self):
        """Read-modify-write of a number, one process and thread at a time (writers finish out of order)."""
        shared = settings.CACHES[TOKENS]
        directory = shared["LOCATION"] if shared["BACKEND"].endswith(".FileBasedCache") else None
        with self.lock_numbers:
            if directory is None:
                yield
                return
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, "numbers.lock"), "a") as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                yield


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Current:
    def __init__(self):
        self.lock = threading.Lock()
        self.store = None
        self.made_for = None


_current = _Current()


def current():
    """The store of the configured cache, made once per configuration (tests change it)."""
    cfg = settings.CACHES["default"]
    made_for = (cfg["BACKEND"], cfg.get("LOCATION"), settings.CACHES.get(TOKENS, {}).get("LOCATION"))
    if _current.made_for != made_for:
        with _current.lock:
            if _current.made_for != made_for:
                _current.store = RedisStore() if cfg["BACKEND"].startswith("django_redis.") else LocalStore()
                _current.made_for = made_for
    return _current.store


def is_redis() -> bool:
    return isinstance(current(), RedisStore)


def forget() -> None:
    with _current.lock:
        _current.made_for = None
