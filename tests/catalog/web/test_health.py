"""Liveness, readiness, and a database outage seen from a real gunicorn: 503s, then recovery."""

import contextlib
import json
import socket
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests.factories import CourseFactory
from tests.helpers.servers import free_port, gunicorn


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


class Proxy:
    """A TCP forwarder to PostgreSQL that the test can cut and restore, like a network outage."""

    def __init__(self, target=("127.0.0.1", 5432)):
        self.target = target
        self.port = free_port()
        self.sockets = []
        self.listener = None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close alone does not
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets = []


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
