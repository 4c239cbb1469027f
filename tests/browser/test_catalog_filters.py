"""In a real browser, without JavaScript: a learner narrows the catalog by level, language and length,
sorts it, and the counts beside each choice say what a click would give."""

import pytest

from tests.browser.test_editor_flow import SCREENSHOTS
from tests.factories import CourseFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def modules(*minutes):
    return [{"title": "Unit", "modules": [{"title": f"Part {i}", "minutes": m} for i, m in enumerate(minutes, 1)]}]


@pytest.fixture
def catalog():
    CourseFactory(
        slug="sql-basics",
        title="SQL for Beginners",
        topic="Databases",
        level="beginner",
        language="en",
        description="Select, filter and sort rows.",
        status="published",
        units=modules(20, 25),
    )
    CourseFactory(
        slug="sql-tuning",
        title="Tuning PostgreSQL Queries",
        topic="Databases",
        level="advanced",
        language="en",
        description="Read plans, pick indexes, measure.",
        status="published",
        units=modules(90, 120),
    )
    CourseFactory(
        slug="python-fr",
        title="Python pour débutants",
        topic="Programming",
        level="beginner",
        language="fr",
        description="Variables, boucles et fonctions.",
        status="published",
        units=modules(30),
    )
    CourseFactory(
        slug="design-systems",
        title="Design Systems",
        topic="Design",
        language="en",
        description="Tokens, components and their documentation.",
        status="published",
        units=modules(45, 45),
    )


@pytest.fixture
def page_without_js(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def titles(page) -> list[str]:
    return page.locator(".course-card h3").all_inner_texts()


def test_a_learner_narrows_by_level_and_language_and_sorts_by_length(page_without_js, live_server, catalog):
    page = page_without_js
    page.goto(live_server.url + "/")
    assert len(titles(page)) == 4
    beginner = page.locator("form.facets label.facet-option", has_text="Beginner")
    assert beginner.locator(".count").inner_text() == "2"
    beginner.locator("input").check()
    page.locator("form.facets button[type=submit]").click()
    page.wait_for_url("**level=beginner**")
    assert sorted(titles(page)) == ["Python pour débutants", "SQL for Beginners"]
    # The language counts now count the beginners' courses only.
    french = page.locator("form.facets label.facet-option", has_text="French")
    assert french.locator(".count").inner_text() == "1"
    french.locator("input").check()
    page.locator("form.facets button[type=submit]").click()
    page.wait_for_url("**language=fr**")
    assert titles(page) == ["Python pour débutants"]
    page.locator("a", has_text="Clear all filters").click()
    page.locator("nav.sort a", has_text="Shortest").click()
    page.wait_for_url("**sort=shortest**")
    assert titles(page) == ["Python pour débutants", "SQL for Beginners", "Design Systems", "Tuning PostgreSQL Queries"]


def test_the_readmes_picture_of_the_filtered_catalog(page_without_js, live_server, catalog):
    page = page_without_js
    page.goto(live_server.url + "/?language=en&max_duration=120")
    assert sorted(titles(page)) == ["Design Systems", "SQL for Beginners"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "catalog-filters.png"), full_page=True)  # the README's
