"""The learners' selectors at a given moment (their `now=` seam): what is live, counted, paged and next."""

import datetime as dt

import pytest
from django.utils import timezone

from catalog import selectors, services
from tests.factories import CourseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
TREE = [{"title": "Basics", "modules": [{"title": "SELECT"}]}]


def course(slug, topic="databases", *, published=True, **fields):
    status = "published" if published else "draft"
    return CourseFactory(slug=slug, title=slug.upper(), topic=topic, status=status, units=TREE, **fields)


@pytest.fixture
def now(time_machine):
    """A stopped clock: what a test makes is made at this moment, unless it moves the clock."""
    time_machine.move_to(timezone.now(), tick=False)
    return timezone.now()


def later(now, minutes):
    return now + dt.timedelta(minutes=minutes)


def page_slugs(moment, topic=None, offset=0, limit=20):
    summaries, _next = selectors.learner_page(topic=topic, offset=offset, limit=limit, now=moment)
    return [summary.split('"slug":"', 1)[1].split('"', 1)[0] for summary in summaries]


class TestAtAMoment:
    def test_a_scheduled_go_live_is_seen_from_its_time_on_and_not_before(self, now):
        draft = course("sql", published=False)
        at = later(now, 10)
        services.course_schedule(course=draft, publish_at=at)
        before, then = at - dt.timedelta(microseconds=1), at
        assert selectors.learner_course(slug="sql", now=before) is None
        assert selectors.learner_course(slug="sql", now=then)["title"] == "SQL"
        assert (page_slugs(before), page_slugs(then)) == ([], ["sql"])
        assert (selectors.learner_total(now=before), selectors.learner_total(now=then)) == (0, 1)
        assert selectors.topic_counts(now=then) == [{"topic": "databases", "name": "Databases", "course_count": 1}]
        assert selectors.topic_counts(now=before) == []

    def test_a_scheduled_withdrawal_is_seen_from_its_time_on(self, now):
        live = course("sql")
        at = later(now, 10)
        services.course_schedule(course=live, unpublish_at=at)
        assert selectors.learner_course(slug="sql", now=at - dt.timedelta(microseconds=1))["title"] == "SQL"
        assert selectors.learner_course(slug="sql", now=at) is None
        assert selectors.learner_counts(now=at)["databases"] == 0
        assert selectors.learner_total(topics=["databases"], now=at) == 0
        assert selectors.learner_total(topics=["databases"], now=now) == 1

    def test_counts_add_what_went_live_and_take_what_left_by_schedule_before_anything_recorded_it(self, now):
        course("kept-1"), course("kept-2"), course("other", topic="cloud")
        coming = course("coming", published=False)
        leaving = course("leaving")
        services.course_schedule(course=coming, publish_at=later(now, 5))
        services.course_schedule(course=leaving, unpublish_at=later(now, 5))
        assert selectors.learner_counts(now=now) == {"databases": 3, "cloud": 1}
        # Nothing has recorded the switches at +6 minutes: the counts correct the kept ones.
        assert selectors.learner_counts(now=later(now, 6)) == {"databases": 3, "cloud": 1}
        assert {s for s in page_slugs(later(now, 6))} == {"kept-1", "kept-2", "other", "coming"}
        assert selectors.learner_total(topics=["cloud"], now=later(now, 6)) == 1

    def test_a_window_that_opens_and_closes_counts_only_inside_it(self, now):
        draft = course("sql", published=False)
        go, leave = later(now, 5), later(now, 10)
        services.course_schedule(course=draft, publish_at=go, unpublish_at=leave)
        totals = [selectors.learner_total(now=moment) for moment in (now, go, later(now, 7), leave)]
        assert totals == [0, 1, 1, 0]

    def test_next_switch_is_the_earliest_coming_one_and_none_once_all_passed(self, now):
        first, second = course("a", published=False), course("b")
        go, leave = later(now, 5), later(now, 3)
        services.course_schedule(course=first, publish_at=go)
        services.course_schedule(course=second, unpublish_at=leave)
        assert selectors.next_switch(now=now) == leave
        assert selectors.next_switch(now=leave) == go
        assert selectors.next_switch(now=go) is None
        _doc, switch = selectors.learner_detail(slug="b", now=now)
        assert switch == leave  # a detail knows when it stops being true


class TestPages:
    def test_newest_first_with_ties_broken_by_id_and_paged(self, now, time_machine):
        tied = sorted((course(f"c{i}") for i in "bca"), key=lambda c: c.pk)  # made at the same moment
        time_machine.shift(1)
        newest = course("new")
        moment = timezone.now()
        assert page_slugs(moment) == [newest.slug, *[c.slug for c in tied]]
        assert page_slugs(moment, offset=1, limit=2) == [c.slug for c in tied[:2]]
        assert page_slugs(moment, offset=4, limit=2) == []
        assert page_slugs(now) == [c.slug for c in tied]  # the newest was not there yet

    def test_a_topic_page_holds_that_topic_only(self, now):
        course("sql"), course("k8s", topic="cloud")
        assert page_slugs(now, topic="cloud") == ["k8s"]
        assert page_slugs(now, topic="nothing") == []
