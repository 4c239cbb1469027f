"""Fixtures of the API tests."""

import pytest

from catalog.cache import pages


@pytest.fixture(autouse=True)
def quick_setup(settings):
    """Autouse for every API test. The users made by tests/conftest.py would otherwise cost
    a full PBKDF2 round each, and every new test client would have WhiteNoise index the static files
    (0.2 s per client, three clients a test); with autorefresh it looks a file up when one is asked for."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def wait_less(monkeypatch):
    """A learner's non-200 answer keeps its build lock, so the next identical learner request sleeps
    WAIT_FOR_BUILDER first (pinned by an xfail in test_learner_cache.py). Tests about something else
    that repeat such a request use this to skip the sleep."""
    monkeypatch.setattr(pages, "WAIT_FOR_BUILDER", 0)
