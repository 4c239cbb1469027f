"""Editors' release endpoints, the release state in editors' answers, "status": "published" in a write,
the module endpoint and old slugs, as the contract's HTTP API describes them."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
import time_machine
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from catalog import services
from catalog.models import Course, Module, Release, Unit
from tests.factories import CourseFactory, tree
from tests.helpers import commands
from tests.helpers.api import EDITOR_KEYS, LIST, SUMMARY_KEYS, assert_json_error, catalog_state, detail, record
from tests.helpers.releasing import document_rows, module_url, outline, release_numbers, tree_rows

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

TREE = [
    {"title": "Basics", "modules": [{"title": "SELECT", "content": "Pick columns."}, {"title": "WHERE"}]},
    {"title": "Joins", "modules": [{"title": "INNER JOIN", "content": "Match rows."}, {"title": "LEFT JOIN"}]},
]
FAR = "2999-01-01T00:00:00Z"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Writes inside it run their on-commit work (the cache invalidation), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sql():
    """Published as release 1; nothing changed since."""
    return CourseFactory(slug="sql", title="Intro to SQL", topic="Databases", status="published", units=TREE)


@pytest.fixture
def changed(sql):
    """Release 1 live; the working copy has a new title and a new module."""
    services.course_update(course=sql, title="SQL, second edition")
    services.module_create(unit=Unit.objects.get(course=sql, title="Joins"), title="CROSS JOIN")
    return sql


def module(title, slug="sql") -> Module:
    return Module.objects.get(unit__course__slug=slug, title=title)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def later(**delta) -> dt.datetime:
    return (timezone.now() + dt.timedelta(**delta)).replace(microsecond=0)


# --- who may use the editors' endpoints --------------------------------------------------------------

ENDPOINTS = [
    ("discard", "post", "discard/", None, 200),
    ("releases", "get", "releases/", None, 200),
    ("release", "get", "releases/1/", None, 200),
    ("revert", "post", "releases/1/revert/", None, 200),
    ("diff", "get", "diff/", None, 200),
    ("diff-numbers", "get", "diff/?from=1&to=draft", None, 200),
    ("preview", "post", "preview/", None, 201),
    ("schedule-get", "get", "schedule/", None, 200),
    ("schedule-put", "put", "schedule/", {"unpublish_at": FAR}, 200),
    ("schedule-delete", "delete", "schedule/", None, 200),
]
IDS = [e[0] for e in ENDPOINTS]


def call(client, method, path, body, slug="sql"):
    url = detail(slug) + path
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


class TestWhoMayUseThem:
    @pytest.mark.parametrize(("name", "method", "path", "body", "success"), ENDPOINTS, ids=IDS)
    def test_anonymous_is_401_and_nothing_changes(self, api, changed, name, method, path, body, success):
        before = catalog_state()
        response = call(api, method, path, body)
        assert_json_error(response, 401)
        assert response["WWW-Authenticate"] == "Token"
        assert catalog_state() == before

    @pytest.mark.parametrize(("name", "method", "path", "body", "success"), ENDPOINTS, ids=IDS)
    def test_a_learner_is_403_and_nothing_changes(self, learner_api, changed, name, method, path, body, success):
        before = catalog_state()
        body = assert_json_error(call(learner_api, method, path, body), 403)
        assert "editors" in body["detail"]
        assert catalog_state() == before

    @pytest.mark.parametrize(("name", "method", "path", "body", "success"), ENDPOINTS, ids=IDS)
    def test_nobody_learns_whether_a_hidden_course_exists(self, api, learner_api, name, method, path, body, success):
        CourseFactory(slug="secret", units=TREE)
        for client, status in ((api, 401), (learner_api, 403)):
            for slug in ("secret", "missing"):
                assert call(client, method, path, body, slug=slug).status_code == status

    @pytest.mark.parametrize(("name", "method", "path", "body", "success"), ENDPOINTS, ids=IDS)
    def test_a_missing_course_is_404_for_an_editor(self, editor_api, changed, name, method, path, body, success):
        before = catalog_state()
        assert_json_error(call(editor_api, method, path, body, slug="missing"), 404)
        assert catalog_state() == before

    @pytest.mark.parametrize(("name", "method", "path", "body", "success"), ENDPOINTS, ids=IDS)
    def test_an_editor_gets_the_answer(self, editor_api, changed, name, method, path, body, success):
        response = call(editor_api, method, path, body)
        assert response.status_code == success, response.content
        assert response["Content-Type"] == "application/json"
        assert response.get("X-Cache") != "HIT"
        if method == "get":  # every GET answer has an ETag, and a matching If-None-Match gets 304
            again = editor_api.get(detail("sql") + path, HTTP_IF_NONE_MATCH=response["ETag"])
            assert again.status_code == 304


class TestBrowserSessions:
    """An editor logged in with a session (the admin's browser) needs the CSRF token for the release writes."""

    SECRET = "k" * 32
    WRITES = [e for e in ENDPOINTS if e[1] != "get"]

    @pytest.fixture
    def session(self, editor):
        session = APIClient(enforce_csrf_checks=True)
        session.force_login(editor)
        return session

    @pytest.mark.parametrize(("name", "method", "path", "body", "success"), WRITES, ids=[w[0] for w in WRITES])
    def test_without_the_csrf_token_nothing_changes(self, session, changed, name, method, path, body, success):
        before = catalog_state()
        assert "CSRF" in assert_json_error(call(session, method, path, body), 403)["detail"]
        assert catalog_state() == before

    @pytest.mark.parametrize(("name", "method", "path", "body", "success"), WRITES, ids=[w[0] for w in WRITES])
    def test_with_it_the_write_is_made(self, session, changed, name, method, path, body, success):
        session.cookies["csrftoken"] = self.SECRET
        session.credentials(HTTP_X_CSRFTOKEN=self.SECRET)
        assert call(session, method, path, body).status_code == success

    def test_reads_need_no_token(self, session, changed):
        assert session.get(detail("sql") + "releases/").status_code == 200
        assert session.get(detail("sql") + "diff/").status_code == 200


# --- the release state in editors' answers -----------------------------------------------------------


class TestEditorsAnswers:
    def state(self, client, slug="sql"):
        body = client.get(detail(slug)).json()
        listed = {c["slug"]: c for c in client.get(LIST).json()["results"]}[slug]
        assert (listed["live_release"], listed["has_unpublished_changes"]) == (
            body["live_release"],
            body["has_unpublished_changes"],
        )
        return body["live_release"], body["has_unpublished_changes"]

    def test_through_the_life_of_a_course(self, editor_api):
        course = CourseFactory(slug="sql", units=TREE)
        assert self.state(editor_api) == (None, False)
        services.course_publish(course=course)
        assert self.state(editor_api) == (1, False)
        services.course_update(course=course, title="Changed")
        assert self.state(editor_api) == (1, True)
        services.course_update(course=course, title=course.title)
        services.course_update(course=course, title="Changed again")
        services.course_publish(course=course)
        assert self.state(editor_api) == (2, False)
        services.course_unpublish(course=course)
        assert self.state(editor_api) == (None, False)

    def test_every_editor_answer_carries_it(self, editor_api, changed):
        answers = [
            editor_api.get(detail("sql")),
            editor_api.patch(detail("sql"), {"description": "More."}, format="json"),
            editor_api.put(detail("sql"), record(title="Put", status="draft"), format="json"),
            editor_api.post(detail("sql") + "publish/"),
            editor_api.post(detail("sql") + "releases/1/revert/"),
            editor_api.post(detail("sql") + "discard/"),
        ]
        for response in answers:
            assert response.status_code == 200, response.content
            assert set(response.json()) == EDITOR_KEYS | {"units"}
        assert set(editor_api.get(LIST).json()["results"][0]) == EDITOR_KEYS

    def test_learners_answers_do_not(self, api, learner_api, changed):
        for client in (api, learner_api):
            assert set(client.get(detail("sql")).json()) == SUMMARY_KEYS | {"units"}
            assert set(client.get(LIST).json()["results"][0]) == SUMMARY_KEYS

    def test_editors_read_the_working_copy_and_learners_the_release(self, api, editor_api, changed):
        assert editor_api.get(detail("sql")).json()["title"] == "SQL, second edition"
        assert api.get(detail("sql")).json()["title"] == "Intro to SQL"
        assert editor_api.get(detail("sql"))["X-Cache"] == "BYPASS"
        editor_outline = outline(editor_api.get(detail("sql")).json())
        assert editor_outline[1] == ("Joins", ["INNER JOIN", "LEFT JOIN", "CROSS JOIN"])
        assert outline(api.get(detail("sql")).json())[1] == ("Joins", ["INNER JOIN", "LEFT JOIN"])


# --- "status": "published" in a write ---------------------------------------------------------------


class TestPublishedInTheBody:
    def test_a_patch_without_it_waits_in_the_working_copy(self, api, editor_api, sql, committed):
        api.get(detail("sql"))
        with committed():
            response = editor_api.patch(detail("sql"), {"title": "Waiting"}, format="json")
        assert response.status_code == 200
        assert (response.json()["live_release"], response.json()["has_unpublished_changes"]) == (1, True)
        assert api.get(detail("sql")).json()["title"] == "Intro to SQL"
        assert release_numbers(sql) == [1]

    def test_a_patch_with_it_publishes_in_the_same_request(self, api, editor_api, sql, committed):
        api.get(detail("sql"))
        with committed():
            response = editor_api.patch(detail("sql"), {"title": "Live now", "status": "published"}, format="json")
        assert response.status_code == 200
        assert (response.json()["live_release"], response.json()["has_unpublished_changes"]) == (2, False)
        assert api.get(detail("sql")).json()["title"] == "Live now"
        assert release_numbers(sql) == [1, 2]

    def test_a_patch_of_the_status_alone_publishes_the_waiting_changes(self, api, editor_api, changed):
        response = editor_api.patch(detail("sql"), {"status": "published"}, format="json")
        assert response.status_code == 200
        assert release_numbers(changed) == [1, 2]
        assert api.get(detail("sql")).json()["title"] == "SQL, second edition"

    def test_nothing_waiting_makes_nothing_new(self, editor_api, sql):
        before = catalog_state()
        assert editor_api.patch(detail("sql"), {"status": "published"}, format="json").status_code == 200
        assert editor_api.patch(detail("sql"), {"title": "Intro to SQL", "status": "published"}, format="json")
        assert catalog_state() == before

    def test_a_patch_that_cannot_be_published_changes_nothing(self, api, editor_api, sql):
        services.unit_create(course=sql, title="Empty")
        before = catalog_state()
        response = editor_api.patch(detail("sql"), {"title": "Half done", "status": "published"}, format="json")
        body = assert_json_error(response, 409)
        assert "unit 3 'Empty' has no modules" in body["detail"]
        assert catalog_state() == before
        assert api.get(detail("sql")).json()["title"] == "Intro to SQL"

    def test_a_put_without_it_waits_in_the_working_copy(self, api, editor_api, sql):
        response = editor_api.put(detail("sql"), record(title="Put, waiting"), format="json")
        assert response.status_code == 200 and response.json()["status"] == "published"
        assert response.json()["has_unpublished_changes"] is True
        assert outline(api.get(detail("sql")).json()) == [
            ("Basics", ["SELECT", "WHERE"]),
            ("Joins", ["INNER JOIN", "LEFT JOIN"]),
        ]

    def test_a_put_with_it_publishes_the_whole_tree(self, api, editor_api, sql):
        response = editor_api.put(detail("sql"), record(title="Put, live", status="published"), format="json")
        assert response.status_code == 200
        assert (response.json()["live_release"], response.json()["has_unpublished_changes"]) == (2, False)
        seen = api.get(detail("sql")).json()
        assert (seen["title"], outline(seen)) == ("Put, live", [("Basics", ["SELECT", "WHERE"])])

    def test_an_identical_put_with_it_makes_nothing_new(self, editor_api):
        assert editor_api.put(detail("same"), record(status="published"), format="json").status_code == 201
        before = catalog_state()
        assert editor_api.put(detail("same"), record(status="published"), format="json").status_code == 200
        assert catalog_state() == before

    def test_a_new_course_put_with_it_is_live_at_once(self, api, editor_api):
        response = editor_api.put(detail("fresh"), record(status="published"), format="json")
        assert response.status_code == 201
        assert (response.json()["live_release"], response.json()["status"]) == (1, "published")
        assert api.get(detail("fresh")).json()["title"] == "Intro to SQL"

    def test_a_put_that_cannot_be_published_changes_nothing(self, api, editor_api, sql):
        before = catalog_state()
        body = record(status="published", units=[{"title": "Hollow", "modules": []}])
        refusal = assert_json_error(editor_api.put(detail("sql"), body, format="json"), 409)
        assert "unit 1 'Hollow' has no modules" in refusal["detail"]
        assert catalog_state() == before

    def test_draft_in_the_body_withdraws_the_live_release(self, api, editor_api, sql):
        assert editor_api.patch(detail("sql"), {"status": "draft"}, format="json").status_code == 200
        assert api.get(detail("sql")).status_code == 404
        assert release_numbers(sql) == [1]


# --- releases, one release, revert, discard ----------------------------------------------------------


class TestReleases:
    def test_newest_first_with_who_and_whether_live(self, editor, editor_api, changed):
        services.course_publish(course=changed, by=editor)
        body = editor_api.get(detail("sql") + "releases/").json()
        assert [(r["number"], r["created_by"], r["live"]) for r in body] == [(2, "ed", True), (1, None, False)]
        assert all(set(r) == {"number", "created_at", "created_by", "live"} for r in body)
        assert parse_datetime(body[0]["created_at"]) == Release.objects.get(course=changed, number=2).created_at
        assert body[0]["created_at"].endswith("Z")

    def test_none_is_live_once_withdrawn(self, editor_api, sql):
        services.course_unpublish(course=sql)
        assert [(r["number"], r["live"]) for r in editor_api.get(detail("sql") + "releases/").json()] == [(1, False)]

    def test_a_course_without_releases_has_an_empty_list(self, editor_api):
        CourseFactory(slug="sql", units=TREE)
        assert editor_api.get(detail("sql") + "releases/").json() == []

    def test_one_release_as_a_course_detail_document(self, api, editor_api, changed):
        services.course_publish(course=changed)
        services.course_update(course=changed, title="Third, unpublished")
        first = editor_api.get(detail("sql") + "releases/1/").json()
        assert set(first) == SUMMARY_KEYS | {"units", "release"}
        assert (first["release"], first["title"], first["slug"]) == (1, "Intro to SQL", "sql")
        assert outline(first) == [("Basics", ["SELECT", "WHERE"]), ("Joins", ["INNER JOIN", "LEFT JOIN"])]
        assert (first["unit_count"], first["module_count"]) == (2, 4)
        second = editor_api.get(detail("sql") + "releases/2/").json()
        learners = api.get(detail("sql")).json()
        assert {k: v for k, v in second.items() if k != "release"} == learners  # the live one, as learners get it
        assert [m["title"] for m in second["units"][1]["modules"]][-1] == "CROSS JOIN"
        assert set(second["units"][0]["modules"][0]) == {"id", "title", "order"}

    @pytest.mark.parametrize("number", ["0", "2", "999999999"])
    def test_an_unknown_release_is_404(self, editor_api, sql, number):
        body = assert_json_error(editor_api.get(detail("sql") + f"releases/{number}/"), 404)
        assert f"no release {int(number)}" in body["detail"]

    @pytest.mark.parametrize("number", ["abc", "-1", "1.0", "9999999999", "1a"])
    def test_a_release_that_is_not_a_number_is_404(self, editor_api, sql, number):
        assert_json_error(editor_api.get(detail("sql") + f"releases/{number}/"), 404)


class TestRevert:
    def test_the_working_copy_becomes_release_n(self, api, editor_api, changed, committed):
        services.course_publish(course=changed)
        services.course_update(course=changed, title="Third")
        response = editor_api.post(detail("sql") + "releases/1/revert/")
        assert response.status_code == 200
        body = response.json()
        assert (body["title"], body["live_release"], body["has_unpublished_changes"]) == ("Intro to SQL", 2, True)
        assert outline(body) == [("Basics", ["SELECT", "WHERE"]), ("Joins", ["INNER JOIN", "LEFT JOIN"])]
        assert tree_rows(changed) == document_rows(Release.objects.get(course=changed, number=1).document)
        assert api.get(detail("sql")).json()["title"] == "SQL, second edition"  # learners: release 2
        with committed():
            assert editor_api.post(detail("sql") + "publish/").json()["live_release"] == 3
        assert api.get(detail("sql")).json()["title"] == "Intro to SQL"

    @pytest.mark.parametrize("number", ["0", "5"])
    def test_an_unknown_release_is_404_and_changes_nothing(self, editor_api, changed, number):
        before = catalog_state()
        assert_json_error(editor_api.post(detail("sql") + f"releases/{number}/revert/"), 404)
        assert catalog_state() == before

    def test_get_is_not_allowed(self, editor_api, sql):
        assert_json_error(editor_api.get(detail("sql") + "releases/1/revert/"), 405)


class TestDiscard:
    def test_the_working_copy_becomes_the_live_release(self, api, editor_api, changed):
        response = editor_api.post(detail("sql") + "discard/")
        assert response.status_code == 200
        body = response.json()
        assert (body["title"], body["live_release"], body["has_unpublished_changes"]) == ("Intro to SQL", 1, False)
        learners = api.get(detail("sql")).json()
        assert body["units"] == learners["units"]  # ids included

    def test_without_a_live_release_it_is_409_and_changes_nothing(self, editor_api):
        CourseFactory(slug="sql", units=TREE)
        before = catalog_state()
        body = assert_json_error(editor_api.post(detail("sql") + "discard/"), 409)
        assert "no live release" in body["detail"]
        assert catalog_state() == before


# --- If-Match on the release writes ------------------------------------------------------------------

WRITES = [
    ("publish", "post", "publish/", None),
    ("discard", "post", "discard/", None),
    ("revert", "post", "releases/1/revert/", None),
    ("schedule-put", "put", "schedule/", {"unpublish_at": FAR}),
    ("schedule-delete", "delete", "schedule/", None),
]


class TestIfMatch:
    @pytest.mark.parametrize(("name", "method", "path", "body"), WRITES, ids=[w[0] for w in WRITES])
    def test_a_stale_etag_is_412_and_changes_nothing(self, editor_api, changed, name, method, path, body):
        stale = editor_api.get(detail("sql"))["ETag"]
        assert editor_api.patch(detail("sql"), {"description": "Someone else."}, format="json").status_code == 200
        before = catalog_state()
        response = getattr(editor_api, method)(detail("sql") + path, body, format="json", HTTP_IF_MATCH=stale)
        assert_json_error(response, 412)
        assert catalog_state() == before

    @pytest.mark.parametrize(("name", "method", "path", "body"), WRITES, ids=[w[0] for w in WRITES])
    def test_the_current_etag_or_a_star_passes(self, editor_api, changed, name, method, path, body):
        for tag in (editor_api.get(detail("sql"))["ETag"], "*"):
            response = getattr(editor_api, method)(detail("sql") + path, body, format="json", HTTP_IF_MATCH=tag)
            assert response.status_code == 200, (tag, response.content)

    def test_one_of_several_etags_passes(self, editor_api, changed):
        current = editor_api.get(detail("sql"))["ETag"]
        # Strong comparison (RFC 9110, the contract): the weak form of the current tag never matches.
        assert_json_error(editor_api.post(detail("sql") + "publish/", HTTP_IF_MATCH=f'"nope", W/{current}'), 412)
        response = editor_api.post(detail("sql") + "publish/", HTTP_IF_MATCH=f'"nope", {current}')
        assert response.status_code == 200
        assert release_numbers(changed) == [1, 2]

    def test_the_learners_etag_is_not_the_working_copys(self, api, editor_api, changed):
        learners = api.get(detail("sql"))["ETag"]
        assert_json_error(editor_api.post(detail("sql") + "publish/", HTTP_IF_MATCH=learners), 412)
        assert release_numbers(changed) == [1]


# --- diff ----------------------------------------------------------------------------------------------


def change_set(response) -> set[tuple]:
    assert response.status_code == 200, response.content
    changes = response.json()["changes"]
    for change in changes:
        assert set(change) == {"kind", "what", "title", "field", "from", "to"}, change
        assert change["kind"] in ("added", "removed", "changed", "moved")
        assert change["what"] in ("course", "unit", "module")
    return {(c["kind"], c["what"], c["title"], c["field"], c["from"], c["to"]) for c in changes}


@pytest.fixture
def rewritten(sql):
    """Release 1 live; the working copy restructured in every way the diff describes."""
    services.course_update(course=sql, title="SQL 2")
    services.unit_update(unit=Unit.objects.get(course=sql, title="Joins"), title="Joining")
    extra = services.unit_create(course=sql, title="Extra", position=1)
    services.module_create(unit=extra, title="Bonus")
    services.module_delete(module=module("LEFT JOIN"))
    services.module_move(module=module("WHERE"), unit=Unit.objects.get(course=sql, title="Joining"), position=1)
    services.module_update(module=module("SELECT"), content="All columns.")
    return sql


class TestDiff:
    EXPECTED = {
        ("changed", "course", "SQL 2", "title", "Intro to SQL", "SQL 2"),
        ("changed", "unit", "Joining", "title", "Joins", "Joining"),
        ("added", "unit", "Extra", "order", None, 1),
        ("moved", "unit", "Basics", "order", 1, 2),
        ("added", "module", "Bonus", "unit", None, "Extra"),
        ("removed", "module", "LEFT JOIN", "unit", "Joins", None),
        ("moved", "module", "WHERE", "unit", "Basics", "Joining"),
        ("changed", "module", "SELECT", "content", "Pick columns.", "All columns."),
        ("moved", "module", "INNER JOIN", "order", 1, 2),
    }

    def test_by_default_from_live_to_draft(self, editor_api, rewritten):
        found = change_set(editor_api.get(detail("sql") + "diff/"))
        assert found >= self.EXPECTED, self.EXPECTED - found
        assert found == change_set(editor_api.get(detail("sql") + "diff/?from=live&to=draft"))
        assert found == change_set(editor_api.get(detail("sql") + "diff/?from=1"))
        assert not {c for c in found if c[0] in ("added", "removed")} - self.EXPECTED

    def test_a_rename_is_a_change_until_it_is_published(self, editor_api, sql):
        rename(editor_api, "sql", "sql-basics", publish=False)
        found = change_set(editor_api.get(detail("sql-basics") + "diff/"))
        assert found == {("changed", "course", "Intro to SQL", "slug", "sql", "sql-basics")}
        assert editor_api.post(detail("sql-basics") + "publish/").status_code == 200
        assert change_set(editor_api.get(detail("sql-basics") + "diff/")) == set()
        # Between the two releases, the address moved.
        between = change_set(editor_api.get(detail("sql-basics") + "diff/?from=1&to=2"))
        assert ("changed", "course", "Intro to SQL", "slug", "sql", "sql-basics") in between

    def test_the_other_way_round(self, editor_api, rewritten):
        found = change_set(editor_api.get(detail("sql") + "diff/?from=draft&to=live"))
        assert ("removed", "unit", "Extra", None, None, None) in found
        assert ("added", "module", "LEFT JOIN", "unit", None, "Joins") in found
        assert ("changed", "course", "Intro to SQL", "title", "SQL 2", "Intro to SQL") in found

    def test_between_two_releases_whatever_the_working_copy_holds(self, editor_api, rewritten):
        services.course_publish(course=rewritten)
        services.course_update(course=rewritten, title="Unpublished third")
        between = change_set(editor_api.get(detail("sql") + "diff/?from=1&to=2"))
        assert between >= self.EXPECTED
        assert not any(c[2] == "Unpublished third" for c in between)
        assert change_set(editor_api.get(detail("sql") + "diff/?from=2&to=live")) == set()
        assert change_set(editor_api.get(detail("sql") + "diff/?from=live&to=draft")) == {
            ("changed", "course", "Unpublished third", "title", "SQL 2", "Unpublished third")
        }

    @pytest.mark.parametrize("query", ["", "?from=live&to=draft", "?from=1&to=1", "?from=draft&to=draft", "?to=1"])
    def test_equal_versions_have_no_changes(self, editor_api, sql, query):
        response = editor_api.get(detail("sql") + "diff/" + query)
        assert response.json() == {"changes": []}

    def test_a_draft_only_course_compares_draft_with_draft(self, editor_api):
        CourseFactory(slug="sql", units=TREE)
        assert editor_api.get(detail("sql") + "diff/?from=draft&to=draft").json() == {"changes": []}

    @pytest.mark.parametrize("side", ["from", "to"])
    @pytest.mark.parametrize(
        "value", ["abc", "-1", "1.5", "", " ", "LIVE", "Draft", "1e3", "\u0661", "9999999999", "live;1", "0x1", "+1"]
    )
    def test_a_bad_selector_is_400_naming_it(self, editor_api, sql, side, value):
        response = editor_api.get(detail("sql") + "diff/", {side: value})
        body = assert_json_error(response, 400, side)
        assert set(body) == {side}

    def test_both_bad_are_both_named(self, editor_api, sql):
        body = assert_json_error(editor_api.get(detail("sql") + "diff/?from=x&to=y"), 400, "from", "to")
        assert set(body) == {"from", "to"}

    @pytest.mark.parametrize("query", ["?from=2", "?to=7", "?from=0&to=1", "?from=1&to=999999999"])
    def test_an_unknown_release_is_404(self, editor_api, sql, query):
        assert_json_error(editor_api.get(detail("sql") + "diff/" + query), 404)

    def test_live_when_nothing_is_live_is_404(self, editor_api):
        CourseFactory(slug="sql", units=TREE)
        body = assert_json_error(editor_api.get(detail("sql") + "diff/"), 404)
        assert "no live release" in body["detail"]


# --- preview -------------------------------------------------------------------------------------------


class TestPreviewLink:
    def test_201_with_both_links_and_when_they_expire(self, editor_api, changed):
        started = timezone.now()
        response = editor_api.post(detail("sql") + "preview/")
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"url", "api_url", "expires_at"}
        # Absolute, on the catalog's own base (never a host the request named).
        assert urlsplit(body["url"]).scheme == "http" and urlsplit(body["url"]).path.startswith("/preview/")
        assert urlsplit(body["api_url"]).path.startswith("/api/v1/preview/")
        expires = parse_datetime(body["expires_at"])
        week = dt.timedelta(days=7)
        assert started + week - dt.timedelta(seconds=2) <= expires <= timezone.now() + week + dt.timedelta(seconds=2)

    def test_the_ttl_comes_from_the_settings(self, editor_api, changed, settings):
        settings.CATALOG_PREVIEW_TTL = 90
        expires = parse_datetime(editor_api.post(detail("sql") + "preview/").json()["expires_at"])
        assert abs((expires - timezone.now()).total_seconds() - 90) < 3

    def test_it_changes_nothing(self, editor_api, changed):
        before = catalog_state()
        editor_api.post(detail("sql") + "preview/")
        assert catalog_state() == before

    def test_a_draft_can_be_previewed_too(self, client, editor_api):
        CourseFactory(slug="draft", title="Only a draft", units=TREE)
        url = editor_api.post(detail("draft") + "preview/").json()["url"]
        assert "Only a draft" in client.get(url.removeprefix("http://testserver")).content.decode()

    def test_get_is_not_allowed(self, editor_api, sql):
        assert_json_error(editor_api.get(detail("sql") + "preview/"), 405)


