"""The shipped VCL on a real varnishd, in front of a small scripted backend: what it keeps, passes, purges, and
serves when the backend fails. (tests/deploy/test_edge_freshness.py puts it in front of the catalog itself.)"""

import socket
import subprocess
import threading
import time

import pytest

from tests.helpers.varnish import VCL, Scripted, Varnish, fetch

KEEP = {"Surrogate-Control": "max-age=60", "xkey": "catalog:course:a catalog:all", "X-Cache": "MISS"}


@pytest.fixture(scope="module")
def backend():
    with Scripted() as server:
        yield server


@pytest.fixture(scope="module")
def edge(backend):
    with Varnish(backend.port) as server:
        yield server


@pytest.fixture
def path(request):
    """A path of this test's own, so that the module's one varnishd holds nothing of another test's."""
    return f"/api/v1/courses/{request.node.name.replace('_', '-')[:60]}/"


def purge(edge, keys, *, source="127.0.0.1"):
    """PURGE from `source` (another loopback address is another client to the ACL)."""
    with socket.create_connection(("127.0.0.1", edge.port), timeout=10, source_address=(source, 0)) as sock:
        sock.sendall(f"PURGE / HTTP/1.1\r\nHost: edge\r\nxkey: {keys}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_a_learner_answer_is_kept_and_its_hits_say_so(backend, edge, path):
    backend.routes[path] = (200, KEEP, b'{"title": "A"}', 0)
    status, first, body = fetch(edge.url + path)
    assert (status, first["X-Edge-Cache"], first["X-Cache"], body) == (200, "MISS", "MISS", b'{"title": "A"}')
    status, second, body = fetch(edge.url + path)
    # The app said MISS when the copy was filled; served from the edge it is a hit, and says so.
    assert (status, second["X-Edge-Cache"], second["X-Cache"], body) == (200, "HIT", "HIT", b'{"title": "A"}')
    assert backend.times(path) == 1
    for internal in ("xkey", "Surrogate-Control", "X-Catalog-Origin-Cache"):
        assert internal not in first and internal not in second


def test_a_purge_of_one_of_its_keys_drops_it(backend, edge, path):
    backend.routes[path] = (200, {**KEEP, "xkey": "catalog:course:purged catalog:all"}, b"{}", 0)
    fetch(edge.url + path)
    assert purge(edge, "catalog:course:other") == 200
    assert fetch(edge.url + path)[1]["X-Edge-Cache"] == "HIT"
    assert purge(edge, "catalog:lists catalog:course:purged") == 200
    assert fetch(edge.url + path)[1]["X-Edge-Cache"] == "MISS"
    assert backend.times(path) == 2


def test_purges_are_taken_only_from_the_acl(backend, edge, path):
    backend.routes[path] = (200, {**KEEP, "xkey": "catalog:course:acl"}, b"{}", 0)
    fetch(edge.url + path)
    assert purge(edge, "catalog:course:acl", source="127.0.0.2") == 403
    assert fetch(edge.url + path)[1]["X-Edge-Cache"] == "HIT"
    assert fetch(edge.url + "/", method="PURGE")[0] == 400  # which keys? (from the ACL)


def test_the_answer_says_how_long_it_may_be_kept(backend, edge, path):
    backend.routes[path] = (200, {**KEEP, "Surrogate-Control": "max-age=1"}, b"{}", 0)
    fetch(edge.url + path)
    assert fetch(edge.url + path)[1]["X-Edge-Cache"] == "HIT"
    time.sleep(1.2)
    # Past its time a copy is never served while the backend answers (it may be past a scheduled switch).
    assert fetch(edge.url + path)[1]["X-Edge-Cache"] == "MISS"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Cache": "MISS"},  # no Surrogate-Control: nothing the app did not mark is kept
        {**KEEP, "Surrogate-Control": "max-age=0"},
        {**KEEP, "Set-Cookie": "sessionid=x; HttpOnly"},
    ],
    ids=["unmarked", "max-age-0", "sets-a-cookie"],
)
def test_what_the_app_does_not_mark_for_the_edge_is_not_kept(backend, edge, path, headers):
    backend.routes[path] = (200, headers, b"{}", 0)
    fetch(edge.url + path)
    assert fetch(edge.url + path)[1]["X-Edge-Cache"] == "MISS"
    assert backend.times(path) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Token abc"},
        {"Cookie": "sessionid=abc"},
        {"Cookie": "_ga=1; csrftoken=abc"},
    ],
    ids=["token", "session", "csrf"],
)
def test_requests_with_credentials_pass(backend, edge, path, headers):
    backend.routes[path] = (200, {**KEEP, "X-Cache": "BYPASS"}, b"{}", 0)
    fetch(edge.url + path)  # a learner's copy is held
    status, answer, _ = fetch(edge.url + path, headers=headers)
    assert (status, answer["X-Edge-Cache"], answer["X-Cache"]) == (200, "PASS", "BYPASS")
    assert backend.asked[-1].path == path
    assert {k.lower() for k in backend.asked[-1].headers} >= {k.lower() for k in headers}


