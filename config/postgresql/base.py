"""Django's PostgreSQL backend, with a busy connection's health checked without a round trip.

With CONN_HEALTH_CHECKS, Django asks a kept connection `SELECT 1` before each request's first query:
one more round trip for every request that reads, as long as the read itself when it is one
indexed row. A connection the server has ended (restarted, backend terminated, idle timeout) has
that news waiting on its socket (the server's goodbye, or the end of the stream), so a connection in
steady use is asked `SELECT 1` only when its socket has something to say. One idle for longer than
IDLE_CHECK seconds, or not idle in its transaction, is asked as Django asks: after a pause a
connection may also have been cut without a word (a failover, a NAT or firewall forgetting it),
which only a round trip finds out.
"""

import select
import time

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

IDLE_CHECK = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    checked_at = 0.0

    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        now = time.monotonic()
        paused, self.checked_at = now - self.checked_at > IDLE_CHECK, now
        if paused or connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            waiting = poller.poll(0)
        except Exception:  # noqa: BLE001 (no poll() here, or no socket any more): ask the server
            return super().is_usable()
        return not waiting or super().is_usable()
