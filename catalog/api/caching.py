"""Learners' reads come from and go to the cache; editors' never do.

One read path: every learner answer is built by a function of catalog.api.learners, which the view's
handler calls through DRF. For an anonymous learner whose read the cache missed, `quick` calls the
same function before DRF builds its request, when DRF would have reached it with the same arguments:
GET, a cache page (no credentials, catalog.cache.routes.page_for), DRF's content negotiation choosing
JSON, the view's permissions and throttles admitting it. Whatever else (a filter the quick read does
not answer, an Accept it cannot satisfy) goes through DRF's dispatch.
"""

from django.db import DatabaseError
from django.utils.cache import patch_vary_headers
from rest_framework.exceptions import APIException

from catalog import cache
from catalog.cache.routes import VARY, has_credentials, hit_response, negotiates_json, page_for
from catalog.permissions import is_editor


class LearnerCacheMixin:
    """For views whose GETs the learners' cache middleware serves (catalog.cache.routes.CACHED).

    The middleware answers hits for requests without credentials before authentication runs; a
    logged-in learner is only known here, after it, and uses the same pages. A miss without
    credentials is answered by `quick_reads`, below DRF.
    """

    # action ("get" for an APIView) -> function(request, **URL kwargs) giving a learner's answer
    # from a plain Django request, or None to leave it to the view's own method
    quick_reads: dict = {}

    def dispatch(self, request, *args, **kwargs):
        # The Django request: the cache middleware reads the marks this view leaves on it (DRF's
        # request wraps it and keeps its own attributes).
        self.http_request = request
        response = self.quick(request, kwargs)
        return response if response is not None else super().dispatch(request, *args, **kwargs)

    def quick(self, request, kwargs):
        """A learner's GET the cache missed, answered without DRF's request, authentication and
        rendering, which cost more than the read itself: the request carries no credentials (the
        middleware looked, and marked it with its cache page), so DRF would find an anonymous learner
        and hand the same function the same arguments. Negotiation, permissions and throttles are asked
        as DRF asks them (a refusal goes DRF's way); errors get DRF's answer."""
        if request.method != "GET" or getattr(request, "catalog_page", None) is None:
            return None
        # `action_map` is the {method: action} a ViewSet's as_view() binds (DRF sets `action` from it
        # only in initialize_request); tests/catalog/api/test_learner_reads.py fails if it goes away.
        read = self.quick_reads.get(getattr(self, "action_map", {}).get("get", "get"))
        if read is None:
            return None
        if not negotiates_json(request, self.renderer_classes, self.get_format_suffix(**kwargs)):
            return None  # DRF answers: 406, or 404 for a format it does not know
        if not self.admitted(request):
            return None
        try:
            response = read(request, **kwargs)
        except (APIException, DatabaseError) as exc:
            return self.refused(request, exc, kwargs)
        if response is None:
            return None
        self.headers = self.default_response_headers
        return self.missed(self.finalize_response(request, response))

    def refused(self, request, exc, kwargs):
        """An error of a quick read, answered as DRF's dispatch answers it (the exception handler's
        JSON 400, 404 or 503), without running the read again. It varies with credentials like
        every learner's answer (handle_exception): an editor may get a 200 where a learner gets this 404."""
        self.request = self.initialize_request(request, **kwargs)
        self.format_kwarg = self.get_format_suffix(**kwargs)
        self.headers = self.default_response_headers
        return self.finalize_response(self.request, self.handle_exception(exc))

    def handle_exception(self, exc):
        """A read's error varies with credentials, whichever way it was answered (quick or DRF's)."""
        response = super().handle_exception(exc)
        if self.request.method in ("GET", "HEAD"):
            patch_vary_headers(response, VARY.split(", "))
        return response

    def admitted(self, request) -> bool:
        permitted = all(permission.has_permission(request, self) for permission in self.get_permissions())
        admitted = permitted and all(throttle.allow_request(request, self) for throttle in self.get_throttles())
        # A quick read that declines hands the request to DRF, whose throttles must not count it twice.
        request.catalog_admitted = admitted
        return admitted

    def check_throttles(self, request):
        if not getattr(self.http_request, "catalog_admitted", False):
            super().check_throttles(request)

    def missed(self, response):
        """A learner's answer built on a miss: the middleware stores it (status 200 only), for no
        longer than the answer says (catalog.api.learners.json_response's `expires_at`)."""
        response["X-Cache"] = "MISS"
        response["Vary"] = VARY
        self.http_request.catalog_store = True
        if hasattr(response, "catalog_expires_at"):
            self.http_request.catalog_expires_at = response.catalog_expires_at
        return response

    def bypass(self, response):
        """An answer the cache never holds (editors', previews')."""
        response["X-Cache"] = "BYPASS"
        response["Vary"] = VARY
        return response

    def cached(self, request, build):
        if is_editor(request.user):
            return self.bypass(build())
        django_request = self.http_request
        if getattr(django_request, "catalog_page", None) is None and has_credentials(django_request):
            page = page_for(django_request)
            if page is not None:
                hit = cache.lookup_or_wait(page)
                if hit is not None:
                    return hit_response(hit)
                django_request.catalog_page = page
        return self.missed(build())
