"""Courses in the JSON API: learners read live releases, editors read and write working copies."""

from django.http import Http404
from django.urls import reverse
from django.utils.http import parse_etags
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from catalog import cache, selectors, services
from catalog.api import learners
from catalog.api.caching import LearnerCacheMixin
from catalog.api.filters import CourseFilter
from catalog.api.pagination import CoursePagination
from catalog.api.permissions import CoursePermissions, create_check, put_precondition
from catalog.api.renderers import CompactJSONRenderer
from catalog.api.schema import ERROR, FIELD_ERRORS, IF_MATCH, IF_NONE_MATCH_WRITE, ORDERING, TOPIC
from catalog.api.serializers import (
    CourseCreateSerializer,
    CourseDetailSerializer,
    CoursePatchSerializer,
    CourseRecordWriteSerializer,
    CourseSummarySerializer,
    ModulePageSerializer,
)
from catalog.api.views.releases import ReleaseActions
from catalog.domain import documents
from catalog.errors import PreconditionFailedError
from catalog.models import Course
from catalog.origin import absolute
from catalog.permissions import is_editor

NO_SUCH_COURSE = learners.NO_SUCH_COURSE
STALE = "The course changed since you read it (If-Match does not match its current ETag)."


EXISTS = "If-None-Match: * only creates, and a course has this slug already."
UNCHANGED = "The course still matches a tag of If-None-Match."


def _strong(header: str) -> list[str]:
    """The strong tags of an If-Match or If-None-Match header (RFC 9110: a weak tag never matches)."""
    return [tag for tag in parse_etags(header) if not tag.startswith("W/")]


def editor_etag(body: dict) -> str:
    """The ETag of an editors' document, as an editor's GET of it carries (the rendering is the same)."""
    return cache.etag_for(CompactJSONRenderer().render(body))


