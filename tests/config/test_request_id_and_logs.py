"""Every answer carries X-Request-ID (kept or generated); DJANGO_LOG_FORMAT=json logs one JSON object a line with it."""

import json
import re
import subprocess
import urllib.request
import uuid

import pytest

from tests.factories import CourseFactory, tree
from tests.helpers.servers import ROOT, free_port, gunicorn_command, server_env, wait_for_port

HEX32 = re.compile(r"\A[0-9a-f]{32}\Z")


@pytest.mark.django_db
@pytest.mark.embedded
class TestRequestId:
    @pytest.fixture(autouse=True)
    def course(self):
        CourseFactory(slug="shared", status="published", units=tree(1))

    @pytest.mark.parametrize("url", ["/api/v1/courses/", "/api/v1/courses/shared/", "/", "/api/v1/nope/", "/healthz"])
    def test_a_request_id_is_generated_for_every_answer_cache_hits_included(self, client, url):
        seen = set()
        for _ in range(2):  # the second API read is a cache hit, answered early in the stack
            response = client.get(url)
            assert HEX32.match(response["X-Request-ID"]), response["X-Request-ID"]
            seen.add(response["X-Request-ID"])
        assert len(seen) == 2

    def test_a_proxys_request_id_is_kept_on_misses_and_hits(self, client):
        for _ in range(2):
            mine = uuid.uuid4().hex
            assert client.get("/api/v1/courses/", HTTP_X_REQUEST_ID=mine)["X-Request-ID"] == mine
        dashed = str(uuid.uuid4())
        assert client.get("/api/v1/courses/shared/", HTTP_X_REQUEST_ID=dashed)["X-Request-ID"] == dashed

    @pytest.mark.parametrize("sent", ["not-a-uuid", "x" * 500, "<script>", "1; drop table"])
    def test_anything_else_is_replaced_not_echoed(self, client, sent):
        answered = client.get("/api/v1/courses/", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
        assert answered != sent and HEX32.match(answered)


def test_json_logs_name_the_request(sqlite_url):
    """A log line written while serving a request (here: Redis unreachable) carries its request id."""
    port = free_port()
    env = server_env(
        database_url=sqlite_url,
        DJANGO_LOG_FORMAT="json",
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens: the cache logs a warning
    )
    server = subprocess.Popen(
        gunicorn_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    mine = uuid.uuid4().hex
    try:
        wait_for_port(port, 30)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/courses/", headers={"X-Request-ID": mine})
        with urllib.request.urlopen(request, timeout=15) as response:
            assert response.status == 200 and response.headers["X-Request-ID"] == mine
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=15)
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    warning = next(line for line in lines if "catalog cache unavailable" in line["message"])
    assert warning["request_id"] == mine
    assert {"time", "level", "logger", "message", "request_id"} <= set(warning)
    assert warning["level"] == "WARNING" and warning["logger"] == "catalog.cache"
