"""Editors' release endpoints of a course: discard, history, a release, revert, diff, preview, schedule."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from catalog import selectors, services
from catalog.api.permissions import IsEditor
from catalog.api.schema import ERROR, FIELD_ERRORS, IF_MATCH
from catalog.api.serializers import (
    CourseDetailSerializer,
    DiffSerializer,
    PreviewSerializer,
    ReleaseDetailSerializer,
    ReleaseSerializer,
    ScheduleSerializer,
    ScheduleStateSerializer,
)
from catalog.domain import documents
from catalog.models import Course, Release
from catalog.origin import absolute
from catalog.selectors import previews

NUMBER = r"(?P<number>[0-9]{1,9})"
EDITOR_ERRORS = {401: ERROR, 403: ERROR, 404: ERROR}
SELECTOR_HELP = "A release number, `live` or `draft` (the working copy)."


class ReleaseActions:
    """Mixed into CourseViewSet: every action here is for editors only (401/403 otherwise)."""

    # --- the working copy from a release

    @extend_schema(
        summary="Discard the unpublished changes: the working copy becomes the live release again",
        request=None,
        parameters=[IF_MATCH],
        responses={200: CourseDetailSerializer, 409: ERROR, 412: ERROR, **EDITOR_ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsEditor])
    def discard(self, request, slug=None):
        course = services.course_discard(course=self._course(slug), by=request.user, precondition=self._if_match())
        return self._written(course)

    @extend_schema(
        summary="Make the working copy equal to release n (publish it to make it live)",
        request=None,
        parameters=[IF_MATCH],
        responses={200: CourseDetailSerializer, 412: ERROR, **EDITOR_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=f"releases/{NUMBER}/revert", permission_classes=[IsEditor])
    def revert(self, request, slug=None, number=None):
        course = services.course_revert(
            course=self._course(slug), number=int(number), by=request.user, precondition=self._if_match()
        )
        return self._written(course)

    # --- history

    @extend_schema(
        summary="The course's releases, newest first", responses={200: ReleaseSerializer(many=True), **EDITOR_ERRORS}
    )
    # Not a list of courses: no pagination and none of the course list's filters (nor in the schema).
    @action(detail=True, methods=["get"], permission_classes=[IsEditor], pagination_class=None, filter_backends=[])
    def releases(self, request, slug=None):
        course = self._course(slug)
        live = self._live_number(course)
        rows = course.releases.select_related("created_by").order_by("-number")
        body = [
            {
                "number": r.number,
                "created_at": documents.timestamp(r.created_at),
                "created_by": r.created_by.get_username() if r.created_by else None,
                "live": r.number == live,
            }
            for r in rows
        ]
        return self.bypass(Response(body))

    @extend_schema(
        summary="Release n, as a course detail document",
        responses={200: ReleaseDetailSerializer, **EDITOR_ERRORS},
    )
    @action(detail=True, methods=["get"], url_path=f"releases/{NUMBER}", permission_classes=[IsEditor])
    def release(self, request, slug=None, number=None):
        course = self._course(slug)
        release = self._release(course, int(number))
        listing = course.listings.filter(release=release).order_by("live_from").first()
        body = documents.detail(
            release.document,
            course_id=course.pk,
            slug=course.slug,
            status=Course.Status.PUBLISHED if listing else course.status,
            published_at=listing.live_from if listing else None,
            created_at=course.created_at,
            updated_at=release.created_at,
        )
        return self.bypass(Response({**body, "release": release.number}))

    @extend_schema(
        summary="What changed between two versions of the course",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description=f"{SELECTOR_HELP} Default `live`."),
            OpenApiParameter("to", OpenApiTypes.STR, description=f"{SELECTOR_HELP} Default `draft`."),
        ],
        responses={200: DiffSerializer, 400: FIELD_ERRORS, **EDITOR_ERRORS},
    )
    @action(detail=True, methods=["get"], permission_classes=[IsEditor])
    def diff(self, request, slug=None):
        course = self._course(slug)
        picks = {
            name: request.query_params.get(name, default).strip()
            for name, default in (("from", "live"), ("to", "draft"))
        }
        bad = {
            name: [f"'{value[:40]}' is not a version: use a release number, live or draft."]
            for name, value in picks.items()
            if value not in ("live", "draft") and not (value.isascii() and value.isdigit() and len(value) < 10)
        }
        if bad:
            raise ValidationError(bad)
        old, new = (self._version(course, picks[name]) for name in ("from", "to"))
        return self.bypass(Response({"changes": documents.diff(old, new)}))

    # --- preview and schedule

    @extend_schema(
        methods=["POST"],
        summary="A signed, expiring link to the working copy (course page and API), no login needed",
        description="It works for CATALOG_PREVIEW_TTL seconds (7 days by default), until it expires or the "
        "course's links are revoked (DELETE).",
        request=None,
        responses={201: PreviewSerializer, **EDITOR_ERRORS},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Revoke every preview link of the course made so far",
        description="Those links answer 404 from now on; links made afterwards work as usual.",
        responses={204: None, **EDITOR_ERRORS},
    )
    @action(detail=True, methods=["post", "delete"], permission_classes=[IsEditor])
    def preview(self, request, slug=None):
        course = self._course(slug)
        if request.method == "DELETE":
            services.course_previews_revoke(course=course, by=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        token, expires_at = previews.token_for(course)
        body = {
            "url": absolute(request, reverse("catalog:preview", args=[token])),
            "api_url": absolute(request, reverse("course-preview", args=[token])),
            "expires_at": documents.timestamp(expires_at),
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The course's scheduled switches",
        responses={200: ScheduleStateSerializer, **EDITOR_ERRORS},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Schedule going live (publish_at) and/or the withdrawal (unpublish_at)",
        description="publish_at freezes the working copy now (409 if it breaks the publish rule); null cancels "
        "that switch; a time in the past is a 400. Learners see each switch on time.",
        parameters=[IF_MATCH],
        request=ScheduleSerializer,
        responses={200: ScheduleStateSerializer, 400: FIELD_ERRORS, 409: ERROR, 412: ERROR, **EDITOR_ERRORS},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Cancel both scheduled switches",
        parameters=[IF_MATCH],
        responses={200: ScheduleStateSerializer, 412: ERROR, **EDITOR_ERRORS},
    )
    @action(detail=True, methods=["get", "put", "delete"], permission_classes=[IsEditor])
    def schedule(self, request, slug=None):
        course = self._course(slug)
        if request.method == "PUT":
            serializer = ScheduleSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            course = services.course_schedule(
                course=course, by=request.user, precondition=self._if_match(), **serializer.validated_data
            )
        elif request.method == "DELETE":
            course = services.course_schedule_cancel(course=course, by=request.user, precondition=self._if_match())
        return self.bypass(Response(self._schedule_state(course)))

    # --- helpers

    def _schedule_state(self, course: Course) -> dict:
        course.refresh_from_db(fields=["publish_at", "unpublish_at"])
        pending = course.listings.filter(live_from__gt=timezone.now()).select_related("release").first()
        return {
            "publish_at": documents.timestamp(course.publish_at),
            "unpublish_at": documents.timestamp(course.unpublish_at),
            "release": pending.release.number if pending and course.publish_at else None,
        }

    def _live_number(self, course: Course) -> int | None:
        live = course.listings.filter(selectors.live_at(timezone.now()))
        return live.values_list("release__number", flat=True).first()

    def _release(self, course: Course, number: int) -> Release:
        release = course.releases.filter(number=number).first()
        if release is None:
            raise NotFound(f"'{course.slug}' has no release {number}.")
        return release

    def _version(self, course: Course, pick: str) -> dict:
        if pick == "draft":
            return selectors.version_of(course=course)
        if pick == "live":
            number = self._live_number(course)
            if number is None:
                raise NotFound(f"'{course.slug}' has no live release.")
            return selectors.version_of(course=course, release=self._release(course, number))
        return selectors.version_of(course=course, release=self._release(course, int(pick)))
