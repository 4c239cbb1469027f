"""Django's error handlers: JSON under /api/, the site's own page elsewhere (its layout, phone-ready,
saying what was not found), and never a traceback.

The pages render without the request (no context processor, no session, no database), so an error
page still renders while the database is down; if even the template fails, a bare page says the same.
"""

import logging
import sys

from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404
from django.utils.html import escape

from catalog.errors import BAD_REQUEST, DATABASE_UNAVAILABLE, NOT_FOUND, SERVER_ERROR

logger = logging.getLogger("catalog.web")


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def _page(status: int, title: str, message: str) -> HttpResponse:
    context = {"status": status, "title": title, "message": message}
    try:
        html = render_to_string("error.html", context)
    except Exception:  # noqa: BLE001 - an error page must answer whatever broke
        logger.exception("the error page template failed; answering a bare page")
        html = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} – Course catalog</title></head>"
            f'<body><h1>{escape(title)}</h1><p>{escape(message)}</p><p><a href="/">All courses</a></p></body></html>'
        )
    return HttpResponse(html, status=status)


def _said(exception, kind) -> str | None:
    """The message a view raised for people (Http404("There is no page 9: …")), if it is one."""
    if isinstance(exception, kind) and not isinstance(exception, Resolver404) and exception.args:
        message = exception.args[0]
        return message if isinstance(message, str) and message else None
    return None


def server_error(request, *args, **kwargs):
    """handler500: an unreachable database is a 503 that recovers by itself, never a traceback."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        status, message = 503, DATABASE_UNAVAILABLE
    else:
        status, message = 500, SERVER_ERROR
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    title = "Temporarily unavailable" if status == 503 else "Something went wrong"
    response = _page(status, title, message)
    if status == 503:
        response["Retry-After"] = "5"
    return response


def not_found(request, exception=None):
    """handler404: the view's own message (what was not found), or that nothing is at this address."""
    if _wants_json(request):
        return JsonResponse({"detail": NOT_FOUND}, status=404)
    # The address is not echoed: the edge may keep a 404, and nothing a client sends reaches a kept answer.
    message = _said(exception, Http404) or "There is no page at this address: it may have moved, or never existed."
    return _page(404, "Page not found", message)


def bad_request(request, exception=None):
    """handler400: a malformed request, or a view's BadRequest("…") (a filter a page cannot apply), saying why."""
    if _wants_json(request):
        return JsonResponse({"detail": BAD_REQUEST}, status=400)
    message = _said(exception, BadRequest) or "This request could not be understood."
    return _page(400, "Bad request", message)
