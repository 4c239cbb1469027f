"""ETags on every GET, If-None-Match -> 304, and If-Match guarding writes (412, nothing changes)."""

import pytest

from tests.factories import CourseFactory, tree
from tests.helpers.api import (
    LIST,
    TOPICS,
    assert_json_error,
    catalog_state,
    detail,
    record,
)

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

READS = [LIST, LIST + "?page_size=1&ordering=title", detail("target"), TOPICS]


@pytest.fixture
def target():
    return CourseFactory(slug="target", title="Target", status="published", units=tree(2, 1))


class TestETags:
    @pytest.mark.parametrize("url", READS)
    def test_every_read_has_an_etag_and_a_match_is_304(self, api, learner_api, editor_api, target, url):
        for client in (api, api, learner_api, editor_api):  # a miss, a hit, a logged-in learner, an editor
            response = client.get(url)
            assert response.status_code == 200
            etag = response["ETag"]
            assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2
            not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
            assert not_modified.status_code == 304 and not_modified.content == b""
            assert not_modified["ETag"] == etag
            for header in (f"W/{etag}", f'"nope", {etag}', "*"):
                assert client.get(url, HTTP_IF_NONE_MATCH=header).status_code == 304, header
            assert client.get(url, HTTP_IF_NONE_MATCH='"nope"').status_code == 200

    def test_the_etag_is_the_same_for_the_same_body(self, api, editor_api, target):
        miss, hit = api.get(detail("target")), api.get(detail("target"))
        assert miss["X-Cache"] == "MISS" and hit["X-Cache"] == "HIT"
        assert miss["ETag"] == hit["ETag"]
        # Editors read the working copy with its release state: another body, another tag.
        assert editor_api.get(detail("target"))["ETag"] != miss["ETag"]
        assert editor_api.get(detail("target"))["ETag"] == editor_api.get(detail("target"))["ETag"]
        assert api.get(LIST)["ETag"] != editor_api.get(LIST + "?status=draft")["ETag"]

    @pytest.mark.parametrize(
        "url",
        [
            detail("missing"),
            LIST + "?page=99",
            LIST + "?page_size=0",
            "/api/v1/nope/",
            detail("target") + "publish/",
            "/api/schema/",
        ],
    )
    def test_error_answers_and_the_schema_carry_one_too(self, api, editor_api, target, url):
        for client in (api, editor_api):
            assert client.get(url).has_header("ETag"), url

    def test_a_request_django_refuses_carries_one_too(self, api, target):
        response = api.get(LIST + "?" + "&".join(f"f{i}=1" for i in range(1100)))
        assert_json_error(response, 400)
        assert response.has_header("ETag")

    def test_a_write_changes_the_etags(self, api, editor_api, target, django_capture_on_commit_callbacks):
        old = {url: (api.get(url)["ETag"], editor_api.get(url)["ETag"]) for url in READS}
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                editor_api.patch(
                    detail("target"), {"title": "Renamed", "topic": "Other", "status": "published"}, format="json"
                ).status_code
                == 200
            )
        for url in READS:
            learner_response = api.get(url, HTTP_IF_NONE_MATCH=old[url][0])
            assert learner_response.status_code == 200 and learner_response["ETag"] != old[url][0], url
            editor_response = editor_api.get(url, HTTP_IF_NONE_MATCH=old[url][1])
            assert editor_response.status_code == 200 and editor_response["ETag"] != old[url][1], url


# (method, path under the course, body); each would succeed on a fresh published "target"
GUARDED = [
    ("patch", "", {"title": "Changed"}),
    ("put", "", record()),
    ("delete", "", None),
    ("post", "unpublish/", None),
    ("post", "archive/", None),
]


