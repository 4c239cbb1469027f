"""Releases through the service layer: publish, withdraw, restore, discard, revert, history, retention, races."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog import services
from catalog.errors import CatalogConflictError, CatalogNotFoundError, InvalidTransitionError
from catalog.models import Course, CourseTransition, Module, Release, Unit
from tests.factories import CourseFactory
from tests.helpers.commands import run
from tests.helpers.releasing import (
    assert_contiguous,
    course_url,
    document_rows,
    fields_of,
    history,
    learner_detail,
    learner_slugs,
    outline,
    release,
    release_numbers,
    tree_rows,
)

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
S = Course.Status

TREE = [
    {"title": "Basics", "modules": [{"title": "SELECT", "content": "Pick columns."}, {"title": "WHERE"}]},
    {"title": "Joins", "modules": [{"title": "INNER JOIN", "content": "Match rows."}, {"title": "LEFT JOIN"}]},
]


@pytest.fixture(autouse=True)
def quick_setup(settings):
    """Cheap password hashes and no static-file indexing per new client, as in the API tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Writes inside it run their on-commit work (the cache invalidation), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def live_course(slug="sql", **fields):
    return CourseFactory(slug=slug, title="Intro to SQL", topic="Databases", status="published", units=TREE, **fields)


def fresh(course) -> Course:
    return Course.objects.get(pk=course.pk)


def unit(course, title) -> Unit:
    return Unit.objects.get(course=course, title=title)


def module(course, title) -> Module:
    return Module.objects.get(unit__course=course, title=title)


def editor_view(editor, slug) -> dict:
    response = client_for(editor).get(course_url(slug))
    assert response.status_code == 200, response.content
    return response.json()


def restructure(course):
    """Edit every part of the working copy: fields, a renamed, a deleted and a new unit, moved,
    deleted, renamed and rewritten modules, a new module."""
    services.course_update(course=course, title="SQL, rewritten", description="New words.", topic="Data")
    services.module_update(module=module(course, "SELECT"), title="SELECT *", content="All columns.")
    services.module_move(module=module(course, "WHERE"), unit=unit(course, "Joins"), position=1)
    services.module_delete(module=module(course, "LEFT JOIN"))
    services.unit_delete(unit=unit(course, "Basics"))
    services.unit_update(unit=unit(course, "Joins"), title="Joining")
    extra = services.unit_create(course=course, title="Extra", position=1)
    services.module_create(unit=extra, title="Bonus", content="# Bonus")
    services.module_create(unit=unit(course, "Joining"), title="CROSS JOIN", position=2)


