"""Django's error handlers: JSON under /api/, a plain page elsewhere, and never a traceback."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

from catalog.errors import BAD_REQUEST, DATABASE_UNAVAILABLE, NOT_FOUND, SERVER_ERROR


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def _page(title: str, body: str, status: int) -> HttpResponse:
    return HttpResponse(
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title></head>"
        f"<body>{body}</body></html>",
        status=status,
    )


def server_error(request, *args, **kwargs):
    """handler500: an unreachable database is a 503 that recovers by itself, never a traceback."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        status, message = 503, DATABASE_UNAVAILABLE
    else:
        status, message = 500, SERVER_ERROR
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    response = _page("Course catalog: unavailable", f"<h1>Temporarily unavailable</h1><p>{message}</p>", status)
    if status == 503:
        response["Retry-After"] = "5"
    return response


def not_found(request, exception=None):
    """handler404."""
    if _wants_json(request):
        return JsonResponse({"detail": NOT_FOUND}, status=404)
    return _page("Not found", '<h1>Not found</h1><p><a href="/">Back to the catalog</a></p>', 404)


def bad_request(request, exception=None):
    """handler400 (a malformed request that Django itself refused)."""
    if _wants_json(request):
        return JsonResponse({"detail": BAD_REQUEST}, status=400)
    return _page("Bad request", "<h1>Bad request</h1>", 400)
