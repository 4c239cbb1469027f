"""API writes: the permission matrix, each write, 409 reasons, conditional requests, hostile bodies."""
import json

import pytest
from rest_framework.test import APIClient

from catalog.models import Course, CourseTransition, Module, Unit
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
LIST = "/api/v1/courses/"


def record(**overrides):
    base = {"title": "Intro to SQL", "topic": "Databases", "description": "Learn SQL.",
            "units": [{"title": "Basics", "modules": [{"title": "SELECT"}, {"title": "WHERE"}]}]}
    base.update(overrides)
    return base


def state():
    return (
        list(Course.objects.order_by("id").values_list("slug", "title", "status", "updated_at")),
        Unit.objects.count(), Module.objects.count(), CourseTransition.objects.count(),
    )


WRITES = [
    ("post", LIST, {"slug": "new-one", **record()}),
    ("put", f"{LIST}target/", record()),
    ("put", f"{LIST}brand-new/", record()),
    ("patch", f"{LIST}target/", {"title": "Changed"}),
    ("delete", f"{LIST}target/", None),
    ("post", f"{LIST}target/publish/", None),
    ("post", f"{LIST}target/archive/", None),
    ("post", f"{LIST}target/unpublish/", None),
    ("post", f"{LIST}target/restore/", None),
]


@pytest.fixture
def target():
    return CourseFactory(slug="target", units=tree(1))