@extend_schema_view(
    list=extend_schema(
        summary="List courses",
        description="Newest first. Learners see the live releases of published courses; editors see working "
        "copies with their release state, and may filter by `status`.",
        parameters=[
            OpenApiParameter(
                "search",
                {"type": "string", "maxLength": 500},
                description="Full-text search in titles, description, topic, unit and module titles; best match first.",
            ),
            TOPIC,
            ORDERING,
        ],
        responses={200: CourseSummarySerializer(many=True), 400: FIELD_ERRORS, 404: ERROR},
    ),
    retrieve=extend_schema(
        summary="A course with its ordered tree",
        description="Learners get the live release; an old slug of a published course answers 301 to the new "
        "one. Editors get the working copy.",
        responses={200: CourseDetailSerializer, 301: None, 404: ERROR},
    ),
)
class CourseViewSet(ReleaseActions, LearnerCacheMixin, viewsets.GenericViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[a-z0-9-]{1,100}"
    permission_classes = [CoursePermissions]
    filter_backends = [DjangoFilterBackend]
    filterset_class = CourseFilter
    pagination_class = CoursePagination
    serializer_class = CourseDetailSerializer
    quick_reads = {  # noqa: RUF012 (read only)
        "list": learners.newest_page,
        "retrieve": learners.course_detail,
        "module": lambda request, slug, module_id: learners.module_detail(request, slug, int(module_id)),
    }

    def get_queryset(self):
        if self.action == "list":
            return selectors.course_list(user=self.request.user)
        return selectors.course_with_tree(user=self.request.user)

    def get_serializer_class(self):
        return {
            "list": CourseSummarySerializer,
            "create": CourseCreateSerializer,
            "update": CourseRecordWriteSerializer,
            "partial_update": CoursePatchSerializer,
        }.get(self.action, CourseDetailSerializer)

    # --- reads

    def list(self, request, *args, **kwargs):
        if not is_editor(request.user):
            return self.cached(request, lambda: learners.course_list(self, request))
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.editor_answer(self.get_paginated_response(CourseSummarySerializer(page, many=True).data))

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            raise NotFound(NO_SUCH_COURSE) from None

    def editor_answer(self, response):
        """Editors' answers show working copies: never cached."""
        return self.bypass(response)

    def retrieve(self, request, slug=None, *args, **kwargs):
        if not is_editor(request.user):
            return self.cached(request, lambda: learners.course_detail(request, slug))
        try:
            course = self.get_object()
        except NotFound:
            moved_to = selectors.course_redirect(slug=slug)
            if moved_to is None:
                raise
            return learners.moved(request, slug, moved_to)
        return self.editor_answer(Response(CourseDetailSerializer(course).data))

    @extend_schema(
        summary="One module of the course, with its content and its neighbours",
        description="Learners read the live release; editors the working copy.",
        responses={200: ModulePageSerializer, 404: ERROR},
    )
    @action(detail=True, methods=["get"], url_path=r"modules/(?P<module_id>[0-9]{1,18})", url_name="module")
    def module(self, request, slug=None, module_id=None):
        if not is_editor(request.user):
            return self.cached(request, lambda: learners.module_detail(request, slug, int(module_id)))
        page = documents.module_page(selectors.working_document(course=self.get_object()), int(module_id))
        if page is None:
            raise NotFound(learners.NO_SUCH_MODULE)
        return self.editor_answer(Response(page))

    # --- writes (the admin's permissions, see CoursePermissions)

    def _detail(self, course: Course) -> dict:
        # The writer's answer shows what they wrote, even a draft that a creator without
        # change_course could not read back.
        return CourseDetailSerializer(selectors.course_written(pk=course.pk)).data

    def _course(self, slug: str) -> Course:
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            raise NotFound(NO_SUCH_COURSE)
        return course

    def _if_match(self):
        """The request's If-Match and If-None-Match as a service precondition (checked under the
        course lock, against the editors' document of the course), or None without either."""
        if_match, if_none_match = self.request.headers.get("If-Match"), self.request.headers.get("If-None-Match")
        if not if_match and not if_none_match:
            return None

        def check(course):
            if course is None:
                if if_match:
                    raise PreconditionFailedError("If-Match was sent, but no course has this slug.")
                return
            if if_none_match and if_none_match.strip() == "*":
                raise PreconditionFailedError(EXISTS)
            current = editor_etag(self._detail(course))
            if if_match and if_match.strip() != "*" and current not in _strong(if_match):
                raise PreconditionFailedError(STALE)
            # If-None-Match compares weakly (RFC 9110 13.1.2).
            if if_none_match and current in {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}:
                raise PreconditionFailedError(UNCHANGED)

        return check

    def _written(self, course: Course, code: int = status.HTTP_200_OK, **headers) -> Response:
        """A write's answer: the editors' document with its ETag, for the next conditional write."""
        body = self._detail(course)
        return Response(body, status=code, headers={"ETag": editor_etag(body), **headers})

    @extend_schema(
        summary="Create a draft course, optionally with its whole tree",
        request=CourseCreateSerializer,
        responses={201: CourseDetailSerializer, 400: FIELD_ERRORS, 401: ERROR, 403: ERROR, 409: ERROR, 413: ERROR},
    )
    def create(self, request, *args, **kwargs):
        serializer = CourseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if k != "status"}
        create_check(request.user, fields)
        course = services.course_create(**fields, by=request.user)
        location = absolute(request, reverse("course-detail", kwargs={"slug": course.slug}))
        return self._written(course, status.HTTP_201_CREATED, Location=location)

    @extend_schema(
        summary="Make the course and its whole tree exactly as sent (created if absent)",
        description="The body is one record of the import format. Status moves through the workflow; "
        '`"status": "published"` publishes the result and needs change_course.',
        parameters=[IF_MATCH, IF_NONE_MATCH_WRITE],
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
            precondition=services.all_of(put_precondition(request.user, record), self._if_match()),
        )
        if result.outcome == "created":
            location = absolute(request, reverse("course-detail", kwargs={"slug": slug}))
            return self._written(result.course, status.HTTP_201_CREATED, Location=location)
        return self._written(result.course)

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
        return self._written(course)

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
        return self._written(course)

    TRANSITION_SCHEMA = dict(
        request=None,
        parameters=[IF_MATCH],
        responses={200: CourseDetailSerializer, 401: ERROR, 403: ERROR, 404: ERROR, 409: ERROR, 412: ERROR},
    )

    @extend_schema(
        summary="Publish the working copy as a new release (needs ≥ 1 unit, each with ≥ 1 module)",
        description="On a draft it goes live; on a published course these are its changes (nothing new is made "
        "when the working copy equals the live release). Cancels a scheduled publish.",
        **TRANSITION_SCHEMA,
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, slug=None):
        return self._transition(request, slug, "publish")

    @extend_schema(summary="Withdraw the live release (the course becomes a draft)", **TRANSITION_SCHEMA)
    @action(detail=True, methods=["post"])
    def unpublish(self, request, slug=None):
        return self._transition(request, slug, "unpublish")

    @extend_schema(summary="Archive a draft or published course (withdraws the live release)", **TRANSITION_SCHEMA)
    @action(detail=True, methods=["post"])
    def archive(self, request, slug=None):
        return self._transition(request, slug, "archive")

    @extend_schema(summary="Restore an archived course to draft", **TRANSITION_SCHEMA)
    @action(detail=True, methods=["post"])
    def restore(self, request, slug=None):
        return self._transition(request, slug, "restore")
