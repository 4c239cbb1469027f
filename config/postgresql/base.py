"""Django's PostgreSQL backend, with a persistent connection's health checked without a round trip.

With CONN_HEALTH_CHECKS, Django asks a kept connection `SELECT 1` before each request's first query:
one more round trip for every request that reads, as long as the read itself when it is one
indexed row. A connection the server has ended (restarted, backend terminated, idle timeout) has
that news waiting on its socket (the server's goodbye, or the end of the stream), so only then is
the `SELECT 1` worth asking; a socket with nothing to read is a connection as usable as the
`SELECT 1` would have found it.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            waiting = poller.poll(0)
        except (OSError, ValueError):
            return False
        return not waiting or super().is_usable()
