"""Prometheus counts of every request, and GET /metrics."""

import hmac
import ipaddress
import time

from django.conf import settings
from django.http import HttpResponse

from catalog import metrics
from catalog.cache.routes import route_name


class MetricsMiddleware:
    """Counts every request (route, method, status, latency, cache hit or miss) and answers GET /metrics.

    Installed first, and only with METRICS_ENABLED=1: when metrics are off, requests pay nothing.
    It answers /metrics itself, before host validation, so a scraper can ask by the server's address;
    so it answers only scrapers on METRICS_ALLOWED_IPS (loopback by default) or with
    `Authorization: Bearer <METRICS_TOKEN>`, and anyone else gets a 404, as if there were none.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed = [
            ipaddress.ip_network(net.strip(), strict=False) for net in settings.METRICS_ALLOWED_IPS if net.strip()
        ]
        self.token = settings.METRICS_TOKEN

    def __call__(self, request):
        if request.path_info == "/metrics":
            if not self.admitted(request):
                return HttpResponse(b"Not found.", status=404, content_type="text/plain")
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

    def admitted(self, request) -> bool:
        if self.token:
            sent = request.META.get("HTTP_AUTHORIZATION", "")
            if hmac.compare_digest(sent.encode(), f"Bearer {self.token}".encode()):
                return True
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", "").split("%", 1)[0])
        except ValueError:
            return False
        return any(address in network for network in self.allowed)


def _route(request) -> str:
    """The URL's name: a bounded label whatever the path (a cache hit never reached the resolver)."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or "unnamed"
    return route_name(request.path_info) or "unmatched"
