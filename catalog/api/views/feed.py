"""The change feed: what learners can see changing, for followers (a search index, an app's offline copy)."""

import orjson
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.views import APIView

from catalog import selectors, services
from catalog.api import learners
from catalog.api.caching import LearnerCacheMixin
from catalog.api.pagination import positive_int
from catalog.api.schema import ERROR, FIELD_ERRORS
from catalog.api.serializers import FeedPageSerializer

DEFAULT_LIMIT, MAX_LIMIT = selectors.feed.DEFAULT_LIMIT, selectors.feed.MAX_LIMIT


class ChangeFeedView(LearnerCacheMixin, APIView):
    """The current state of the catalog first, then every change, oldest first."""

    permission_classes = []
    public_reads = True

    @extend_schema(
        summary="What learners can see changing: the current state first, then every change",
        description="Without `cursor`: one `published` entry per course learners can see now. Then call again "
        "with `cursor` set to the answer's `next` to get what changed since: `published` (a release went live: "
        "`course` is its summary) or `removed` (unpublished, archived, deleted, or renamed away from `slug`). "
        "A follower that keeps calling with `next` ends up with exactly what learners see, and never misses a "
        "change, whatever order transactions commit in. `has_more` says whether to call again now.",
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="The `next` of the previous answer."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                description=f"Entries per answer, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
            ),
        ],
        responses={200: FeedPageSerializer, 400: FIELD_ERRORS, 410: ERROR},
    )
    def get(self, request):
        raw = request.query_params.get("limit", "")
        limit = positive_int(raw, "limit", maximum=MAX_LIMIT) if raw else DEFAULT_LIMIT
        cursor = request.query_params.get("cursor") or None

        def build():
            services.schedule_apply_due()  # switches that are due become entries before anyone reads past them
            page = selectors.feed_page(cursor=cursor, limit=limit)
            results = [orjson.Fragment(entry) for entry in page["results"]]
            body = {"results": results, "next": page["next"], "has_more": page["has_more"]}
            return learners.json_response(orjson.dumps(body), expires_at=selectors.next_switch())

        return self.cached(request, build)