class TestPublish:
    def test_a_draft_becomes_release_1_and_learners_read_it(self, api, editor):
        course = CourseFactory(slug="sql", title="Intro to SQL", units=TREE)
        assert learner_detail(api, "sql") is None
        services.course_publish(course=course, by=editor)
        assert release_numbers(course) == [1]
        seen = learner_detail(api, "sql")
        assert (seen["title"], seen["status"]) == ("Intro to SQL", "published")
        assert outline(seen) == [("Basics", ["SELECT", "WHERE"]), ("Joins", ["INNER JOIN", "LEFT JOIN"])]
        assert document_rows(release(course, 1).document) == tree_rows(course)
        assert seen["published_at"] is not None
        assert fresh(course).published_at == release(course, 1).created_at

    def test_publishing_changes_makes_release_n_plus_1_which_learners_read(self, api, editor, committed):
        course = live_course()
        first = release(course, 1).document
        assert learner_detail(api, "sql")["title"] == "Intro to SQL"  # cached now
        with committed():
            restructure(course)
        assert learner_detail(api, "sql")["title"] == "Intro to SQL"  # the working copy waits
        assert outline(learner_detail(api, "sql"))[0] == ("Basics", ["SELECT", "WHERE"])
        with committed():
            services.course_publish(course=course, by=editor)
        assert release_numbers(course) == [1, 2]
        seen = learner_detail(api, "sql")
        assert (seen["title"], seen["description"], seen["topic"]) == ("SQL, rewritten", "New words.", "data")
        assert outline(seen) == [("Extra", ["Bonus"]), ("Joining", ["WHERE", "CROSS JOIN", "INNER JOIN"])]
        assert document_rows(release(course, 2).document) == tree_rows(course)
        assert release(course, 1).document == first  # releases never change

    def test_publishing_an_unchanged_course_makes_nothing_new(self, editor):
        course = live_course()
        before = fresh(course)
        transitions = CourseTransition.objects.count()
        services.course_publish(course=course, by=editor)
        after = fresh(course)
        assert release_numbers(course) == [1]
        assert (after.published_at, after.updated_at) == (before.published_at, before.updated_at)
        assert CourseTransition.objects.count() == transitions

    def test_an_edit_undone_before_publishing_makes_nothing_new(self):
        course = live_course()
        services.course_update(course=course, title="Something else")
        services.course_update(course=course, title="Intro to SQL")
        services.module_update(module=module(course, "WHERE"), content="temporary")
        services.module_update(module=module(course, "WHERE"), content="")
        services.course_publish(course=course)
        assert release_numbers(course) == [1]

    def test_every_publish_of_a_change_takes_the_next_number(self, api, committed):
        course = live_course()
        for n in range(2, 5):
            with committed():
                services.course_update(course=course, title=f"Edition {n}")
                services.course_publish(course=course)
            assert learner_detail(api, "sql")["title"] == f"Edition {n}"
        assert release_numbers(course) == [1, 2, 3, 4]
        assert [release(course, n).document["title"] for n in (2, 3, 4)] == ["Edition 2", "Edition 3", "Edition 4"]

    def test_a_working_copy_breaking_the_rule_is_refused_and_the_live_release_stays(self, api, committed):
        course = live_course()
        with committed():
            services.course_update(course=course, title="Half done")
            services.unit_create(course=course, title="Empty yet")
        before = (fresh(course).status, fresh(course).published_at, CourseTransition.objects.count())
        with pytest.raises(InvalidTransitionError, match="unit 3 'Empty yet' has no modules"):
            services.course_publish(course=course)
        assert release_numbers(course) == [1]
        assert (fresh(course).status, fresh(course).published_at, CourseTransition.objects.count()) == before
        seen = learner_detail(api, "sql")
        assert (seen["title"], len(seen["units"])) == ("Intro to SQL", 2)

    def test_a_live_course_emptied_in_its_working_copy_stays_whole_for_learners(self, api, committed):
        course = live_course()
        with committed():
            for row in list(course.units.all()):
                services.unit_delete(unit=row)
        with pytest.raises(InvalidTransitionError, match="has no units"):
            services.course_publish(course=course)
        seen = learner_detail(api, "sql")
        assert (seen["unit_count"], seen["module_count"]) == (2, 4)
        assert fresh(course).status == S.PUBLISHED

    def test_an_archived_course_cannot_be_published(self):
        course = live_course()
        services.course_archive(course=course)
        with pytest.raises(InvalidTransitionError, match="cannot publish 'sql': it is archived"):
            services.course_publish(course=course)
        assert release_numbers(course) == [1]


class TestWithdraw:
    @pytest.mark.parametrize(("action", "status"), [("unpublish", S.DRAFT), ("archive", S.ARCHIVED)])
    def test_the_live_release_is_withdrawn_and_stays_in_the_history(
        self, api, editor, editor_api, committed, action, status
    ):
        course = live_course()
        assert learner_slugs(api) == ["sql"] and learner_detail(api, "sql") is not None
        with committed():
            getattr(services, f"course_{action}")(course=course, by=editor)
        assert fresh(course).status == status
        assert learner_detail(api, "sql") is None
        assert learner_slugs(api) == []
        assert api.get("/api/v1/topics/").json() == []
        assert release_numbers(course) == [1]
        listed = editor_api.get(course_url("sql") + "releases/").json()
        assert [(r["number"], r["created_by"], r["live"]) for r in listed] == [(1, None, False)]
        assert history(course)[-1] == (action, S.PUBLISHED, status, 1, editor, False)
        body = editor_view(editor, "sql")
        assert (body["live_release"], body["has_unpublished_changes"]) == (None, False)

    def test_archiving_a_draft_withdraws_nothing(self):
        course = CourseFactory(slug="sql", units=TREE)
        services.course_archive(course=course)
        assert release_numbers(course) == []
        assert history(course)[-1] == ("archive", S.DRAFT, S.ARCHIVED, None, None, False)

    def test_restore_gives_a_draft_that_learners_still_do_not_see(self, api, editor):
        course = live_course()
        services.course_archive(course=course)
        services.course_restore(course=course, by=editor)
        assert fresh(course).status == S.DRAFT
        assert learner_detail(api, "sql") is None
        assert release_numbers(course) == [1]
        assert history(course)[-1] == ("restore", S.ARCHIVED, S.DRAFT, None, editor, False)

    def test_publishing_again_after_a_withdrawal_makes_the_next_release(self, api):
        course = live_course()
        services.course_unpublish(course=course)
        services.course_publish(course=course)
        assert release_numbers(course) == [1, 2]
        assert release(course, 2).document == release(course, 1).document
        assert learner_detail(api, "sql")["title"] == "Intro to SQL"

    @pytest.mark.parametrize(
        ("action", "start"),
        [("unpublish", S.DRAFT), ("unpublish", S.ARCHIVED), ("archive", S.ARCHIVED), ("restore", S.PUBLISHED)],
    )
    def test_refused_moves_change_nothing(self, action, start):
        course = live_course() if start != S.DRAFT else CourseFactory(slug="sql", units=TREE)
        if start == S.ARCHIVED:
            services.course_archive(course=course)
        before = (fresh(course).status, release_numbers(course), history(course))
        with pytest.raises(InvalidTransitionError, match=f"cannot {action} 'sql'"):
            getattr(services, f"course_{action}")(course=course)
        assert (fresh(course).status, release_numbers(course), history(course)) == before