# --- schedule ------------------------------------------------------------------------------------------


def schedule(client, body=None, method="put", slug="sql"):
    url = detail(slug) + "schedule/"
    if method == "get":
        return client.get(url)
    if method == "delete":
        return client.delete(url)
    return client.put(url, body, format="json")


class TestSchedule:
    def test_nothing_scheduled(self, editor_api, sql):
        assert schedule(editor_api, method="get").json() == {"publish_at": None, "unpublish_at": None, "release": None}

    def test_publish_at_freezes_the_working_copy_as_the_next_release(self, api, editor_api, changed):
        at = later(hours=1)
        response = schedule(editor_api, {"publish_at": iso(at)})
        assert response.status_code == 200
        assert response.json() == {"publish_at": iso(at), "unpublish_at": None, "release": 2}
        assert schedule(editor_api, method="get").json() == response.json()
        frozen = editor_api.get(detail("sql") + "releases/2/").json()
        assert frozen["title"] == "SQL, second edition"
        listed = editor_api.get(detail("sql") + "releases/").json()
        assert [(r["number"], r["live"]) for r in listed] == [(2, False), (1, True)]
        assert api.get(detail("sql")).json()["title"] == "Intro to SQL"

    def test_both_at_once_and_any_offset(self, editor_api, changed):
        at, away = later(hours=1), later(hours=2)
        body = {"publish_at": at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))).isoformat()}
        body["unpublish_at"] = away.astimezone(dt.timezone(dt.timedelta(hours=-8))).isoformat()
        assert schedule(editor_api, body).json() == {"publish_at": iso(at), "unpublish_at": iso(away), "release": 2}

    @pytest.mark.parametrize("field", ["publish_at", "unpublish_at"])
    @pytest.mark.parametrize("naive", ["2999-01-01T09:00:00", "2999-01-01 09:00", "2999-06-01"])
    def test_a_future_time_without_offset_is_400_naming_the_field(self, editor_api, changed, field, naive):
        before = catalog_state()
        body = assert_json_error(schedule(editor_api, {field: naive}), 400, field)
        assert set(body) == {field}
        assert catalog_state() == before

    @pytest.mark.parametrize(
        ("given", "answered"),
        [
            ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
            ("9999-12-31T23:59:59+14:00", "9999-12-31T09:59:59Z"),
            ("2999-06-01T09:00:00.123456+02:00", "2999-06-01T07:00:00.123456Z"),
            ("2999-06-01T09:00:00-00:00", "2999-06-01T09:00:00Z"),
        ],
    )
    def test_far_and_odd_but_valid_times(self, api, editor_api, changed, given, answered):
        assert schedule(editor_api, {"publish_at": given}).json()["publish_at"] == answered
        assert api.get(detail("sql")).json()["title"] == "Intro to SQL"
        assert api.get(LIST).json()["count"] == 1

    def test_unpublish_at_alone_on_a_published_course(self, editor_api, sql):
        away = later(days=3)
        assert schedule(editor_api, {"unpublish_at": iso(away)}).json() == {
            "publish_at": None,
            "unpublish_at": iso(away),
            "release": None,
        }

    def test_null_cancels_that_switch_only(self, editor_api, changed):
        schedule(editor_api, {"publish_at": iso(later(hours=1)), "unpublish_at": iso(later(hours=2))})
        kept = schedule(editor_api, {"publish_at": None}).json()
        assert (kept["publish_at"], kept["release"]) == (None, None)
        assert kept["unpublish_at"] is not None
        assert release_numbers(changed) == [1]  # the frozen copy never went live: dropped
        assert schedule(editor_api, {"unpublish_at": None}).json()["unpublish_at"] is None

    def test_delete_cancels_both(self, editor_api, changed):
        schedule(editor_api, {"publish_at": iso(later(hours=1)), "unpublish_at": iso(later(hours=2))})
        response = schedule(editor_api, method="delete")
        assert response.status_code == 200
        assert response.json() == {"publish_at": None, "unpublish_at": None, "release": None}
        assert release_numbers(changed) == [1]
        course = Course.objects.get(slug="sql")
        assert (course.publish_at, course.unpublish_at) == (None, None)

    def test_delete_with_nothing_scheduled_is_fine(self, editor_api, sql):
        before = catalog_state()
        assert schedule(editor_api, method="delete").status_code == 200
        assert catalog_state() == before

    @pytest.mark.parametrize("field", ["publish_at", "unpublish_at"])
    @pytest.mark.parametrize(
        "when",
        [
            "2000-01-01T00:00:00Z",
            "2000-01-01T00:00:00",
            "2000-01-01",
            "1970-01-01T00:00:00+14:00",
        ],
    )
    def test_a_past_time_is_400_naming_the_field(self, editor_api, changed, field, when):
        before = catalog_state()
        body = assert_json_error(schedule(editor_api, {field: when}), 400, field)
        assert set(body) == {field}
        assert catalog_state() == before

    def test_a_time_a_moment_ago_is_past_too(self, editor_api, changed):
        body = assert_json_error(schedule(editor_api, {"publish_at": iso(timezone.now())}), 400, "publish_at")
        assert "future" in body["publish_at"][0]

    @pytest.mark.parametrize("field", ["publish_at", "unpublish_at"])
    @pytest.mark.parametrize(
        "value",
        [
            "tomorrow",
            "next monday 9:00",
            "2999-13-01T00:00:00Z",
            "2999-02-30T09:00:00Z",
            "2999-01-01T25:00:00Z",
            "10000-01-01T00:00:00Z",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+01:00",
            "",
            " ",
            "\x00",
            "2999-01-01T00:00:00Z" * 50,
            12345,
            1.5,
            True,
            [],
            ["2999-01-01T00:00:00Z"],
            {"at": FAR},
        ],
    )
    def test_garbage_is_400_naming_the_field(self, editor_api, changed, field, value):
        before = catalog_state()
        body = assert_json_error(schedule(editor_api, {field: value}), 400, field)
        assert set(body) == {field}
        assert catalog_state() == before

    @pytest.mark.parametrize("body", [{}, [], "2999-01-01T00:00:00Z", {"publish": FAR}, {"publish_at": FAR, "x": 1}])
    def test_a_body_that_is_not_a_schedule_is_400(self, editor_api, changed, body):
        before = catalog_state()
        assert_json_error(schedule(editor_api, body), 400)
        assert catalog_state() == before

    def test_unknown_keys_are_named(self, editor_api, changed):
        body = assert_json_error(schedule(editor_api, {"publish_at": FAR, "colour": "red"}), 400, "colour")
        assert "colour" in body

    def test_an_archived_course_cannot_be_scheduled_to_go_live(self, editor_api, sql):
        services.course_archive(course=sql)
        before = catalog_state()
        body = assert_json_error(schedule(editor_api, {"publish_at": FAR}), 409)
        assert "archived" in body["detail"]
        assert catalog_state() == before

    def test_a_working_copy_breaking_the_publish_rule_is_409_now(self, api, editor_api, sql):
        services.unit_create(course=sql, title="Empty")
        before = catalog_state()
        body = assert_json_error(schedule(editor_api, {"publish_at": FAR}), 409)
        assert "unit 3 'Empty' has no modules" in body["detail"]
        assert catalog_state() == before
        assert api.get(detail("sql")).json()["title"] == "Intro to SQL"

    def test_an_empty_draft_cannot_be_scheduled(self, editor_api):
        CourseFactory(slug="sql")
        assert "has no units" in assert_json_error(schedule(editor_api, {"publish_at": FAR}), 409)["detail"]

    def test_nothing_live_or_scheduled_cannot_be_withdrawn(self, editor_api):
        CourseFactory(slug="sql", units=TREE)
        assert_json_error(schedule(editor_api, {"unpublish_at": FAR}), 409)

    def test_the_withdrawal_must_come_after_the_first_go_live(self, editor_api):
        CourseFactory(slug="sql", units=TREE)
        body = {"publish_at": iso(later(hours=2)), "unpublish_at": iso(later(hours=1))}
        assert set(assert_json_error(schedule(editor_api, body), 400, "unpublish_at")) == {"unpublish_at"}


