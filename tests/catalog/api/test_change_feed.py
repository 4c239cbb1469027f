"""The change feed: the current state first, then every change; cursors; tombstones; compaction."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog import services
from catalog.models import Course, FeedEntry
from tests.factories import CourseFactory, tree
from tests.helpers.api import apply_feed as apply
from tests.helpers.api import assert_json_error, detail

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

FEED = "/api/v1/changes/"


def follow(client, cursor=None, limit=100):
    """Every entry from `cursor` until has_more is false; returns (entries, next cursor)."""
    entries = []
    while True:
        body = client.get(FEED, {"cursor": cursor, "limit": limit} if cursor else {"limit": limit}).json()
        entries += body["results"]
        cursor = body["next"]
        if not body["has_more"]:
            return entries, cursor


def _iso(moment) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def learners_see(api) -> dict:
    return {c["slug"]: c for c in api.get("/api/v1/courses/?page_size=100").json()["results"]}


class TestState:
    def test_starts_with_one_published_entry_per_visible_course(self, api):
        for slug in ("a", "b", "c"):
            CourseFactory(slug=slug, status="published", units=tree(1))
        CourseFactory(slug="draft", units=tree(1))
        entries, _ = follow(api, limit=2)
        assert sorted(e["slug"] for e in entries) == ["a", "b", "c"]
        assert {e["kind"] for e in entries} == {"published"}
        assert apply({}, entries) == learners_see(api)

    def test_an_empty_catalog(self, api):
        body = api.get(FEED).json()
        assert body["results"] == [] and body["has_more"] is False and body["next"]


class TestChanges:
    def test_every_way_of_leaving_is_a_tombstone(self, api, editor_api):
        # Each read below is of a cursor not read before: no cached page stands in the way.
        for slug in ("unpub", "arch", "gone", "renamed", "kept"):
            CourseFactory(slug=slug, status="published", units=tree(1))
        state, cursor = follow(api)
        state = apply({}, state)
        services.course_unpublish(course=Course.objects.get(slug="unpub"))
        services.course_archive(course=Course.objects.get(slug="arch"))
        services.course_delete(course=Course.objects.get(slug="gone"))
        services.course_update(course=Course.objects.get(slug="renamed"), slug="new-name")
        services.course_publish(course=Course.objects.get(slug="new-name"))  # the slug is part of the release
        services.course_update(course=Course.objects.get(slug="kept"), title="Kept, changed", status="published")
        entries, cursor = follow(api, cursor)
        kinds = {(e["slug"], e["kind"]) for e in entries}
        assert kinds >= {("unpub", "removed"), ("arch", "removed"), ("gone", "removed"), ("renamed", "removed")}
        assert ("new-name", "published") in kinds and ("kept", "published") in kinds
        assert apply(state, entries) == learners_see(api)
        assert api.get(FEED, {"cursor": cursor}).json()["results"] == []

    def test_working_copy_changes_are_not_in_the_feed(self, api):
        course = CourseFactory(slug="a", status="published", units=tree(1))
        _, cursor = follow(api)
        services.course_update(course=course, title="Not yet")
        assert api.get(FEED, {"cursor": cursor}).json()["results"] == []

    @staticmethod
    def after_the_switch(api, capture, course, switch: str) -> list:
        """The feed's entries once the switch scheduled a second from now is due (none before)."""
        _, cursor = follow(api)
        with capture(execute=True):
            services.course_schedule(course=course, **{switch: timezone.now() + dt.timedelta(seconds=1)})
        assert api.get(FEED, {"cursor": cursor}).json()["results"] == []
        with capture(execute=True):
            services.schedule_apply_due(now=timezone.now() + dt.timedelta(seconds=2))
        return api.get(FEED, {"cursor": cursor}).json()["results"]

    def test_a_scheduled_withdrawal_shows_once_its_time_has_come(self, api, django_capture_on_commit_callbacks):
        course = CourseFactory(slug="a", status="published", units=tree(1))
        entries = self.after_the_switch(api, django_capture_on_commit_callbacks, course, "unpublish_at")
        assert [(e["slug"], e["kind"]) for e in entries] == [("a", "removed")]

    def test_a_scheduled_go_live_shows_once_its_time_has_come(self, api, django_capture_on_commit_callbacks):
        course = CourseFactory(slug="a", status="draft", units=tree(1))
        entries = self.after_the_switch(api, django_capture_on_commit_callbacks, course, "publish_at")
        assert [(e["slug"], e["kind"], e["release"]) for e in entries] == [("a", "published", 1)]
        assert entries[0]["course"]["status"] == "published"

    def test_the_feed_is_cached_and_a_change_shows_at_once(self, api, django_capture_on_commit_callbacks):
        CourseFactory(slug="a", status="published", units=tree(1))
        first, again = api.get(FEED), api.get(FEED)
        assert (first["X-Cache"], again["X-Cache"]) == ("MISS", "HIT")
        assert again.json() == first.json()
        with django_capture_on_commit_callbacks(execute=True):
            CourseFactory(slug="b", status="published", units=tree(1))
        after = api.get(FEED)
        assert after["X-Cache"] == "MISS"
        assert [e["slug"] for e in after.json()["results"]] == ["a", "b"]


