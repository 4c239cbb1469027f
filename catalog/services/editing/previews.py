"""Revoking a course's preview links: every link made before the revocation stops working."""

from django.db.models import F

from catalog.models import Course


def course_previews_revoke(*, course: Course, by=None) -> Course:
    """End every preview link of `course` made so far (links made afterwards work as usual).

    One atomic increment: nothing learners see changes, so nothing is invalidated, and preview
    answers are never cached, so the next request through an old link is a 404."""
    Course.objects.filter(pk=course.pk).update(preview_generation=F("preview_generation") + 1)
    course.refresh_from_db(fields=["preview_generation"])
    return course
