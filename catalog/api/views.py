"""The JSON API: course list/detail/writes/transitions and topics, for learners and editors."""

from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import cache, services
from ..errors import NOT_FOUND, PreconditionFailedError
from ..models import Course
from ..origin import absolute
from ..selectors import course_list, course_with_tree, course_written, topic_counts
from .caching import LearnerCacheMixin
from .filters import CourseFilter
from .pagination import CoursePagination
from .permissions import CoursePermissions, put_precondition
from .schema import ERROR, FIELD_ERRORS, IF_MATCH
from .serializers import (
    CourseCreateSerializer,
    CourseDetailSerializer,
    CoursePatchSerializer,
    CourseRecordWriteSerializer,
    CourseSummarySerializer,
    TopicSerializer,
)

NO_SUCH_COURSE = "No course has this slug."
STALE = "The course changed since you read it (If-Match does not match its current ETag)."


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


@extend_schema_view(
    list=extend_schema(
        summary="List courses",
        description="Newest first. Learners see published courses only; `status` is for editors.",
        parameters=[
            OpenApiParameter(
                "search",
                {"type": "string", "maxLength": 500},
                description="Full-text search in titles, description, topic, unit and module titles; best match first.",
            ),
        ],
        responses={200: CourseSummarySerializer(many=True), 400: FIELD_ERRORS, 404: ERROR},
    ),
    retrieve=extend_schema(
        summary="A course with its ordered tree", responses={200: CourseDetailSerializer, 404: ERROR}
    ),
)
class CourseViewSet(LearnerCacheMixin, viewsets.GenericViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[a-z0-9-]{1,100}"
    permission_classes = [CoursePermissions]
    filter_backends = [DjangoFilterBackend]
    filterset_class = CourseFilter
    pagination_class = CoursePagination
    serializer_class = CourseDetailSerializer

    def get_queryset(self):
        if self.action == "list":
            return course_list(user=self.request.user)
        return course_with_tree(user=self.request.user)

    def get_serializer_class(self):
        return {
            "list": CourseSummarySerializer,
            "create": CourseCreateSerializer,
            "update": CourseRecordWriteSerializer,
            "partial_update": CoursePatchSerializer,
        }.get(self.action, CourseDetailSerializer)

    # --- reads

    def list(self, request, *args, **kwargs):
        def build():
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            return self.get_paginated_response(CourseSummarySerializer(page, many=True).data)

        return self.cached(request, build)

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise NotFound(NO_SUCH_COURSE) from None

    def retrieve(self, request, *args, **kwargs):
        return self.cached(request, lambda: Response(CourseDetailSerializer(self.get_object()).data))

    # --- writes (the admin's permissions, see CoursePermissions)

    def _detail(self, course: Course) -> dict:
        # The writer's answer shows what they wrote, even a draft that a creator without
        # change_course could not read back.
        return CourseDetailSerializer(course_written(pk=course.pk)).data

    def _course(self, slug: str) -> Course:
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            raise NotFound(NO_SUCH_COURSE)
        return course

    def _if_match(self):
        """The request's If-Match as a service precondition (checked under the course lock), or None."""
        header = self.request.headers.get("If-Match")
        if not header:
            return None
        wanted = _etags(header)

        def check(course):
            if course is None:
                raise PreconditionFailedError("If-Match was sent, but no course has this slug.")
            if header.strip() == "*":
                return
            if cache.etag_for(JSONRenderer().render(self._detail(course))) not in wanted:
                raise PreconditionFailedError(STALE)

        return check

    @extend_schema(
        summary="Create a draft course, optionally with its whole tree",
        request=CourseCreateSerializer,
        responses={201: CourseDetailSerializer, 400: FIELD_ERRORS, 401: ERROR, 403: ERROR, 409: ERROR, 413: ERROR},
    )
    def create(self, request, *args, **kwargs):
        serializer = CourseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if k != "status"}
        course = services.course_create(**fields, by=request.user)
        location = absolute(request, reverse("course-detail", kwargs={"slug": course.slug}))
        return Response(self._detail(course), status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        summary="Make the course and its whole tree exactly as sent (created if absent)",
        description="The body is one record of the import format. Status moves through the workflow.",
        parameters=[IF_MATCH],
        request=CourseRecordWriteSerializer,
        responses={
            200: CourseDetailSerializer,
            201: CourseDetailSerializer,
            400: FIELD_ERRORS,
            401: ERROR,
            403: ERROR,
            404: ERROR,
            409: ERROR,
            412: ERROR,
            413: ERROR,
        },
    )
    def update(self, request, slug=None, *args, **kwargs):
        serializer = CourseRecordWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = dict(serializer.validated_data)
        if record.setdefault("slug", slug) != slug:
            raise ValidationError({"slug": ["Must match the slug in the URL (rename with PATCH)."]})
        result = services.course_upsert_tree(
            record=record,
            by=request.user,
            precondition=services.all_of(put_precondition(request.user), self._if_match()),
        )
        code = status.HTTP_201_CREATED if result.outcome == "created" else status.HTTP_200_OK
        return Response(self._detail(result.course), status=code)

    @extend_schema(
        summary="Change some fields of the course",
        parameters=[IF_MATCH],
        request=CoursePatchSerializer,
        responses={
            200: CourseDetailSerializer,
            400: FIELD_ERRORS,
            401: ERROR,
            403: ERROR,
            404: ERROR,
            409: ERROR,
            412: ERROR,
            413: ERROR,
        },
    )
    def partial_update(self, request, slug=None, *args, **kwargs):
        serializer = CoursePatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        course = services.course_update(
            course=self._course(slug), by=request.user, precondition=self._if_match(), **serializer.validated_data
        )
        return Response(self._detail(course))

    @extend_schema(
        summary="Delete the course and its tree",
        parameters=[IF_MATCH],
        responses={204: None, 401: ERROR, 403: ERROR, 404: ERROR, 412: ERROR},
    )
    def destroy(self, request, slug=None, *args, **kwargs):
        services.course_delete(course=self._course(slug), precondition=self._if_match())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _transition(self, request, slug, name):
        course = services.course_transition(
            course=self._course(slug), action=name, by=request.user, precondition=self._if_match()
        )
        return Response(self._detail(course))

    TRANSITION_SCHEMA = dict(
        request=None,
        parameters=[IF_MATCH],
        responses={200: CourseDetailSerializer, 401: ERROR, 403: ERROR, 404: ERROR, 409: ERROR, 412: ERROR},
    )

    @extend_schema(summary="Publish a draft (needs ≥ 1 unit, each with ≥ 1 module)", **TRANSITION_SCHEMA)
    @action(detail=True, methods=["post"])
    def publish(self, request, slug=None):
        return self._transition(request, slug, "publish")

    @extend_schema(summary="Move a published course back to draft", **TRANSITION_SCHEMA)
    @action(detail=True, methods=["post"])
    def unpublish(self, request, slug=None):
        return self._transition(request, slug, "unpublish")

    @extend_schema(summary="Archive a draft or published course", **TRANSITION_SCHEMA)
    @action(detail=True, methods=["post"])
    def archive(self, request, slug=None):
        return self._transition(request, slug, "archive")

    @extend_schema(summary="Restore an archived course to draft", **TRANSITION_SCHEMA)
    @action(detail=True, methods=["post"])
    def restore(self, request, slug=None):
        return self._transition(request, slug, "restore")


class TopicListView(LearnerCacheMixin, APIView):
    permission_classes = []

    @extend_schema(summary="Published topics with their course counts", responses={200: TopicSerializer(many=True)})
    def get(self, request):
        return self.cached(request, lambda: Response(TopicSerializer(topic_counts(), many=True).data))


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
            return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
    return JsonResponse({"detail": NOT_FOUND}, status=404)
