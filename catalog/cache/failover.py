"""Redis behind Sentinel (REDIS_SENTINELS): after a failover, no page stored before it is served from the new master.

A promoted replica holds what was replicated before the master died: pages, and the tokens that judge
them, but not the token replacements that were lost with the master or that failed while no master
existed (a write then still succeeds: catalog.cache.backoff). So every connection this process opens to
a master first compares the master's replication id with the one stamped beside the tokens; a master
that is not the one that stamped them (a promotion gives a new id) gets a new epoch (every page dies)
and loses the replica fence (the next reader sets it from PostgreSQL), in one script, before anything is
read through that connection. It costs one round trip per new connection, none per read.
"""

import logging

from django_redis.pool import SentinelConnectionFactory
from redis.sentinel import SentinelManagedConnection

from catalog.cache import keys, stores

logger = logging.getLogger("catalog.cache")

# KEYS: the stamp, the epoch, the fence; ARGV: this master's replication id, a new epoch token.
_STAMP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('DEL', KEYS[3])
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""


def replication_id(info: bytes | str) -> str:
    text = info.decode() if isinstance(info, bytes) else info
    for line in text.splitlines():
        if line.startswith("master_replid:"):
            return line.split(":", 1)[1].strip()
    return ""


class GuardedConnection(SentinelManagedConnection):
    """A connection to the master Sentinel names that kills the pages of an earlier master before its first use."""

    def on_connect_check_health(self, check_health: bool = True):
        super().on_connect_check_health(check_health=check_health)
        if not self.connection_pool.is_master:
            return
        self.send_command("INFO", "replication")
        replid = replication_id(self.read_response())
        if not replid:
            return
        self.send_command("EVAL", _STAMP, 3, keys.stamp(), keys.epoch(), keys.fence(), replid, stores.new_token())
        if self.read_response() == 1:
            logger.warning(
                "the catalog cache's Redis master %s:%s is new (a failover, or a restart): every page "
                "stored before is now dead",
                self.host,
                self.port,
            )


class ConnectionFactory(SentinelConnectionFactory):
    """django-redis' Sentinel connections, guarded (settings: CACHES' CONNECTION_FACTORY with REDIS_SENTINELS)."""

    def __init__(self, options):
        super().__init__(options)
        self.pool_cls_kwargs = {**self.pool_cls_kwargs, "connection_class": GuardedConnection}
