"""The catalog page's filters: level, language and length with counts, a sort, numbered pages, 400s."""

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import BadRequest
from django.utils import timezone

from catalog import services
from catalog.domain.facets import Combination, Selection, facet_counts
from catalog.models import Course
from catalog.web.listing import home_context, page_numbers
from tests.factories import CourseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def course(slug, title, *, level=None, language="en", minutes=None, topic="Databases"):
    units = [{"title": "U", "modules": [{"title": "M", "minutes": minutes}]}]
    return CourseFactory(
        slug=slug, title=title, topic=topic, level=level, language=language, status="published", units=units
    )


@pytest.fixture
def catalog():
    course("sql", "Beta SQL", level="beginner", minutes=45)
    course("joins", "Alpha joins", level="advanced", minutes=300)
    course("dados", "Gamma dados", level="beginner", language="pt-BR")
    course("css", "Delta CSS", minutes=120, topic="Web")
    CourseFactory(slug="draft", title="Draft", level="beginner")  # learners never count it


def cards(page: str) -> list[str]:
    return re.findall(r'<li class="course-card">\s*<h3><a href="[^"]+">([^<]+)</a>', page)


def option(page: str, name: str, value: str) -> tuple[bool, int]:
    """(checked, count) of a filter's checkbox or radio."""
    found = re.search(
        rf'<input type="(?:checkbox|radio)" name="{name}" value="{re.escape(value)}"( checked)?>\s*'
        r'(?:<span[^>]*>)?[^<]+(?:</span>)?\s*<span class="count">(\d+)</span>',
        page,
    )
    assert found, (name, value)
    return bool(found[1]), int(found[2])


class TestFilters:
    def test_counts_of_every_facet_without_a_filter(self, client, catalog):
        page = client.get("/").content.decode()
        assert option(page, "level", "beginner") == (False, 2)
        assert option(page, "level", "advanced") == (False, 1)
        assert option(page, "level", "intermediate") == (False, 0)
        assert option(page, "language", "en") == (False, 3)
        assert option(page, "language", "pt-BR") == (False, 1)
        assert option(page, "max_duration", "60") == (False, 1)
        assert option(page, "max_duration", "180") == (False, 2)
        assert option(page, "max_duration", "600") == (False, 3)

    def test_a_level_narrows_the_list_and_the_other_facets_counts_keep_it(self, client, catalog):
        page = client.get("/?level=beginner").content.decode()
        assert sorted(cards(page)) == ["Beta SQL", "Gamma dados"]
        assert "2 courses" in page
        assert option(page, "level", "beginner") == (True, 2)
        assert option(page, "level", "advanced") == (False, 1)  # what choosing it too would add
        assert option(page, "language", "pt-BR") == (False, 1)
        assert option(page, "max_duration", "60") == (False, 1)

    def test_level_language_topic_and_length_together(self, client, catalog):
        page = client.get("/?level=beginner&level=advanced&language=EN&topic=databases&max_duration=600")
        assert sorted(cards(page.content.decode())) == ["Alpha joins", "Beta SQL"]
        assert option(page.content.decode(), "language", "en") == (True, 2)

    @pytest.mark.parametrize(
        ("query", "says"),
        [
            ("level=expert", "is not a level"),
            ("language=english", "is not a BCP 47 language tag"),
            ("max_duration=soon", "whole number of minutes"),
            ("sort=price", "There is no sort"),
        ],
    )
    def test_a_bad_filter_is_a_400_saying_what_is_wrong(self, client, rf, catalog, query, says):
        assert client.get(f"/?{query}").status_code == 400
        # The message the error page shows (catalog.web.error_pages).
        with pytest.raises(BadRequest, match=says):
            home_context(rf.get(f"/?{query}"))


class TestSortAndPages:
    def test_sorts(self, client, catalog):
        assert cards(client.get("/?sort=title").content.decode()) == [
            "Alpha joins",
            "Beta SQL",
            "Delta CSS",
            "Gamma dados",
        ]
        shortest = cards(client.get("/?sort=shortest").content.decode())
        assert shortest == ["Beta SQL", "Delta CSS", "Alpha joins", "Gamma dados"]  # unknown length last
        newest = client.get("/").content.decode()
        assert cards(newest) == ["Delta CSS", "Gamma dados", "Alpha joins", "Beta SQL"]
        assert re.search(r'<a href="/\?sort=title">Title</a>', newest)
        assert re.search(r'<a href="/" aria-current="true">Newest</a>', newest)

    def test_links_are_canonical_and_keep_the_other_choices(self, client, catalog):
        page = html.unescape(client.get("/?topic=Databases&language=pt-br&sort=title").content.decode())
        assert 'href="/?language=pt-BR&sort=title"' in page  # the Databases chip removes its topic
        assert 'href="/?language=pt-BR&topic=databases"' in page  # newest: the default sort, left out

    def test_numbered_pages(self, client):
        for i in range(45):
            course(f"c-{i:02}", f"Course {i:02}")
        page = html.unescape(client.get("/?page=2").content.decode())
        assert re.search(r'<a href="/\?page=2" aria-current="page" aria-label="Page 2 of 3">2</a>', page)
        assert (
            '<a href="/" aria-label="Page 1">1</a>' in page and '<a href="/?page=3" aria-label="Page 3">3</a>' in page
        )

    def test_page_numbers_show_the_ends_and_a_window(self):
        assert page_numbers(1, 1) == [1]
        assert page_numbers(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
        assert page_numbers(2, 5) == [1, 2, 3, 4, 5]


def test_facet_counts_keep_the_other_facets_choices():
    combinations = [
        Combination("db", "beginner", "en", 60, 1, 3),
        Combination("db", "advanced", "en", 0, 0, 2),
        Combination("web", None, "de", -1, 0, 4),
    ]
    facets = facet_counts(combinations, Selection(levels=("beginner",), max_duration=60))
    assert facets.total == 3
    assert dict(facets.level) == {"beginner": 3}  # advanced is longer than the chosen length
    assert dict(facets.topic) == {"db": 3} and dict(facets.language) == {"en": 3}
    assert dict(facets.duration) == {60: 3, 180: 3, 600: 3}


class TestCountsAtTheSwitch:
    def test_a_scheduled_switch_nothing_recorded_yet_is_in_the_page_s_counts(
        self, client, catalog, time_machine, settings
    ):
        """Unsearched, the facets come from the kept counts: a switch that has come but is not recorded
        (no tick ran) is in them as in the list, a withdrawal out, a go-live in."""
        settings.CATALOG_CACHE_ENABLED = False  # Redis keeps its own time; the moved clock cannot move it
        units = [{"title": "U", "modules": [{"title": "M", "minutes": 20}]}]
        later = CourseFactory(slug="later", title="Later", level="beginner", units=units)
        time_machine.move_to(timezone.now(), tick=False)
        at = timezone.now() + dt.timedelta(minutes=5)
        services.course_schedule(course=Course.objects.get(slug="joins"), unpublish_at=at)
        services.course_schedule(course=later, publish_at=at)
        time_machine.move_to(at + dt.timedelta(minutes=1), tick=False)
        page = client.get("/").content.decode()
        assert sorted(cards(page)) == ["Beta SQL", "Delta CSS", "Gamma dados", "Later"]
        assert option(page, "level", "beginner") == (False, 3)
        assert option(page, "level", "advanced") == (False, 0)
        assert option(page, "max_duration", "180") == (False, 3)
        narrowed = client.get("/?level=beginner&language=en").content.decode()
        assert sorted(cards(narrowed)) == ["Beta SQL", "Later"]
        assert option(narrowed, "max_duration", "60") == (False, 2)