# --- the module endpoint ---------------------------------------------------------------------------------

MODULE_KEYS = {"id", "title", "order", "content", "minutes", "unit", "previous", "next"}


class TestModuleEndpoint:
    def test_one_module_with_its_content_unit_and_neighbours(self, api, sql):
        where = module("WHERE")
        body = api.get(module_url("sql", where.pk)).json()
        assert set(body) == MODULE_KEYS
        assert (body["id"], body["title"], body["order"], body["content"]) == (where.pk, "WHERE", 2, "")
        assert body["unit"] == {"id": where.unit_id, "title": "Basics", "order": 1}
        assert (body["previous"], body["next"]) == (module("SELECT").pk, module("INNER JOIN").pk)

    def test_neighbours_follow_the_course_order_across_units(self, api, sql):
        order = [module(t).pk for t in ("SELECT", "WHERE", "INNER JOIN", "LEFT JOIN")]
        walked = []
        current = order[0]
        while current is not None:
            body = api.get(module_url("sql", current)).json()
            walked.append((body["previous"], body["id"], body["next"]))
            current = body["next"]
        assert walked == [
            (None, order[0], order[1]),
            (order[0], order[1], order[2]),
            (order[1], order[2], order[3]),
            (order[2], order[3], None),
        ]
        assert api.get(module_url("sql", order[2])).json()["content"] == "Match rows."

    def test_empty_units_are_skipped(self, editor_api):
        CourseFactory(slug="gappy", units=tree(1, 0, 1))
        ids = [m.pk for m in Module.objects.filter(unit__course__slug="gappy").order_by("unit__order", "order")]
        body = editor_api.get(module_url("gappy", ids[0])).json()
        assert body["next"] == ids[1]
        assert editor_api.get(module_url("gappy", ids[1])).json()["previous"] == ids[0]

    def test_learners_read_the_live_release_and_editors_the_working_copy(self, api, learner_api, editor_api, sql):
        select, left = module("SELECT"), module("LEFT JOIN")
        services.module_update(module=select, title="SELECT *", content="Every column.")
        services.module_delete(module=left)
        added = services.module_create(unit=Unit.objects.get(course=sql, title="Basics"), title="ORDER BY")
        for client in (api, learner_api):
            body = client.get(module_url("sql", select.pk)).json()
            assert (body["title"], body["content"]) == ("SELECT", "Pick columns.")
            assert client.get(module_url("sql", left.pk)).status_code == 200
            assert_json_error(client.get(module_url("sql", added.pk)), 404)
        body = editor_api.get(module_url("sql", select.pk)).json()
        assert (body["title"], body["content"]) == ("SELECT *", "Every column.")
        assert_json_error(editor_api.get(module_url("sql", left.pk)), 404)
        assert editor_api.get(module_url("sql", added.pk)).json()["previous"] == module("WHERE").pk
        services.course_publish(course=sql)
        assert api.get(module_url("sql", added.pk)).json()["title"] == "ORDER BY"

    def test_learners_answers_are_cached_and_editors_are_not(self, api, editor_api, sql):
        url = module_url("sql", module("WHERE").pk)
        assert [api.get(url)["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]
        assert [editor_api.get(url)["X-Cache"] for _ in range(2)] == ["BYPASS", "BYPASS"]

    def test_a_module_of_another_course_is_404(self, api, editor_api, sql):
        CourseFactory(slug="other", status="published", units=tree(1))
        foreign = Module.objects.get(unit__course__slug="other")
        for client in (api, editor_api):
            assert_json_error(client.get(module_url("sql", foreign.pk)), 404)
            assert_json_error(client.get(module_url("other", module("SELECT").pk)), 404)

    @pytest.mark.parametrize("status", ["draft", "archived"])
    def test_a_hidden_courses_module_is_404_for_learners(self, api, learner_api, editor_api, status):
        CourseFactory(slug="hidden", status=status, units=tree(1))
        hidden = Module.objects.get(unit__course__slug="hidden")
        for client in (api, learner_api):
            body = assert_json_error(client.get(module_url("hidden", hidden.pk)), 404)
            assert body == client.get(module_url("missing", hidden.pk)).json()  # as if it did not exist
        assert editor_api.get(module_url("hidden", hidden.pk)).status_code == 200

    def test_a_withdrawn_courses_module_is_404_for_learners(self, api, sql):
        services.course_unpublish(course=sql)
        assert_json_error(api.get(module_url("sql", module("SELECT").pk)), 404)

    @pytest.mark.parametrize("module_id", ["0", "999999999", "999999999999999999", "9" * 19, "abc", "-1", "1.0"])
    def test_odd_ids_are_404(self, api, editor_api, sql, module_id):
        for client in (api, editor_api):
            assert_json_error(client.get(f"{detail('sql')}modules/{module_id}/"), 404)

    def test_a_missing_course_is_404(self, api, editor_api):
        for client in (api, editor_api):
            assert_json_error(client.get(module_url("missing", 1)), 404)


# --- old slugs -------------------------------------------------------------------------------------------


def rename(client, old, new, *, publish=True):
    """Rename the working copy and, as the contract asks for learners to see it, publish the change."""
    response = client.patch(detail(old), {"slug": new}, format="json")
    assert response.status_code == 200, response.content
    if publish and Course.objects.get(slug=new).status == "published":
        assert client.post(detail(new) + "publish/").status_code == 200


class TestOldSlugs:
    def test_the_api_detail_and_the_course_page_redirect_for_good(self, api, client, editor_api, sql, committed):
        api.get(detail("sql"))
        with committed():
            rename(editor_api, "sql", "sql-basics")
        moved = api.get(detail("sql") + "?fields=all")
        assert moved.status_code == 301
        assert moved["Location"].endswith("/api/v1/courses/sql-basics/?fields=all")
        assert api.get(detail("sql-basics")).json()["slug"] == "sql-basics"
        page = client.get("/courses/sql/")
        assert (page.status_code, page["Location"]) == (301, "http://127.0.0.1/courses/sql-basics/")
        assert client.get("/courses/sql-basics/").status_code == 200
        assert [c["slug"] for c in api.get(LIST).json()["results"]] == ["sql-basics"]

    def test_editors_are_redirected_too(self, editor_api, sql):
        rename(editor_api, "sql", "sql-basics")
        moved = editor_api.get(detail("sql"))
        assert moved.status_code == 301 and moved["Location"].endswith(detail("sql-basics"))

    def test_a_module_page_under_the_old_slug_follows_too(self, client, editor_api, sql):
        rename(editor_api, "sql", "sql-basics")
        where = module("WHERE", slug="sql-basics")
        page = client.get(f"/courses/sql/modules/{where.pk}/")
        assert (page.status_code, page["Location"]) == (301, f"http://127.0.0.1/courses/sql-basics/modules/{where.pk}/")

    def test_every_old_slug_leads_straight_to_the_current_one(self, api, client, editor_api, sql):
        rename(editor_api, "sql", "sql-two")
        rename(editor_api, "sql-two", "sql-three")
        for old in ("sql", "sql-two"):
            assert api.get(detail(old))["Location"].endswith(detail("sql-three"))
            assert client.get(f"/courses/{old}/")["Location"] == "http://127.0.0.1/courses/sql-three/"

    def test_renaming_back_takes_the_old_slug_again(self, api, editor_api, sql):
        rename(editor_api, "sql", "sql-two")
        rename(editor_api, "sql-two", "sql")
        assert api.get(detail("sql")).status_code == 200
        assert api.get(detail("sql-two"))["Location"].endswith(detail("sql"))

    def test_a_new_course_taking_the_slug_answers_there(self, api, client, editor_api, sql):
        rename(editor_api, "sql", "sql-basics")
        assert editor_api.put(detail("sql"), record(title="A different course"), format="json").status_code == 201
        assert_json_error(api.get(detail("sql")), 404)  # a draft: it does not exist for learners
        assert client.get("/courses/sql/").status_code == 404
        assert editor_api.post(detail("sql") + "publish/").status_code == 200
        assert api.get(detail("sql")).json()["title"] == "A different course"
        assert api.get(detail("sql-basics")).json()["title"] == "Intro to SQL"
        assert "A different course" in client.get("/courses/sql/").content.decode()

    def test_an_existing_course_renamed_to_the_slug_answers_there(self, api, editor_api, sql):
        CourseFactory(slug="other", title="The other one", status="published", units=tree(1))
        rename(editor_api, "sql", "sql-basics")
        rename(editor_api, "other", "sql")
        assert api.get(detail("sql")).json()["title"] == "The other one"
        assert api.get(detail("other"))["Location"].endswith(detail("sql"))

    def test_a_course_created_with_post_takes_the_slug(self, api, editor_api, sql):
        rename(editor_api, "sql", "sql-basics")
        assert editor_api.post(LIST, {"slug": "sql", **record()}, format="json").status_code == 201
        assert_json_error(api.get(detail("sql")), 404)

    def test_a_draft_renamed_leaves_no_address_behind(self, api, editor_api):
        course = CourseFactory(slug="sql", units=TREE)
        rename(editor_api, "sql", "sql-basics")
        services.course_publish(course=course)
        assert_json_error(api.get(detail("sql")), 404)

    def test_a_withdrawn_course_does_not_redirect(self, api, client, editor_api, sql):
        rename(editor_api, "sql", "sql-basics")
        services.course_unpublish(course=sql)
        assert_json_error(api.get(detail("sql")), 404)
        assert client.get("/courses/sql/").status_code == 404
        services.course_publish(course=sql)
        assert api.get(detail("sql")).status_code == 301


class TestTheSlugIsPartOfTheRelease:
    """A new slug waits in the working copy like every other field; publishing moves learners' address."""

    def test_learners_keep_the_old_address_until_publish(self, api, client, editor_api, sql, committed):
        api.get(detail("sql"))  # cached before the rename
        with committed():
            rename(editor_api, "sql", "sql-basics", publish=False)
        assert api.get(detail("sql")).json()["slug"] == "sql"
        assert client.get("/courses/sql/").status_code == 200
        assert_json_error(api.get(detail("sql-basics")), 404)
        assert client.get("/courses/sql-basics/").status_code == 404
        assert [c["slug"] for c in api.get(LIST).json()["results"]] == ["sql"]
        working = editor_api.get(detail("sql-basics")).json()
        assert (working["slug"], working["has_unpublished_changes"], working["live_release"]) == ("sql-basics", True, 1)
        # Editors asking at the address learners still use are sent to the working copy.
        assert editor_api.get(detail("sql"))["Location"].endswith(detail("sql-basics"))

    def test_publish_moves_the_address_and_the_old_one_redirects(self, api, client, editor_api, sql, committed):
        rename(editor_api, "sql", "sql-basics", publish=False)
        for warm in (detail("sql"), "/courses/sql/", LIST):
            (api if warm.startswith("/api") else client).get(warm)
        with committed():
            published = editor_api.post(detail("sql-basics") + "publish/")
        assert published.status_code == 200 and published.json()["has_unpublished_changes"] is False
        assert release_numbers(sql) == [1, 2]  # the slug alone makes a new release
        assert api.get(detail("sql"))["Location"].endswith(detail("sql-basics"))
        assert client.get("/courses/sql/")["Location"] == "http://127.0.0.1/courses/sql-basics/"
        assert api.get(detail("sql-basics")).json()["slug"] == "sql-basics"
        assert [c["slug"] for c in api.get(LIST).json()["results"]] == ["sql-basics"]
        assert editor_api.post(detail("sql-basics") + "publish/").status_code == 200
        assert release_numbers(sql) == [1, 2]  # nothing new to publish now

    def test_discard_brings_the_live_slug_back(self, api, editor_api, sql):
        rename(editor_api, "sql", "sql-basics", publish=False)
        discarded = editor_api.post(detail("sql-basics") + "discard/")
        assert discarded.status_code == 200 and discarded.json()["slug"] == "sql"
        assert discarded.json()["has_unpublished_changes"] is False
        assert api.get(detail("sql")).status_code == 200
        assert_json_error(api.get(detail("sql-basics")), 404)

    def test_revert_brings_that_releases_slug_back(self, api, editor_api, sql, committed):
        rename(editor_api, "sql", "sql-basics")
        reverted = editor_api.post(detail("sql-basics") + "releases/1/revert/")
        assert reverted.status_code == 200 and reverted.json()["slug"] == "sql"
        assert api.get(detail("sql-basics")).status_code == 200  # until published again
        with committed():
            editor_api.post(detail("sql") + "publish/")
        assert api.get(detail("sql-basics"))["Location"].endswith(detail("sql"))
        assert api.get(detail("sql")).status_code == 200

    def test_no_other_course_takes_an_address_learners_still_use(self, editor_api, sql):
        CourseFactory(slug="other", title="Other", units=tree(1))
        rename(editor_api, "sql", "sql-basics", publish=False)
        said = "Learners still find 'Intro to SQL' at 'sql' until its new address is published"
        taken = editor_api.patch(detail("other"), {"slug": "sql"}, format="json")
        assert_json_error(taken, 400, "slug")
        assert said in taken.json()["slug"][0]
        created = editor_api.put(detail("sql"), record(title="A squatter"), format="json")
        assert_json_error(created, 400, "slug")
        assert said in created.json()["slug"][0]
        assert_json_error(editor_api.post(LIST, {**record(), "slug": "sql"}, format="json"), 400, "slug")
        assert Course.objects.filter(slug="sql").count() == 0
        assert Course.objects.get(slug="other").title == "Other"

    def test_put_publishing_a_renamed_course_moves_its_address(self, api, editor_api, sql, committed):
        rename(editor_api, "sql", "sql-basics", publish=False)
        body = editor_api.get(detail("sql-basics")).json()
        units = [{"title": u["title"], "modules": [{"title": m["title"]} for m in u["modules"]]} for u in body["units"]]
        record_ = {"title": body["title"], "topic": body["topic"], "description": "", "units": units}
        assert editor_api.put(detail("sql-basics"), record_, format="json").status_code == 200
        assert api.get(detail("sql")).status_code == 200  # a PUT without status changes the working copy only
        with committed():
            put = editor_api.put(detail("sql-basics"), {**record_, "status": "published"}, format="json")
        assert put.status_code == 200
        assert api.get(detail("sql"))["Location"].endswith(detail("sql-basics"))
        assert release_numbers(sql) == [1, 2]

    def test_the_import_follows_the_same_rule(self, api, editor_api, sql, tmp_path):
        rename(editor_api, "sql", "sql-basics", publish=False)
        squatter = commands.write_json(tmp_path, [commands.course(slug="sql")])
        code, _, err = commands.run_import(str(squatter))
        assert code == 1 and "Learners still find 'Intro to SQL' at 'sql'" in err
        assert not Course.objects.filter(slug="sql").exists()
        published = commands.write_json(
            tmp_path, [commands.course(slug="sql-basics", title="Intro to SQL", status="published")], name="b.json"
        )
        assert commands.run_import(str(published))[0] == 0
        assert api.get(detail("sql"))["Location"].endswith(detail("sql-basics"))
        assert api.get(detail("sql-basics")).json()["title"] == "Intro to SQL"

    def test_a_scheduled_release_moves_the_address_at_its_time_without_the_tick(
        self, api, client, editor_api, sql, settings
    ):
        settings.CATALOG_CACHE_ENABLED = False  # Redis keeps pages by the real clock, which time_machine cannot move
        rename(editor_api, "sql", "sql-basics", publish=False)
        at = later(hours=1)
        assert schedule(editor_api, {"publish_at": iso(at)}, slug="sql-basics").status_code == 200
        assert api.get(detail("sql")).json()["slug"] == "sql"
        assert_json_error(api.get(detail("sql-basics")), 404)
        with time_machine.travel(at + dt.timedelta(seconds=1), tick=False):
            assert api.get(detail("sql"))["Location"].endswith(detail("sql-basics"))
            assert client.get("/courses/sql/")["Location"] == "http://127.0.0.1/courses/sql-basics/"
            assert api.get(detail("sql-basics")).json()["slug"] == "sql-basics"
            services.schedule_apply_due()  # recording it changes nothing learners see
            assert api.get(detail("sql"))["Location"].endswith(detail("sql-basics"))
        assert Course.objects.get(pk=sql.pk).old_slugs.get().slug == "sql"
