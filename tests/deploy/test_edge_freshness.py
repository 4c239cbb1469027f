"""The catalog behind a real varnishd with the shipped VCL: once a write has returned, no reader gets the old data
through the edge, whichever way the write came (API, admin, an import in another process, a scheduled switch
with nothing running, catalog_tick, a delete, a new slug); editors, previews and sessions never come from it."""

import datetime as dt
import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from catalog import services
from catalog.models import Course
from tests.factories import CourseFactory, tree
from tests.helpers.admin import all_units, change_url, course_form, transition_url
from tests.helpers.commands import course as course_record
from tests.helpers.commands import write_json
from tests.helpers.servers import ROOT, free_port, gunicorn
from tests.helpers.varnish import Varnish, fetch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only, pytest.mark.redis_only]


def database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def app_env(edge_url: str) -> dict:
    return {
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "CATALOG_CACHE_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "CATALOG_EDGE_PURGE_URLS": edge_url,
    }


@pytest.fixture(scope="module")
def stack(django_db_setup):
    """gunicorn (two workers) behind varnishd; the web servers purge the edge, and so does this process."""
    edge_port = free_port()
    with (
        gunicorn(database_url=database_url(), workers=2, **app_env(f"http://127.0.0.1:{edge_port}")) as base,
        Varnish(urlsplit(base).port, port=edge_port) as edge,
    ):
        yield edge


@pytest.fixture
def edge(stack, settings):
    settings.CATALOG_EDGE_PURGE_URLS = [stack.url]
    # Every test starts from an empty edge (the database is emptied between tests without a write).
    everything = f"{settings.CACHES['default']['KEY_PREFIX']}:all"
    assert fetch(stack.url + "/", method="PURGE", headers={"xkey": everything})[0] == 200
    return stack


def read(edge, path, **headers):
    status, answer, body = fetch(edge.url + path, headers=headers)
    return status, answer, body


def title(edge, slug):
    status, answer, body = read(edge, f"/api/v1/courses/{slug}/")
    return json.loads(body)["title"] if status == 200 else status


def held(edge, path) -> bool:
    """Whether the edge now answers `path` from what it holds (read it twice to be sure it was filled)."""
    read(edge, path)
    return read(edge, path)[1]["X-Edge-Cache"] == "HIT"


