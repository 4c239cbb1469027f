"""Liveness, readiness, and a database outage seen from a real gunicorn: 503s, then recovery."""

import json
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests.factories import CourseFactory
from tests.helpers.servers import Proxy, gunicorn


@pytest.mark.django_db
@pytest.mark.embedded
class TestProbes:
    def test_healthz(self, client):
        response = client.get("/healthz")
        assert (response.status_code, response.json()) == (200, {"status": "ok"})

    def test_readyz_reports_database_and_redis(self, client, settings):
        response = client.get("/readyz")
        body = response.json()
        assert response.status_code == 200
        assert body["database"] == "ok"
        expected = "ok" if settings.CACHES["default"]["BACKEND"].startswith("django_redis") else "in-process"
        assert body["redis"] == expected

    @pytest.mark.redis_only
    def test_readyz_says_when_redis_is_down_but_stays_ready(self, client, settings):
        caches = {**settings.CACHES}
        caches["default"] = {**caches["default"], "LOCATION": "redis://127.0.0.1:1/0"}
        settings.CACHES = caches
        response = client.get("/readyz")
        assert (response.status_code, response.json()["redis"]) == (200, "unavailable")


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_database_outage_is_a_503_and_recovers_by_itself():
    CourseFactory(slug="visible", status="published")
    proxy = Proxy()
    proxy.start()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}"
    with gunicorn(database_url=database_url, CATALOG_CACHE_ENABLED="0") as base:
        status, _, body = fetch(base + "/api/v1/courses/")
        assert status == 200 and json.loads(body)["count"] == 1

        proxy.cut()
        status, content_type, body = fetch(base + "/api/v1/courses/")
        assert (status, content_type) == (503, "application/json")
        assert "unreachable" in json.loads(body)["detail"]
        status, content_type, body = fetch(base + "/")
        assert status == 503 and b"Traceback" not in body and content_type.startswith("text/html")
        assert fetch(base + "/healthz")[0] == 200
        status, _, body = fetch(base + "/readyz")
        assert status == 503 and json.loads(body)["database"] == "unavailable"

        proxy.start()
        statuses = [fetch(base + "/api/v1/courses/")[0] for _ in range(3)]
        assert statuses[-1] == 200
        assert fetch(base + "/readyz")[0] == 200
    proxy.cut()
