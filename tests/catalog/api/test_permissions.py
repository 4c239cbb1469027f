"""Who may write: the admin's permissions (add, change, delete_course), by token or by session with CSRF."""

import pytest
from django.contrib.auth.models import Permission
from django.http import HttpRequest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog.models import Course
from tests.factories import CourseFactory, tree
from tests.helpers.api import LIST, assert_json_error, catalog_state, detail, record

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

# (name, method, url, body, status of the course "target" it needs, an editor's status code)
WRITES = [
    ("create", "post", LIST, {"slug": "new-one", **record()}, "draft", 201),
    ("put-update", "put", detail("target"), record(), "draft", 200),
    ("put-create", "put", detail("brand-new"), record(), "draft", 201),
    ("patch", "patch", detail("target"), {"title": "Changed"}, "draft", 200),
    ("delete", "delete", detail("target"), None, "draft", 204),
    ("publish", "post", detail("target") + "publish/", None, "draft", 200),
    ("unpublish", "post", detail("target") + "unpublish/", None, "published", 200),
    ("archive", "post", detail("target") + "archive/", None, "published", 200),
    ("restore", "post", detail("target") + "restore/", None, "archived", 200),
]
WHO = [("anonymous", "api", 401), ("learner", "learner_api", 403), ("editor", "editor_api", None)]
CSRF_SECRET = "k" * 32


def send(client, method, url, body, **extra):
    return getattr(client, method)(url, body, format="json", **extra)


@pytest.mark.parametrize(("who", "client_fixture", "refusal"), WHO, ids=[w[0] for w in WHO])
@pytest.mark.parametrize(("name", "method", "url", "body", "status", "success"), WRITES, ids=[w[0] for w in WRITES])
def test_the_permission_matrix(request, who, client_fixture, refusal, name, method, url, body, status, success):
    CourseFactory(slug="target", status=status, units=tree(1))
    client = request.getfixturevalue(client_fixture)
    before = catalog_state()
    response = send(client, method, url, body)
    if refusal is None:
        assert response.status_code == success, response.content
        assert catalog_state() != before
        return
    body = assert_json_error(response, refusal)
    if refusal == 401:
        assert response["WWW-Authenticate"] == "Token"
    else:
        assert body == {"detail": REFUSAL.get(name, CHANGE)}
    assert catalog_state() == before


CHANGE = "Only catalog editors may change courses."
REFUSAL = {
    "create": "Creating courses needs the catalog.add_course permission.",
    "delete": "Deleting courses needs the catalog.delete_course permission.",
}


@pytest.mark.parametrize("codenames", [("change_course",), ("add_course",), ("delete_course",), ("view_course",)])
@pytest.mark.parametrize(("name", "method", "url", "body", "status", "success"), WRITES, ids=[w[0] for w in WRITES])
def test_each_write_needs_the_permission_the_admin_asks_for(
    django_user_model, codenames, name, method, url, body, status, success
):
    """add_course creates (POST, or PUT of a new slug), delete_course deletes, change_course does the rest."""
    CourseFactory(slug="target", status=status, units=tree(1))
    user = django_user_model.objects.create_user(username="partial", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames))
    client = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    needed = {"create": "add_course", "put-create": "add_course", "delete": "delete_course"}.get(name, "change_course")
    before = catalog_state()
    response = send(client, method, url, body)
    if needed in codenames:
        assert response.status_code == success, response.content
        assert catalog_state() != before
        if success in (200, 201):  # the writer sees what they wrote, even a draft they could not read back
            assert response.json()["slug"] in ("target", "new-one", "brand-new")
        return
    expected = {"add_course": REFUSAL["create"], "delete_course": REFUSAL["delete"]}.get(needed, CHANGE)
    if name == "put-create" and "change_course" not in codenames:
        expected = CHANGE  # a PUT with neither permission is refused before the slug is looked up
    assert assert_json_error(response, 403) == {"detail": expected}, (codenames, name)
    assert catalog_state() == before


class TestWhoIsAnEditor:
    def test_staff_without_the_permission_is_not(self, django_user_model):
        CourseFactory(slug="target", units=tree(1))
        staff = django_user_model.objects.create_user(username="staff", password="pw", is_staff=True)
        client = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff).key}")
        before = catalog_state()
        assert_json_error(client.post(detail("target") + "publish/"), 403)
        assert catalog_state() == before

    @pytest.mark.parametrize("how", ["permission", "superuser"])
    def test_the_change_course_permission_is_enough(self, django_user_model, how):
        CourseFactory(slug="target", units=tree(1))
        user = django_user_model.objects.create_user(username="u", password="pw", is_superuser=how == "superuser")
        if how == "permission":
            permission = Permission.objects.get(content_type__app_label="catalog", codename="change_course")
            user.user_permissions.add(permission)
        client = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        assert client.post(detail("target") + "publish/").json()["status"] == "published"

    def test_an_inactive_editor_or_a_bad_token_is_401(self, editor, editor_api):
        CourseFactory(slug="target", units=tree(1))
        editor.is_active = False
        editor.save()
        before = catalog_state()
        assert_json_error(editor_api.post(detail("target") + "publish/"), 401)
        bogus = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40)
        assert_json_error(bogus.post(detail("target") + "publish/"), 401)
        assert catalog_state() == before