class TestDiscard:
    def test_the_working_copy_becomes_the_live_release_again_ids_included(self, api, editor, committed):
        course = live_course()
        live_rows, live_fields = tree_rows(course), fields_of(course)
        assert learner_detail(api, "sql") is not None
        with committed():
            restructure(course)
        assert tree_rows(course) != live_rows
        with committed():
            services.course_discard(course=course, by=editor)
        assert tree_rows(course) == live_rows  # units and modules deleted since come back with their ids
        assert fields_of(course) == live_fields
        assert_contiguous(course)
        assert not Unit.objects.filter(title="Extra").exists() and not Module.objects.filter(title="Bonus").exists()
        assert (fresh(course).unit_count, fresh(course).module_count) == (2, 4)
        assert release_numbers(course) == [1]  # nothing new for learners
        assert outline(learner_detail(api, "sql")) == [
            ("Basics", ["SELECT", "WHERE"]),
            ("Joins", ["INNER JOIN", "LEFT JOIN"]),
        ]
        body = editor_view(editor, "sql")
        assert (body["live_release"], body["has_unpublished_changes"]) == (1, False)
        assert history(course)[-1] == ("discard", S.PUBLISHED, S.PUBLISHED, 1, editor, False)

    def test_the_restored_working_copy_can_be_edited_and_published(self, api):
        course = live_course()
        restructure(course)
        services.course_discard(course=course)
        services.module_create(unit=unit(course, "Basics"), title="ORDER BY")
        services.course_publish(course=course)
        assert release_numbers(course) == [1, 2]
        assert outline(learner_detail(api, "sql"))[0] == ("Basics", ["SELECT", "WHERE", "ORDER BY"])

    def test_without_changes_it_leaves_the_working_copy_as_it_is(self):
        course = live_course()
        before = (tree_rows(course), fresh(course).updated_at)
        services.course_discard(course=course)
        assert (tree_rows(course), fresh(course).updated_at) == before

    def test_a_course_that_was_never_published_has_nothing_to_discard(self):
        course = CourseFactory(slug="sql", units=TREE)
        services.course_update(course=course, title="Changed")
        before = (tree_rows(course), fields_of(course), history(course))
        with pytest.raises(InvalidTransitionError, match="it has no live release"):
            services.course_discard(course=course)
        assert (tree_rows(course), fields_of(course), history(course)) == before

    def test_a_withdrawn_course_has_nothing_to_discard(self):
        course = live_course()
        services.course_unpublish(course=course)
        services.course_update(course=course, title="Changed")
        with pytest.raises(InvalidTransitionError, match="no live release"):
            services.course_discard(course=course)
        assert fields_of(course)[0] == "Changed"

    def test_a_stale_editor_is_refused(self):
        course = live_course()
        opened = fresh(course).updated_at
        services.course_update(course=course, title="Someone else's")
        with pytest.raises(CatalogConflictError):
            services.course_discard(course=course, precondition=services.unchanged_since(opened))
        assert fields_of(course)[0] == "Someone else's"


