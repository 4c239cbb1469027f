"""Error pages in production mode (DEBUG off): the site's layout, a viewport, what was not found; never a
traceback; JSON under /api/."""

import re

import pytest
from django.test import Client

from tests.factories import CourseFactory, tree
from tests.helpers.releasing import start_tags

pytestmark = [pytest.mark.django_db, pytest.mark.embedded, pytest.mark.urls("tests.helpers.error_urls")]


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def in_layout(response) -> str:
    html = response.content.decode()
    tags = start_tags(html)
    assert ("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]) in tags
    assert any(tag == "link" and ("rel", "stylesheet") in attrs for tag, attrs in tags), "the site's stylesheet"
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert '<meta name="robots" content="noindex">' in html
    return html


def title(html) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


class TestNotFound:
    def test_an_unknown_address_says_which(self, client):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        html = in_layout(response)
        assert title(html) == "Page not found – Course catalog"
        assert "There is no page at this address: it may have moved, or never existed." in html

    def test_a_page_past_the_end_says_how_many_there_are(self, client):
        for _ in range(21):
            CourseFactory(status="published", units=tree(1))
        response = client.get("/", {"page": "9"})
        assert response.status_code == 404
        assert "There is no page &#x27;9&#x27;: the catalog has 2 pages here." in in_layout(response)

    def test_an_unpublished_course_says_so(self, client):
        CourseFactory(slug="draft", status="draft", units=tree(1))
        html = in_layout(client.get("/courses/draft/"))
        assert "No published course has this address." in html

    def test_a_missing_module_says_so(self, client):
        CourseFactory(slug="sql", status="published", units=tree(1))
        assert "This course has no such module, or is not published." in in_layout(
            client.get("/courses/sql/modules/999999/")
        )

    def test_what_a_visitor_typed_is_not_echoed(self, client):
        html = in_layout(client.get("/<script>alert(1)</script>/"))
        assert "alert" not in html

    def test_the_api_answers_json(self, client):
        response = client.get("/api/v1/courses/nope/")
        assert response.status_code == 404
        assert response.headers["Content-Type"].startswith("application/json")


class TestServerErrors:
    def test_500_in_the_layout_without_internals(self, client):
        response = client.get("/boom/")
        assert response.status_code == 500
        html = in_layout(response)
        assert title(html) == "Something went wrong – Course catalog"
        assert "secret internals" not in html and "Traceback" not in html

    def test_503_when_the_database_is_unreachable(self, client):
        response = client.get("/database-down/")
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        html = in_layout(response)
        assert "The catalog database is unreachable right now; try again shortly." in html
        assert "db.internal" not in html


class TestBadRequest:
    def test_a_bad_filter_on_a_page_says_why(self, client):
        response = client.get("/bad-filter/")
        assert response.status_code == 400
        html = in_layout(response)
        assert title(html) == "Bad request – Course catalog"
        assert "Unknown level &#x27;expert&#x27;: choose beginner, intermediate or advanced." in html
