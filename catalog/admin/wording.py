"""What the course page's workflow says to an editor: times in their zone with UTC beside them, what a
move changes for learners at once, and the schedule in words (catalog.admin.releases asks, the
templates show)."""

import datetime as dt
import zoneinfo

from django.urls import reverse
from django.utils import timezone

from catalog.domain import workflow
from catalog.models import Course
from catalog.origin import absolute
from catalog.selectors import LearnersView


def when(value) -> str:
    """A time in the editor's zone (catalog.web.middleware.editors), to the second, with UTC beside it."""
    if not value:
        return ""
    local = timezone.localtime(value)
    utc = value.astimezone(dt.UTC)
    if local.utcoffset() == dt.timedelta(0) and local.tzname() in ("UTC", "GMT", "Z", None):
        return utc.strftime("%Y-%m-%d %H:%M:%S UTC")
    same_day = local.date() == utc.date()
    return local.strftime("%Y-%m-%d %H:%M:%S %Z") + utc.strftime(
        " (%H:%M:%S UTC)" if same_day else " (%Y-%m-%d %H:%M:%S UTC)"
    )


def course_address(request, slug: str) -> str:
    return absolute(request, reverse("catalog:course", args=[slug]))


def consequences(request, view: LearnersView, action: str) -> list[str]:
    """What `action` changes for learners at once, in sentences (selectors.learners_view has the facts)."""
    lines = []
    if action in ("unpublish", "archive"):
        if view.live:
            pages = f"{view.module_count} module page{'s' * (view.module_count != 1)}"
            lines.append(
                f"Learners lose '{view.title}' at once: the course page {course_address(request, view.live_slug)} "
                f"and its {pages} answer 404 (so does its API detail), and it leaves the catalog list, search "
                "and its topic's count."
            )
            if view.old_slugs:
                lines.append(f"Its old addresses ({', '.join(view.old_slugs)}) stop redirecting.")
            lines.append(f"Release {view.live_release} stays in the history: publishing again brings it back.")
        else:
            lines.append("Learners see nothing of this course now, so nothing changes for them at once.")
        if view.pending_release is not None:
            if action == "archive":
                lines.append(
                    f"The schedule is cancelled: release {view.pending_release} no longer goes live at "
                    f"{when(view.publish_at)}."
                )
            else:
                lines.append(
                    f"Release {view.pending_release} still goes live at {when(view.publish_at)} as scheduled; "
                    "cancel the schedule to keep the course away from learners."
                )
        if action == "archive":
            lines.append("You can restore it later, as a draft.")
    elif action == "publish":
        if view.pending_release is not None:
            lines.append(
                f"Release {view.pending_release}, scheduled to go live at {when(view.publish_at)}, is dropped: "
                "learners see the working copy as it is now, at once."
            )
        if view.moves_address():
            lines.append(
                f"Learners' address moves from {course_address(request, view.live_slug)} to "
                f"{course_address(request, view.slug)}; the old one redirects (301) to the new one."
            )
        if not lines:
            lines.append("Learners see the working copy as it is now, at once.")
        if view.unpublish_at:
            lines.append(f"It is still withdrawn at {when(view.unpublish_at)} as scheduled.")
    return lines


def time_zones(chosen: str) -> list[str]:
    """Every IANA zone this machine knows, the chosen one included, sorted (the schedule's select)."""
    return sorted(zoneinfo.available_timezones() | {chosen, "UTC"})


def _utc(value) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def schedule_log(before: tuple, course) -> str:
    """The admin history's line for a schedule change: each switch set, moved or cancelled, in UTC
    (the history is read by editors in any zone)."""
    parts = []
    for label, old, new in (
        ("goes live", before[0], course.publish_at),
        ("withdrawn", before[1], course.unpublish_at),
    ):
        if new is not None and old != new:
            parts.append(f"Scheduled: {label} at {_utc(new)}" + (f" (was {_utc(old)})" if old else "") + ".")
        elif new is None and old is not None:
            parts.append(f"Cancelled the schedule: no longer {label} at {_utc(old)}.")
    return " ".join(parts) or "Schedule saved unchanged."


def schedule_summary(course) -> str:
    parts = []
    if course.publish_at:
        parts.append(f"goes live at {when(course.publish_at)} (the working copy as it is now)")
    if course.unpublish_at:
        parts.append(f"is withdrawn at {when(course.unpublish_at)}")
    if not parts:
        return f"'{course.title}' has no scheduled switch."
    return f"'{course.title}' " + " and ".join(parts) + "."


def publish_label(course) -> str:
    return "Publish changes" if course.status == Course.Status.PUBLISHED else workflow.LABELS["publish"]
