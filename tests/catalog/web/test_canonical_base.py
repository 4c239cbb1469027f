"""One canonical base: no request header puts a foreign host or path into a cached answer, and Host
variants share one cache entry."""

import http.client
import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import CourseFactory, tree
from tests.helpers.servers import gunicorn

LIST = "/api/v1/courses/"
CANONICAL_NEXT = "http://127.0.0.1/api/v1/courses/?page=2&page_size=1"

# What a client may send to steer the links (each a dict of WSGI environ entries for the test client).
HOSTILE = {
    "script-name": {"SCRIPT_NAME": "//evil.example"},
    "script-name-path": {"SCRIPT_NAME": "/evil"},
    "x-forwarded-host": {"HTTP_X_FORWARDED_HOST": "evil.example"},
    "x-forwarded-port": {"HTTP_X_FORWARDED_PORT": "6666"},
    "x-forwarded-prefix": {"HTTP_X_FORWARDED_PREFIX": "/evil"},
    "x-forwarded-proto": {"HTTP_X_FORWARDED_PROTO": "https"},
    "forwarded": {"HTTP_FORWARDED": "for=1.2.3.4;host=evil.example;proto=https"},
    "host-upper": {"HTTP_HOST": "LOCALHOST"},
    "host-dot": {"HTTP_HOST": "localhost."},
    "host-port": {"HTTP_HOST": "127.0.0.1:6666"},
    "host-ipv6": {"HTTP_HOST": "[::1]"},
    "https": {"wsgi.url_scheme": "https"},
}


@pytest.fixture
def two_courses(db):
    for n in range(2):
        CourseFactory(slug=f"course-{n}", status="published", units=tree(1))


@pytest.mark.django_db
@pytest.mark.embedded
class TestInProcess:
    @pytest.mark.parametrize("name", HOSTILE)
    def test_a_header_cannot_steer_the_links_of_a_cached_page(self, api, two_courses, name):
        first = api.get(LIST, {"page_size": 1}, **HOSTILE[name])
        assert first.status_code == 200 and first["X-Cache"] == "MISS"
        assert first.json()["next"] == CANONICAL_NEXT
        then = api.get(LIST, {"page_size": 1})
        assert then["X-Cache"] == "HIT"  # the hostile request's page is the one everybody gets
        assert then.json()["next"] == CANONICAL_NEXT
        assert b"evil" not in first.content + then.content and b"6666" not in first.content + then.content

    def test_host_variants_share_one_cache_entry(self, api, two_courses):
        answers = [api.get(LIST, {"page_size": 1}, **environ) for environ in HOSTILE.values()]
        assert [a["X-Cache"] for a in answers] == ["MISS"] + ["HIT"] * (len(answers) - 1)
        assert len({a.content for a in answers}) == 1

    def test_the_location_of_a_created_course_is_canonical(self, editor_api):
        body = {"slug": "made", "title": "Made", "topic": "Testing"}
        response = editor_api.post(LIST, body, format="json", HTTP_X_FORWARDED_HOST="evil.example", SCRIPT_NAME="/x")
        assert response.status_code == 201
        assert response["Location"] == "http://127.0.0.1/api/v1/courses/made/"

    def test_a_configured_base_url_names_scheme_host_and_path(self, api, two_courses, settings):
        settings.CATALOG_BASE_URL = "https://catalog.example.org/learn"
        settings.FORCE_SCRIPT_NAME = "/learn"
        response = api.get(LIST, {"page_size": 1}, SCRIPT_NAME="//evil.example", HTTP_HOST="localhost:8000")
        assert response.json()["next"] == "https://catalog.example.org/learn/api/v1/courses/?page=2&page_size=1"
        # The next learner, on another Host variant: the same entry, the same links.
        again = api.get(LIST, {"page_size": 1})
        assert again["X-Cache"] == "HIT" and again.content == response.content


@pytest.mark.django_db
@pytest.mark.embedded
class TestOneEntryPerPage:
    """Equivalent spellings of a URL are one cached answer: one client cannot fill the cache with copies."""

    @pytest.mark.parametrize(
        "spellings",
        [
            [LIST + "?page=2&page_size=1", LIST + "?page=02&page_size=01", LIST + "?page=002&page_size=001"],
            [LIST + "?page_size=20", LIST + "?page_size=020", LIST + "?page=01", LIST],
            ["/api/v1/changes/?limit=5", "/api/v1/changes/?limit=05", "/api/v1/changes/?limit=0005"],
        ],
    )
    def test_leading_zeros_are_the_same_number(self, api, two_courses, spellings):
        answers = [api.get(url) for url in spellings]
        assert [a.status_code for a in answers] == [200] * len(spellings)
        assert [a["X-Cache"] for a in answers] == ["MISS"] + ["HIT"] * (len(spellings) - 1)
        assert len({a.content for a in answers}) == 1

    def test_a_module_id_with_leading_zeros_is_the_same_module(self, api, two_courses):
        from catalog.models import Module

        module = Module.objects.filter(unit__course__slug="course-0").first()
        urls = [f"/api/v1/courses/course-0/modules/{module.pk}/", f"/api/v1/courses/course-0/modules/0{module.pk}/"]
        answers = [api.get(url) for url in urls]
        assert [(a.status_code, a["X-Cache"]) for a in answers] == [(200, "MISS"), (200, "HIT")]


