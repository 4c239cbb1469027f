"""The learners' cache in front of the API, an ETag on every API read, and what the edge may keep."""

import time

from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError
from django.utils.cache import get_conditional_response

from catalog import cache, selectors
from catalog.cache import keys, surrogate
from catalog.cache.routes import has_credentials, hit_response, page_for
from catalog.web import hits

# Answers the edge may keep for everyone: what a learner's read gives, errors of the database excluded.
EDGE_STATUSES = frozenset({200, 301, 404, 410})
# Never kept at the edge whoever asks: editors' back-office and probes of this process (the VCL passes them
# too), and the API's description, which is no learner's read and the same whatever the catalog holds.
EDGE_NEVER = ("/admin/", "/healthz", "/readyz", "/metrics", "/api/schema/", "/api/docs/", "/api/redoc/")
UNSET = object()


CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


def conditional(request, response):
    """ETag every API read (errors too) and answer a matching If-None-Match on a 200 with 304."""
    if response.streaming:
        return response
    if not response.has_header("ETag"):
        response["ETag"] = cache.etag_for(response.content)
    if response.status_code != 200 or not any(name in request.META for name in CONDITIONS):
        return response
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


def for_the_edge(request, response) -> None:
    """Tell the edge how long it may keep a learner's answer and which surrogate keys purge it.

    Every learner answer passes here (API reads, pages, the sitemap, new routes alike): a GET without
    credentials whose answer sets no cookie and has no Cache-Control of its own (previews say private,
    static files say their own). A view that knows when its answer next changes by itself says so
    (`catalog_expires_at`, None for never); otherwise the next scheduled switch of any course bounds it.
    """
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code not in EDGE_STATUSES
        or response.cookies
        or response.has_header("Cache-Control")
        or has_credentials(request)
        or request.path_info.startswith(EDGE_NEVER)
    ):
        return
    page = getattr(request, "catalog_page", None)
    if page is not None:
        scope = page.name
    else:
        match = getattr(request, "resolver_match", None)
        scope = (match.kwargs.get("slug") if match is not None else None) or keys.LISTS
    expires_at = getattr(request, "catalog_expires_at", UNSET)
    if expires_at is UNSET:
        try:
            expires_at = selectors.next_switch()
        except DatabaseError:
            expires_at = 0  # unknown: the edge must not keep it
    seconds = surrogate.max_age(expires_at.timestamp() if expires_at else expires_at, time.time())
    for name, value in surrogate.headers(scope, seconds).items():
        response[name] = value


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
            response = self.get_response(request)
            for_the_edge(request, response)
            return response
        handed_on = request.META.pop(hits.PAGE, None)  # the hit lane looked it up and missed
        if handed_on is not None:
            request.catalog_page = handed_on
        elif not has_credentials(request):
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
        for_the_edge(request, response)
        return conditional(request, response)
