"""The topics list, previews of working copies, and JSON 404s for unknown API URLs."""

from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.views import APIView

from catalog.api import learners
from catalog.api.caching import LearnerCacheMixin
from catalog.api.schema import ERROR, FIELD_ERRORS
from catalog.api.serializers import CourseDetailSerializer, SuggestionListSerializer, TopicSerializer
from catalog.db import replica
from catalog.domain import documents, records
from catalog.errors import NOT_FOUND
from catalog.origin import absolute
from catalog.selectors import previews


class TopicListView(LearnerCacheMixin, APIView):
    """Topics of the courses learners can see, with how many there are of each."""

    permission_classes = []
    public_reads = True
    quick_reads = {"get": learners.topics}  # noqa: RUF012 (read only)

    @extend_schema(
        summary="Published topics with their course counts",
        description="Sorted by topic; topics are stored normalised (`Data Science` is `data-science`), "
        "and `name` is how people read them.",
        responses={200: TopicSerializer(many=True)},
    )
    def get(self, request):
        return self.cached(request, lambda: learners.topics(request))


class SuggestView(LearnerCacheMixin, APIView):
    """As-you-type suggestions for the search box."""

    permission_classes = []
    public_reads = True
    quick_reads = {"get": learners.suggest}  # noqa: RUF012 (read only)

    @extend_schema(
        summary="Course titles matching what a learner is typing",
        description="Up to 8 published courses whose titles match `q` as typed: the last word as a prefix, "
        "typos forgiven as in `search`; best first. An empty `q` gives no results. Cached like every "
        f"learner read. `q` is at most {learners.SUGGEST_MAX_LENGTH} characters.",
        parameters=[
            OpenApiParameter("q", str, required=False, description="The text typed so far."),
        ],
        responses={200: SuggestionListSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request):
        return self.cached(request, lambda: learners.suggest(request))


@csrf_exempt  # answering "not found" changes nothing; a CSRF page here would be HTML, not JSON
def api_not_found(request, *args, **kwargs):
    """Unknown URLs under /api/ answer JSON, like everything else there."""
    if not request.path.endswith("/") and request.method in ("GET", "HEAD"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(absolute(request, request.path + "/") + (f"?{query}" if query else ""))
    return JsonResponse({"detail": NOT_FOUND}, status=404)


class PreviewView(APIView):
    """The API detail of a course's working copy, for whoever holds a signed, unexpired preview link."""

    permission_classes = []
    authentication_classes = []

    @extend_schema(
        summary="A working copy through a preview link (no login needed)",
        description="The token comes from `POST /api/v1/courses/{slug}/preview/`. A tampered or expired "
        "token is a 404. Never cached; not for search engines.",
        responses={200: CourseDetailSerializer, 404: ERROR},
    )
    def get(self, request, token):
        with replica.on_primary():
            course = previews.course_for(token)
            if course is None:
                raise Http404("This preview link is not valid (altered, or expired).")
            body = documents.dumps(previews.working_detail(course))
        return previews.private(learners.json_response(body))


def record_schema(request):
    """The JSON Schema of a course record (import files, PUT bodies), for generators to validate against;
    its `$id` is where it is served (on CATALOG_BASE_URL)."""
    schema = {**records.SCHEMA, "$id": absolute(request, request.path)}
    response = JsonResponse(schema, json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/schema+json"
    return response
