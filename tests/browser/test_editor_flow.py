"""In a real browser: an editor builds, drags and publishes a course; a learner then finds it, in order."""

import os
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from catalog.models import Course, Module, Unit
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db(transaction=True)]
# The README's screenshots are refreshed only when asked (`make screenshots`), so a test run leaves
# the working tree clean; otherwise they go to a temporary directory.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "catalog-screenshots"
)
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def editor_login(django_user_model):
    user = django_user_model.objects.create_user("browser-editor", password="pw-browser-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return "browser-editor", "pw-browser-1"


@pytest.fixture
def other_courses():
    CourseFactory(
        slug="css-grid",
        title="Responsive Layouts with CSS Grid",
        topic="Web Development",
        description="Build page layouts that adapt from phones to wide screens.",
        status="published",
        units=tree(2, 2),
    )
    CourseFactory(
        slug="pandas",
        title="Data Analysis with pandas",
        topic="Data Science",
        description="Load, clean and summarise tabular data.",
        status="published",
        units=tree(1, 3),
    )
    CourseFactory(slug="hidden-draft", title="Hidden draft", topic="Databases", units=tree(1))


def drag(page, group, source_index, target_index):
    """Drag an inline row by its handle (the row's name), as an editor does with the mouse."""
    rows = page.locator(f"#{group}-group tr.has_original")
    rows.nth(source_index).locator("td.original p").drag_to(rows.nth(target_index).locator("td.original p"))


def save_and_continue(page):
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist li")
    errors = page.locator(".messagelist .error, .errornote").all_inner_texts()
    assert not errors, errors


def test_editor_builds_reorders_and_publishes_then_learners_see_it(page, live_server, editor_login, other_courses):
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", editor_login[0])
    page.fill("#id_password", editor_login[1])
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    # A course with two units, created in the course form and its inline.
    page.goto(f"{base}/admin/catalog/course/add/")
    page.fill("#id_slug", "intro-to-sql")
    page.fill("#id_title", "Intro to SQL")
    page.fill("#id_topic", "Databases")
    page.fill("#id_description", "Ask questions of your data: filter, join and group rows.")
    page.fill("#id_units-0-title", "Basics")
    page.click("#units-group .add-row a")
    page.fill("#id_units-1-title", "Joins")
    save_and_continue(page)
    course = Course.objects.get(slug="intro-to-sql")
    assert list(course.units.values_list("title", flat=True)) == ["Basics", "Joins"]

    # Publishing now is refused with the service's reason, and nothing changes.
    page.click("button.catalog-transition-publish")
    assert "unit 1 'Basics' has no modules" in page.locator(".messagelist .error").inner_text()
    assert Course.objects.get(pk=course.pk).status == "draft"

    # Modules, on each unit's own page (reached from the unit's link in the inline).
    for unit_title, modules in (("Basics", ["SELECT", "WHERE", "ORDER BY"]), ("Joins", ["INNER JOIN"])):
        page.goto(f"{base}/admin/catalog/course/{course.pk}/change/")
        page.locator("#units-group tr.has_original", has_text=unit_title).locator("a.inlinechangelink").click()
        for i, title in enumerate(modules):
            if i:
                page.click("#modules-group .add-row a")
            page.fill(f"#id_modules-{i}-title", title)
        save_and_continue(page)

    # Drag "ORDER BY" to the top of its unit.
    page.goto(f"{base}/admin/catalog/course/{course.pk}/change/")
    page.locator("#units-group tr.has_original", has_text="Basics").locator("a.inlinechangelink").click()
    drag(page, "modules", 2, 0)
    save_and_continue(page)
    basics = Unit.objects.get(course=course, title="Basics")
    assert list(Module.objects.filter(unit=basics).order_by("order").values_list("title", flat=True)) == [
        "ORDER BY",
        "SELECT",
        "WHERE",
    ]

    # Drag "Joins" above "Basics".
    page.goto(f"{base}/admin/catalog/course/{course.pk}/change/")
    drag(page, "units", 1, 0)
    save_and_continue(page)
    assert list(Unit.objects.filter(course=course).order_by("order").values_list("title", flat=True)) == [
        "Joins",
        "Basics",
    ]

    # Publish with the workflow button; the history on the page shows the move.
    page.click("button.catalog-transition-publish")
    page.wait_for_selector(".messagelist .success")
    assert Course.objects.get(pk=course.pk).status == "published"
    assert "Status: draft → published" in page.locator(".field-recent_history").inner_text()
    assert page.locator("button.catalog-transition-unpublish").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-course.png"), full_page=True)

    # The learner sees it at once, in the new order.
    page.goto(f"{base}/courses/intro-to-sql/")
    assert page.title() == "Intro to SQL – Course catalog"
    assert page.locator("li.unit h3").all_inner_texts() == ["Joins", "Basics"]
    assert page.locator("li.unit").nth(1).locator("li.module").all_inner_texts() == ["ORDER BY", "SELECT", "WHERE"]

    # Search and a topic chip narrow the list; the draft never shows.
    page.goto(f"{base}/")
    assert page.locator(".course-card").count() == 3
    assert "Hidden draft" not in page.content()
    page.screenshot(path=str(SCREENSHOTS / "learner.png"), full_page=True)
    page.fill("#q", "joins")
    page.click(".search button")
    assert page.locator(".course-card h3").all_inner_texts() == ["Intro to SQL"]
    page.goto(f"{base}/")
    page.click("a.chip:has-text('web-development')")
    assert page.locator(".course-card h3").all_inner_texts() == ["Responsive Layouts with CSS Grid"]
    assert page.locator("a.chip[aria-current=true]").count() == 1
    response = page.goto(f"{base}/courses/hidden-draft/")
    assert response.status == 404


def test_learner_pages_work_without_javascript_and_fit_a_phone(browser, live_server, other_courses):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "learner-phone.png"), full_page=True)

        page.fill("#q", "tabular")
        page.click(".search button")
        assert page.locator(".course-card h3").all_inner_texts() == ["Data Analysis with pandas"]

        page.goto(f"{live_server.url}/")
        page.click("a.chip:has-text('data-science')")
        page.click(".course-card h3 a")
        assert page.title() == "Data Analysis with pandas – Course catalog"
        assert page.locator("li.unit").count() == 2
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        assert page.goto(f"{live_server.url}/courses/hidden-draft/").status == 404
    finally:
        context.close()
