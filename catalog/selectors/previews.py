"""Preview links: signed, expiring tokens that show a course's working copy to whoever holds them.

A token names the course, the course's preview generation and when it was signed; it works for
CATALOG_PREVIEW_TTL seconds, until the course's links are revoked (the generation moves on:
catalog.services.course_previews_revoke), and shows the working copy as it is when opened. Answers
through it are private (never cached, not indexed).
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
    token = signing.dumps({"course": course.pk, "g": course.preview_generation}, salt=SALT, compress=False)
    return token, timezone.now() + dt.timedelta(seconds=settings.CATALOG_PREVIEW_TTL)


def course_for(token: str) -> Course | None:
    """The course a valid token names; None for a token altered, expired, revoked, or of a deleted course."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.CATALOG_PREVIEW_TTL)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("course"), int):
        return None
    # Links made before generations existed count as generation 0: valid until the first revocation.
    generation = data.get("g", 0)
    return Course.objects.filter(pk=data["course"], preview_generation=generation).first()


def lifetime() -> str:
    """How long a new link works, in words (the admin says it next to the buttons)."""
    seconds = settings.CATALOG_PREVIEW_TTL
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"


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
