"""A course's history and releases as the course page shows them: edits, and workflow events in words."""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from catalog.admin.versions import live_number
from catalog.models import Course
from catalog.selectors import HistoryEvent, course_history, describe_transition


def _who(user) -> str:
    return user.get_username() if user is not None else "(no user recorded)"


def describe(transition) -> str:
    """The event in words, with the status before and after when it moved ("Published release 2 (draft →
    published)")."""
    text = describe_transition(transition)
    if transition.from_status != transition.to_status:
        text += f" ({transition.from_status} → {transition.to_status})"
    return text + "."


def history_events(course: Course, limit: int | None = None) -> list[HistoryEvent]:
    """Newest first: the admin's edit log (from the selector) and the workflow's events, in words."""
    edits = [event for event in course_history(course=course, limit=limit) if event.kind == "edit"]
    transitions = course.transitions.select_related("by").order_by("-at", "-id")
    if limit is not None:
        transitions = transitions[:limit]
    events = edits + [HistoryEvent(t.at, _who(t.by), describe(t), "workflow") for t in transitions]
    events.sort(key=lambda event: event.at, reverse=True)
    return events[:limit] if limit is not None else events


def releases_table(course: Course, *, can_change: bool):
    """The release history: number, who, when, which is live or scheduled, and Compare / Revert links."""
    releases = list(course.releases.select_related("created_by").order_by("-number"))
    if not releases:
        return "No releases yet: publishing the course makes release 1."
    live = live_number(course)
    now = timezone.now()
    pending = dict(course.listings.filter(live_from__gt=now).values_list("release__number", "live_from"))
    compare = reverse("admin:catalog_course_compare", args=[course.pk])

    def state(number):
        if number == live:
            return mark_safe('<strong class="catalog-live">live</strong>')
        if number in pending:
            return format_html("scheduled: goes live {}", f"{timezone.localtime(pending[number]):%Y-%m-%d %H:%M %Z}")
        return ""

    def links(number):
        parts = [format_html('<a href="{}?from={}&amp;to=draft">Compare with the working copy</a>', compare, number)]
        if live is not None and number != live:
            parts.append(format_html('<a href="{}?from={}&amp;to=live">Compare with live</a>', compare, number))
        if can_change:
            revert = reverse("admin:catalog_course_revert", args=[course.pk, number])
            parts.append(format_html('<a href="{}" class="catalog-revert-link">Revert to {}…</a>', revert, number))
        return format_html_join(" · ", "{}", ((p,) for p in parts))

    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                r.number,
                f"{timezone.localtime(r.created_at):%Y-%m-%d %H:%M %Z}",
                _who(r.created_by),
                state(r.number),
                links(r.number),
            )
            for r in releases
        ),
    )
    return format_html(
        '<table class="catalog-releases"><caption class="visually-hidden">Releases of this course</caption>'
        '<thead><tr><th scope="col">Release</th><th scope="col">Made</th><th scope="col">By</th>'
        '<th scope="col">Learners</th><th scope="col">Actions</th></tr></thead><tbody>{}</tbody></table>',
        rows,
    )
