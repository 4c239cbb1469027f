"""Learners' cache in front of the API, ETags on every API read, the replica's routing, metrics."""

import time

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.utils.cache import get_conditional_response

from . import cache, metrics, replica
from .cache.routes import has_credentials, hit_response, page_for, route_name


def conditional(request, response):
    """ETag every API read (errors too) and answer a matching If-None-Match on a 200 with 304."""
    if response.streaming:
        return response
    if not response.has_header("ETag"):
        response["ETag"] = cache.etag_for(response.content)
    if response.status_code != 200:
        return response
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


class LearnerCacheMiddleware:
    """Answers a cached learner read before sessions, auth and CSRF run; stores what views build.

    Requests without credentials are learners for certain, so their hits are served here in one
    Redis round trip. Requests with credentials go on to the view, which knows the user and uses
    the same cache when that user is a learner (catalog.api.views.LearnerCacheMixin).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or not request.path_info.startswith("/api/"):
            return self.get_response(request)
        if not has_credentials(request):
            try:
                page = page_for(request)
            except SuspiciousOperation:
                page = None  # e.g. too many query fields: the view's own answer says so (with an ETag)
            if page is not None:
                hit = cache.lookup_or_wait(page)
                if hit is not None:
                    return conditional(request, hit_response(hit))
                request.catalog_page = page
        response = self.get_response(request)
        if not response.streaming and not response.has_header("ETag"):
            response["ETag"] = cache.etag_for(response.content)
        page = getattr(request, "catalog_page", None)
        if page is not None and getattr(request, "catalog_store", False) and response.status_code == 200:
            expires_at = getattr(request, "catalog_expires_at", None)
            cache.store(page, body=response.content, etag=response["ETag"], expires_at=expires_at)
        elif page is not None:
            cache.release(page)
        return conditional(request, response)


class ReplicaRoutingMiddleware:
    """One read-replica decision per request (catalog.replica); installed with DATABASE_REPLICA_URL.

    Requests that change something or carry credentials (editors, the admin) stay on the primary;
    learners' reads go to the replica when it has caught up with the last write.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pinned = request.method not in ("GET", "HEAD", "OPTIONS") or has_credentials(request)
        with replica.request_scope(pinned=pinned):
            return self.get_response(request)


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