class TestIfMatch:
    @pytest.mark.parametrize(("method", "path", "body"), GUARDED, ids=[f"{m} {p}" for m, p, _ in GUARDED])
    def test_a_stale_etag_is_412_and_nothing_changes(self, editor_api, target, method, path, body):
        stale = editor_api.get(detail("target"))["ETag"]
        assert editor_api.patch(detail("target"), {"description": "moved on"}, format="json").status_code == 200
        before = catalog_state()
        response = getattr(editor_api, method)(detail("target") + path, body, format="json", HTTP_IF_MATCH=stale)
        assert assert_json_error(response, 412)["detail"]
        for header in ('"nope"', f'"nope", {stale}', stale.strip('"')):
            response = getattr(editor_api, method)(detail("target") + path, body, format="json", HTTP_IF_MATCH=header)
            assert_json_error(response, 412)
        assert catalog_state() == before

    @pytest.mark.parametrize(("method", "path", "body"), GUARDED, ids=[f"{m} {p}" for m, p, _ in GUARDED])
    def test_the_current_etag_lets_it_through(self, editor_api, target, method, path, body):
        current = editor_api.get(detail("target"))["ETag"]
        before = catalog_state()
        response = getattr(editor_api, method)(
            detail("target") + path, body, format="json", HTTP_IF_MATCH=f'"other", {current}'
        )
        assert response.status_code in (200, 204), response.content
        assert catalog_state() != before

    @pytest.mark.parametrize(("method", "path", "body"), GUARDED, ids=[f"{m} {p}" for m, p, _ in GUARDED])
    def test_a_star_matches_an_existing_course(self, editor_api, target, method, path, body):
        response = getattr(editor_api, method)(detail("target") + path, body, format="json", HTTP_IF_MATCH="*")
        assert response.status_code in (200, 204), response.content

    def test_if_match_is_compared_with_the_working_copy_an_editor_reads(self, api, editor_api, target):
        # What learners read is the live release, not what an editor changes: its tag does not match.
        learners_tag = api.get(detail("target"))["ETag"]
        response = editor_api.patch(detail("target"), {"title": "Mine"}, format="json", HTTP_IF_MATCH=learners_tag)
        assert_json_error(response, 412)
        editors_tag = editor_api.get(detail("target"))["ETag"]
        response = editor_api.patch(detail("target"), {"title": "Mine"}, format="json", HTTP_IF_MATCH=editors_tag)
        assert response.status_code == 200

    @pytest.mark.parametrize(
        ("method", "path"),
        [("post", "discard/"), ("post", "publish/"), ("post", "releases/1/revert/"), ("put", "schedule/")],
    )
    def test_release_writes_honour_if_match_too(self, editor_api, target, method, path):
        stale = editor_api.get(detail("target"))["ETag"]
        assert editor_api.patch(detail("target"), {"title": "Moved on"}, format="json").status_code == 200
        before = catalog_state()
        body = {"unpublish_at": "2999-01-01T00:00:00Z"} if path == "schedule/" else None
        response = getattr(editor_api, method)(detail("target") + path, body, format="json", HTTP_IF_MATCH=stale)
        assert_json_error(response, 412)
        assert catalog_state() == before

    def test_each_write_needs_the_etag_read_after_the_last_one(self, editor_api, target):
        etag = editor_api.get(detail("target"))["ETag"]
        for title in ("One", "Two", "Three"):
            assert (
                editor_api.patch(detail("target"), {"title": title}, format="json", HTTP_IF_MATCH=etag).status_code
                == 200
            )
            etag = editor_api.get(detail("target"))["ETag"]
        stale_again = editor_api.patch(detail("target"), {"title": "Four"}, format="json", HTTP_IF_MATCH='"x"')
        assert_json_error(stale_again, 412)

    def test_put_with_if_match_on_a_missing_course_is_412_and_creates_nothing(self, editor_api):
        before = catalog_state()
        for header in ("*", '"anything"'):
            assert_json_error(editor_api.put(detail("missing"), record(), format="json", HTTP_IF_MATCH=header), 412)
        assert catalog_state() == before
        assert editor_api.put(detail("missing"), record(), format="json").status_code == 201


class TestStrongComparison:
    """RFC 9110: If-Match compares strongly, If-None-Match: * only creates, and a write answers with the
    ETag of the editors' document it returns."""

    @pytest.mark.parametrize(("method", "path", "body"), GUARDED, ids=[f"{m} {p}" for m, p, _ in GUARDED])
    def test_a_weak_tag_never_matches(self, editor_api, target, method, path, body):
        current = editor_api.get(detail("target"))["ETag"]
        before = catalog_state()
        response = getattr(editor_api, method)(
            detail("target") + path, body, format="json", HTTP_IF_MATCH=f"W/{current}"
        )
        assert_json_error(response, 412)
        assert catalog_state() == before

    def test_if_none_match_star_only_creates(self, editor_api, target):
        before = catalog_state()
        body = assert_json_error(editor_api.put(detail("target"), record(), format="json", HTTP_IF_NONE_MATCH="*"), 412)
        assert "exists" in body["detail"] or "already" in body["detail"]
        assert catalog_state() == before
        created = editor_api.put(detail("fresh"), record(), format="json", HTTP_IF_NONE_MATCH="*")
        assert created.status_code == 201
        again = editor_api.put(detail("fresh"), record(title="Other"), format="json", HTTP_IF_NONE_MATCH="*")
        assert_json_error(again, 412)
        assert editor_api.get(detail("fresh")).json()["title"] == "Intro to SQL"

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [*GUARDED[:2], ("post", "unpublish/", None), ("post", "publish/", None), ("post", "discard/", None)],
    )
    def test_a_write_answers_with_the_etag_an_editor_would_read(self, editor_api, target, method, path, body):
        response = getattr(editor_api, method)(detail("target") + path, body, format="json")
        assert response.status_code == 200, response.content
        assert response["ETag"] == editor_api.get(detail("target"))["ETag"]
        # ... so the next conditional write needs no GET in between.
        follow = editor_api.patch(detail("target"), {"title": "Next"}, format="json", HTTP_IF_MATCH=response["ETag"])
        assert follow.status_code == 200

    def test_a_creation_answers_with_its_etag_and_an_absolute_location(self, editor_api):
        for response in (
            editor_api.put(detail("made-by-put"), record(), format="json"),
            editor_api.post(LIST, {**record(), "slug": "made-by-post"}, format="json"),
        ):
            assert response.status_code == 201
            slug = response.json()["slug"]
            assert response["Location"].startswith("http") and response["Location"].endswith(detail(slug))
            assert response["ETag"] == editor_api.get(detail(slug))["ETag"]