class TestRevert:
    @pytest.fixture
    def three(self):
        """Release 1 (TREE), release 2 (restructured) live, and more changes in the working copy."""
        course = live_course()
        rows = {1: tree_rows(course)}
        restructure(course)
        services.course_publish(course=course)
        rows[2] = tree_rows(course)
        services.course_update(course=course, title="Third try")
        services.unit_delete(unit=unit(course, "Extra"))
        return course, rows

    def test_the_working_copy_becomes_release_n_ids_included(self, api, editor, three):
        course, rows = three
        services.course_revert(course=course, number=1, by=editor)
        assert tree_rows(course) == rows[1]
        assert fields_of(course) == ("Intro to SQL", "A course made by the test factory.", "databases")
        assert_contiguous(course)
        assert learner_detail(api, "sql")["title"] == "SQL, rewritten"  # still release 2 for learners
        assert release_numbers(course) == [1, 2]
        assert history(course)[-1] == ("revert", S.PUBLISHED, S.PUBLISHED, 1, editor, False)
        body = editor_view(editor, "sql")
        assert (body["live_release"], body["has_unpublished_changes"]) == (2, True)

    def test_publishing_a_reverted_copy_makes_the_next_release(self, api, three):
        course, rows = three
        services.course_revert(course=course, number=1)
        services.course_publish(course=course)
        assert release_numbers(course) == [1, 2, 3]
        assert release(course, 3).fingerprint == release(course, 1).fingerprint
        assert outline(learner_detail(api, "sql")) == [
            ("Basics", ["SELECT", "WHERE"]),
            ("Joins", ["INNER JOIN", "LEFT JOIN"]),
        ]

    def test_reverting_to_the_live_release_is_a_discard(self, three):
        course, rows = three
        services.course_revert(course=course, number=2)
        assert tree_rows(course) == rows[2]
        assert fields_of(course)[0] == "SQL, rewritten"

    @pytest.mark.parametrize("number", [0, 3, 99, -1])
    def test_an_unknown_release_is_an_error_and_changes_nothing(self, three, number):
        course, _rows = three
        before = (tree_rows(course), fields_of(course), history(course))
        with pytest.raises(CatalogNotFoundError, match=f"'sql' has no release {number}"):
            services.course_revert(course=course, number=number)
        assert (tree_rows(course), fields_of(course), history(course)) == before

    def test_a_course_without_releases_has_nothing_to_revert_to(self):
        course = CourseFactory(slug="sql", units=TREE)
        with pytest.raises(CatalogNotFoundError):
            services.course_revert(course=course, number=1)

    def test_a_stale_editor_is_refused(self, three):
        course, _rows = three
        opened = fresh(course).updated_at
        services.course_update(course=course, title="Meanwhile")
        with pytest.raises(CatalogConflictError):
            services.course_revert(course=course, number=1, precondition=services.unchanged_since(opened))
        assert fields_of(course)[0] == "Meanwhile"


class TestHistory:
    def test_every_move_records_who_when_and_which_release(self, django_user_model, editor):
        other = django_user_model.objects.create_user(username="other-editor")
        course = CourseFactory(slug="sql", units=TREE)
        services.course_publish(course=course, by=editor)
        services.course_update(course=course, title="v2")
        services.course_publish(course=course, by=other)
        services.course_revert(course=course, number=1, by=editor)
        services.course_discard(course=course, by=other)
        services.course_unpublish(course=course, by=editor)
        services.course_archive(course=course, by=other)
        services.course_restore(course=course, by=editor)
        assert history(course) == [
            ("publish", S.DRAFT, S.PUBLISHED, 1, editor, False),
            ("publish", S.PUBLISHED, S.PUBLISHED, 2, other, False),
            ("revert", S.PUBLISHED, S.PUBLISHED, 1, editor, False),
            ("discard", S.PUBLISHED, S.PUBLISHED, 2, other, False),
            ("unpublish", S.PUBLISHED, S.DRAFT, 2, editor, False),
            ("archive", S.DRAFT, S.ARCHIVED, None, other, False),
            ("restore", S.ARCHIVED, S.DRAFT, None, editor, False),
        ]
        assert (release(course, 1).created_by, release(course, 2).created_by) == (editor, other)
        second = CourseTransition.objects.get(course=course, action="publish", release=2)
        assert second.at == release(course, 2).created_at
        assert second.at < CourseTransition.objects.get(course=course, action="unpublish").at

    def test_an_anonymous_writer_is_recorded_as_nobody(self, django_user_model):
        course = CourseFactory(slug="sql", units=TREE)
        services.course_publish(course=course, by=None)
        assert history(course) == [("publish", S.DRAFT, S.PUBLISHED, 1, None, False)]
        assert release(course, 1).created_by is None