class TestSessionAuthentication:
    """Browsers log in with a session; their writes need the CSRF token, or nothing changes."""

    @pytest.fixture
    def session(self, editor):
        client = APIClient(enforce_csrf_checks=True)
        assert client.login(request=HttpRequest(), username="ed", password="pw-editor-1")
        return client

    @pytest.mark.parametrize(("name", "method", "url", "body", "status", "success"), WRITES, ids=[w[0] for w in WRITES])
    def test_without_the_csrf_token_is_403_and_nothing_changes(self, session, name, method, url, body, status, success):
        CourseFactory(slug="target", status=status, units=tree(1))
        before = catalog_state()
        no_cookie = send(session, method, url, body)
        assert "CSRF" in assert_json_error(no_cookie, 403)["detail"]
        session.cookies["csrftoken"] = CSRF_SECRET
        no_header = send(session, method, url, body)
        assert "CSRF" in assert_json_error(no_header, 403)["detail"]
        wrong = send(session, method, url, body, HTTP_X_CSRFTOKEN="z" * 32)
        assert "CSRF" in assert_json_error(wrong, 403)["detail"]
        assert catalog_state() == before

    def test_with_the_csrf_token_an_editor_writes(self, session):
        CourseFactory(slug="target", units=tree(1))
        session.cookies["csrftoken"] = CSRF_SECRET
        response = session.patch(detail("target"), {"title": "By session"}, format="json", HTTP_X_CSRFTOKEN=CSRF_SECRET)
        assert response.status_code == 200 and response.json()["title"] == "By session"
        response = session.post(detail("target") + "publish/", HTTP_X_CSRFTOKEN=CSRF_SECRET)
        assert response.status_code == 200 and response.json()["status"] == "published"

    def test_the_token_from_a_page_works_too(self, session):
        CourseFactory(slug="target", units=tree(1))
        session.get("/admin/")  # any page with a form sets the csrftoken cookie
        token = session.cookies["csrftoken"].value
        response = session.put(detail("target"), record(), format="json", HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 200 and Course.objects.get(slug="target").title == "Intro to SQL"

    def test_a_logged_in_learner_is_403_even_with_the_token(self, learner):
        CourseFactory(slug="target", units=tree(1))
        client = APIClient(enforce_csrf_checks=True)
        assert client.login(request=HttpRequest(), username="lea", password="pw-learner-1")
        client.cookies["csrftoken"] = CSRF_SECRET
        before = catalog_state()
        response = client.post(detail("target") + "publish/", HTTP_X_CSRFTOKEN=CSRF_SECRET)
        assert assert_json_error(response, 403) == {"detail": "Only catalog editors may change courses."}
        assert catalog_state() == before

    def test_reads_need_no_csrf_token(self, session):
        CourseFactory(slug="target", units=tree(1))
        assert session.get(detail("target")).json()["status"] == "draft"


class TestPublishingNeedsChangeCourse:
    """A user with add_course alone creates drafts: what learners see is an editor's decision."""

    @pytest.fixture
    def creator(self, django_user_model):
        user = django_user_model.objects.create_user(username="creator", password="pw")
        user.user_permissions.add(Permission.objects.get(content_type__app_label="catalog", codename="add_course"))
        return APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    def test_a_put_that_says_published_is_refused_and_writes_nothing(self, creator):
        before = catalog_state()
        body = assert_json_error(creator.put(detail("fresh"), record(status="published"), format="json"), 403)
        assert "change_course" in body["detail"]
        assert catalog_state() == before
        assert creator.put(detail("fresh"), record(), format="json").json()["status"] == "draft"

    def test_taking_over_an_old_address_that_redirects_learners_is_refused(self, creator, api, editor_api):
        CourseFactory(slug="old-address", status="published", units=tree(1))
        assert (
            editor_api.patch(
                detail("old-address"), {"slug": "new-address", "status": "published"}, format="json"
            ).status_code
            == 200
        )
        assert api.get(detail("old-address")).status_code == 301
        before = catalog_state()
        for response in (
            creator.put(detail("old-address"), record(), format="json"),
            creator.post(LIST, {**record(), "slug": "old-address"}, format="json"),
        ):
            assert "change_course" in assert_json_error(response, 403)["detail"]
        assert catalog_state() == before
        assert api.get(detail("old-address")).status_code == 301
        assert editor_api.put(detail("old-address"), record(), format="json").status_code == 201


class TestTheTokenScheme:
    @pytest.mark.parametrize("scheme", ["Bearer", "Basic", "token-ish"])
    def test_another_scheme_is_told_to_use_token(self, editor, scheme):
        CourseFactory(slug="target", status="published", units=tree(1))
        key = Token.objects.create(user=editor).key
        client = APIClient(HTTP_AUTHORIZATION=f"{scheme} {key}")
        before = catalog_state()
        for response in (client.post(detail("target") + "unpublish/"), client.get(detail("target"))):
            body = assert_json_error(response, 401)
            assert "Authorization: Token <key>" in body["detail"]
            assert response["WWW-Authenticate"] == "Token"
        assert catalog_state() == before

    def test_a_hostile_scheme_is_not_echoed(self):
        response = APIClient(HTTP_AUTHORIZATION="\x1b[31mEvil\x1b[0m xyz").get(LIST)
        assert "\x1b" not in assert_json_error(response, 401)["detail"]
