"""Preview links: the working copy for whoever holds a signed, unexpired link; private, never cached."""

import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from catalog import services
from catalog.models import Course, Module, Unit
from catalog.selectors import previews
from tests.factories import CourseFactory, tree
from tests.helpers.releasing import course_url, outline

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

TREE = [
    {"title": "Basics", "modules": [{"title": "SELECT", "content": "Released words."}]},
    {"title": "Joins", "modules": [{"title": "INNER JOIN"}]},
]
PRIVATE = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}


@pytest.fixture(autouse=True)
def quick_users(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sql():
    """Published; its working copy holds unpublished changes (a new title and a new module)."""
    course = CourseFactory(slug="sql", title="Intro to SQL", topic="Databases", status="published", units=TREE)
    services.course_update(course=course, title="SQL, second edition")
    services.module_create(
        unit=Unit.objects.get(course=course, title="Joins"), title="CROSS JOIN", content="## Every pair"
    )
    services.module_update(module=Module.objects.get(unit__course=course, title="SELECT"), content="Working words.")
    return course


def links(editor_api, slug="sql") -> tuple[str, str]:
    """(page path, API path) of a new preview link."""
    response = editor_api.post(course_url(slug) + "preview/")
    assert response.status_code == 201, response.content
    body = response.json()
    return urlsplit(body["url"]).path, urlsplit(body["api_url"]).path


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


class SignedAt(signing.TimestampSigner):
    """Django's signer, as if it had signed at `at` (a Unix time)."""

    def __init__(self, at, **kwargs):
        super().__init__(**kwargs)
        self.at = at

    def timestamp(self):
        return signing.b62_encode(int(self.at))


def token_signed_ago(course, seconds) -> str:
    return SignedAt(time.time() - seconds, salt=previews.SALT).sign_object({"course": course.pk}, compress=False)


def assert_private(response):
    for name, value in PRIVATE.items():
        assert response[name] == value, (name, response.get(name))


class TestWhatALinkShows:
    def test_the_page_and_the_api_work_without_logging_in(self, editor_api, sql):
        page, api_path = links(editor_api)
        assert page.startswith("/preview/") and api_path.startswith("/api/v1/preview/")
        html = Client().get(page)
        assert html.status_code == 200
        assert "SQL, second edition" in html.content.decode() and "CROSS JOIN" in html.content.decode()
        body = APIClient().get(api_path)
        assert body.status_code == 200 and body["Content-Type"] == "application/json"
        seen = body.json()
        assert seen["title"] == "SQL, second edition"
        assert outline(seen) == [("Basics", ["SELECT"]), ("Joins", ["INNER JOIN", "CROSS JOIN"])]

    def test_the_api_shows_the_working_copy_as_editors_read_it(self, editor_api, sql):
        _page, api_path = links(editor_api)
        seen = APIClient().get(api_path).json()
        editors = editor_api.get(course_url("sql")).json()
        assert seen == {k: v for k, v in editors.items() if k not in ("live_release", "has_unpublished_changes")}

    def test_it_shows_the_working_copy_as_it_is_when_opened(self, editor_api, sql):
        page, api_path = links(editor_api)
        services.course_update(course=sql, title="Changed after the link was made")
        services.unit_create(course=sql, title="Brand new unit")
        assert APIClient().get(api_path).json()["title"] == "Changed after the link was made"
        html = Client().get(page).content.decode()
        assert "Changed after the link was made" in html and "Brand new unit" in html

    def test_learners_meanwhile_see_the_live_release(self, api, editor_api, sql):
        page, api_path = links(editor_api)
        for _ in range(2):
            APIClient().get(api_path)
            Client().get(page)
        assert api.get(course_url("sql")).json()["title"] == "Intro to SQL"
        assert "SQL, second edition" not in Client().get("/courses/sql/").content.decode()

    def test_a_draft_that_was_never_published(self, editor_api):
        CourseFactory(slug="draft", title="Only a draft", units=tree(1))
        _page, api_path = links(editor_api, "draft")
        assert APIClient().get(api_path).json()["status"] == "draft"

    def test_a_link_follows_the_course_through_a_rename(self, editor_api, sql):
        page, api_path = links(editor_api)
        assert editor_api.patch(course_url("sql"), {"slug": "sql-basics"}, format="json").status_code == 200
        assert APIClient().get(api_path).json()["slug"] == "sql-basics"
        assert Client().get(page).status_code == 200

    def test_a_logged_in_learner_or_editor_sees_the_same(self, learner_api, editor_api, sql):
        _page, api_path = links(editor_api)
        assert learner_api.get(api_path).json()["title"] == "SQL, second edition"
        assert editor_api.get(api_path).json()["title"] == "SQL, second edition"

    def test_module_pages_of_the_preview_show_working_copy_content(self, editor_api, sql):
        page, _api = links(editor_api)
        html = Client().get(page).content.decode()
        cross = Module.objects.get(title="CROSS JOIN")
        select = Module.objects.get(title="SELECT")
        assert f'href="{page}modules/{cross.pk}/"' in html
        assert "/courses/sql/modules/" not in html
        module_page = Client().get(f"{page}modules/{cross.pk}/")
        assert module_page.status_code == 200
        assert "<h2>Every pair</h2>" in module_page.content.decode()
        assert_private(module_page)
        assert "Working words." in Client().get(f"{page}modules/{select.pk}/").content.decode()
        assert Client().get(f"/courses/sql/modules/{cross.pk}/").status_code == 404  # not released

    def test_a_module_not_in_the_working_copy_is_404(self, editor_api, sql):
        page, _api = links(editor_api)
        other = CourseFactory(slug="other", status="published", units=tree(1))
        foreign = Module.objects.get(unit__course=other)
        gone = Module.objects.get(title="INNER JOIN")
        services.module_delete(module=gone)
        for module_id in (foreign.pk, gone.pk, 0, 10**12):
            assert Client().get(f"{page}modules/{module_id}/").status_code == 404

    def test_pages_say_they_are_a_preview(self, editor_api, sql):
        page, _api = links(editor_api)
        html = Client().get(page).content.decode()
        assert '<meta name="robots" content="noindex">' in html
        assert "Preview of the working copy" in html
        assert "<title>Preview: SQL, second edition" in html


class TestPrivateAndNeverCached:
    def test_every_answer_is_private_and_not_for_search_engines(self, editor_api, sql):
        page, api_path = links(editor_api)
        module = Module.objects.get(title="SELECT")
        for response in (APIClient().get(api_path), Client().get(page), Client().get(f"{page}modules/{module.pk}/")):
            assert response.status_code == 200
            assert_private(response)

    def test_a_second_read_is_never_a_cache_hit(self, editor_api, sql):
        page, api_path = links(editor_api)
        for _ in range(3):
            for response in (APIClient().get(api_path), Client().get(page)):
                assert response.get("X-Cache") != "HIT"

    def test_a_change_shows_at_once_on_the_next_read(self, editor_api, sql):
        _page, api_path = links(editor_api)
        APIClient().get(api_path)
        services.course_update(course=sql, title="Third title")  # no commit: nothing is invalidated
        assert APIClient().get(api_path).json()["title"] == "Third title"

    @pytest.mark.redis_only
    def test_nothing_is_stored_in_redis(self, api, editor_api, sql):
        from django_redis import get_redis_connection

        from catalog.cache import keys

        redis = get_redis_connection("default")

        def pages():
            return sorted(redis.scan_iter(match=keys.prefix() + "page:*"))

        api.get(course_url("sql"))  # one learner page, for comparison
        stored = pages()
        assert len(stored) == 1
        page, api_path = links(editor_api)
        for _ in range(3):
            APIClient().get(api_path)
            Client().get(page)
            APIClient().get(api_path + "?page=2")
        assert pages() == stored


class TestBadLinks:
    def assert_gone(self, token):
        api_answer = APIClient().get(f"/api/v1/preview/{token}/")
        assert api_answer.status_code == 404
        assert api_answer["Content-Type"] == "application/json" and api_answer.json()["detail"]
        assert Client().get(f"/preview/{token}/").status_code == 404
        assert Client().get(f"/preview/{token}/modules/1/").status_code == 404

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
            lambda t: ("e" if t[0] != "e" else "f") + t[1:],  # the payload
            lambda t: t.rsplit(":", 1)[0],  # no signature
            lambda t: t + "x",
            lambda t: t.split(":", 1)[1],
            lambda t: t.upper(),
        ],
        ids=["signature", "payload", "unsigned", "appended", "no-payload", "upper-case"],
    )
    def test_a_tampered_token_is_404(self, editor_api, sql, tamper):
        _page, api_path = links(editor_api)
        token = token_of(api_path)
        self.assert_gone(tamper(token))
        assert APIClient().get(api_path).status_code == 200  # the original still works

    def test_a_token_naming_another_course_without_signing_it_is_404(self, editor_api, sql):
        other = CourseFactory(slug="other", status="published", units=tree(1))
        token = token_of(links(editor_api)[1])
        payload, rest = token.split(":", 1)
        forged = signing.b64_encode(signing.JSONSerializer().dumps({"course": other.pk})).decode() + ":" + rest
        self.assert_gone(forged)
        assert payload != forged.split(":", 1)[0]

    @pytest.mark.parametrize(
        "make",
        [
            lambda pk: signing.dumps({"course": pk}),  # Django's default salt, not the previews'
            lambda pk: signing.dumps({"course": pk}, salt="catalog.other"),
            lambda pk: signing.dumps({"course": str(pk)}, salt=previews.SALT),
            lambda pk: signing.dumps([pk], salt=previews.SALT),
            lambda pk: signing.dumps(pk, salt=previews.SALT),
        ],
        ids=["default-salt", "other-salt", "string-id", "list", "bare-id"],
    )
    def test_a_token_that_is_not_a_preview_link_is_404(self, sql, make):
        self.assert_gone(make(sql.pk))

    @pytest.mark.parametrize("token", ["x", "a" * 3000, "%C3%BC", "..", "null", "%00", "eyJjb3Vyc2UiOjF9:abc:def"])
    def test_garbage_is_404(self, sql, token):
        self.assert_gone(token)

    def test_an_expired_token_is_404(self, sql, settings):
        settings.CATALOG_PREVIEW_TTL = 60
        self.assert_gone(token_signed_ago(sql, 120))
        self.assert_gone(token_signed_ago(sql, 61))
        assert APIClient().get(f"/api/v1/preview/{token_signed_ago(sql, 30)}/").status_code == 200

    def test_the_default_ttl_is_a_week(self, sql):
        assert APIClient().get(f"/api/v1/preview/{token_signed_ago(sql, 7 * 86400 - 60)}/").status_code == 200
        self.assert_gone(token_signed_ago(sql, 7 * 86400 + 60))

    def test_a_link_made_by_the_api_expires_with_the_ttl(self, editor_api, sql, settings, time_machine):
        settings.CATALOG_PREVIEW_TTL = 60
        time_machine.move_to(timezone.now(), tick=False)
        _page, api_path = links(editor_api)
        time_machine.shift(59)  # signed timestamps have whole seconds: 59 s and a fraction
        assert APIClient().get(api_path).status_code == 200
        time_machine.shift(3)
        self.assert_gone(token_of(api_path))

    def test_revoked_links_are_404_and_later_ones_work(self, api, editor_api, learner_api, sql):
        first, second = links(editor_api), links(editor_api)
        other = links(editor_api, CourseFactory(slug="other", units=tree(1)).slug)
        before = editor_api.get(course_url("sql")).json()
        for refused, status in ((api, 401), (learner_api, 403)):
            assert refused.delete(course_url("sql") + "preview/").status_code == status
        assert Client().get(first[0]).status_code == 200
        response = editor_api.delete(course_url("sql") + "preview/")
        assert response.status_code == 204 and response.content == b""
        for page, api_path in (first, second):
            self.assert_gone(token_of(api_path))
            assert Client().get(page).status_code == 404
        assert APIClient().get(other[1]).status_code == 200  # another course's links are untouched
        fresh = links(editor_api)
        assert APIClient().get(fresh[1]).status_code == 200 and Client().get(fresh[0]).status_code == 200
        assert editor_api.get(course_url("sql")).json() == before  # nothing else changed
        assert editor_api.delete(course_url("nothing") + "preview/").status_code == 404

    def test_a_token_of_a_deleted_course_is_404(self, editor_api, sql):
        page, api_path = links(editor_api)
        assert editor_api.delete(course_url("sql")).status_code == 204
        assert not Course.objects.filter(slug="sql").exists()
        self.assert_gone(token_of(api_path))

    def test_a_deleted_course_recreated_under_its_slug_is_not_shown(self, editor_api, sql):
        _page, api_path = links(editor_api)
        editor_api.delete(course_url("sql"))
        CourseFactory(slug="sql", title="A new course with the old slug", units=tree(1))
        self.assert_gone(token_of(api_path))
