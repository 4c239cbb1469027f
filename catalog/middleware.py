"""Learners' cache in front of the API, and ETags on every API read."""

import re

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.utils.cache import get_conditional_response

from . import cache, replica
from .api.params import canonical_list_params, list_url

LIST_PATH = "/api/v1/courses/"
TOPICS_PATH = "/api/v1/topics/"
DETAIL_PATH = re.compile(r"^/api/v1/courses/(?P<slug>[a-z0-9-]{1,100})/$")
VARY = "Authorization, Cookie"


def page_for(request) -> cache.Page | None:
    """The cache page of a learner's GET, or None if this URL is not cached."""
    path = request.path_info
    origin = f"{request.scheme}://{request.get_host()}"
    if "format" in request.GET:
        return None  # DRF's format switch: not a learner page worth a key (and maybe an error)
    if path == LIST_PATH:
        params = canonical_list_params(request.GET, keep_status=False)
        return cache.page(url=list_url(origin + path, params), scope="lists")
    if path == TOPICS_PATH:
        return cache.page(url=origin + path, scope="lists")
    match = DETAIL_PATH.match(path)
    if match:
        return cache.page(url=origin + path, scope=match["slug"])
    return None


def hit_response(hit: cache.Hit) -> HttpResponse:
    response = HttpResponse(hit.body, content_type="application/json")
    response["ETag"] = hit.etag
    response["X-Cache"] = "HIT"
    response["Vary"] = VARY
    # A hit leaves before XFrameOptionsMiddleware runs; SecurityMiddleware (outside) still applies.
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    return response


def conditional(request, response):
    """ETag every API read (errors too) and answer a matching If-None-Match on a 200 with 304."""
    if response.streaming:
        return response
    if not response.has_header("ETag"):
        response["ETag"] = cache.etag_for(response.content)
    if response.status_code != 200:
        return response
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


def has_credentials(request) -> bool:
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


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
            cache.store(page, body=response.content, etag=response["ETag"])
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