class TestEntryIdsAndTimes:
    """`id` is the entry's number (a webhook delivery carries the same); `at` is when learners could see it."""

    def test_every_entry_has_its_id_and_the_state_carries_the_latest(self, api):
        CourseFactory(slug="a", status="published", units=tree(1))
        course = CourseFactory(slug="b", status="published", units=tree(1))
        services.course_update(course=course, title="Two", status="published")
        state, cursor = follow(api)
        latest = {e.course_id: e for e in FeedEntry.objects.order_by("id")}
        assert [(e["slug"], e["id"]) for e in state] == [(c.slug, latest[c.course_id].id) for c in latest.values()]
        assert [e["at"] for e in state] == [_iso(latest[c].at) for c in latest]
        services.course_unpublish(course=course)
        (removed,), _ = follow(api, cursor)
        assert removed["id"] == FeedEntry.objects.get(kind="removed").id > max(e["id"] for e in state)

    def test_a_renamed_course_is_published_at_its_new_address_when_the_rename_went_live(
        self, api, django_capture_on_commit_callbacks
    ):
        course = CourseFactory(slug="old", status="published", units=tree(1))
        _, cursor = follow(api)
        with django_capture_on_commit_callbacks(execute=True):
            services.course_update(course=course, slug="new", status="published")
        entries, _ = follow(api, cursor)
        assert [(e["slug"], e["kind"]) for e in entries] == [("old", "removed"), ("new", "published")]
        removed, published = entries
        assert published["at"] >= removed["at"] and published["id"] > removed["id"]
        (state,), _ = follow(api)
        assert (state["id"], state["at"]) == (published["id"], published["at"])


class TestBadInput:
    @pytest.mark.parametrize("cursor", ["x", "eyJ9", "a" * 500, "%00", "1:2:3"])
    def test_a_bad_cursor_is_400(self, api, cursor):
        assert_json_error(api.get(FEED, {"cursor": cursor}), 400)

    def test_a_cursor_from_before_compaction_is_410(self, api, django_capture_on_commit_callbacks):
        course = CourseFactory(slug="a", status="published", units=tree(1))
        _, old_cursor = follow(api)
        with django_capture_on_commit_callbacks(execute=True):
            services.course_update(course=course, title="Two", status="published")
            services.course_update(course=course, title="Three", status="published")
        FeedEntry.objects.update(at=timezone.now() - dt.timedelta(days=60))
        call_command("catalog_tick", stdout=io.StringIO())
        body = assert_json_error(api.get(FEED, {"cursor": old_cursor}), 410)
        assert "without a cursor" in body["detail"]
        # The latest entry of each course stays: starting again still gives the whole state.
        assert FeedEntry.objects.filter(course_id=course.pk).count() == 1
        entries, _ = follow(api)
        assert [e["course"]["title"] for e in entries] == ["Three"]

    @pytest.mark.parametrize("limit", ["0", "1001", "x", "-1", "1.5"])
    def test_a_bad_limit_is_400_naming_it(self, api, limit):
        assert_json_error(api.get(FEED, {"limit": limit}), 400, "limit")

    def test_learner_detail_and_feed_agree(self, api):
        CourseFactory(slug="a", status="published", units=tree(2, 1))
        (entry,), _ = follow(api)
        assert {k: v for k, v in api.get(detail("a")).json().items() if k != "units"} == entry["course"]
