"""One read-replica decision per request (catalog.db.replica)."""

from catalog.cache.routes import has_credentials
from catalog.db import replica


class ReplicaRoutingMiddleware:
    """One read-replica decision per request (catalog.db.replica); installed with DATABASE_REPLICA_URL.

    Requests that change something or carry credentials (editors, the admin) stay on the primary;
    learners' reads go to the replica when it has caught up with the last write.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pinned = request.method not in ("GET", "HEAD", "OPTIONS") or has_credentials(request)
        with replica.request_scope(pinned=pinned):
            return self.get_response(request)
