"""Helpers of the release tests: what learners and editors see, the stored tree, short waits, safe HTML."""

import datetime as dt
import re
import time
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.utils import timezone

from catalog.models import Course, CourseTransition, Module, Release, Unit

API = "/api/v1/courses/"


def course_url(slug: str) -> str:
    return f"{API}{slug}/"


def module_url(slug: str, module_id: int) -> str:
    return f"{API}{slug}/modules/{module_id}/"


def learner_detail(client, slug: str):
    """The course detail a learner gets (a dict), or None when the course does not exist for them."""
    response = client.get(course_url(slug))
    if response.status_code == 404:
        return None
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response.json()


def learner_slugs(client) -> list[str]:
    response = client.get(API + "?page_size=100")
    assert response.status_code == 200, response.content[:300]
    return [c["slug"] for c in response.json()["results"]]


def outline(detail: dict) -> list:
    """[(unit title, [module title, …]), …] of a course detail document."""
    return [(u["title"], [m["title"] for m in u["modules"]]) for u in detail["units"]]


def tree_rows(course) -> list:
    """The stored working copy with ids: [(unit id, title, order, [(module id, title, order, content)])]."""
    return [
        (u.pk, u.title, u.order, [(m.pk, m.title, m.order, m.content) for m in u.modules.order_by("order")])
        for u in Unit.objects.filter(course_id=course.pk).order_by("order")
    ]


def document_rows(document: dict) -> list:
    """A release document in the shape of tree_rows()."""
    return [
        (u["id"], u["title"], u["order"], [(m["id"], m["title"], m["order"], m["content"]) for m in u["modules"]])
        for u in document["units"]
    ]


def fields_of(course) -> tuple:
    course = Course.objects.get(pk=course.pk)
    return course.title, course.description, course.topic


def release_numbers(course) -> list[int]:
    return list(Release.objects.filter(course_id=course.pk).order_by("number").values_list("number", flat=True))


def release(course, number: int) -> Release:
    return Release.objects.get(course_id=course.pk, number=number)


def history(course) -> list[tuple]:
    """(action, from, to, release, by, scheduled) of the course's transitions, oldest first."""
    return [
        (t.action, t.from_status, t.to_status, t.release, t.by, t.scheduled)
        for t in CourseTransition.objects.filter(course_id=course.pk).order_by("at", "id")
    ]


def assert_contiguous(course) -> None:
    """Units 1..n, each unit's modules 1..n, and (PostgreSQL defers them) the unique constraints hold."""
    connection.check_constraints()
    units = list(Unit.objects.filter(course_id=course.pk).order_by("order").values_list("order", flat=True))
    assert units == list(range(1, len(units) + 1)), units
    for unit in Unit.objects.filter(course_id=course.pk):
        orders = list(Module.objects.filter(unit=unit).order_by("order").values_list("order", flat=True))
        assert orders == list(range(1, len(orders) + 1)), (unit.title, orders)


# --- time ---------------------------------------------------------------------------------------


def soon(seconds: float = 0.8) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def wait_past(moment: dt.datetime, *, margin: float = 0.05) -> None:
    """Sleep until `moment` (plus a margin) has passed."""
    delay = (moment - timezone.now()).total_seconds() + margin
    if delay > 0:
        time.sleep(delay)


def poll_until(moment: dt.datetime, read, *, every: float = 0.1) -> int:
    """Call `read()` (whose assertions hold the old state) again and again until `moment`; returns how many
    reads were made. Shows that learners see nothing early, cache hits included. A read that fails but
    finished after `moment` overlapped the switch, where either answer is right: polling ends there."""
    reads = 0
    while (moment - timezone.now()).total_seconds() > 0.05:
        try:
            read()
        except (AssertionError, pytest.fail.Exception):
            if timezone.now() >= moment:
                return reads
            raise
        reads += 1
        time.sleep(every)
    return reads


# --- HTML safety --------------------------------------------------------------------------------

# Elements that run or load active content wherever they appear. (A <form> is in the page's own
# search box; module content is checked for one separately.)
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "base", "frame", "frameset"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "srcset", "data"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def start_tags(html: str) -> list[tuple[str, list]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def unsafe_parts(html: str) -> list[str]:
    """Every element, event handler or URL in `html` that could run script; [] when the page is safe."""
    found = []
    for tag, attrs in start_tags(html):
        # The page's own JSON-LD is data, never run (its text is checked by tests/catalog/web/test_seo.py).
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            continue
        # The site's own scripts (the search box's suggestions), served from its static files.
        if tag == "script" and (dict(attrs).get("src") or "").startswith("/static/catalog/"):
            continue
        if tag in DANGEROUS_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES or name == "style":
                # Browsers drop whitespace and control characters inside a scheme.
                squeezed = re.sub(r"[\x00-\x20]", "", (value or "")).lower()
                if squeezed.startswith(BAD_SCHEMES) or "javascript:" in squeezed or "expression(" in squeezed:
                    found.append(f"<{tag} {name}={value!r}>")
    return found


def content_of(page: str) -> str:
    """The rendered module content of a module page."""
    match = re.search(r'<div class="content">(.*?)</div>\s*<nav class="pagination module-nav"', page, re.S)
    assert match, page[:2000]
    return match.group(1)
