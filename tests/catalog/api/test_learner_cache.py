"""X-Cache: learners' reads are MISS then HIT; editors always BYPASS; a write is never followed by old data."""

import time

import pytest

from tests.factories import CourseFactory, tree
from tests.helpers.api import (
    LIST,
    TOPICS,
    assert_json_error,
    detail,
    record,
    slugs,
)

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

READS = [LIST, LIST + "?topic=Physics&ordering=title", detail("target"), TOPICS]


@pytest.fixture
def target():
    return CourseFactory(slug="target", title="Target", topic="Physics", status="published", units=tree(2, 1))


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Writes inside it run their on-commit work (the cache invalidation), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class TestXCache:
    @pytest.mark.parametrize("url", READS)
    def test_anonymous_miss_then_hit_with_the_same_answer(self, api, target, url):
        miss = api.get(url)
        hit = api.get(url)
        assert (miss.status_code, miss["X-Cache"]) == (200, "MISS")
        assert (hit.status_code, hit["X-Cache"]) == (200, "HIT")
        assert hit.content == miss.content and hit["ETag"] == miss["ETag"]
        assert hit["Content-Type"] == "application/json"

    def test_a_logged_in_learner_too(self, learner_api, api, target):
        assert learner_api.get(detail("target"))["X-Cache"] == "MISS"
        assert learner_api.get(detail("target"))["X-Cache"] == "HIT"
        assert api.get(detail("target"))["X-Cache"] == "HIT"  # the same answer for every learner

    def test_a_hit_touches_no_sql(self, api, target, django_assert_num_queries):
        api.get(LIST)
        with django_assert_num_queries(0):
            assert api.get(LIST)["X-Cache"] == "HIT"

    def test_the_same_list_however_it_is_spelled(self, api, target):
        assert api.get(LIST + "?topic=physics&page=1&page_size=20")["X-Cache"] == "MISS"
        for same in ("?page_size=20&topic=PHYSICS", "?topic=Physics&utm_source=x", "?status=draft&topic=physics"):
            assert api.get(LIST + same)["X-Cache"] == "HIT", same

    @pytest.mark.parametrize("url", READS)
    def test_editors_bypass_and_never_fill_it(self, api, editor_api, target, url):
        api.get(url)
        for _ in range(2):
            response = editor_api.get(url)
            assert (response.status_code, response["X-Cache"]) == (200, "BYPASS")
        fresh = api.get(LIST + "?page_size=7")
        editor_api.get(LIST + "?page_size=8")
        assert fresh["X-Cache"] == "MISS" and api.get(LIST + "?page_size=8")["X-Cache"] == "MISS"

    def test_editors_drafts_never_reach_learners(self, api, editor_api, target):
        CourseFactory(slug="secret-draft", status="draft", units=tree(1))
        assert "secret-draft" in slugs(editor_api.get(LIST))
        assert "secret-draft" not in slugs(api.get(LIST))
        assert "secret-draft" not in slugs(api.get(LIST))

    @pytest.mark.parametrize("url", [detail("missing"), LIST + "?page_size=0", LIST + "?page=9"])
    def test_error_answers_are_never_hits(self, api, target, url):
        for _ in range(2):
            response = api.get(url)
            assert response.status_code in (400, 404) and response.get("X-Cache") != "HIT"

    def test_a_repeated_error_answer_is_not_held_up(self, api, target):
        api.get(detail("missing"))
        started = time.monotonic()
        assert_json_error(api.get(detail("missing")), 404)
        assert time.monotonic() - started < 0.5


class TestNoOldDataAfterAWrite:
    def _warm(self, client, *urls):
        for url in urls:
            client.get(url)
            assert client.get(url)["X-Cache"] == "HIT", url

    def test_a_patch(self, api, editor_api, target, committed):
        self._warm(api, *READS)
        with committed():
            editor_api.patch(detail("target"), {"title": "New title", "topic": "Chemistry"}, format="json")
        assert api.get(detail("target")).json()["title"] == "Target"  # the working copy only
        with committed():
            editor_api.post(detail("target") + "publish/")
        assert api.get(detail("target")).json()["title"] == "New title"
        assert api.get(LIST).json()["results"][0]["title"] == "New title"
        assert api.get(TOPICS).json() == [{"topic": "chemistry", "name": "Chemistry", "course_count": 1}]
        assert slugs(api.get(LIST + "?topic=Physics&ordering=title")) == []

    def test_a_put_of_the_tree(self, api, editor_api, target, committed):
        self._warm(api, detail("target"), LIST)
        with committed():
            editor_api.put(detail("target"), record(title="Target", status="published"), format="json")
        body = api.get(detail("target")).json()
        assert [u["title"] for u in body["units"]] == ["Basics"]
        assert api.get(LIST).json()["results"][0]["module_count"] == 2

    def test_an_identical_put_keeps_the_cache(self, api, editor_api, committed):
        editor_api.put(detail("same"), record(status="published"), format="json")
        self._warm(api, detail("same"), LIST)
        with committed():
            assert editor_api.put(detail("same"), record(status="published"), format="json").status_code == 200
        assert api.get(detail("same"))["X-Cache"] == "HIT"
        assert api.get(LIST)["X-Cache"] == "HIT"

    def test_unpublish_archive_delete(self, api, learner_api, editor_api, committed):
        for slug in ("a", "b", "c"):
            CourseFactory(slug=slug, status="published", units=tree(1))
        self._warm(api, LIST, TOPICS, detail("a"), detail("b"), detail("c"))
        with committed():
            editor_api.post(detail("a") + "unpublish/")
            editor_api.post(detail("b") + "archive/")
            editor_api.delete(detail("c"))
        for client in (api, learner_api):
            assert slugs(client.get(LIST)) == []
            assert client.get(TOPICS).json() == []
        for slug in ("a", "b", "c"):
            assert_json_error(api.get(detail(slug)), 404)

    def test_publish_and_create(self, api, editor_api, committed):
        CourseFactory(slug="draft", units=tree(1))
        self._warm(api, LIST, TOPICS)
        assert_json_error(api.get(detail("draft")), 404)
        with committed():
            editor_api.post(detail("draft") + "publish/")
            editor_api.put(detail("new"), record(status="published"), format="json")
        assert slugs(api.get(LIST)) == ["new", "draft"]
        assert api.get(detail("draft")).json()["status"] == "published"
        assert len(api.get(TOPICS).json()) == 2

    def test_a_slug_rename(self, api, editor_api, target, committed):
        self._warm(api, detail("target"), LIST)
        with committed():
            editor_api.patch(detail("target"), {"slug": "moved"}, format="json")
        assert api.get(detail("target")).json()["slug"] == "target"  # the slug is part of the release
        with committed():
            editor_api.post(detail("moved") + "publish/")
        old = api.get(detail("target"))  # the old address of a published course redirects, for good
        assert old.status_code == 301 and old["Location"].endswith(detail("moved"))
        assert api.get(detail("moved")).json()["slug"] == "moved"
        assert slugs(api.get(LIST)) == ["moved"]

    def test_a_refused_write_keeps_the_cache(self, api, editor_api, target, committed):
        self._warm(api, detail("target"), LIST)
        with committed():
            assert editor_api.post(detail("target") + "restore/").status_code == 409
            assert editor_api.patch(detail("target"), {"title": ""}, format="json").status_code == 400
        assert api.get(detail("target"))["X-Cache"] == "HIT"
        assert api.get(LIST)["X-Cache"] == "HIT"