@pytest.mark.django_db
@pytest.mark.embedded
class TestAbsoluteAddresses:
    def test_an_old_slug_redirects_to_an_absolute_url(self, api, client, editor_api, settings):
        settings.CATALOG_BASE_URL = "https://catalog.example.org"
        CourseFactory(slug="old", status="published", units=tree(1))
        assert editor_api.patch(LIST + "old/", {"slug": "new", "status": "published"}, format="json").status_code == 200
        module = editor_api.get(LIST + "new/").json()["units"][0]["modules"][0]["id"]
        for got, expected in (
            (api.get(LIST + "old/?x=1"), "https://catalog.example.org/api/v1/courses/new/?x=1"),
            (client.get("/courses/old/"), "https://catalog.example.org/courses/new/"),
            (
                client.get(f"/courses/old/modules/{module}/"),
                f"https://catalog.example.org/courses/new/modules/{module}/",
            ),
            (api.get("/api/v1/topics"), "https://catalog.example.org/api/v1/topics/"),
        ):
            assert (got.status_code, got["Location"]) == (301, expected)

    def test_the_record_schema_is_identified_by_where_it_is_served(self, api, settings):
        settings.CATALOG_BASE_URL = "https://catalog.example.org/learn"
        settings.FORCE_SCRIPT_NAME = "/learn"
        schema = api.get("/api/schema/course-record.json").json()
        assert schema["$id"] == "https://catalog.example.org/learn/api/schema/course-record.json"


def test_the_beat_keeps_its_schedule_in_the_checkout():
    """Two checkouts on one machine must not share one schedule file (it was one file in /tmp)."""
    assert str(settings.CELERY_BEAT_SCHEDULE_FILENAME).startswith(str(settings.BASE_DIR))


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
@pytest.mark.redis_only
class TestUnderGunicorn:
    """The attack of the issue, from outside: a SCRIPT_NAME header through gunicorn."""

    @pytest.fixture
    def serve(self):
        db = connection.settings_dict
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

        def start(**env):
            return gunicorn(
                database_url=url,
                REDIS_URL=settings.CACHES["default"]["LOCATION"],
                CATALOG_CACHE_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],
                **env,
            )

        return start

    @staticmethod
    def raw_get(base, target, **headers):
        parts = urlsplit(base)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
        conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        headers.setdefault("Host", parts.netloc)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, response.headers, body

    # Trusting the local forwarder (gunicorn's old default) must not matter either.
    @pytest.mark.parametrize("trust", ["", "127.0.0.1"], ids=["no-forwarder-trusted", "loopback-trusted"])
    def test_script_name_and_forwarded_headers_never_reach_a_cached_page(self, serve, two_courses, trust):
        with serve(FORWARDED_ALLOW_IPS=trust) as base:
            port = urlsplit(base).port
            attacks = [
                ("//evil.example/api/v1/courses/?page_size=1", {"SCRIPT_NAME": "//evil.example"}),
                ("/api/v1/courses/?page_size=1", {"X-Forwarded-Host": "evil.example", "X-Forwarded-Port": "6666"}),
                ("/api/v1/courses/?page_size=1", {"X-Forwarded-Prefix": "/evil", "Forwarded": "host=evil.example"}),
                ("/api/v1/courses/?page_size=1", {"Host": f"LOCALHOST:{port}"}),
                ("/api/v1/courses/?page_size=1", {"Host": "127.0.0.1"}),
            ]
            for target, headers in attacks:
                status, _, body = self.raw_get(base, target, **headers)
                assert b"evil" not in body and b"6666" not in body, (target, headers, body[:300])
            status, response_headers, body = self.raw_get(base, "/api/v1/courses/?page_size=1")
            assert status == 200 and response_headers["X-Cache"] == "HIT"
            assert json.loads(body)["next"] == f"http://127.0.0.1:{port}/api/v1/courses/?page=2&page_size=1"
