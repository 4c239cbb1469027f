"""In a real browser: an editor builds, drags and publishes a course; a learner then finds it, in order."""

import os
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from catalog.models import Course, Unit
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


def drag(page, source, target):
    """Drag a row by its handle onto another row's place, with the small mouse steps jQuery UI needs."""
    box, goal = source.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 5, steps=5)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 2, steps=20)
    page.mouse.up()


def save_and_continue(page):
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist li")
    errors = page.locator(".messagelist .error, .errornote, .errorlist").all_inner_texts()
    assert not errors, errors


def login(page, base, credentials):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", credentials[0])
    page.fill("#id_password", credentials[1])
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def titles(course):
    return [
        (u.title, list(u.modules.order_by("order").values_list("title", flat=True)))
        for u in Unit.objects.filter(course=course).order_by("order")
    ]


def test_editor_builds_reorders_and_publishes_then_learners_see_it(page, live_server, editor_login, other_courses):
    base = live_server.url
    login(page, base, editor_login)

    # A course with its units and modules, on one page: the add page's first unit comes with a module row.
    page.goto(f"{base}/admin/catalog/course/add/")
    page.fill("#id_slug", "intro-to-sql")
    page.fill("#id_title", "Intro to SQL")
    page.fill("#id_topic", "Databases")
    page.fill("#id_description", "Ask questions of your data: filter, join and group rows.")
    page.fill("#id_units-0-title", "Basics")
    for i, title in enumerate(["SELECT", "WHERE", "ORDER BY"]):
        if i:
            page.click("#units-0-modules-group a.djn-add-handler")
        page.fill(f"#id_units-0-modules-{i}-title", title)
    page.click("a.djn-add-handler.djn-model-catalog-unit")
    page.fill("#id_units-1-title", "Joins")
    save_and_continue(page)
    course = Course.objects.get(slug="intro-to-sql")
    assert titles(course) == [("Basics", ["SELECT", "WHERE", "ORDER BY"]), ("Joins", [])]

    # Publishing now is refused with the service's reason, and nothing changes.
    page.click("button.catalog-transition-publish")
    assert "unit 2 'Joins' has no modules" in page.locator(".messagelist .error").inner_text()
    assert Course.objects.get(pk=course.pk).status == "draft"

    # On the same page: a module for "Joins", "ORDER BY" dragged to the top of its unit, and
    # "Joins" dragged above "Basics".
    page.click("#units-1-modules-group a.djn-add-handler")
    page.fill("#id_units-1-modules-0-title", "INNER JOIN")
    modules = page.locator("#units-0-modules-group tbody.djn-item")
    drag(page, modules.nth(2).locator(".djn-drag-handler"), modules.nth(0))
    units = page.locator("div.djn-inline-form.has_original[data-inline-model=catalog-unit]")
    drag(page, units.nth(1).locator("h3.djn-drag-handler"), units.nth(0))
    save_and_continue(page)
    assert titles(course) == [("Joins", ["INNER JOIN"]), ("Basics", ["ORDER BY", "SELECT", "WHERE"])]

    # Publish with the workflow button; the history on the page shows the release.
    page.click("button.catalog-transition-publish")
    page.wait_for_selector(".messagelist .success")
    assert Course.objects.get(pk=course.pk).status == "published"
    assert "Published release 1 (draft → published)." in page.locator(".field-recent_history").inner_text()
    assert page.locator("a.catalog-transition-unpublish").is_visible()  # a link to its confirmation page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-course.png"), full_page=True)

    # The learner sees it, in the new order.
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
    page.click("a.chip:has-text('Web development')")
    assert page.locator(".course-card h3").all_inner_texts() == ["Responsive Layouts with CSS Grid"]
    assert page.locator("a.chip[aria-current=true]").count() == 1
    response = page.goto(f"{base}/courses/hidden-draft/")
    assert response.status == 404


def test_the_keyboard_reorders_and_moves_modules_across_units(page, live_server, editor_login):
    course = CourseFactory(slug="keys", title="Keyboard course", units=tree(2, 1))
    login(page, live_server.url, editor_login)
    page.goto(f"{live_server.url}/admin/catalog/course/{course.pk}/change/")
    # Tab from a unit's title reaches its first module's move buttons: real buttons, in the tab order.
    page.focus("#id_units-0-title")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Move module “Module 1.1” up"
    page.keyboard.press("ArrowRight")  # one tab stop per row: the arrow keys move inside it
    page.keyboard.press("Enter")  # "Module 1.1" down: below "Module 1.2"
    announced = "text => (document.getElementById('catalog-live') || {}).textContent?.includes(text)"
    page.wait_for_function(announced, arg="Moved “Module 1.1” to position 2. Save to keep it.")  # said aloud
    page.keyboard.press("Enter")  # and down again: first in unit 2
    page.wait_for_function(announced, arg="to unit “Unit 2”, first")
    # Unit 2 up, above unit 1, with the keyboard too.
    page.focus("#units-1 > h3 button.catalog-move[data-direction=up]")
    page.keyboard.press("Space")
    save_and_continue(page)
    assert titles(course) == [("Unit 2", ["Module 1.1", "Module 2.1"]), ("Unit 1", ["Module 1.2"])]


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
        page.click("a.chip:has-text('Data science')")
        page.click(".course-card h3 a")
        assert page.title() == "Data Analysis with pandas – Course catalog"
        assert page.locator("li.unit").count() == 2
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        assert page.goto(f"{live_server.url}/courses/hidden-draft/").status == 404
    finally:
        context.close()
