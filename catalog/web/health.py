"""Liveness and readiness probes."""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse

from catalog import cache
from catalog.db import replica

logger = logging.getLogger(__name__)


def healthz(request):
    """200 while the process runs; touches neither the database nor Redis."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """200 when the database answers (Redis and a replica are reported, not required: reads fall back)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError as exc:
        logger.warning("readiness: database unreachable: %s", exc)
        database = "unavailable"
    body = {"database": database, "redis": cache.ping()}
    if replica.configured():
        # Reported, not required: learners read from the primary while the replica is away or behind.
        body["replica"] = replica.status()
    body["status"] = "ok" if database == "ok" else "unavailable"
    return JsonResponse(body, status=200 if database == "ok" else 503)
