"""Production is the default: no debug pages, no silent development key, no proxy header trusted unasked."""

import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.config.test_settings import PRODUCTION, ROOT, manage
from tests.helpers.servers import gunicorn, gunicorn_refuses

SECRET = "s3cr3t-" + "0123456789abcdef" * 4


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get_without_following(url, **headers):
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=15) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def test_debug_is_off_unless_django_debug_is_1():
    show = "from django.conf import settings as s; print(s.DEBUG, s.SECURE_PROXY_SSL_HEADER, s.USE_X_FORWARDED_HOST)"
    assert manage("shell", "-c", show).stdout.split()[-3:] == ["False", "None", "False"]
    assert manage("shell", "-c", show, DJANGO_DEBUG="0").stdout.split()[-3] == "False"
    assert manage("shell", "-c", show, DJANGO_DEBUG="1").stdout.split()[-3] == "True"


def test_a_wrong_host_gets_a_plain_400_that_shows_no_settings(sqlite_url):
    redis_url = "redis://:hunter2@127.0.0.1:6379/14"
    with gunicorn(database_url=sqlite_url, DJANGO_DEBUG=None, REDIS_URL=redis_url) as base:
        for path in ("/", "/api/v1/courses/", "/admin/login/", "/nope"):
            status, _, body = get(base + path, Host="evil.example")
            assert status == 400, (path, body[:300])
            for secret in ("hunter2", "REDIS_URL", "Traceback", "DisallowedHost", "SECRET_KEY", "settings"):
                assert secret not in body, (path, secret)


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_DEBUG": None, "DJANGO_SECRET_KEY": None},
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": None},
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""},
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "short"},
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "django-insecure-local-development-key-do-not-deploy"},
    ],
    ids=["nothing-set", "debug-0", "empty", "short", "the-development-key"],
)
def test_a_production_server_without_a_real_secret_refuses_to_start_naming_the_variable(sqlite_url, env):
    said = gunicorn_refuses(database_url=sqlite_url, **env)
    assert "DJANGO_SECRET_KEY" in said, said[-2000:]


def test_runserver_in_production_mode_refuses_too(sqlite_url):
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "runserver", "--noreload", "127.0.0.1:0"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": sqlite_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_management_commands_work_with_nothing_set(sqlite_url, tmp_path):
    assert manage("check", DATABASE_URL=sqlite_url).returncode == 0
    course = tmp_path / "one.json"
    course.write_text('[{"slug": "from-a-terminal", "title": "T", "topic": "Testing"}]')
    result = manage("import_courses", str(course), DATABASE_URL=sqlite_url)
    assert result.returncode == 0, result.stderr
    assert "created 1" in result.stdout


def test_x_forwarded_proto_is_trusted_only_when_the_operator_says_so(sqlite_url):
    url = "/api/v1/topics/"
    with gunicorn(database_url=sqlite_url, DJANGO_SECURE_SSL_REDIRECT="1") as base:
        # A client on the same machine as gunicorn, claiming https: still redirected, not believed.
        status, headers = get_without_following(base + url, **{"X-Forwarded-Proto": "https"})
        assert status == 301 and headers["Location"].startswith("https://"), (status, dict(headers))
    trusted = {
        "DJANGO_SECURE_SSL_REDIRECT": "1",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    with gunicorn(database_url=sqlite_url, **trusted) as base:
        status, headers = get_without_following(base + url, **{"X-Forwarded-Proto": "https"})
        assert status == 200, (status, dict(headers))
        status, headers = get_without_following(base + url)
        assert status == 301


def test_before_collectstatic_pages_work_and_check_deploy_says_what_is_missing(sqlite_url, tmp_path):
    static_root = tmp_path / "static"
    with gunicorn(database_url=sqlite_url, DJANGO_STATIC_ROOT=str(static_root)) as base:
        for path in ("/", "/admin/login/", "/api/docs/"):
            status, _, body = get(base + path)
            assert status == 200, (path, body[:300])
        stylesheet = re.search(r'href="(/static/admin/css/base\.css)"', body) or re.search(
            r'href="(/static/[^"]+\.css)"', get(base + "/admin/login/")[2]
        )
        assert get(base + stylesheet.group(1))[0] == 200

    production = {**PRODUCTION, "DATABASE_URL": sqlite_url, "DJANGO_STATIC_ROOT": str(static_root)}
    result = manage("check", "--deploy", **production)
    said = result.stdout + result.stderr
    assert "catalog.W001" in said and "collectstatic" in said and str(static_root) in said, said

    assert manage("collectstatic", "--noinput", "-v0", **production).returncode == 0
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode == 0 and "no issues" in result.stdout, result.stdout + result.stderr
    with gunicorn(database_url=sqlite_url, DJANGO_STATIC_ROOT=str(static_root)) as base:
        status, _, body = get(base + "/admin/login/")
        hashed = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', body)
        assert status == 200 and hashed, body[:2000]
        assert get(base + hashed.group(1))[0] == 200
