"""The JSON API: course list/detail/writes/transitions and topics, for learners and editors."""

import re

from django.db import transaction
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import cache, services
from ..middleware import VARY, has_credentials, hit_response, page_for
from ..models import Course
from ..permissions import is_editor
from ..selectors import course_list, course_with_tree, topic_counts
from .exceptions import PreconditionFailed
from .filters import CourseFilter
from .params import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, canonical_list_params, list_url
from .permissions import IsEditorOrReadOnly
from .serializers import (
    CourseCreateSerializer,
    CourseDetailSerializer,
    CoursePatchSerializer,
    CourseRecordWriteSerializer,
    CourseSummarySerializer,
    TopicSerializer,
)

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT, description='Field errors: {field path: [messages]}, or {"detail": …}'
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read; a write to a course that changed since then is refused with 412.",
)


class CatalogSchema(AutoSchema):
    """Reads are public: say so in the schema (an empty security requirement)."""

    def get_auth(self):
        auth = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auth:
            auth.append({})
        return auth


def _positive_int(raw: str, name: str, *, maximum: int | None = None) -> int:
    raw = raw.strip()
    # str.isdigit() also accepts "²" and "①", which int() cannot read.
    if re.fullmatch(r"[0-9]{19,}", raw) and maximum is None:
        raise NotFound("Invalid page: there are fewer pages than that.")
    if not re.fullmatch(r"[0-9]{1,18}", raw) or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        bound = f" from 1 to {maximum}" if maximum else " of 1 or more"
        raise ValidationError({name: [f"Must be a whole number{bound}."]})
    return int(raw)


class CoursePagination(PageNumberPagination):
    """Strict `page` and `page_size` (400 on bad values, never a silent default); canonical links."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get("page_size", "")
        return _positive_int(raw, "page_size", maximum=MAX_PAGE_SIZE) if raw else DEFAULT_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get("page", "")
        if raw:
            _positive_int(raw, "page")
        try:
            # Page through ids only (an index-only scan, however deep the page), then load the rows.
            ids = super().paginate_queryset(queryset.values_list("pk", flat=True), request, view)
        except NotFound:
            raise NotFound("Invalid page: there are fewer pages than that.") from None
        rows = queryset.order_by().in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "1-based page number.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Courses per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]

    def _link(self, number):
        request = self.request
        params = canonical_list_params(request.query_params, keep_status=is_editor(request.user))
        return list_url(request.build_absolute_uri(request.path), params, page=number)

    def get_next_link(self):
        return self._link(self.page.next_page_number()) if self.page.has_next() else None

    def get_previous_link(self):
        return self._link(self.page.previous_page_number()) if self.page.has_previous() else None


class LearnerCacheMixin:
    """Learners' reads come from and go to the cache; editors' never do."""

    def cached(self, request, build):
        django_request = request._request
        if is_editor(request.user):
            response = build()
            response["X-Cache"] = "BYPASS"
            response["Vary"] = VARY
            return response
        if getattr(django_request, "catalog_page", None) is None and has_credentials(django_request):
            # A logged-in learner: the middleware could not know before authentication ran.
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
    permission_classes = [IsEditorOrReadOnly]
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
            raise NotFound("No course has this slug.") from None

    def retrieve(self, request, *args, **kwargs):
        return self.cached(request, lambda: Response(CourseDetailSerializer(self.get_object()).data))

    # --- writes (editors only, see IsEditorOrReadOnly)

    def _detail(self, course: Course) -> dict:
        return CourseDetailSerializer(course_with_tree(user=self.request.user).get(pk=course.pk)).data

    def _locked(self, slug: str, *, required: bool = True) -> Course | None:
        course = Course.objects.select_for_update().filter(slug=slug).first()
        if course is None and required:
            raise NotFound("No course has this slug.")
        return course

    def _check_if_match(self, course: Course | None) -> None:
        header = self.request.headers.get("If-Match")
        if not header:
            return
        if course is None:
            raise PreconditionFailed("If-Match was sent, but no course has this slug.")
        if header.strip() == "*":
            return
        if cache.etag_for(JSONRenderer().render(self._detail(course))) not in _etags(header):
            raise PreconditionFailed()

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
        location = request.build_absolute_uri(f"{request.path}{course.slug}/")
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
        with transaction.atomic():
            self._check_if_match(self._locked(slug, required=False))
            result = services.course_upsert_tree(record=record, by=request.user)
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
        with transaction.atomic():
            course = self._locked(slug)
            self._check_if_match(course)
            course = services.course_update(course=course, by=request.user, **serializer.validated_data)
        return Response(self._detail(course))

    @extend_schema(
        summary="Delete the course and its tree",
        parameters=[IF_MATCH],
        responses={204: None, 401: ERROR, 403: ERROR, 404: ERROR, 412: ERROR},
    )
    def destroy(self, request, slug=None, *args, **kwargs):
        with transaction.atomic():
            course = self._locked(slug)
            self._check_if_match(course)
            services.course_delete(course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _transition(self, request, slug, name):
        with transaction.atomic():
            course = self._locked(slug)
            self._check_if_match(course)
            course = services.course_transition(course=course, action=name, by=request.user)
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
    return JsonResponse({"detail": "Not found."}, status=404)