def test_other_cookies_are_dropped_and_the_copy_is_shared(backend, edge, path):
    backend.routes[path] = (200, KEEP, b"{}", 0)
    fetch(edge.url + path, headers={"Cookie": "_ga=GA1.1"})
    assert "Cookie" not in backend.asked[-1].headers
    assert fetch(edge.url + path, headers={"Cookie": "theme=dark"})[1]["X-Edge-Cache"] == "HIT"


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/login/?next=/admin/", "/preview/tok/", "/api/v1/preview/tok/", "/metrics", "/readyz"]
)
def test_back_office_previews_and_probes_pass(backend, edge, path):
    backend.routes[path.split("?")[0]] = (200, KEEP, b"{}", 0)
    backend.routes[path] = (200, KEEP, b"{}", 0)
    fetch(edge.url + path)
    assert fetch(edge.url + path)[1]["X-Edge-Cache"] == "PASS"


def test_writes_pass(backend, edge, path):
    backend.routes[path] = (200, KEEP, b"{}", 0)
    fetch(edge.url + path)
    status, answer, _ = fetch(edge.url + path, method="POST", body=b"{}")
    assert (status, answer["X-Edge-Cache"]) == (200, "PASS")
    assert backend.times(path) == 2


def test_a_fetch_that_a_purge_overtook_is_not_kept(backend, edge, path):
    """A write's purge that lands while an older answer is on its way must not leave that answer held."""
    backend.routes[path] = (200, {**KEEP, "xkey": "catalog:course:race"}, b'{"v": 1}', 0.6)
    reader = threading.Thread(target=fetch, args=(edge.url + path,))
    reader.start()
    time.sleep(0.25)  # the fetch is under way
    assert purge(edge, "catalog:course:race") == 200
    reader.join()
    backend.routes[path] = (200, {**KEEP, "xkey": "catalog:course:race"}, b'{"v": 2}', 0)
    status, answer, body = fetch(edge.url + path)
    assert (answer["X-Edge-Cache"], body) == ("MISS", b'{"v": 2}')


def test_when_the_backend_fails_the_copy_held_is_served(backend, edge, path):
    backend.routes[path] = (200, {**KEEP, "Surrogate-Control": "max-age=1"}, b'{"v": "held"}', 0)
    fetch(edge.url + path)
    time.sleep(1.2)
    backend.routes[path] = (503, {"Content-Type": "application/json"}, b'{"detail": "database down"}', 0)
    status, answer, body = fetch(edge.url + path)
    assert (status, answer["X-Edge-Cache"], answer["X-Cache"], body) == (200, "STALE", "HIT", b'{"v": "held"}')


def test_when_the_backend_fails_and_nothing_is_held_its_answer_goes_through(backend, edge, path):
    backend.routes[path] = (503, {"Content-Type": "application/json"}, b'{"detail": "database down"}', 0)
    status, _, body = fetch(edge.url + path)
    assert (status, body) == (503, b'{"detail": "database down"}')


@pytest.mark.parametrize("example", ["backend-director.vcl.example", "compose/backend.vcl"])
def test_the_shipped_backend_examples_compile_with_the_vcl(tmp_path, example):
    """docs/deploy.md's director for several web servers, and docker-compose.yml's backend (its host made local)."""
    (tmp_path / "backend.vcl").write_text((VCL.parent / example).read_text().replace('"web"', '"127.0.0.1"'))
    command = ["varnishd", "-C", "-j", "none", "-f", str(VCL), "-p", f"vcl_path={tmp_path}", "-n", str(tmp_path / "n")]
    compiled = subprocess.run(command, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr[-2000:]
