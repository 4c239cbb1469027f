"""Scheduling in the admin as an editor lives it: times shown and read in the editor's zone (UTC beside,
seconds), the current time shown, the status true at the second with or without the tick, schedule
changes in the admin history, and switches recorded in process when no worker runs."""

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from catalog import services
from catalog.models import Course, CourseTransition
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

BERLIN = "Europe/Berlin"


def url(name, course, *args):
    return reverse(f"admin:catalog_course_{name}", args=[course.pk, *args])


@pytest.fixture
def clock():
    """Time stands still at 2031-01-15 10:00:00 UTC (11:00 in Berlin) until the test moves it. Asked for
    before any client logs in, so that the session is as young as the moved clock."""
    with time_machine.travel(dt.datetime(2031, 1, 15, 10, 0, 0, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def in_berlin(admin_client):
    admin_client.cookies["catalog_tz"] = BERLIN
    return admin_client


class TestTimesInTheEditorsZone:
    def test_the_schedule_page_shows_now_in_the_editors_zone_with_utc_beside(self, clock, in_berlin):
        course = CourseFactory(units=tree(1))
        page = in_berlin.get(url("schedule", course)).content.decode()
        assert "It is now <time" in page and "2031-01-15 11:00:00 CET (10:00:00 UTC)" in page
        assert "Times are in Europe/Berlin" in page
        assert 'step="1"' in page  # seconds can be typed

    def test_a_time_typed_in_berlin_with_seconds_is_that_instant(self, clock, in_berlin):
        course = CourseFactory(units=tree(1))
        response = in_berlin.post(url("schedule", course), {"publish_at": "2031-01-15T12:30:15"}, follow=True)
        assert Course.objects.get(pk=course.pk).publish_at == dt.datetime(2031, 1, 15, 11, 30, 15, tzinfo=dt.UTC)
        message = [str(m) for m in response.context["messages"]][0]
        assert "goes live at 2031-01-15 12:30:15 CET (11:30:15 UTC)" in message

    def test_the_zone_picked_on_the_page_reads_the_times_and_is_remembered(self, clock, admin_client):
        course = CourseFactory(units=tree(1))
        response = admin_client.post(
            url("schedule", course), {"publish_at": "2031-01-15T09:00:00", "time_zone": "America/New_York"}
        )
        assert Course.objects.get(pk=course.pk).publish_at == dt.datetime(2031, 1, 15, 14, 0, tzinfo=dt.UTC)
        assert response.cookies["catalog_tz"].value == "America/New_York"

    def test_an_unknown_zone_is_refused_and_changes_nothing(self, clock, admin_client):
        course = CourseFactory(units=tree(1))
        response = admin_client.post(
            url("schedule", course), {"publish_at": "2031-01-15T12:00:00", "time_zone": "../../etc/passwd"}
        )
        assert response.status_code == 200 and "catalog_tz" not in response.cookies
        assert "Select a valid choice" in response.content.decode()
        assert Course.objects.get(pk=course.pk).publish_at is None

    def test_a_garbled_zone_cookie_means_utc(self, clock, admin_client):
        admin_client.cookies["catalog_tz"] = "Mars/Olympus_Mons"
        page = admin_client.get(url("schedule", CourseFactory(units=tree(1)))).content.decode()
        assert "Times are in UTC" in page
        assert "2031-01-15 10:00:00 UTC" in page


class TestStatusAtTheSecond:
    def test_a_passed_switch_shows_before_anything_records_it(self, clock, in_berlin, settings):
        settings.CATALOG_TICK_ON_REQUEST = False  # nothing records the switch: the windows alone say it
        course = CourseFactory(title="Soon live", units=tree(1))
        at = timezone.now() + dt.timedelta(minutes=3, seconds=5)
        services.course_schedule(course=course, publish_at=at)
        listed = in_berlin.get(reverse("admin:catalog_course_changelist")).content.decode()
        assert "catalog-badge-draft" in listed and "goes live 2031-01-15 11:03:05 CET (10:03:05 UTC)" in listed
        clock.shift(dt.timedelta(minutes=3, seconds=4))
        assert "catalog-badge-draft" in in_berlin.get(reverse("admin:catalog_course_changelist")).content.decode()
        clock.shift(dt.timedelta(seconds=1))  # the second of the switch
        page = in_berlin.get(url("change", course)).content.decode()
        assert "catalog-badge-published" in page and "goes live" not in page
        assert "Learners see release 1 (live since 2031-01-15 11:03:05 CET (10:03:05 UTC))." in page
        assert Course.objects.get(pk=course.pk).status == "draft"  # not recorded, yet shown as it is


class TestScheduleHistory:
    def test_scheduling_and_cancelling_are_in_the_admin_history(self, clock, admin_client):
        course = CourseFactory(units=tree(1))
        admin_client.post(url("schedule", course), {"publish_at": "2031-01-16T08:00:00"})
        admin_client.post(url("schedule", course), {"cancel_all": "1"})
        messages = list(
            LogEntry.objects.filter(object_id=str(course.pk)).order_by("id").values_list("change_message", flat=True)
        )
        assert messages == [
            "Scheduled: goes live at 2031-01-16 08:00:00 UTC.",
            "Cancelled the schedule: no longer goes live at 2031-01-16 08:00:00 UTC.",
        ]
        history = admin_client.get(reverse("admin:catalog_course_history", args=[course.pk])).content.decode()
        assert "Scheduled: goes live at 2031-01-16 08:00:00 UTC." in history
        assert "Cancelled the schedule" in history

    def test_a_refused_schedule_is_not_in_the_history(self, clock, admin_client):
        course = CourseFactory(units=tree(1))
        admin_client.post(url("schedule", course), {"publish_at": "2031-01-15T09:00:00"})  # the past
        assert not LogEntry.objects.filter(object_id=str(course.pk)).exists()


class TestSwitchesRecordedInProcess:
    """`make run` has no worker: the serving process records due switches on a request."""

    def test_a_request_after_the_switch_records_it_at_its_time(self, clock, client, settings):
        settings.CATALOG_TICK_ON_REQUEST = True
        course = CourseFactory(units=tree(1))
        at = timezone.now() + dt.timedelta(seconds=30)
        services.course_schedule(course=course, publish_at=at)
        client.get("/healthz")
        assert not CourseTransition.objects.filter(course=course, action="publish").exists()
        clock.shift(dt.timedelta(minutes=5))
        client.get("/healthz")
        recorded = CourseTransition.objects.get(course=course, action="publish")
        assert recorded.scheduled and recorded.at == at
        assert Course.objects.get(pk=course.pk).status == "published"

    def test_with_a_worker_the_request_leaves_it_to_the_tick(self, clock, client, settings):
        settings.CATALOG_TICK_ON_REQUEST = False
        course = CourseFactory(units=tree(1))
        services.course_schedule(course=course, publish_at=timezone.now() + dt.timedelta(seconds=30))
        clock.shift(dt.timedelta(minutes=5))
        client.get("/healthz")
        assert Course.objects.get(pk=course.pk).status == "draft"
        assert not CourseTransition.objects.filter(course=course, action="publish").exists()
