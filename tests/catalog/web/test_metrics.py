"""GET /metrics (METRICS_ENABLED=1): requests, cache hits and misses, invalidations, back-off and imports,
summed over every gunicorn worker and an import run beside them."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.authtoken.models import Token

from tests.config.test_settings import manage
from tests.factories import CourseFactory, tree
from tests.helpers.servers import ROOT, gunicorn, server_env


def scrape(base) -> dict:
    """{(name, frozenset(labels)): value} of one scrape."""
    with urllib.request.urlopen(f"{base}/metrics", timeout=15) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def total(samples, name, **labels) -> float:
    wanted = set(labels.items())
    return sum(value for (n, found), value in samples.items() if n == name and wanted <= set(found))


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.mark.embedded
def test_off_unless_enabled_and_then_nothing_is_installed(client, db):
    assert client.get("/metrics").status_code == 404
    show = "from django.conf import settings as s; print([m for m in s.MIDDLEWARE if 'Metrics' in m])"
    assert manage("shell", "-c", show).stdout.strip().splitlines()[-1] == "[]"
    on = manage("shell", "-c", show, METRICS_ENABLED="1").stdout.strip().splitlines()[-1]
    assert on == "['catalog.web.middleware.metrics.MetricsMiddleware']"


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
@pytest.mark.redis_only
def test_counts_are_summed_over_workers_and_an_import_beside_them(editor, tmp_path):
    CourseFactory(slug="shared", title="Before", status="published", units=tree(1))
    token = Token.objects.create(user=editor).key
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    metrics_dir = tmp_path / "metrics"
    env = {
        "METRICS_ENABLED": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "CATALOG_CACHE_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
    }
    with gunicorn(database_url=database_url, workers=2, **env) as base:
        detail, listing = f"{base}/api/v1/courses/shared/", f"{base}/api/v1/courses/"
        with ThreadPoolExecutor(8) as pool:
            reads = list(pool.map(get, [detail] * 60 + [listing] * 20))
        assert {status for status, _, _ in reads} == {200}
        states = [headers["X-Cache"] for _, headers, _ in reads]
        assert get(f"{base}/nope")[0] == 404

        body = json.dumps({"title": "After", "topic": "Testing", "status": "published", "units": tree(1)}).encode()
        put = urllib.request.Request(
            detail,
            data=body,
            method="PUT",
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(put, timeout=15) as response:
            assert response.status == 200

        record = tmp_path / "new.json"
        record.write_text(
            json.dumps(
                [{"slug": "imported", "title": "Imported", "topic": "Testing", "status": "published", "units": tree(1)}]
            )
        )
        command_env = server_env(database_url=database_url, **env)
        imported = subprocess.run(
            [sys.executable, "manage.py", "import_courses", str(record)],
            cwd=ROOT,
            env=command_env,
            capture_output=True,
            text=True,
        )
        assert imported.returncode == 0, imported.stderr

        scrapes = [scrape(base) for _ in range(6)]  # answered by either worker
    writers = {Path(name).stem.rsplit("_", 1)[-1] for name in os.listdir(metrics_dir) if name.endswith(".db")}
    assert len(writers) >= 3, writers  # two workers and the import command wrote counts

    for samples in scrapes:
        assert total(samples, "catalog_http_requests_total", route="course-detail", method="GET", status="200") == 60
        assert total(samples, "catalog_http_requests_total", route="course-list", status="200") == 20
        assert total(samples, "catalog_http_requests_total", method="PUT", status="200") == 1
        assert total(samples, "catalog_http_requests_total", status="404") == 1
        assert total(samples, "catalog_http_request_duration_seconds_count", route="course-detail") == 61  # + the PUT
        assert total(samples, "catalog_cache_hits_total") == states.count("HIT") > 0
        assert total(samples, "catalog_cache_misses_total") == states.count("MISS") > 0
        assert total(samples, "catalog_cache_invalidations_total") == 2  # the PUT, and the import's commit
        assert total(samples, "catalog_import_files_total", result="ok") == 1
        assert total(samples, "catalog_import_records_total", outcome="created") == 1
        assert total(samples, "catalog_cache_backoffs_total") == 0


@pytest.mark.embedded
def test_redis_back_off_is_counted(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert manage("migrate", "-v0", DATABASE_URL=database_url).returncode == 0
    env = {"METRICS_ENABLED": "1", "REDIS_URL": "redis://127.0.0.1:1/0"}  # nothing listens there
    with gunicorn(database_url=database_url, **env) as base:
        assert get(f"{base}/api/v1/courses/")[0] == 200
        samples = scrape(base)
    assert total(samples, "catalog_cache_backoffs_total", during="lookup") == 1
    assert total(samples, "catalog_http_requests_total", route="course-list") == 1


@pytest.mark.embedded
def test_gunicorn_conf_shares_one_directory_between_its_workers_by_itself(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    assert manage("migrate", "-v0", DATABASE_URL=database_url).returncode == 0
    with gunicorn(database_url=database_url, workers=2, METRICS_ENABLED="1", PROMETHEUS_MULTIPROC_DIR=None) as base:
        with ThreadPoolExecutor(6) as pool:
            assert set(pool.map(lambda _: get(f"{base}/healthz")[0], range(40))) == {200}
        counts = {total(scrape(base), "catalog_http_requests_total", route="healthz") for _ in range(6)}
    assert counts == {40}


@pytest.mark.embedded
class TestWhoMayScrape:
    """/metrics answers before host validation, so it answers only the scrapers the operator names."""

    def scrape_as(self, settings, remote_addr, **headers):
        from django.test import RequestFactory

        from catalog.web.middleware.metrics import MetricsMiddleware

        request = RequestFactory().get("/metrics", REMOTE_ADDR=remote_addr, HTTP_HOST="anything.example", **headers)
        return MetricsMiddleware(lambda request: None)(request)

    def test_loopback_by_default_and_nobody_else(self, settings):
        assert self.scrape_as(settings, "127.0.0.1").status_code == 200
        assert self.scrape_as(settings, "::1").status_code == 200
        for outsider in ("203.0.113.9", "10.0.0.8", "garbage"):
            response = self.scrape_as(settings, outsider, HTTP_X_FORWARDED_FOR="127.0.0.1")
            assert response.status_code == 404 and b"http_requests" not in response.content

    def test_an_allow_list_of_networks(self, settings):
        settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "2001:db8::/32"]
        assert self.scrape_as(settings, "10.1.2.3").status_code == 200
        assert self.scrape_as(settings, "2001:db8::5").status_code == 200
        assert self.scrape_as(settings, "127.0.0.1").status_code == 404

    def test_or_a_bearer_token(self, settings):
        settings.METRICS_ALLOWED_IPS = []
        settings.METRICS_TOKEN = "s3cret-scraper-token"
        assert (
            self.scrape_as(settings, "203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token").status_code == 200
        )
        assert self.scrape_as(settings, "203.0.113.9", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
        assert self.scrape_as(settings, "127.0.0.1").status_code == 404
