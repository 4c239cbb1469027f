"""What a workflow move would change for learners at once: read before asking an editor to confirm it."""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from catalog.models import Course, Listing
from catalog.selectors.learners import live_at


@dataclass(frozen=True)
class LearnersView:
    """A course as learners see it now, and the switches scheduled for it."""

    title: str
    slug: str  # the working copy's
    live_release: int | None = None
    live_slug: str | None = None  # the address learners find it at
    module_count: int = 0
    pending_release: int | None = None  # frozen by a schedule, goes live at publish_at
    publish_at: dt.datetime | None = None
    unpublish_at: dt.datetime | None = None
    old_slugs: list[str] = field(default_factory=list)

    @property
    def live(self) -> bool:
        return self.live_release is not None

    def moves_address(self) -> bool:
        """Publishing now would move learners' address (the slug is part of the release)."""
        return self.live and self.live_slug != self.slug


def learners_view(*, course: Course, now=None) -> LearnersView:
    now = now or timezone.now()
    listings = Listing.objects.filter(course_id=course.pk).select_related("release").order_by("live_from")
    live = listings.filter(live_at(now)).first()
    pending = listings.filter(live_from__gt=now).first()
    return LearnersView(
        title=course.title,
        slug=course.slug,
        live_release=live.release.number if live else None,
        live_slug=live.slug if live else None,
        module_count=live.module_count if live else 0,
        pending_release=pending.release.number if pending else None,
        publish_at=course.publish_at,
        unpublish_at=course.unpublish_at,
        old_slugs=list(course.old_slugs.order_by("slug").values_list("slug", flat=True)),
    )


def move_needs_confirmation(view: LearnersView, action: str) -> bool:
    """Whether `action` changes what learners see at once in a way worth a second look: withdrawing
    (unpublish, archive) always; publishing when it replaces a scheduled release or moves the address."""
    if action in ("unpublish", "archive"):
        return True
    if action == "publish":
        return view.pending_release is not None or view.moves_address()
    return False
