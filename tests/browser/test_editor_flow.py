"""In a real browser: an editor builds, reorders and publishes a course; a learner finds it."""
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from catalog.models import Course, Unit
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def editor_login(django_user_model):
    user = django_user_model.objects.create_user("browser-editor", password="pw-browser-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return "browser-editor", "pw-browser-1"


def test_editor_builds_reorders_and_publishes_then_learners_see_it(page, live_server, editor_login):
    base = live_server.url
    CourseFactory(slug="css-grid", title="Responsive Layouts with CSS Grid", topic="Web Development",
                  status="published", units=tree(2, 2))
    CourseFactory(slug="hidden-draft", title="Hidden draft", topic="Databases", units=tree(1))

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
    page.fill("#id_description", "Ask questions of your data.")
    page.fill("#id_units-0-title", "Basics")
    page.click("#units-group .add-row a")
    page.fill("#id_units-1-title", "Joins")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    course = Course.objects.get(slug="intro-to-sql")
    assert list(course.units.values_list("title", flat=True)) == ["Basics", "Joins"]

    # Modules, on each unit's own page.
    for unit, modules in ((course.units.get(title="Basics"), ["SELECT", "WHERE"]), (course.units.get(title="Joins"), ["INNER JOIN"])):
        page.goto(f"{base}/admin/catalog/unit/{unit.pk}/change/")
        for i, title in enumerate(modules):
            if i:
                page.click("#modules-group .add-row a")
            page.fill(f"#id_modules-{i}-title", title)
        page.click("input[name=_continue]")
        page.wait_for_selector(".messagelist .success")

    # Drag "Joins" above "Basics".
    page.goto(f"{base}/admin/catalog/course/{course.pk}/change/")
    rows = page.locator("#units-group tr.has_original")
    rows.nth(1).locator("td.original p").drag_to(rows.nth(0).locator("td.original p"))
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert list(Unit.objects.filter(course=course).order_by("order").values_list("title", flat=True)) == ["Joins", "Basics"]

    # Publish with the workflow button.
    page.click("button.catalog-transition-publish")
    page.wait_for_selector(".messagelist .success")
    assert Course.objects.get(pk=course.pk).status == "published"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-course.png"), full_page=True)

    # The learner sees it, in the new order.
    page.goto(f"{base}/courses/intro-to-sql/")
    units = page.locator("li.unit h2").all_inner_texts()
    assert units == ["Joins", "Basics"]
    assert page.locator("li.unit").nth(1).locator("li.module").all_inner_texts() == ["SELECT", "WHERE"]

    # Search and a topic chip narrow the list; the draft never shows.
    page.goto(f"{base}/")
    assert page.locator(".course-card").count() == 2
    page.screenshot(path=str(SCREENSHOTS / "learner.png"), full_page=True)
    page.fill("#q", "joins")
    page.click(".search button")
    assert page.locator(".course-card h2").all_inner_texts() == ["Intro to SQL"]
    page.goto(f"{base}/")
    page.click("a.chip:has-text('web-development')")
    assert page.locator(".course-card h2").all_inner_texts() == ["Responsive Layouts with CSS Grid"]
    assert "Hidden draft" not in page.content()
    response = page.goto(f"{base}/courses/hidden-draft/")
    assert response.status == 404
