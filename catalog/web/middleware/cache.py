"""The learners' cache in front of the API, and an ETag on every API read."""

from django.core.exceptions import SuspiciousOperation
from django.utils.cache import get_conditional_response

from catalog import cache
from catalog.cache.routes import has_credentials, hit_response, page_for


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
