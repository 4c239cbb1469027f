"""Fixtures of the API tests."""

import pytest


@pytest.fixture(autouse=True)
def quick_setup(settings):
    """Autouse for every API test. The users made by tests/conftest.py would otherwise cost
    a full PBKDF2 round each, and every new test client would have WhiteNoise index the static files
    (0.2 s per client, three clients a test); with autorefresh it looks a file up when one is asked for."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WHITENOISE_AUTOREFRESH = True
