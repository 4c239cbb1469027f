"""Shared fixtures: a clean learners' cache for every test, API clients, users."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from rest_framework.test import APIClient

from catalog import cache as catalog_cache


def pytest_collection_modifyitems(config, items):
    uses_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    uses_redis = settings.CACHES["default"]["BACKEND"].startswith("django_redis.")
    has_replica = "replica" in settings.DATABASES
    for item in items:
        if "replica" in item.keywords and not has_replica:
            item.add_marker(pytest.mark.skip(reason="needs a streaming replica: run `make test-replica`"))
        if "postgres_only" in item.keywords and not uses_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)"))
        if "redis_only" in item.keywords and not uses_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis (REDIS_URL=redis://...)"))


@pytest.fixture(autouse=True)
def no_tick_on_request(settings):
    """Tests see scheduled switches unrecorded until they record them (catalog_tick, a service), as
    with a worker; the in-process tick of `make run` is on only where a test turns it on."""
    settings.CATALOG_TICK_ON_REQUEST = False


@pytest.fixture(autouse=True)
def clean_catalog_cache():
    """Every test starts with an empty learners' cache and a fresh back-off state."""
    catalog_cache.reset_process_state()
    if settings.CACHES["default"]["BACKEND"].startswith("django_redis."):
        from django_redis import get_redis_connection

        get_redis_connection("default").flushdb()
    else:
        from django.core.cache import caches

        for alias in settings.CACHES:
            caches[alias].clear()
    yield
    catalog_cache.reset_process_state()


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(username="ed", password="pw-editor-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def admin_client(client, editor):
    """The admin as an editor sees it (pytest-django's own admin_client is a superuser, who sees more)."""
    client.force_login(editor)
    return client


@pytest.fixture
def learner(django_user_model):
    return django_user_model.objects.create_user(username="lea", password="pw-learner-1")


@pytest.fixture
def api():
    return APIClient()


def _token_client(user) -> APIClient:
    # Real credentials on the wire (not force_authenticate): the cache middleware decides by them.
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def editor_api(editor):
    return _token_client(editor)


@pytest.fixture
def learner_api(learner):
    return _token_client(learner)
