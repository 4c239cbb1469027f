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
