"""axe-core (bundled by axe-playwright-python, no network) on the learner pages and our admin pages:
no critical or serious violation."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from catalog import services
from catalog.models import Course, Module
from tests.factories import CourseFactory

pytestmark = [pytest.mark.django_db(transaction=True)]
BLOCKING = {"critical", "serious"}


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def blocking(axe, page) -> list[str]:
    """The critical and serious violations on the page, one line per element, for the failure message."""
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node['html'][:120]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
        for node in v["nodes"]
    ]


@pytest.fixture
def course():
    course = CourseFactory(
        slug="intro-to-sql",
        title="Intro to SQL",
        topic="Databases",
        status="published",
        units=[
            {"title": "Basics", "modules": [{"title": "SELECT", "content": "# Rows\n\nPick **columns**."}]},
            {"title": "Joins", "modules": [{"title": "INNER JOIN", "content": "Match rows."}]},
        ],
    )
    services.course_update(course=course, title="Intro to SQL, revised")  # unpublished changes
    services.course_schedule(course=course, unpublish_at=timezone.now() + dt.timedelta(days=30))
    return course


def test_learner_pages(page, live_server, axe, course):
    module = Module.objects.filter(unit__course=course).first()
    for path in ("/", "/courses/intro-to-sql/", f"/courses/intro-to-sql/modules/{module.pk}/"):
        page.goto(f"{live_server.url}{path}")
        assert blocking(axe, page) == [], path


def test_admin_pages(page, live_server, axe, course, django_user_model):
    user = django_user_model.objects.create_user("a11y", password="pw-a11y-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "a11y")
    page.fill("#id_password", "pw-a11y-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    pk = Course.objects.get(slug="intro-to-sql").pk
    admin = f"{live_server.url}/admin/catalog/course"
    for path in (
        "/",
        "/?q=joins",
        f"/{pk}/change/",
        f"/{pk}/compare/",
        f"/{pk}/schedule/",
        f"/{pk}/discard/",
        f"/{pk}/revert/1/",
        f"/{pk}/history/",
        "/add/",
    ):
        page.goto(f"{admin}{path}")
        assert blocking(axe, page) == [], path
    # The topic pages, and a module's own page.
    module = Module.objects.filter(unit__course_id=pk).first()
    for url in (
        f"{live_server.url}/admin/catalog/topic/",
        f"{live_server.url}/admin/catalog/topic/databases/change/",
        f"{live_server.url}/admin/catalog/module/{module.pk}/change/",
    ):
        page.goto(url)
        assert blocking(axe, page) == [], url
    # "Add course" half filled in: the unsaved-changes note and the slug filled from the title.
    page.goto(f"{admin}/add/")
    page.locator("#id_title").press_sequentially("Cloud & DevOps")
    page.wait_for_selector(".catalog-unsaved:visible")
    assert blocking(axe, page) == []
    # The course page with a preview link shown and a Markdown preview open.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{admin}/{pk}/change/")
    page.click("button.catalog-preview-button")
    page.wait_for_selector("#catalog-preview-result a.catalog-preview-link")
    page.click("#units-0-modules-0 button.catalog-markdown-preview-button")
    page.wait_for_selector("#units-0-modules-0 .catalog-markdown-preview h1")
    assert blocking(axe, page) == []
    # The tree after adding rows with the page's script: the new inputs are labelled too.
    page.goto(f"{admin}/{pk}/change/")
    page.click("#units-0-modules-group a.djn-add-handler")
    page.click("a.djn-add-handler.djn-model-catalog-unit")
    assert blocking(axe, page) == []
