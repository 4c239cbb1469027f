"""Settings from the environment: production values pass check --deploy; migrations match models."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3!x9#Qm2@vL8$wN5^tR7&yB4*zC6(pD1)fG0_hJ-sK+aE=uI~oP;lM:nV<bX>cZ?qW",
    "DJANGO_ALLOWED_HOSTS": "catalog.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """STATIC_ROOT after a production collectstatic (a deployment runs it; see docs/deploy.md)."""
    root = tmp_path_factory.mktemp("static")
    result = manage("collectstatic", "--noinput", "-v0", DJANGO_STATIC_ROOT=str(root))
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.embedded
def test_production_settings_pass_check_deploy(collected_static):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, DJANGO_STATIC_ROOT=str(collected_static)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.embedded
def test_nothing_set_is_production_mode_and_check_deploy_flags_the_missing_secret():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout  # the development key stands in
    assert "security.W018" not in result.stderr + result.stdout  # DEBUG is off


@pytest.mark.embedded
def test_local_defaults_need_nothing_running():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], s.CACHES['tokens']['BACKEND'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.locmem.LocMemCache",  # pages, in each process
        "django.core.cache.backends.filebased.FileBasedCache",  # tokens, shared by every process
    ]


@pytest.mark.django_db
@pytest.mark.embedded
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
@pytest.mark.embedded
def test_security_headers_on_pages_and_cached_api_answers(client):
    for _ in range(2):  # the second API read is a cache hit, answered early in the stack
        for url in ("/", "/api/v1/courses/"):
            response = client.get(url)
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["X-Frame-Options"] == "DENY"
            assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
@pytest.mark.embedded
def test_editors_group_holds_exactly_the_catalog_permissions():
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.get(name="Editors")
    assert set(group.permissions.all()) == set(Permission.objects.filter(content_type__app_label="catalog"))
    assert group.permissions.filter(codename="change_course").exists()


@pytest.mark.embedded
def test_a_replica_url_adds_the_second_alias_and_the_router():
    show = (
        "from django.conf import settings as s; r = s.DATABASES['replica']; "
        "print(r['HOST'], r['PORT'], r['NAME'], r['TEST']['MIRROR'], *s.DATABASE_ROUTERS)"
    )
    result = manage(
        "shell",
        "-c",
        show,
        DATABASE_URL="postgres://postgres@db.internal:5432/catalog",
        DATABASE_REPLICA_URL="postgres://reader@replica.internal:5433/catalog",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == [
        "replica.internal",
        "5433",
        "catalog",
        "default",
        "catalog.db.replica.ReplicaRouter",
    ]

    without = manage(
        "shell", "-c", "from django.conf import settings as s; print(sorted(s.DATABASES), s.DATABASE_ROUTERS)"
    )
    assert without.stdout.strip().splitlines()[-1] == "['default'] []"


@pytest.mark.embedded
def test_a_replica_needs_postgresql():
    result = manage("check", DATABASE_REPLICA_URL="sqlite:///replica.sqlite3")
    assert result.returncode != 0
    assert "catalog.E001" in result.stderr and "DATABASE_REPLICA_URL needs PostgreSQL" in result.stderr


@pytest.mark.embedded
def test_catalog_base_url_sets_the_script_prefix_and_must_be_an_origin():
    show = "from django.conf import settings as s; print(repr(s.CATALOG_BASE_URL), repr(s.FORCE_SCRIPT_NAME))"
    result = manage("shell", "-c", show, CATALOG_BASE_URL="https://example.org/catalog/")
    assert result.stdout.split()[-2:] == ["'https://example.org/catalog'", "'/catalog'"]
    assert manage("shell", "-c", show).stdout.split()[-2:] == ["''", "''"]  # a client's SCRIPT_NAME is ignored
    for bad in ("example.org", "ftp://example.org", "https://example.org/?x=1", "https://user@example.org"):
        result = manage("check", CATALOG_BASE_URL=bad)
        assert result.returncode != 0 and "catalog.E002" in result.stderr, bad
    assert manage("check", CATALOG_BASE_URL="https://example.org:8443/catalog").returncode == 0


@pytest.mark.embedded
def test_sentinels_without_the_master_name_are_refused_with_the_variable_to_set():
    result = manage("check", REDIS_SENTINELS="127.0.0.1:26379")
    assert result.returncode != 0
    assert "REDIS_SENTINEL_MASTER" in result.stderr