class TestRetention:
    def releases_of(self, n, slug="sql"):
        course = live_course(slug)
        for i in range(2, n + 1):
            services.course_update(course=course, title=f"{slug} {i}")
            services.course_publish(course=course)
        return course

    def test_keeps_the_n_newest_of_each_course(self):
        five, two = self.releases_of(5), self.releases_of(2, slug="short")
        code, out, err = run("catalog_prune_releases", "--keep", "2")
        assert code == 0, err
        assert "deleted 3 release(s)" in out
        assert (release_numbers(five), release_numbers(two)) == ([4, 5], [1, 2])

    def test_never_deletes_the_live_release(self, api, editor_api):
        course = self.releases_of(3)
        services.course_update(course=course, title="Scheduled")
        services.course_schedule(course=course, publish_at=soon_enough())
        assert release_numbers(course) == [1, 2, 3, 4]  # 3 live, 4 scheduled
        code, out, _err = run("catalog_prune_releases", "--keep", "1")
        assert code == 0 and "deleted 2 release(s)" in out
        assert release_numbers(course) == [3, 4]
        assert learner_detail(api, "sql")["title"] == "sql 3"
        body = editor_api.get(course_url("sql") + "releases/").json()
        assert [(r["number"], r["live"]) for r in body] == [(4, False), (3, True)]

    def test_a_scheduled_release_of_a_course_with_nothing_live_stays(self):
        course = self.releases_of(3)
        services.course_unpublish(course=course)
        services.course_update(course=course, title="Back later")
        services.course_schedule(course=course, publish_at=soon_enough())
        run("catalog_prune_releases", "--keep", "1")
        assert release_numbers(course) == [4]

    def test_pruned_releases_are_gone_for_editors_and_numbering_goes_on(self, editor_api):
        course = self.releases_of(4)
        run("catalog_prune_releases", "--keep", "2")
        assert editor_api.get(course_url("sql") + "releases/1/").status_code == 404
        assert editor_api.post(course_url("sql") + "releases/1/revert/").status_code == 404
        with pytest.raises(CatalogNotFoundError):
            services.course_revert(course=course, number=2)
        services.course_update(course=course, title="Next")
        services.course_publish(course=course)
        assert release_numbers(course) == [3, 4, 5]

    @pytest.mark.parametrize(
        ("args", "says"),
        [
            (["--keep", "0"], "--keep must be 1 or more"),
            (["--keep", "-3"], "--keep must be 1 or more"),
            (["--keep", "two"], "invalid int value"),
            ([], "--keep"),
        ],
    )
    def test_bad_keep_values_are_refused_and_delete_nothing(self, args, says):
        course = self.releases_of(3)
        code, _out, err = run("catalog_prune_releases", *args)
        assert code == 1 and says in err
        assert release_numbers(course) == [1, 2, 3]

    def test_the_service_refuses_to_keep_nothing(self):
        course = self.releases_of(2)
        with pytest.raises(ValueError, match="keep at least one"):
            services.releases_prune(keep=0)
        assert release_numbers(course) == [1, 2]

    def test_nothing_to_prune(self):
        self.releases_of(2)
        assert run("catalog_prune_releases", "--keep", "5")[1].startswith("deleted 0 release(s)")


def soon_enough():
    return timezone.now() + dt.timedelta(hours=1)


# --- concurrency (real transactions, real threads) -------------------------------------------------


