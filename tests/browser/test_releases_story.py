"""The releases workflow in a real browser, as docs/admin.md tells it: an editor changes a published
course, learners see nothing of it, a preview link shows it, publishing shows it to learners, the
releases compare, and a revert brings the old version back."""

import pytest
from django.contrib.auth.models import Group

from catalog.models import Course, Unit
from tests.browser.test_editor_flow import SCREENSHOTS, login, save_and_continue, titles
from tests.factories import CourseFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor_login(django_user_model):
    user = django_user_model.objects.create_user("story-editor", password="pw-story-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return "story-editor", "pw-story-1"


@pytest.fixture
def learner(browser):
    """A second browser with no login: what any learner gets."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def learner_sees(learner, base, slug="intro-to-sql") -> tuple[str, list[str]]:
    """(the API's title, the course page's unit titles) for an anonymous learner."""
    api = learner.request.get(f"{base}/api/v1/courses/{slug}/")
    assert api.status == 200
    learner.goto(f"{base}/courses/{slug}/")
    return api.json()["title"], learner.locator("li.unit h3").all_inner_texts()


def shoot(page, name, *, full_page=True):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


def test_change_preview_publish_compare_revert(page, learner, live_server, editor_login):
    base = live_server.url
    course = CourseFactory(
        slug="intro-to-sql",
        title="Intro to SQL",
        topic="Databases",
        description="Ask questions of your data.",
        status="published",
        units=[
            {
                "title": "Basics",
                "modules": [
                    {"title": "SELECT", "content": "Pick columns.\nName them."},
                    {"title": "WHERE", "content": "Keep some rows."},
                ],
            },
            {"title": "Joins", "modules": [{"title": "INNER JOIN", "content": "Match rows."}]},
        ],
    )
    assert learner_sees(learner, base) == ("Intro to SQL", ["Basics", "Joins"])

    # 1. The editor changes the published course on its page: a title, a unit, a module's text, and
    #    a module moved into the other unit (with the move buttons); one save.
    login(page, base, editor_login)
    page.goto(f"{base}/admin/catalog/course/{course.pk}/change/")
    page.fill("#id_title", "Intro to SQL queries")
    page.fill("#id_units-0-title", "SELECT basics")
    page.fill("#id_units-1-modules-0-content", "Match rows on a key.\nKeep the ones that match.")
    page.click("#units-0-modules-1 button.catalog-move[data-direction=down]")
    save_and_continue(page)
    assert titles(course) == [("SELECT basics", ["SELECT"]), ("Joins", ["WHERE", "INNER JOIN"])]

    # 2. Learners see none of it: the API and the page still serve release 1.
    assert learner_sees(learner, base) == ("Intro to SQL", ["Basics", "Joins"])
    status = page.locator(".field-status_summary").inner_text()
    assert "with unpublished changes" in status and "Learners see release 1" in status
    assert page.locator("button.catalog-transition-publish").inner_text() == "PUBLISH CHANGES"
    shoot(page, "admin-changes-pending.png")
    page.goto(f"{base}/admin/catalog/course/")
    assert "with unpublished changes" in page.locator("#result_list").inner_text()
    shoot(page, "admin-list.png", full_page=False)

    # 3. A preview link shows the working copy to anyone who has it, without logging in.
    page.goto(f"{base}/admin/catalog/course/{course.pk}/change/")
    page.click("button.catalog-preview-button")
    link = page.locator("#catalog-preview-result a.catalog-preview-link")
    preview_url = link.get_attribute("href")
    assert "/preview/" in preview_url
    response = learner.goto(preview_url)
    assert response.headers["cache-control"] == "private, no-store"
    assert "Intro to SQL queries" in learner.content()
    assert learner.locator("li.unit h3").all_inner_texts() == ["SELECT basics", "Joins"]
    shoot(learner, "preview.png")

    # 4. Publish changes: release 2, and learners see it at once.
    page.click("button.catalog-transition-publish")
    assert "release 2 is live" in page.locator(".messagelist .success").inner_text()
    assert learner_sees(learner, base) == ("Intro to SQL queries", ["SELECT basics", "Joins"])

    # 5. Compare release 1 with the live release: fields side by side, units and modules, content.
    page.goto(f"{base}/admin/catalog/course/{course.pk}/compare/?from=1&to=live")
    changes = page.locator(".catalog-changes").inner_text()
    assert "Intro to SQL" in changes and "Intro to SQL queries" in changes
    assert "Moved module “WHERE” from unit 'Basics' to unit 'Joins'" in changes
    assert "Keep the ones that match." in page.locator(".catalog-text-diff ins").all_inner_texts()[-1]
    shoot(page, "admin-compare.png")

    # 6. Revert to release 1 (after a confirmation), then publish it: learners get the old version back.
    page.click("a.catalog-revert-link")
    assert page.locator("input[type=submit]").get_attribute("value") == "Yes, revert to release 1"
    shoot(page, "admin-revert.png")
    page.click("input[type=submit]")
    assert "is now release 1" in page.locator(".messagelist .success").inner_text()
    assert Course.objects.get(pk=course.pk).title == "Intro to SQL"
    assert learner_sees(learner, base)[0] == "Intro to SQL queries"  # not live until published
    page.click("button.catalog-transition-publish")
    assert "release 3 is live" in page.locator(".messagelist .success").inner_text()
    assert learner_sees(learner, base) == ("Intro to SQL", ["Basics", "Joins"])
    assert list(Unit.objects.filter(course=course).order_by("order").values_list("title", flat=True)) == [
        "Basics",
        "Joins",
    ]
    history = page.locator(".field-recent_history").inner_text()
    assert "Reverted the working copy to release 1" in history and "Published release 3" in history
