"""Preview links: signed, expiring tokens that show a course's working copy to whoever holds them.

A token names the course and when it was signed; it works for CATALOG_PREVIEW_TTL seconds and shows
the working copy as it is when opened. Answers through it are private (never cached, not indexed).
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.utils import timezone

from catalog import selectors
from catalog.domain import documents
from catalog.models import Course

SALT = "catalog.preview"
HEADERS = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


def token_for(course: Course) -> tuple[str, dt.datetime]:
    """A new token for `course`, and when it expires."""
    token = signing.dumps({"course": course.pk}, salt=SALT, compress=False)
    return token, timezone.now() + dt.timedelta(seconds=settings.CATALOG_PREVIEW_TTL)


def course_for(token: str) -> Course | None:
    """The course a valid token names; None for a token altered, expired, or of a deleted course."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.CATALOG_PREVIEW_TTL)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("course"), int):
        return None
    return Course.objects.filter(pk=data["course"]).first()


def working_detail(course: Course) -> dict:
    """The working copy as a course detail document (what the course would look like published now)."""
    return documents.detail(
        selectors.working_document(course=course),
        course_id=course.pk,
        slug=course.slug,
        status=course.status,
        published_at=course.published_at,
        created_at=course.created_at,
        updated_at=course.updated_at,
    )


def private(response):
    for name, value in HEADERS.items():
        response[name] = value
    return response
