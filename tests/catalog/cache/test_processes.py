"""Two gunicorn workers sharing Redis: after a write through one, no worker serves the old page."""

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.factories import CourseFactory, tree
from tests.helpers.servers import gunicorn

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only, pytest.mark.redis_only]


def request(url, *, method="GET", body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


@pytest.fixture
def server():
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    with gunicorn(
        database_url=url,
        workers=2,
        REDIS_URL=settings.CACHES["default"]["LOCATION"],
        CATALOG_CACHE_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],
    ) as base:
        yield base


def test_every_worker_is_fresh_after_a_write_through_one(server, editor):
    CourseFactory(slug="shared", title="Before", status="published", units=tree(1))
    token = Token.objects.create(user=editor).key
    url = f"{server}/api/v1/courses/shared/"

    with ThreadPoolExecutor(4) as pool:
        warm = list(pool.map(lambda _: request(url), range(40)))
    assert {status for status, _, _ in warm} == {200}
    assert any(headers["X-Cache"] == "HIT" for _, headers, _ in warm)

    status, _, _ = request(
        url,
        method="PUT",
        token=token,
        body={"title": "After", "topic": "Testing", "units": tree(1), "status": "published"},
    )
    assert status == 200

    with ThreadPoolExecutor(4) as pool:
        reads = list(pool.map(lambda _: request(url), range(40)))
    assert {body["title"] for _, _, body in reads} == {"After"}
    lists = [request(f"{server}/api/v1/courses/") for _ in range(10)]
    assert {body["results"][0]["title"] for _, _, body in lists} == {"After"}
