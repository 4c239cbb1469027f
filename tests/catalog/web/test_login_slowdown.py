"""Failed admin logins for one username from many addresses slow that username down; they never lock it."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from tests.config.test_settings import manage

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture(autouse=True)
def small_ceiling(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_SLOWDOWN_FAILURES = 6
    settings.LOGIN_SLOWDOWN_SECONDS = 30


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(username="staff", password="right-password-1", is_staff=True)


def attempt(password, *, address, username="staff", client=None):
    client = client or Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)
    logged_in = client.get("/admin/", REMOTE_ADDR=address).status_code == 200
    return response, logged_in


def guessed_from_many_addresses(failures):
    """Two wrong passwords from each address: below the per-address lockout (5), so only the ceiling counts."""
    for i in range(failures):
        attempt("wrong", address=f"203.0.113.{i // 2 + 1}")


def time_passes(seconds):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(seconds=seconds))


def test_below_the_ceiling_nothing_changes(staff):
    guessed_from_many_addresses(5)
    assert attempt("right-password-1", address="198.51.100.9")[1]


def test_past_the_ceiling_a_new_address_waits_and_is_told_how_long(staff):
    guessed_from_many_addresses(6)
    response, logged_in = attempt("right-password-1", address="198.51.100.9")
    assert not logged_in and response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 30
    text = response.content.decode()
    assert "many failed logins for <strong>staff</strong>" in text
    assert "once every 30 seconds" in text and f"Try again in {response['Retry-After']} seconds" in text


def test_it_slows_rather_than_locks_one_attempt_per_interval(staff):
    guessed_from_many_addresses(6)
    time_passes(31)
    response, logged_in = attempt("wrong", address="198.51.100.20")  # the attempt of this interval, counted
    assert response.status_code == 200 and not logged_in
    assert attempt("right-password-1", address="198.51.100.21")[0].status_code == 429
    time_passes(31)
    assert attempt("right-password-1", address="198.51.100.21")[1]


def test_another_username_is_not_slowed(staff, django_user_model):
    django_user_model.objects.create_user(username="other", password="other-password-1", is_staff=True)
    guessed_from_many_addresses(6)
    assert attempt("other-password-1", username="other", address="198.51.100.9")[1]


def test_a_browser_that_logged_in_as_the_username_before_is_not_slowed(staff):
    editor = Client(REMOTE_ADDR="192.0.2.5")
    assert attempt("right-password-1", address="192.0.2.5", client=editor)[1]
    editor.post("/admin/logout/")
    guessed_from_many_addresses(12)
    assert attempt("right-password-1", address="192.0.2.5", client=editor)[1]
    assert attempt("right-password-1", address="198.51.100.9")[0].status_code == 429


def test_a_forged_cookie_is_ignored(staff):
    guessed_from_many_addresses(6)
    client = Client(REMOTE_ADDR="198.51.100.9")
    client.cookies["catalog_known_login"] = '["staff"]'
    assert attempt("right-password-1", address="198.51.100.9", client=client)[0].status_code == 429


def test_old_failures_stop_counting_after_the_cool_off(staff, settings):
    guessed_from_many_addresses(6)
    time_passes(settings.AXES_COOLOFF_TIME.total_seconds() + 1)
    assert attempt("right-password-1", address="198.51.100.9")[1]


def test_zero_turns_it_off(staff, settings):
    settings.LOGIN_SLOWDOWN_FAILURES = 0
    guessed_from_many_addresses(12)
    assert attempt("right-password-1", address="198.51.100.9")[1]


def test_the_ceiling_and_the_interval_come_from_the_environment():
    show = "from django.conf import settings as s; print(s.LOGIN_SLOWDOWN_FAILURES, s.LOGIN_SLOWDOWN_SECONDS)"
    assert manage("shell", "-c", show).stdout.split()[-2:] == ["20", "30"]
    changed = manage("shell", "-c", show, LOGIN_SLOWDOWN_FAILURES="50", LOGIN_SLOWDOWN_SECONDS="10")
    assert changed.stdout.split()[-2:] == ["50", "10"]
