"""In a real browser, as an editor in Berlin: moves that change what learners see ask first and say what
happens; a new slug waits for publish, then the old address redirects; scheduling in local time with
UTC beside, recorded in the history. axe-core finds no critical or serious violation on these pages."""

import re

import pytest
from django.contrib.auth.models import Group

from catalog.models import Course, CourseTransition
from tests.browser.test_accessibility import blocking
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def berlin(browser):
    """An editor's browser whose clock says Europe/Berlin (the admin learns it from the browser)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, base, django_user_model):
    user = django_user_model.objects.create_user("berlin-editor", password="pw-berlin-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "berlin-editor")
    page.fill("#id_password", "pw-berlin-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def test_confirmations_slug_and_schedule(berlin, live_server, axe, django_user_model, settings):
    page, base = berlin, live_server.url
    site = base.replace("://localhost", "://127.0.0.1")  # the canonical base: the first allowed host
    course = CourseFactory(slug="intro-to-sql", title="Intro to SQL", status="published", units=tree(2, 1))
    CourseFactory(slug="css-grid", title="CSS Grid", status="published", units=tree(1))
    log_in(page, base, django_user_model)
    change = f"{base}/admin/catalog/course/{course.pk}/change/"
    page.goto(change)
    page.wait_for_load_state("load")
    assert any(c["name"] == "catalog_tz" and c["value"] == "Europe/Berlin" for c in page.context.cookies())

    # 1. The slug's help names this course's own address; a new slug waits for publish.
    help_text = page.locator("#id_slug_helptext").inner_text()
    assert f"Learners find this course at {site}/courses/intro-to-sql/" in help_text
    page.fill("#id_slug", "sql-basics")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert "until you publish; then at" in page.locator("#id_slug_helptext").inner_text()
    learner = page.context.new_page()
    learner.goto(f"{base}/courses/intro-to-sql/")
    assert learner.locator("h1").inner_text().startswith("Intro to SQL")

    # Publishing the move asks first, and says both addresses.
    page.click("a.catalog-transition-publish")
    page.wait_for_selector("ul.catalog-consequences")
    said = page.locator("ul.catalog-consequences").inner_text()
    assert f"from {site}/courses/intro-to-sql/ to {site}/courses/sql-basics/" in said
    assert blocking(axe, page) == []
    page.click("input[type=submit][value='Yes, publish now']")
    page.wait_for_selector(".messagelist .success")
    learner.goto(f"{base}/courses/intro-to-sql/")
    assert learner.url.endswith("/courses/sql-basics/")  # followed the 301

    # 2. Unpublish is a link to a page that says what learners lose; nothing moves until "Yes".
    page.click("a.catalog-transition-unpublish")
    page.wait_for_selector("ul.catalog-consequences")
    said = page.locator("ul.catalog-consequences").inner_text()
    assert f"the course page {site}/courses/sql-basics/ and its 3 module pages answer 404" in said
    assert blocking(axe, page) == []
    assert Course.objects.get(pk=course.pk).status == "published"
    page.click("input[type=submit][value='Yes, unpublish it']")
    page.wait_for_selector(".messagelist .success")
    assert Course.objects.get(pk=course.pk).status == "draft"

    # 3. Schedule in Berlin time, with seconds; UTC beside; recorded in the history.
    page.click("a.catalog-schedule-link")
    assert "Times are in Europe/Berlin" in page.locator("#content-main").inner_text()
    now = page.locator("time.catalog-now-time").inner_text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T \((\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d UTC\)", now), now
    assert blocking(axe, page) == []
    page.fill("#id_publish_at", "2031-07-01T09:30:15")
    page.click("input[type=submit][value='Save the schedule']")
    page.wait_for_selector(".messagelist .success")
    assert "goes live at 2031-07-01 09:30:15 CEST (07:30:15 UTC)" in page.locator(".messagelist").inner_text()
    page.goto(f"{base}/admin/catalog/course/{course.pk}/history/")
    assert "Scheduled: goes live at 2031-07-01 07:30:15 UTC." in page.locator("#content-main").inner_text()
    assert blocking(axe, page) == []

    # 4. A bulk action asks too.
    page.goto(f"{base}/admin/catalog/course/")
    page.check(f"input[name=_selected_action][value='{course.pk}']")
    page.check("input[name=_selected_action]:not(:checked)")
    page.select_option("select[name=action]", "unpublish_selected")
    page.click("button[name=index]")
    page.wait_for_selector("p.catalog-bulk-summary")
    assert "Learners lose 1 of these 2 courses at once" in page.locator("p.catalog-bulk-summary").inner_text()
    assert blocking(axe, page) == []
    assert not CourseTransition.objects.filter(course__slug="css-grid", action="unpublish").exists()
