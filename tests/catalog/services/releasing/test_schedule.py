"""Scheduled switches: learners see them on time with nothing running, no cached answer outlives them,
and catalog_tick records them in the history.

The clock is stopped (time-machine) and moved by the tests: learners' reads are checked a millisecond
before a switch and at it, so "on time" is checked to the millisecond without waiting. Those reads come
from the database, because Redis keeps its own time: a page it holds expires by the real clock.
TestTheCacheAndTheClock checks that part against the real clock, with switches a second ahead.
"""

import datetime as dt

import pytest
from django.utils import timezone

from catalog import services
from catalog.errors import CatalogValidationError, InvalidTransitionError
from catalog.models import Course, Module, Unit
from tests.factories import CourseFactory
from tests.helpers.commands import run
from tests.helpers.releasing import (
    course_url,
    history,
    learner_detail,
    learner_slugs,
    module_url,
    outline,
    poll_until,
    release,
    release_numbers,
    soon,
    wait_past,
)

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
S = Course.Status
TOPICS = "/api/v1/topics/"
# One word (one call on PostgreSQL) and two (the titles read with their estimate).
SUGGEST_ONE, SUGGEST_TWO = "/api/v1/suggest/?q=seco", "/api/v1/suggest/?q=intro+sq"
TREE = [
    {"title": "Basics", "modules": [{"title": "SELECT", "content": "Old words."}]},
    {"title": "Joins", "modules": [{"title": "INNER JOIN"}]},
]


