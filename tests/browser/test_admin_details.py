"""The small things of the course page, in a browser: the slug follows the title, topics are suggested,
unsaved changes are said, actions stay on one line at 1280 px, a preview link's expiry reads well."""

import re

import pytest
from django.contrib.auth.models import Group

from catalog.models import Course
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor_page(browser, live_server, django_user_model):
    user = django_user_model.objects.create_user("detail-editor", password="pw-detail-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Paris")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "detail-editor")
    page.fill("#id_password", "pw-detail-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    yield page
    context.close()


def test_add_course_fills_the_slug_suggests_topics_and_says_what_is_unsaved(editor_page, live_server):
    page = editor_page
    CourseFactory(slug="ops", topic="Cloud & DevOps", units=tree(1))
    page.goto(f"{live_server.url}/admin/catalog/course/add/")
    assert page.locator(".catalog-unsaved").first.is_hidden()
    page.locator("#id_title").press_sequentially("Kubernetes for Cloud & DevOps teams")  # keys, as typed
    assert page.input_value("#id_slug") == "kubernetes-for-cloud-devops-teams"
    assert page.locator("#id_topic_suggestions option").evaluate_all("os => os.map(o => o.value)") == ["Cloud & DevOps"]
    assert page.locator(".catalog-unsaved").first.is_visible()
    assert page.title().startswith("• ")
    page.fill("#id_topic", "Cloud & DevOps")
    page.fill("#id_units-0-title", "Basics")
    page.fill("#id_units-0-modules-0-title", "Pods")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    course = Course.objects.get(slug="kubernetes-for-cloud-devops-teams")
    assert course.topic == "cloud-devops"
    assert page.locator(".catalog-unsaved").first.is_hidden()  # a fresh page: nothing unsaved
    assert page.input_value("#id_topic") == "Cloud & DevOps"


def test_actions_stay_on_one_line_and_the_preview_expiry_is_local_time_and_utc(editor_page, live_server):
    page = editor_page
    course = CourseFactory(slug="sql", title="Intro to SQL", status="published", units=tree(2, 2))
    from catalog import services

    services.course_update(course=course, title="Intro to SQL, revised")  # publish changes + discard shown
    page.goto(f"{live_server.url}/admin/catalog/course/{course.pk}/change/")
    tools = page.locator("#content-main > .object-tools > li > a, #content-main > .object-tools > li > form > button")
    assert tools.count() >= 6
    heights = tools.evaluate_all(
        "els => els.map(e => [e.textContent.trim(), e.getClientRects()[0].height,"
        " parseFloat(getComputedStyle(e).lineHeight) || 16])"
    )
    two_lines = [text for text, height, line in heights if height > 2 * line]
    assert two_lines == [], heights

    page.click("button.catalog-preview-button")
    message = page.locator("#catalog-preview-result")
    message.locator("a.catalog-preview-link").wait_for()
    text = message.inner_text()
    assert text.startswith("Copied the preview link (works without login until ")
    # Paris time to the minute, UTC beside it: no seconds, no microseconds.
    assert re.search(
        r"until \d{4}-\d\d-\d\d \d\d:\d\d Europe/Paris \((\d{4}-\d\d-\d\d )?\d\d:\d\d UTC\)\): http", text
    ), text
    local, utc = re.search(r"(\d\d):\d\d Europe/Paris \((?:\S+ )?(\d\d):\d\d UTC", text).groups()
    assert (int(local) - int(utc)) % 24 in (1, 2)  # CET or CEST
