"""Prometheus counts of every request, and GET /metrics."""

import time

from django.http import HttpResponse

from catalog import metrics
from catalog.cache.routes import route_name


class MetricsMiddleware:
    """Counts every request (route, method, status, latency, cache hit or miss) and answers GET /metrics.

    Installed first, and only with METRICS_ENABLED=1: when metrics are off, requests pay nothing.
    It answers /metrics itself, before host validation, so a scraper can ask by the server's address.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/metrics":
            return HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE)
        started = time.perf_counter()
        response = self.get_response(request)
        metrics.request_done(
            route=_route(request),
            method=request.method,
            status=response.status_code,
            seconds=time.perf_counter() - started,
            cache=response.get("X-Cache"),
        )
        return response


def _route(request) -> str:
    """The URL's name: a bounded label whatever the path (a cache hit never reached the resolver)."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or "unnamed"
    return route_name(request.path_info) or "unmatched"
