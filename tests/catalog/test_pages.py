"""Learner pages: published courses only, newest first, search, topic chips, pagination, ordered tree."""
import pytest

from catalog import services
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def catalog():
    sql = CourseFactory(slug="intro-to-sql", title="Intro to SQL", topic="Databases", status="published",
                        units=[{"title": "Joins", "modules": [{"title": "Quaternion joins"}]}])
    css = CourseFactory(slug="css-grid", title="CSS Grid", topic="Web Development", status="published", units=tree(1))
    CourseFactory(slug="secret-draft", title="Secret draft", topic="Databases", units=tree(1))
    CourseFactory(slug="old-archived", title="Old archived", topic="Databases", status="archived", units=tree(1))
    return sql, css


def test_home_lists_published_courses_newest_first(client, catalog):
    page = client.get("/").content.decode()
    assert page.index("CSS Grid") < page.index("Intro to SQL")
    assert "Secret draft" not in page and "Old archived" not in page
    assert "<title>Course catalog</title>" in page and 'rel="icon"' in page
    assert '<label for="q">' in page


def test_editors_see_the_learner_view_too(client, catalog, editor):
    client.force_login(editor)
    assert "Secret draft" not in client.get("/").content.decode()
    assert client.get("/courses/secret-draft/").status_code == 404


def test_search_and_topic_chips(client, catalog):
    found = client.get("/?q=quaternion").content.decode()
    assert "Intro to SQL" in found and "CSS Grid" not in found
    page = client.get("/").content.decode()
    assert "databases <span class=\"count\">1</span>" in page  # drafts and archived are not counted
    chip = client.get("/?topic=Databases").content.decode()
    assert "Intro to SQL" in chip and "CSS Grid" not in chip
    assert 'aria-current="true"' in chip


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", ""])
def test_bad_page_numbers_never_fail(client, catalog, page):
    response = client.get(f"/?page={page}")
    assert response.status_code == 200
    assert "Intro to SQL" in response.content.decode()


def test_pagination(client):
    for i in range(23):
        CourseFactory(slug=f"c-{i:02d}", title=f"Course {i:02d}", status="published")
    first = client.get("/").content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/?page=2").content.decode()
    assert second.count('class="course-card"') == 3


def test_course_page_shows_the_ordered_tree(client, catalog):
    sql, _ = catalog
    services.unit_create(course=sql, title="Basics", position=1)
    page = client.get("/courses/intro-to-sql/").content.decode()
    assert "<title>Intro to SQL – Course catalog</title>" in page
    assert page.index("Basics") < page.index("Joins") < page.index("Quaternion joins")


@pytest.mark.parametrize("slug", ["secret-draft", "old-archived", "missing"])
def test_draft_archived_and_missing_courses_are_404(client, catalog, slug):
    assert client.get(f"/courses/{slug}/").status_code == 404
