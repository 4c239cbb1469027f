"""The embedded defaults across processes: a server like `make run`'s, and imports from another terminal.

No Redis and no PostgreSQL: a SQLite file and the default cache (pages in each server process,
tokens in files every process shares). Whatever process wrote, the API shows it at once.
"""

import json
import os
import shutil
import subprocess
import sys
import urllib.request

import pytest

from tests.helpers.servers import ROOT, free_port, gunicorn_command, wait_for_port

pytestmark = [pytest.mark.embedded]


@pytest.fixture
def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CATALOG_"))}
    env.update(
        DJANGO_DEBUG="1",  # as `make run` has it
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # The default is var/cache in the project; this test keeps to its own directory.
        CATALOG_CACHE_DIR=str(tmp_path / "cache"),
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return env


def import_course(env, tmp_path, title):
    """import_courses in a process of its own, as the course generator runs it next to `make run`."""
    path = tmp_path / f"{title}.json"
    record = {"slug": "shared", "title": title, "topic": "Testing", "status": "published"}
    record["units"] = [{"title": "U", "modules": [{"title": "M"}]}]
    path.write_text(json.dumps([record]))
    result = subprocess.run(
        [sys.executable, "manage.py", "import_courses", str(path)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def read(url):
    with urllib.request.urlopen(url, timeout=15) as response:
        return response.headers["X-Cache"], json.loads(response.read())


SERVERS = {
    "runserver": lambda port: [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
    "gunicorn-2-workers": lambda port: gunicorn_command(port, workers=2),
}


@pytest.mark.parametrize("server", SERVERS)
def test_an_import_from_another_process_shows_at_once(embedded_env, tmp_path, server):
    import_course(embedded_env, tmp_path, "Before")
    port = free_port()
    process = subprocess.Popen(
        SERVERS[server](port), cwd=ROOT, env=embedded_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, 30)
        base = f"http://127.0.0.1:{port}/api/v1"
        # Every process has the page cached (a few reads reach each gunicorn worker).
        warm = [read(f"{base}/courses/shared/") for _ in range(12)] + [read(f"{base}/courses/") for _ in range(12)]
        assert {state for state, _ in warm} == {"MISS", "HIT"}

        for round, title in enumerate(["After", "Again"]):
            import_course(embedded_env, tmp_path, title)
            for _ in range(8):
                assert read(f"{base}/courses/shared/")[1]["title"] == title
                assert read(f"{base}/courses/")[1]["results"][0]["title"] == title
                assert read(f"{base}/topics/")[1] == [{"topic": "testing", "name": "Testing", "course_count": 1}]
            if round == 0:
                # Token files gone (culled, or the directory removed): pages under them die, never stale.
                shutil.rmtree(tmp_path / "cache")
                state, body = read(f"{base}/courses/shared/")
                assert (state, body["title"]) == ("MISS", "After")
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.django_db
def test_one_write_of_many_courses_kills_each_of_their_pages(api, django_capture_on_commit_callbacks):
    # Past LocalStore.MANY courses the embedded store replaces the epoch instead of one file each.
    from catalog import services
    from catalog.cache.stores import LocalStore
    from catalog.domain.records import clean_record

    count = LocalStore.MANY + 5
    records = [
        clean_record({"slug": f"c-{i}", "title": "Before", "topic": "T", "status": "published", "units": tree()})
        for i in range(count)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.courses_upsert(records=records)
    for i in (0, count - 1):
        api.get(f"/api/v1/courses/c-{i}/")
        assert api.get(f"/api/v1/courses/c-{i}/")["X-Cache"] == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        services.courses_upsert(records=[{**r, "title": "After"} for r in records])
    for i in (0, count - 1):
        assert api.get(f"/api/v1/courses/c-{i}/").json()["title"] == "After"


def tree():
    return [{"title": "U", "modules": [{"title": "M"}]}]
