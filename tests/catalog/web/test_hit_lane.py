"""The hit lane (catalog/web/hits.py) answers a learner's cache hit exactly as the whole middleware stack does:
the same status, body and headers (the request id aside, which is new each time unless the client sent one)."""

import uuid

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory

from catalog.web.hits import HitLane
from tests.factories import CourseFactory, tree

pytestmark = pytest.mark.django_db(transaction=True)  # a WSGIHandler closes connections after each request

ORIGIN = "https://learn.example.org"


class Answer:
    def __init__(self, application, environ):
        self.status, self.headers = None, []
        self.body = b"".join(application(environ, self.start_response))
        self.by_name = {name.lower(): value for name, value in self.headers}

    def start_response(self, status, headers, exc_info=None):
        self.status, self.headers = status, list(headers)

    def comparable(self):
        return self.status, self.body, {k: v for k, v in self.by_name.items() if k != "x-request-id"}


@pytest.fixture
def stack(settings):
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN, "null"]
    settings.CATALOG_HIT_LANE = True

    def make():
        django = WSGIHandler()  # its middleware, as configured now
        return HitLane(django), django

    return make


def environ(path, **headers):
    return RequestFactory().get(path, **headers).environ


def both(stack, path, **headers):
    """The lane's answer and the stack's (CATALOG_HIT_LANE off) to the same request, the cache warm."""
    lane, django = stack()
    Answer(django, environ(path, **headers))  # a miss fills the cache
    through_lane = Answer(lane, environ(path, **headers))
    through_django = Answer(django, environ(path, **headers))
    assert through_lane.by_name["x-cache"] == through_django.by_name["x-cache"] == "HIT"
    return through_lane, through_django


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/api/v1/courses/lane/", {}),
        ("/api/v1/courses/", {"QUERY_STRING": "topic=Testing&page_size=5"}),
        ("/api/v1/topics/", {}),
        ("/api/v1/courses/lane/", {"HTTP_ORIGIN": ORIGIN}),
        ("/api/v1/courses/lane/", {"HTTP_ORIGIN": "https://elsewhere.example.com"}),
        ("/api/v1/courses/lane/", {"HTTP_ORIGIN": "null"}),
        ("/api/v1/courses/lane/", {"HTTP_COOKIE": "theme=dark"}),
    ],
    ids=["detail", "list", "topics", "allowed-origin", "other-origin", "null-origin", "other-cookie"],
)
def test_a_hit_is_answered_as_the_stack_answers_it(stack, path, headers):
    CourseFactory(slug="lane", title="Lane", topic="Testing", status="published", units=tree(1))
    if "QUERY_STRING" in headers:
        path = f"{path}?{headers.pop('QUERY_STRING')}"
    through_lane, through_django = both(stack, path, **headers)
    assert through_lane.comparable() == through_django.comparable()


def test_https_gets_the_same_security_headers(stack, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    CourseFactory(slug="lane", status="published", units=tree(1))
    through_lane, through_django = both(stack, "/api/v1/courses/lane/", secure=True)
    assert through_lane.by_name["strict-transport-security"].startswith("max-age=3600")
    assert through_lane.comparable() == through_django.comparable()


def test_a_valid_request_id_is_kept_and_another_replaced(stack):
    CourseFactory(slug="lane", status="published", units=tree(1))
    given = str(uuid.uuid4())
    through_lane, _ = both(stack, "/api/v1/courses/lane/", HTTP_X_REQUEST_ID=given)
    assert through_lane.by_name["x-request-id"] == given
    replaced, _ = both(stack, "/api/v1/courses/lane/", HTTP_X_REQUEST_ID="not-a-uuid")
    assert uuid.UUID(replaced.by_name["x-request-id"])


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_AUTHORIZATION": "Token nope"}, {"HTTP_COOKIE": "sessionid=x"}, {"HTTP_IF_NONE_MATCH": '"x"'}],
    ids=["token", "session", "conditional"],
)
def test_what_the_lane_does_not_take_goes_to_django(stack, headers, monkeypatch):
    CourseFactory(slug="lane", status="published", units=tree(1))
    lane, django = stack()
    Answer(django, environ("/api/v1/courses/lane/"))
    asked = []
    monkeypatch.setattr(lane, "application", lambda env, start: asked.append(env) or django(env, start))
    Answer(lane, environ("/api/v1/courses/lane/", **headers))
    assert len(asked) == 1


def test_a_miss_goes_to_django_with_its_page_and_fills_the_cache(stack):
    CourseFactory(slug="lane", status="published", units=tree(1))
    lane, _ = stack()
    first = Answer(lane, environ("/api/v1/courses/lane/"))
    second = Answer(lane, environ("/api/v1/courses/lane/"))
    assert (first.by_name["x-cache"], second.by_name["x-cache"]) == ("MISS", "HIT")
    assert first.body == second.body


def test_it_can_be_switched_off(stack, settings, monkeypatch):
    CourseFactory(slug="lane", status="published", units=tree(1))
    lane, django = stack()
    Answer(django, environ("/api/v1/courses/lane/"))
    settings.CATALOG_HIT_LANE = False
    asked = []
    monkeypatch.setattr(lane, "application", lambda env, start: asked.append(env) or django(env, start))
    assert Answer(lane, environ("/api/v1/courses/lane/")).by_name["x-cache"] == "HIT"
    assert len(asked) == 1
