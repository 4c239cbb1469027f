"""Liveness, readiness, and the error pages that must never show a traceback."""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse

from . import cache, replica

logger = logging.getLogger(__name__)

DB_DOWN = "The catalog database is unreachable right now; try again shortly."


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


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def server_error(request, *args, **kwargs):
    """handler500: an unreachable database is a 503 that recovers by itself, never a traceback."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        status, message = 503, DB_DOWN
    else:
        status, message = 500, "Something went wrong on our side; it has been logged."
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Course catalog: unavailable</title>"
        f"</head><body><h1>Temporarily unavailable</h1><p>{message}</p></body></html>"
    )
    response = HttpResponse(page, status=status)
    if status == 503:
        response["Retry-After"] = "5"
    return response


def not_found(request, exception=None):
    """handler404: JSON under /api/, a plain page elsewhere."""
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return HttpResponse(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Not found</title></head>"
        '<body><h1>Not found</h1><p><a href="/">Back to the catalog</a></p></body></html>',
        status=404,
    )


def bad_request(request, exception=None):
    """handler400 (a malformed request that Django itself refused): JSON under /api/."""
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return HttpResponse("<!doctype html><title>Bad request</title><h1>Bad request</h1>", status=400)