def token_of(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


def write(edge, method, path, body, token):
    status, answer, data = fetch(
        edge.url + path,
        method=method,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        body=json.dumps(body).encode() if body is not None else None,
    )
    return status, data


def published(slug="edge", title="Before", **fields):
    return CourseFactory(slug=slug, title=title, topic="Testing", status="published", units=tree(2), **fields)


class TestLearnerAnswers:
    def test_are_kept_and_served_as_edge_hits_with_their_keys_hidden(self, edge):
        published()
        assert title(edge, "edge") == "Before"
        status, answer, _ = read(edge, "/api/v1/courses/edge/")
        assert (status, answer["X-Edge-Cache"], answer["X-Cache"]) == (200, "HIT", "HIT")
        assert "Set-Cookie" not in answer and "xkey" not in answer and "Surrogate-Control" not in answer
        for path in ("/api/v1/courses/", "/api/v1/topics/", "/", "/courses/edge/", "/api/v1/changes/"):
            assert held(edge, path), path

    def test_a_learner_page_sets_no_cookie(self, edge):
        course = published()
        module = course.units.first().modules.first()
        for path in ("/", "/courses/edge/", f"/courses/edge/modules/{module.pk}/", "/api/v1/courses/?topic=testing"):
            status, answer, _ = read(edge, path)
            assert status == 200 and "Set-Cookie" not in answer, path


class TestEveryWritePathPurges:
    def test_an_api_write(self, edge, editor):
        published()
        assert held(edge, "/api/v1/courses/edge/") and held(edge, "/api/v1/courses/") and held(edge, "/courses/edge/")
        status, _ = write(
            edge, "PATCH", "/api/v1/courses/edge/", {"title": "After", "status": "published"}, token_of(editor)
        )
        assert status == 200
        assert title(edge, "edge") == "After"
        assert json.loads(read(edge, "/api/v1/courses/")[2])["results"][0]["title"] == "After"
        assert b"After" in read(edge, "/courses/edge/")[2]

    def test_a_service_call_in_another_process(self, edge):
        course = published()
        assert held(edge, "/api/v1/courses/edge/")
        services.course_update(course=course, title="After")
        services.course_publish(course=Course.objects.get(pk=course.pk))
        assert title(edge, "edge") == "After"

    def test_the_admin(self, edge, admin_client):
        course = published()
        assert held(edge, "/api/v1/courses/edge/")
        response = admin_client.post(change_url(course), course_form(course, all_units(course), title="After"))
        assert response.status_code == 302
        assert title(edge, "edge") == "Before"  # the working copy only: learners still see the release
        assert admin_client.post(transition_url(course, "publish")).status_code == 302
        assert title(edge, "edge") == "After"

    def test_an_import_from_another_process(self, edge, tmp_path):
        published()
        assert held(edge, "/api/v1/courses/edge/") and held(edge, "/api/v1/topics/")
        path = write_json(tmp_path, [course_record("edge", title="Imported", topic="Imports")])
        env = {**os.environ, "DATABASE_URL": database_url(), **app_env(edge.url)}
        subprocess.run([sys.executable, "manage.py", "import_courses", path], cwd=ROOT, env=env, check=True)
        assert title(edge, "edge") == "Imported"
        assert [t["topic"] for t in json.loads(read(edge, "/api/v1/topics/")[2])] == ["imports"]

    def test_a_delete(self, edge, editor):
        published()
        assert held(edge, "/api/v1/courses/edge/") and held(edge, "/courses/edge/")
        assert write(edge, "DELETE", "/api/v1/courses/edge/", None, token_of(editor))[0] == 204
        assert title(edge, "edge") == 404
        assert read(edge, "/courses/edge/")[0] == 404
        assert json.loads(read(edge, "/api/v1/courses/")[2])["count"] == 0

    def test_a_new_slug_and_its_redirect(self, edge, editor):
        published()
        assert held(edge, "/api/v1/courses/edge/") and held(edge, "/api/v1/courses/renamed/")  # a 404, kept too
        status, _ = write(
            edge, "PATCH", "/api/v1/courses/edge/", {"slug": "renamed", "status": "published"}, token_of(editor)
        )
        assert status == 200
        status, answer, _ = read(edge, "/api/v1/courses/edge/")
        assert status == 301 and answer["Location"].endswith("/api/v1/courses/renamed/")
        assert read(edge, "/courses/edge/")[0] == 301
        assert title(edge, "renamed") == "Before"
        # Another course takes the old address: the redirect held at the edge goes.
        assert held(edge, "/api/v1/courses/edge/")
        published(slug="edge", title="Newcomer")
        assert title(edge, "edge") == "Newcomer"

    def test_a_scheduled_switch_with_nothing_running(self, edge, editor):
        course = CourseFactory(slug="edge", title="Soon", topic="Testing", units=tree(1))
        going = published(slug="going", title="Going")
        publish_at = timezone.now() + dt.timedelta(seconds=2.5)
        services.course_schedule(course=course, publish_at=publish_at, by=editor)
        services.course_schedule(course=going, unpublish_at=publish_at, by=editor)
        assert held(edge, "/api/v1/courses/edge/") and held(edge, "/api/v1/courses/going/")
        assert title(edge, "edge") == 404 and title(edge, "going") == "Going"
        time.sleep(max(0.0, (publish_at - timezone.now()).total_seconds()) + 1.0)  # the contract: within a second
        assert title(edge, "edge") == "Soon"
        assert title(edge, "going") == 404
        assert [c["slug"] for c in json.loads(read(edge, "/api/v1/courses/")[2])["results"]] == ["edge"]

    def test_catalog_tick_recording_a_switch(self, edge, editor):
        course = CourseFactory(slug="edge", title="Soon", topic="Testing", units=tree(1))
        publish_at = timezone.now() + dt.timedelta(seconds=1.5)
        services.course_schedule(course=course, publish_at=publish_at, by=editor)
        time.sleep(max(0.0, (publish_at - timezone.now()).total_seconds()) + 0.2)
        assert held(edge, f"/api/v1/courses/{course.slug}/")
        env = {**os.environ, "DATABASE_URL": database_url(), **app_env(edge.url)}
        tick = [sys.executable, "manage.py", "catalog_tick"]
        subprocess.run(tick, cwd=ROOT, env=env, check=True, capture_output=True)
        status, answer, _ = read(edge, "/api/v1/courses/edge/")
        assert answer["X-Edge-Cache"] == "MISS"  # the tick's write purged it
        assert json.loads(read(edge, "/api/v1/courses/edge/")[2])["status"] == "published"


class TestNeverFromTheEdge:
    def test_editors_answers(self, edge, editor):
        published()
        assert held(edge, "/api/v1/courses/edge/")
        status, answer, body = read(edge, "/api/v1/courses/edge/", Authorization=f"Token {token_of(editor)}")
        assert (status, answer["X-Edge-Cache"]) == (200, "PASS")
        assert "has_unpublished_changes" in json.loads(body)
        # ...and an editor's answer never reaches a learner.
        assert "has_unpublished_changes" not in json.loads(read(edge, "/api/v1/courses/edge/")[2])

    def test_a_session(self, edge, client, editor):
        published()
        client.force_login(editor)
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        for path in ("/api/v1/courses/edge/", "/", "/admin/"):
            read(edge, path, Cookie=cookie)
            assert read(edge, path, Cookie=cookie)[1]["X-Edge-Cache"] == "PASS", path

    def test_previews(self, edge, editor):
        published()
        status, body = write(edge, "POST", "/api/v1/courses/edge/preview/", None, token_of(editor))
        assert status == 201
        for url in (json.loads(body)["url"], json.loads(body)["api_url"]):
            path = urlsplit(url).path
            read(edge, path)
            status, answer, _ = read(edge, path)
            assert (status, answer["X-Edge-Cache"], answer["Cache-Control"]) == (200, "PASS", "private, no-store")