def run_together(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run_one(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run_one, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def version(round_, name) -> dict:
    """A whole tree whose every title says which version and round it belongs to."""
    return {
        "title": f"{name} {round_}",
        "topic": "Testing",
        "units": [
            {
                "title": f"{name} {round_} unit {u}",
                "modules": [
                    {"title": f"{name} {round_} module {u}.{m}", "content": f"{name} {round_}"} for m in (1, 2)
                ],
            }
            for u in (1, 2, 3)
        ],
    }


def structure(document) -> tuple:
    return (
        document["title"],
        [(u["title"], [(m["title"], m["content"]) for m in u["modules"]]) for u in document["units"]],
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
class TestConcurrency:
    def test_a_publish_while_another_editor_rewrites_the_tree_releases_one_whole_tree(self, editor):
        CourseFactory(slug="raced", status="published", **version(0, "start"))
        course = Course.objects.get(slug="raced")
        outcomes = set()
        for round_ in range(1, 7):
            before, after = version(round_, "before"), version(round_, "after")
            assert client_for(editor).put(course_url("raced"), before, format="json").status_code == 200
            put, publish = run_together(
                [
                    lambda after=after: client_for(editor).put(course_url("raced"), after, format="json"),
                    lambda: client_for(editor).post(course_url("raced") + "publish/"),
                ]
            )
            assert (put.status_code, publish.status_code) == (200, 200), (put.content, publish.content)
            newest = Release.objects.filter(course=course).order_by("-number").first()
            made = structure(newest.document)
            assert made in (structure(before), structure(after)), f"a mixed tree was released: {made}"
            outcomes.add("before" if made == structure(before) else "after")
            learners = APIClient().get(course_url("raced")).json()
            assert learners["title"] == made[0]
            assert [u["title"] for u in learners["units"]] == [u for u, _ in made[1]]
            assert document_rows(newest.document) == tree_rows(course) or made == structure(before)
        assert outcomes  # which one wins is up to the scheduler; both are whole trees

    def test_two_publishes_of_different_changes_end_as_sequential_releases(self, editor, django_user_model):
        other = django_user_model.objects.create_user(username="ed2")
        other.groups.add(*editor.groups.all())
        course = CourseFactory(slug="raced", status="published", **version(0, "start"))
        for round_ in range(3):
            first, second = f"First {round_}", f"Second {round_}"
            responses = run_together(
                [
                    lambda t=first: client_for(editor).patch(
                        course_url("raced"), {"title": t, "status": "published"}, format="json"
                    ),
                    lambda t=second: client_for(other).patch(
                        course_url("raced"), {"title": t, "status": "published"}, format="json"
                    ),
                ]
            )
            assert [r.status_code for r in responses] == [200, 200], [r.content for r in responses]
            newest = 2 * round_ + 3
            assert release_numbers(course) == list(range(1, newest + 1))
            titles = [release(course, n).document["title"] for n in (newest - 1, newest)]
            assert sorted(titles) == [first, second]
            assert APIClient().get(course_url("raced")).json()["title"] == titles[1]
            assert fresh(course).title == titles[1]
            publishes = CourseTransition.objects.filter(course=course, action="publish", release__gt=newest - 2)
            assert sorted(publishes.values_list("release", flat=True)) == [newest - 1, newest]

    def test_two_publishes_of_the_same_change_make_one_release(self, editor):
        course = CourseFactory(slug="raced", status="published", **version(0, "start"))
        services.course_update(course=course, title="Changed once")
        responses = run_together([lambda: client_for(editor).post(course_url("raced") + "publish/") for _ in range(3)])
        assert [r.status_code for r in responses] == [200, 200, 200]
        assert release_numbers(course) == [1, 2]
        assert CourseTransition.objects.filter(course=course, action="publish").count() == 2

    def test_an_edit_racing_a_discard_is_never_half_undone(self, editor):
        course = CourseFactory(slug="raced", status="published", **version(0, "start"))
        live = tree_rows(course)
        for round_ in range(1, 5):
            services.course_update(course=course, title=f"Edited {round_}")
            put, discard = run_together(
                [
                    lambda r=round_: client_for(editor).put(course_url("raced"), version(r, "put"), format="json"),
                    lambda: client_for(editor).post(course_url("raced") + "discard/"),
                ]
            )
            assert (put.status_code, discard.status_code) == (200, 200)
            now = (fields_of(course)[0], [(u[1], [m[1] for m in u[3]]) for u in tree_rows(course)])
            put_state = structure(version(round_, "put"))
            put_state = (put_state[0], [(u, [m for m, _ in ms]) for u, ms in put_state[1]])
            assert now == put_state or tree_rows(course) == live, now
            services.course_discard(course=course)
            assert tree_rows(course) == live