@pytest.fixture(autouse=True)
def quick_setup(settings):
    """As in the API tests: cheap password hashes, and no static-file indexing per new client, so that the
    first request of a test does not eat the second before a switch."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Writes inside it run their on-commit work (the cache invalidation), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class Clock:
    """A stopped clock the test moves; `later()` is a moment ahead of it."""

    def __init__(self, machine):
        self.machine = machine

    def later(self, seconds: float = 60) -> dt.datetime:
        return timezone.now() + dt.timedelta(seconds=seconds)

    def just_before(self, moment: dt.datetime) -> None:
        self.machine.move_to(moment - dt.timedelta(milliseconds=1), tick=False)

    def at(self, moment: dt.datetime) -> None:
        self.machine.move_to(moment, tick=False)


@pytest.fixture
def clock(time_machine, settings):
    """Time stands still until the test moves it. Learners' reads skip the cache: Redis would keep a
    page by the real clock, which a moved clock cannot move (TestTheCacheAndTheClock covers that)."""
    settings.CATALOG_CACHE_ENABLED = False
    time_machine.move_to(timezone.now(), tick=False)
    return Clock(time_machine)


def draft(slug="sql"):
    return CourseFactory(slug=slug, title="Intro to SQL", topic="Databases", units=TREE)


def live(slug="sql"):
    return CourseFactory(slug=slug, title="Intro to SQL", topic="Databases", status="published", units=TREE)


def fresh(course) -> Course:
    return Course.objects.get(pk=course.pk)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def title_seen(client, slug="sql"):
    found = learner_detail(client, slug)
    return None if found is None else found["title"]


def learner_slugs_found(client, words):
    return [c["slug"] for c in client.get("/api/v1/courses/", {"search": words}).json()["results"]]


def change(course, title):
    services.course_update(course=course, title=title)


class TestScheduledPublish:
    def test_a_draft_goes_live_at_publish_at_as_frozen_then(
        self, api, learner_api, client, editor, editor_api, committed, clock
    ):
        course = draft()

        def before():
            assert title_seen(api) is None and title_seen(learner_api) is None
            assert learner_slugs(api) == [] and api.get(TOPICS).json() == []
            assert client.get("/courses/sql/").status_code == 404
            assert api.get("/api/v1/courses/?search=select").json()["count"] == 0

        before()  # the same reads before anything is scheduled
        at = clock.later()
        with committed():
            services.course_schedule(course=course, publish_at=at, by=editor)
            change(course, "Edited after scheduling")
            services.module_create(unit=Unit.objects.get(course=course, title="Basics"), title="Later module")
        clock.just_before(at)
        before()
        clock.at(at)
        seen = learner_detail(api, "sql")
        assert seen["title"] == "Intro to SQL"  # frozen when it was scheduled
        assert outline(seen) == [("Basics", ["SELECT"]), ("Joins", ["INNER JOIN"])]
        assert (seen["status"], seen["published_at"]) == ("published", iso(at))
        assert title_seen(learner_api) == "Intro to SQL"
        assert learner_slugs(api) == ["sql"]
        assert "Intro to SQL" in client.get("/courses/sql/").content.decode()
        assert "Intro to SQL" in client.get("/").content.decode()
        assert learner_slugs_found(api, "select") == ["sql"]
        assert api.get(TOPICS).json() == [{"topic": "databases", "name": "Databases", "course_count": 1}]
        editor_view = editor_api.get(course_url("sql")).json()
        assert (editor_view["live_release"], editor_view["has_unpublished_changes"]) == (1, True)

    def test_a_published_course_keeps_its_release_until_then(self, api, editor, clock):
        course = live()
        change(course, "Second edition")
        at = clock.later()
        services.course_schedule(course=course, publish_at=at, by=editor)
        assert release_numbers(course) == [1, 2]
        clock.just_before(at)
        assert title_seen(api) == "Intro to SQL"
        clock.at(at)
        assert title_seen(api) == "Second edition"

    def test_rescheduling_freezes_the_working_copy_again(self, api, clock):
        course = draft()
        services.course_schedule(course=course, publish_at=clock.later(7200))
        change(course, "Better title")
        at = clock.later()
        services.course_schedule(course=course, publish_at=at)
        assert release_numbers(course) == [1]  # the first frozen copy never went live: dropped
        clock.at(at)
        assert title_seen(api) == "Better title"

    def test_cancelled_it_never_goes_live(self, api, editor_api, clock):
        course = draft()
        at = clock.later()
        assert (
            editor_api.put(course_url("sql") + "schedule/", {"publish_at": iso(at)}, format="json").json()["release"]
            == 1
        )
        assert editor_api.delete(course_url("sql") + "schedule/").status_code == 200
        assert (fresh(course).publish_at, release_numbers(course)) == (None, [])
        clock.at(at)
        assert title_seen(api) is None
        assert editor_api.get(course_url("sql") + "schedule/").json() == {
            "publish_at": None,
            "unpublish_at": None,
            "release": None,
        }

    def test_publishing_now_cancels_it(self, api):
        course = live()
        change(course, "Scheduled edition")
        services.course_schedule(course=course, publish_at=timezone.now() + dt.timedelta(hours=1))
        change(course, "Published now")
        services.course_publish(course=course)
        assert fresh(course).publish_at is None
        assert release_numbers(course) == [1, 2]
        assert release(course, 2).document["title"] == "Published now"
        assert title_seen(api) == "Published now"

    def test_publishing_now_cancels_it_even_when_nothing_is_waiting(self, editor_api):
        course = live()
        change(course, "Scheduled edition")
        services.course_schedule(course=course, publish_at=timezone.now() + dt.timedelta(hours=1))
        services.course_discard(course=course)  # the working copy is the live release again
        assert editor_api.post(course_url("sql") + "publish/").status_code == 200
        assert editor_api.get(course_url("sql") + "schedule/").json()["publish_at"] is None
        assert fresh(course).publish_at is None and release_numbers(course) == [1]

    def test_archiving_cancels_it(self, api):
        course = live()
        change(course, "Scheduled edition")
        services.course_schedule(course=course, publish_at=timezone.now() + dt.timedelta(hours=1))
        services.course_archive(course=course)
        assert fresh(course).publish_at is None and release_numbers(course) == [1]
        assert title_seen(api) is None


class TestScheduledWithdrawal:
    def test_unpublish_at_withdraws_the_live_release_then(self, api, learner_api, clock):
        course = live()
        module = Module.objects.get(unit__course=course, title="SELECT")
        at = clock.later()
        services.course_schedule(course=course, unpublish_at=at)
        clock.just_before(at)
        assert title_seen(api) == "Intro to SQL" and learner_slugs(api) == ["sql"]
        clock.at(at)
        assert title_seen(api) is None and title_seen(learner_api) is None
        assert learner_slugs(api) == []
        assert api.get(TOPICS).json() == []
        assert api.get(module_url("sql", module.pk)).status_code == 404
        assert release_numbers(course) == [1]  # withdrawn, not deleted

    def test_publish_at_then_unpublish_at(self, api, clock):
        course = draft()
        go, leave = clock.later(60), clock.later(120)
        services.course_schedule(course=course, publish_at=go, unpublish_at=leave)
        clock.just_before(go)
        assert title_seen(api) is None, "live too early"
        clock.at(go)
        assert title_seen(api) == "Intro to SQL"
        clock.just_before(leave)
        assert title_seen(api) == "Intro to SQL", "not live in its window"
        clock.at(leave)
        assert title_seen(api) is None

    def test_unpublish_at_then_publish_at(self, api, clock):
        course = live()
        change(course, "Second edition")
        leave, back = clock.later(60), clock.later(120)
        services.course_schedule(course=course, unpublish_at=leave)
        services.course_schedule(course=course, publish_at=back)
        clock.just_before(leave)
        assert title_seen(api) == "Intro to SQL", "withdrawn too early"
        clock.at(leave)
        assert title_seen(api) is None
        clock.just_before(back)
        assert title_seen(api) is None, "visible in the gap"
        clock.at(back)
        assert title_seen(api) == "Second edition"

    def test_a_new_release_then_its_withdrawal_on_a_published_course(self, api, clock):
        course = live()
        change(course, "Second edition")
        go, leave = clock.later(60), clock.later(120)
        services.course_schedule(course=course, publish_at=go, unpublish_at=leave)
        clock.just_before(go)
        assert title_seen(api) == "Intro to SQL", "switched too early"
        clock.at(go)
        assert title_seen(api) == "Second edition"
        clock.just_before(leave)
        assert title_seen(api) == "Second edition", "not the new release"
        clock.at(leave)
        assert title_seen(api) is None

    def test_publishing_changes_keeps_the_scheduled_withdrawal(self, api, editor_api, tmp_path, clock):
        from tests.helpers.commands import course as import_record
        from tests.helpers.commands import run_import, write_json

        course = live()
        run_import(write_json(tmp_path, [import_record("imported")]))
        imported = Course.objects.get(slug="imported")
        at = clock.later()
        for each in (course, imported):
            services.course_schedule(course=each, unpublish_at=at)
        change(course, "Second edition")
        assert editor_api.post(course_url("sql") + "publish/").status_code == 200
        code, _out, err = run_import(write_json(tmp_path, [import_record("imported", title="New")], name="2.json"))
        assert code == 0, err
        assert title_seen(api) == "Second edition" and title_seen(api, "imported") == "New"
        assert release_numbers(course) == [1, 2] and release_numbers(imported) == [1, 2]
        clock.at(at)
        assert title_seen(api) is None and title_seen(api, "imported") is None

    def test_cancelling_the_withdrawal_keeps_the_course_live(self, api, editor_api, clock):
        live()
        at = clock.later()
        url = course_url("sql") + "schedule/"
        assert editor_api.put(url, {"unpublish_at": iso(at)}, format="json").json()["unpublish_at"] == iso(at)
        assert editor_api.put(url, {"unpublish_at": None}, format="json").json()["unpublish_at"] is None
        clock.at(at)
        assert title_seen(api) == "Intro to SQL"


def suggested(api, url) -> list[str]:
    return [s["title"] for s in api.get(url).json()["results"]]


class TestTheCacheAndTheClock:
    """Pages the cache holds expire by the real clock: switches a second ahead, learners' reads polled
    (cache hits included) until then, and read again right after."""

    def test_a_cached_answer_does_not_outlive_the_switch(self, api, editor):
        course = live()
        first_module = Module.objects.get(unit__course=course, title="SELECT")
        change(course, "Second edition")
        services.module_update(module=first_module, content="New words.")
        at = soon(1.0)
        services.course_schedule(course=course, publish_at=at, by=editor)
        urls = [course_url("sql"), "/api/v1/courses/", TOPICS, module_url("sql", first_module.pk)]
        urls += [SUGGEST_ONE, SUGGEST_TWO]
        for url in urls:
            api.get(url)
            assert api.get(url)["X-Cache"] == "HIT", url

        def before():
            assert title_seen(api) == "Intro to SQL"
            assert api.get("/api/v1/courses/").json()["results"][0]["title"] == "Intro to SQL"
            assert api.get(module_url("sql", first_module.pk)).json()["content"] == "Old words."
            assert suggested(api, SUGGEST_ONE) == [] and suggested(api, SUGGEST_TWO) == ["Intro to SQL"]

        poll_until(at, before)
        wait_past(at, margin=0.01)
        answers = {url: api.get(url) for url in urls}
        assert answers[course_url("sql")].json()["title"] == "Second edition"
        assert answers["/api/v1/courses/"].json()["results"][0]["title"] == "Second edition"
        assert answers[module_url("sql", first_module.pk)].json()["content"] == "New words."
        assert answers[course_url("sql")].json()["published_at"] == iso(at)
        assert suggested(api, SUGGEST_ONE) == ["Second edition"] and suggested(api, SUGGEST_TWO) == []
        for url, answer in answers.items():
            assert answer["X-Cache"] == "MISS", url

    def test_an_answer_cached_before_scheduling_does_not_outlive_the_switch(self, api, committed):
        course = live()
        for url in (course_url("sql"), "/api/v1/courses/", TOPICS):
            api.get(url)
            assert api.get(url)["X-Cache"] == "HIT"
        change(course, "Second edition")
        at = soon()
        with committed():
            services.course_schedule(course=course, publish_at=at)
        assert api.get(course_url("sql"))["X-Cache"] == "MISS"  # scheduling itself forgot the pages
        poll_until(at, lambda: title_seen(api) == "Intro to SQL" or pytest.fail("switched early"))
        wait_past(at, margin=0.01)
        assert title_seen(api) == "Second edition"
        assert api.get("/api/v1/courses/").json()["results"][0]["title"] == "Second edition"

    def test_a_cached_answer_does_not_outlive_a_withdrawal(self, api, learner_api):
        course = live()
        module = Module.objects.get(unit__course=course, title="SELECT")
        at = soon()
        services.course_schedule(course=course, unpublish_at=at)
        for url in (course_url("sql"), "/api/v1/courses/", TOPICS, module_url("sql", module.pk)):
            api.get(url)
            assert api.get(url)["X-Cache"] == "HIT"

        def before():
            assert title_seen(api) == "Intro to SQL" and learner_slugs(api) == ["sql"]

        poll_until(at, before)
        wait_past(at, margin=0.01)
        assert title_seen(api) is None and title_seen(learner_api) is None
        assert learner_slugs(api) == []
        assert api.get(TOPICS).json() == []
        assert api.get(module_url("sql", module.pk)).status_code == 404


class TestRefusals:
    @pytest.mark.parametrize("field", ["publish_at", "unpublish_at"])
    @pytest.mark.parametrize("ago", [dt.timedelta(seconds=1), dt.timedelta(days=400), dt.timedelta(0)])
    def test_a_time_that_is_not_in_the_future_names_its_field(self, field, ago):
        course = live()
        with pytest.raises(CatalogValidationError) as excinfo:
            services.course_schedule(course=course, **{field: timezone.now() - ago})
        assert list(excinfo.value.errors) == [field]
        assert (fresh(course).publish_at, fresh(course).unpublish_at, release_numbers(course)) == (None, None, [1])

    def test_a_naive_time_is_refused_naming_its_field(self):
        course = draft()
        naive = dt.datetime.now() + dt.timedelta(hours=1)  # noqa: DTZ005 - the point of the test
        with pytest.raises(CatalogValidationError) as excinfo:
            services.course_schedule(course=course, publish_at=naive)
        assert list(excinfo.value.errors) == ["publish_at"]

    def test_an_archived_course_cannot_be_scheduled_to_go_live(self):
        course = live()
        services.course_archive(course=course)
        with pytest.raises(InvalidTransitionError, match="archived"):
            services.course_schedule(course=course, publish_at=soon(3600))
        assert (fresh(course).publish_at, release_numbers(course)) == (None, [1])

    @pytest.mark.parametrize(
        ("units", "says"),
        [([], "has no units"), ([{"title": "Basics", "modules": []}], "unit 1 'Basics' has no modules")],
    )
    def test_a_working_copy_breaking_the_publish_rule_is_refused_now(self, units, says):
        course = CourseFactory(slug="sql", units=units)
        with pytest.raises(InvalidTransitionError, match=says):
            services.course_schedule(course=course, publish_at=soon(3600))
        assert (fresh(course).publish_at, release_numbers(course)) == (None, [])

    def test_a_published_course_whose_working_copy_breaks_the_rule_keeps_its_schedule_empty(self, api):
        course = live()
        services.unit_create(course=course, title="Empty")
        with pytest.raises(InvalidTransitionError, match="unit 3 'Empty' has no modules"):
            services.course_schedule(course=course, publish_at=soon(3600))
        assert (fresh(course).publish_at, release_numbers(course)) == (None, [1])
        assert title_seen(api) == "Intro to SQL"

    def test_nothing_live_or_scheduled_cannot_be_withdrawn(self):
        course = draft()
        with pytest.raises(InvalidTransitionError, match="nothing of it is live"):
            services.course_schedule(course=course, unpublish_at=soon(3600))
        assert fresh(course).unpublish_at is None

    def test_a_withdrawal_before_the_first_go_live_is_refused(self):
        course = draft()
        with pytest.raises(CatalogValidationError) as excinfo:
            services.course_schedule(course=course, publish_at=soon(7200), unpublish_at=soon(3600))
        assert list(excinfo.value.errors) == ["unpublish_at"]
        assert (fresh(course).publish_at, fresh(course).unpublish_at, release_numbers(course)) == (None, None, [])


class TestCatalogTick:
    def tick(self):
        code, out, err = run("catalog_tick")
        assert code == 0, err
        return out.strip()

    def test_records_a_scheduled_publish_in_the_history(self, api, editor, clock):
        course = draft()
        at = clock.later()
        services.course_schedule(course=course, publish_at=at, by=editor)
        assert self.tick().startswith("0 course(s) with scheduled switches recorded")
        assert history(course) == []
        clock.at(at)
        assert title_seen(api) == "Intro to SQL"  # learners did not wait for the tick
        assert self.tick().startswith("1 course(s) with scheduled switches recorded")
        assert history(course) == [("publish", S.DRAFT, S.PUBLISHED, 1, editor, True)]
        course = fresh(course)
        assert (course.status, course.published_at, course.publish_at) == (S.PUBLISHED, at, None)
        assert self.tick().startswith("0 course(s) with scheduled switches recorded")
        assert len(history(course)) == 1

    def test_records_a_scheduled_withdrawal(self, api, clock):
        course = live()
        at = clock.later()
        services.course_schedule(course=course, unpublish_at=at)
        clock.at(at)
        assert self.tick().startswith("1 course(s) with scheduled switches recorded")
        assert history(course)[-1] == ("unpublish", S.PUBLISHED, S.DRAFT, 1, None, True)
        course = fresh(course)
        assert (course.status, course.unpublish_at) == (S.DRAFT, None)
        assert title_seen(api) is None

    def test_records_both_switches_in_their_order(self, editor, clock):
        course = draft()
        go, leave = clock.later(60), clock.later(120)
        services.course_schedule(course=course, publish_at=go, unpublish_at=leave, by=editor)
        clock.at(leave)
        assert self.tick().startswith("1 course(s) with scheduled switches recorded")
        assert history(course) == [
            ("publish", S.DRAFT, S.PUBLISHED, 1, editor, True),
            ("unpublish", S.PUBLISHED, S.DRAFT, 1, None, True),
        ]
        assert fresh(course).status == S.DRAFT

    def test_a_withdrawal_then_a_go_live_are_both_recorded_by_one_late_tick(self, editor, clock):
        course = live()
        change(course, "Second edition")
        leave, back = clock.later(60), clock.later(120)
        services.course_schedule(course=course, unpublish_at=leave, publish_at=back, by=editor)
        clock.at(back)
        assert self.tick().startswith("1 course(s) with scheduled switches recorded")
        assert history(course)[1:] == [
            ("unpublish", S.PUBLISHED, S.DRAFT, 1, None, True),
            ("publish", S.DRAFT, S.PUBLISHED, 2, editor, True),
        ]

    def test_a_new_release_replacing_the_live_one_is_recorded(self, clock):
        course = live()
        change(course, "Second edition")
        at = clock.later()
        services.course_schedule(course=course, publish_at=at)
        clock.at(at)
        self.tick()
        assert history(course)[-1] == ("publish", S.PUBLISHED, S.PUBLISHED, 2, None, True)
        assert fresh(course).published_at == at

    def test_the_next_write_to_the_course_records_what_the_tick_missed(self, editor, clock):
        course = draft()
        at = clock.later()
        services.course_schedule(course=course, publish_at=at, by=editor)
        clock.at(at)
        change(course, "Edited after it went live")
        assert history(course) == [("publish", S.DRAFT, S.PUBLISHED, 1, editor, True)]
        assert fresh(course).status == S.PUBLISHED
        assert self.tick().startswith("0 course(s) with scheduled switches recorded")

    def test_several_courses_at_once(self, clock):
        courses = [draft(f"c{i}") for i in range(3)]
        at = clock.later()
        for course in courses:
            services.course_schedule(course=course, publish_at=at)
        clock.at(at)
        assert self.tick().startswith("3 course(s) with scheduled switches recorded")
        assert [fresh(c).status for c in courses] == [S.PUBLISHED] * 3
