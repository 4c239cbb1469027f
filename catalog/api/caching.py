"""Learners' reads come from and go to the cache; editors' never do."""

from .. import cache
from ..cache.routes import VARY, has_credentials, hit_response, page_for
from ..permissions import is_editor


class LearnerCacheMixin:
    """For views whose GETs the learners' cache middleware serves (catalog.cache.routes.CACHED).

    The middleware answers hits for requests without credentials before authentication runs; a
    logged-in learner is only known here, after it, and uses the same pages.
    """

    def bypass(self, response):
        """An answer the cache never holds (editors', previews')."""
        response["X-Cache"] = "BYPASS"
        response["Vary"] = VARY
        return response

    def cached(self, request, build):
        django_request = request._request
        if is_editor(request.user):
            return self.bypass(build())
        if getattr(django_request, "catalog_page", None) is None and has_credentials(django_request):
            page = page_for(django_request)
            if page is not None:
                hit = cache.lookup_or_wait(page)
                if hit is not None:
                    return hit_response(hit)
                django_request.catalog_page = page
        response = build()
        response["X-Cache"] = "MISS"
        response["Vary"] = VARY
        django_request.catalog_store = True
        return response
