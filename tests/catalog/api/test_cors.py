"""CORS from CORS_ALLOWED_ORIGINS: a learners' front-end on its own origin reads the API, cache hits included."""

import pytest

from tests.config.test_settings import manage
from tests.factories import CourseFactory, tree
from tests.helpers.api import LIST, TOPICS, detail, record

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

FRONT_END = "https://learn.example.org"


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]


@pytest.fixture
def course():
    return CourseFactory(slug="shared", status="published", units=tree(1))


def vary(response):
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("url", [LIST, detail("shared"), TOPICS])
def test_an_allowed_origin_reads_misses_and_hits(api, course, url):
    for expected in ("MISS", "HIT"):
        response = api.get(url, HTTP_ORIGIN=FRONT_END)
        assert response.status_code == 200 and response["X-Cache"] == expected
        assert response["Access-Control-Allow-Origin"] == FRONT_END
        assert {"origin", "authorization", "cookie"} <= vary(response)
        assert "ETag" in response["Access-Control-Expose-Headers"]
        assert "Access-Control-Allow-Credentials" not in response


def test_another_origin_gets_no_grant_even_from_the_page_an_allowed_one_filled(api, course):
    api.get(LIST, HTTP_ORIGIN=FRONT_END)
    for origin in ("https://evil.example", "null", FRONT_END + ".evil.example"):
        response = api.get(LIST, HTTP_ORIGIN=origin)
        assert response["X-Cache"] == "HIT"
        assert "Access-Control-Allow-Origin" not in response
        assert "origin" in vary(response)  # shared caches must not hand one origin's answer to another
    without = api.get(LIST)
    assert "Access-Control-Allow-Origin" not in without and "origin" in vary(without)


def test_a_preflight_is_answered(api, course):
    response = api.options(
        detail("shared"),
        HTTP_ORIGIN=FRONT_END,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, if-match",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    assert "PUT" in response["Access-Control-Allow-Methods"]
    allowed_headers = response["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    refused = api.options(LIST, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert "Access-Control-Allow-Origin" not in refused


def test_browser_code_may_make_conditional_writes_and_read_what_they_answer(api, editor_api, course):
    asked = ["if-match", "if-none-match", "authorization", "content-type"]
    response = api.options(
        detail("shared"),
        HTTP_ORIGIN=FRONT_END,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=", ".join(asked),
    )
    assert set(asked) <= {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    created = editor_api.put(detail("new-one"), record(), format="json", HTTP_ORIGIN=FRONT_END)
    assert created.status_code == 201
    exposed = {h.strip().lower() for h in created["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "x-cache", "x-request-id", "location"} <= exposed


def test_pages_for_people_are_not_shared(client, course):
    response = client.get("/", HTTP_ORIGIN=FRONT_END)
    assert "Access-Control-Allow-Origin" not in response


def test_no_origin_is_allowed_unless_configured(api, course, settings):
    settings.CORS_ALLOWED_ORIGINS = []
    assert "Access-Control-Allow-Origin" not in api.get(LIST, HTTP_ORIGIN=FRONT_END)


def test_origins_come_from_the_environment():
    show = "from django.conf import settings as s; print(repr(s.CORS_ALLOWED_ORIGINS))"
    assert manage("shell", "-c", show).stdout.strip().splitlines()[-1] == "[]"
    result = manage("shell", "-c", show, CORS_ALLOWED_ORIGINS="https://a.example,https://b.example:8443")
    assert result.stdout.strip().splitlines()[-1] == "['https://a.example', 'https://b.example:8443']"
    bad = manage("check", CORS_ALLOWED_ORIGINS="https://a.example/")
    assert bad.returncode != 0 and "corsheaders.E014" in bad.stderr
