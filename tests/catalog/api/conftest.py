"""Fixtures of the API tests."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@pytest.fixture(autouse=True)
def quick_setup(settings):
    """Autouse for every API test. The users made by tests/conftest.py would otherwise cost
    a full PBKDF2 round each, and every new test client would have WhiteNoise index the static files
    (0.2 s per client, three clients a test); with autorefresh it looks a file up when one is asked for."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def direct_wsgi_calls():
    """For tests that call the WSGI app directly (schemathesis, httpx's WSGI transport), not through
    Django's test client: the request signals would close the connection that holds the test's
    transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
