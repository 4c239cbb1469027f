"""Password guessing on /admin/login/ is refused after a few failures, per username and client address."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db.models import F
from django.test import Client

from tests.config.test_settings import manage

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(username="staff", password="right-password-1", is_staff=True)


def attempt(password, *, username="staff", address="203.0.113.7"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": password})
    logged_in = client.get("/admin/").status_code == 200
    return response, logged_in


def test_forty_wrong_passwords_then_the_right_one_is_refused_and_says_why(staff, settings):
    for _ in range(40):
        response, logged_in = attempt("wrong")
        assert not logged_in
    response, logged_in = attempt("right-password-1")
    assert not logged_in
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed logins" in text and "15 minutes" in text and "even with the right password" in text
    assert str(settings.AXES_FAILURE_LIMIT) in text


def test_the_limit_is_a_few_failures_and_a_success_before_it_resets_the_count(staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("wrong")
    assert attempt("right-password-1")[1]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("wrong")
    assert attempt("right-password-1")[1]  # the success reset the count
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("wrong")
    assert not attempt("right-password-1")[1]


def test_per_username_and_client_address(staff, django_user_model, settings):
    django_user_model.objects.create_user(username="other", password="other-password-1", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("wrong", address="203.0.113.7")
    assert not attempt("right-password-1", address="203.0.113.7")[1]
    assert attempt("right-password-1", address="198.51.100.9")[1]  # the same user elsewhere
    assert attempt("other-password-1", username="other", address="203.0.113.7")[1]  # another user here


def test_the_lockout_ends_after_the_cool_off(staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("wrong")
    assert not attempt("right-password-1")[1]
    # Time passes (the attempts are moved back rather than slept through).
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1))
    assert attempt("right-password-1")[1]


def test_an_administrator_unlocks_with_axes_reset_username(staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("wrong")
    assert not attempt("right-password-1")[1]
    call_command("axes_reset_username", "staff")
    assert attempt("right-password-1")[1]


def test_the_limit_and_the_cool_off_come_from_the_environment():
    show = "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds())"
    assert manage("shell", "-c", show).stdout.split()[-2:] == ["5", "900.0"]
    changed = manage("shell", "-c", show, AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="2")
    assert changed.stdout.split()[-2:] == ["3", "120.0"]