class TestPermissions:
    @pytest.mark.parametrize(("method", "url", "body"), WRITES, ids=[f"{m} {u}" for m, u, _ in WRITES])
    def test_anonymous_gets_401_and_nothing_changes(self, api, target, method, url, body):
        before = state()
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 401
        assert "detail" in response.json()
        assert state() == before

    @pytest.mark.parametrize(("method", "url", "body"), WRITES, ids=[f"{m} {u}" for m, u, _ in WRITES])
    def test_learner_gets_403_and_nothing_changes(self, learner_api, target, method, url, body):
        before = state()
        response = getattr(learner_api, method)(url, body, format="json")
        assert response.status_code == 403
        assert state() == before

    def test_session_write_without_csrf_is_refused(self, editor, target):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(editor)
        before = state()
        response = client.patch(f"{LIST}target/", {"title": "No token"}, format="json")
        assert response.status_code == 403 and "CSRF" in response.json()["detail"]
        assert state() == before

    def test_session_write_with_csrf_works(self, editor, target):
        client = APIClient(enforce_csrf_checks=True)
        client.force_login(editor)
        client.get("/admin/")  # sets the csrftoken cookie
        token = client.cookies["csrftoken"].value
        response = client.patch(f"{LIST}target/", {"title": "With token"}, format="json", HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 200 and response.json()["title"] == "With token"


class TestWrites:
    def test_post_creates_a_draft_with_its_tree(self, editor_api):
        refused = editor_api.post(LIST, {"slug": "intro-to-sql", "status": "published", **record()}, format="json")
        assert refused.status_code == 400 and "always a draft" in refused.json()["status"][0]
        response = editor_api.post(LIST, {"slug": "intro-to-sql", "status": "draft", **record()}, format="json")
        assert response.status_code == 201
        body = response.json()
        assert (body["status"], body["topic"], body["unit_count"], body["module_count"]) == ("draft", "databases", 1, 2)
        assert [m["title"] for m in body["units"][0]["modules"]] == ["SELECT", "WHERE"]
        assert response["Location"].endswith("/api/v1/courses/intro-to-sql/")

    def test_post_duplicate_slug_and_unknown_keys_are_400(self, editor_api, target):
        response = editor_api.post(LIST, {"slug": "target", **record()}, format="json")
        assert response.status_code == 400 and "slug" in response.json()
        response = editor_api.post(LIST, {"slug": "x", "colour": "red", **record()}, format="json")
        assert response.status_code == 400 and "colour" in response.json()

    def test_put_creates_then_updates_then_changes_nothing(self, editor_api):
        assert editor_api.put(f"{LIST}intro-to-sql/", record(), format="json").status_code == 201
        changed = record(units=[{"title": "Joins", "modules": [{"title": "INNER"}]}, *record()["units"]])
        response = editor_api.put(f"{LIST}intro-to-sql/", changed, format="json")
        assert response.status_code == 200
        assert [u["title"] for u in response.json()["units"]] == ["Joins", "Basics"]
        before = state()
        assert editor_api.put(f"{LIST}intro-to-sql/", changed, format="json").status_code == 200
        assert state() == before

    def test_put_with_another_slug_in_the_body_is_400(self, editor_api, target):
        response = editor_api.put(f"{LIST}target/", {"slug": "other", **record()}, format="json")
        assert response.status_code == 400 and "slug" in response.json()

    def test_put_publishing_an_empty_course_is_409(self, editor_api, target):
        before = state()
        response = editor_api.put(f"{LIST}target/", record(status="published", units=[]), format="json")
        assert response.status_code == 409 and "has no units" in response.json()["detail"]
        assert state() == before

    def test_patch_fields_rename_and_refusals(self, editor_api, target):
        response = editor_api.patch(f"{LIST}target/", {"topic": "Web Dev ", "slug": "renamed"}, format="json")
        assert response.status_code == 200 and response.json()["topic"] == "web-dev"
        assert editor_api.get(f"{LIST}renamed/").status_code == 200
        assert editor_api.get(f"{LIST}target/").status_code == 404
        response = editor_api.patch(f"{LIST}renamed/", {"unit_count": 9}, format="json")
        assert response.status_code == 400 and "unit_count" in response.json()
        editor_api.post(f"{LIST}renamed/archive/")
        response = editor_api.patch(f"{LIST}renamed/", {"status": "published"}, format="json")
        assert response.status_code == 409 and "restore" in response.json()["detail"]

    def test_delete(self, editor_api, target):
        assert editor_api.delete(f"{LIST}target/").status_code == 204
        assert editor_api.get(f"{LIST}target/").status_code == 404
        assert Unit.objects.count() == 0
        assert editor_api.delete(f"{LIST}target/").status_code == 404

    def test_transitions_and_their_refusals(self, editor_api, target):
        assert editor_api.post(f"{LIST}target/publish/").json()["status"] == "published"
        refused = editor_api.post(f"{LIST}target/restore/")
        assert refused.status_code == 409 and "cannot restore 'target'" in refused.json()["detail"]
        assert editor_api.post(f"{LIST}target/unpublish/").json()["status"] == "draft"
        assert editor_api.post(f"{LIST}target/archive/").json()["status"] == "archived"
        assert editor_api.post(f"{LIST}target/restore/").json()["status"] == "draft"
        assert editor_api.post(f"{LIST}missing/publish/").status_code == 404

    def test_publishing_a_unit_without_modules_says_which(self, editor_api):
        CourseFactory(slug="half", units=[{"title": "A", "modules": [{"title": "a"}]}, {"title": "Forms"}])
        response = editor_api.post(f"{LIST}half/publish/")
        assert response.status_code == 409
        assert response.json()["detail"] == "cannot publish 'half': unit 2 'Forms' has no modules"


class TestConditionalRequests:
    def test_etag_and_304(self, api, editor_api, target):
        editor_api.post(f"{LIST}target/publish/")
        first = api.get(f"{LIST}target/")
        assert first["ETag"]
        assert api.get(f"{LIST}target/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        for url in (LIST, "/api/v1/topics/"):
            etag = api.get(url)["ETag"]
            assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    def test_if_match(self, editor_api, target, django_capture_on_commit_callbacks):
        etag = editor_api.get(f"{LIST}target/")["ETag"]
        with django_capture_on_commit_callbacks(execute=True):
            assert editor_api.patch(f"{LIST}target/", {"title": "One"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
        before = state()
        stale = editor_api.patch(f"{LIST}target/", {"title": "Two"}, format="json", HTTP_IF_MATCH=etag)
        assert stale.status_code == 412 and "detail" in stale.json()
        for method, url in (("put", f"{LIST}target/"), ("delete", f"{LIST}target/"), ("post", f"{LIST}target/publish/")):
            response = getattr(editor_api, method)(url, record() if method == "put" else None, format="json", HTTP_IF_MATCH=etag)
            assert response.status_code == 412
        assert state() == before
        fresh = editor_api.get(f"{LIST}target/")["ETag"]
        assert fresh != etag
        assert editor_api.patch(f"{LIST}target/", {"title": "Two"}, format="json", HTTP_IF_MATCH=fresh).status_code == 200
        assert editor_api.patch(f"{LIST}target/", {"title": "Three"}, format="json", HTTP_IF_MATCH="*").status_code == 200


class TestHostileInput:
    @pytest.mark.parametrize("body", ["{not json", "[1, 2", "\x00", '{"title": "\\ud800"}'])
    def test_malformed_json_is_400(self, editor_api, target, body):
        response = editor_api.generic("PATCH", f"{LIST}target/", body, content_type="application/json")
        assert response.status_code == 400 and "detail" in response.json() or response.json()

    @pytest.mark.parametrize("body", [[], "a string", 42, None])
    def test_non_object_bodies_are_400(self, editor_api, body):
        response = editor_api.generic("POST", LIST, json.dumps(body), content_type="application/json")
        assert response.status_code == 400

    def test_nul_and_control_characters_are_refused_not_500(self, editor_api, api, target):
        response = editor_api.patch(f"{LIST}target/", {"title": "bad\x00title"}, format="json")
        assert response.status_code == 400 and "title" in response.json()
        assert api.get(LIST, {"search": "a\x00b", "topic": "x\x00y", "ordering": "\x00"}).status_code in (200, 400)
        assert api.get(LIST, {"search": "\x01\x02\x1f"}).status_code == 200

    def test_ten_kilobyte_query_strings(self, api, target):
        assert api.get(LIST + "?search=" + "a" * 10_000).status_code == 400
        assert api.get(LIST + "?topic=" + "b" * 10_000).status_code == 200
        assert api.get(LIST + "?junk=" + "c" * 10_000).status_code == 200

    def test_trees_over_the_limits_are_400(self, editor_api):
        too_many_units = record(units=[{"title": f"U{i}"} for i in range(201)])
        response = editor_api.put(f"{LIST}big/", too_many_units, format="json")
        assert response.status_code == 400 and "units" in response.json()
        too_many_modules = record(units=[{"title": "U", "modules": [{"title": f"M{i}"} for i in range(201)]}])
        response = editor_api.put(f"{LIST}big/", too_many_modules, format="json")
        assert response.status_code == 400 and "units[0].modules" in response.json()
        assert not Course.objects.filter(slug="big").exists()

    def test_a_body_over_the_size_limit_is_413(self, editor_api, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
        response = editor_api.put(f"{LIST}big/", record(description="x" * 20_000), format="json")
        assert response.status_code == 413 and "limit" in response.json()["detail"]

    def test_deeply_nested_junk_is_400(self, editor_api):
        nested = {"a": None}
        for _ in range(500):
            nested = {"a": nested}
        response = editor_api.put(f"{LIST}deep/", {**record(), "units": [nested]}, format="json")
        assert response.status_code == 400

    def test_unicode_round_trips(self, editor_api, api):
        title = "Réseaux & 数据库 — naïve café 🚀"
        response = editor_api.put(f"{LIST}unicode/", record(title=title, status="published"), format="json")
        assert response.status_code == 201
        assert api.get(f"{LIST}unicode/").json()["title"] == title

    def test_wrong_methods_are_json_405(self, api, editor_api):
        response = editor_api.delete("/api/v1/topics/")
        assert response.status_code == 405 and "detail" in response.json()
        assert api.get("/api/v1/nope/").json() == {"detail": "Not found."}


class TestNothingHiddenLeaks:
    """A draft or archived course is invisible to learners through every read."""

    def test_every_read_path(self, api, learner_api):
        CourseFactory(slug="visible", title="Visible", topic="Shared", status="published", units=tree(1))
        for status in ("draft", "archived"):
            CourseFactory(slug=f"hidden-{status}", title=f"Secretword {status}", topic=f"Secret {status}",
                          status=status, units=[{"title": "Secretword unit", "modules": [{"title": "Secretword"}]}])
        urls = [LIST, LIST + "?status=draft", LIST + "?status=archived", LIST + "?search=secretword",
                LIST + "?topic=secret-draft", LIST + "?ordering=title", LIST + "?page_size=100",
                "/api/v1/topics/", "/", "/?q=secretword", "/?topic=secret-draft"]
        for client in (api, learner_api):
            for url in urls:
                text = client.get(url).content.decode()
                assert "hidden-" not in text and "Secretword" not in text, url
            body = client.get(LIST).json()
            assert body["count"] == 1
            for slug in ("hidden-draft", "hidden-archived"):
                assert client.get(f"{LIST}{slug}/").status_code == 404
                assert client.get(f"/courses/{slug}/").status_code == 404
