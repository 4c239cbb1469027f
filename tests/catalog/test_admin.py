"""The admin as an Editors member: everything goes through services and shows up for learners at once."""
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog.models import Course, CourseTransition, Module, Unit
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def change_url(course):
    return reverse("admin:catalog_course_change", args=[course.pk])


def inline_data(course, units=(), extra=()):
    """The POST data of the course form with its unit inline (existing rows, then new ones)."""
    fresh = Course.objects.get(pk=course.pk)
    data = {
        "slug": fresh.slug, "title": fresh.title, "topic": fresh.topic, "description": fresh.description,
        "opened_at": fresh.updated_at.isoformat(),
        "units-TOTAL_FORMS": str(len(units) + len(extra)), "units-INITIAL_FORMS": str(len(units)),
        "units-MIN_NUM_FORMS": "0", "units-MAX_NUM_FORMS": "1000",
    }
    for i, (unit, title, order, delete) in enumerate(units):
        data.update({f"units-{i}-id": str(unit.pk), f"units-{i}-course": str(course.pk),
                     f"units-{i}-title": title, f"units-{i}-order": str(order)})
        if delete:
            data[f"units-{i}-DELETE"] = "on"
    for j, (title, order) in enumerate(extra, start=len(units)):
        data.update({f"units-{j}-course": str(course.pk), f"units-{j}-title": title, f"units-{j}-order": str(order)})
    return data


class TestCourseList:
    def test_list_search_and_filters(self, admin_client):
        CourseFactory(slug="intro-to-sql", title="Intro to SQL", status="published", topic="Databases")
        CourseFactory(slug="css-grid", title="CSS Grid")
        url = reverse("admin:catalog_course_changelist")
        page = admin_client.get(url)
        assert page.status_code == 200 and b"Intro to SQL" in page.content and b"catalog-badge" in page.content
        assert b"CSS Grid" not in admin_client.get(url + "?q=intro").content
        assert b"Intro to SQL" not in admin_client.get(url + "?q=css-grid").content
        assert b"CSS Grid" not in admin_client.get(url + "?status__exact=published").content
        assert b"CSS Grid" not in admin_client.get(url + "?topic=databases").content

    def test_changelist_queries_do_not_grow_with_rows(self, admin_client, django_assert_max_num_queries):
        url = reverse("admin:catalog_course_changelist")
        CourseFactory(units=tree(2, 2))
        admin_client.get(url)
        with django_assert_max_num_queries(12) as few:
            admin_client.get(url)
        for _ in range(20):
            CourseFactory(units=tree(3, 3))
        with django_assert_max_num_queries(len(few.captured_queries)):
            admin_client.get(url)


class TestCourseEditing:
    def test_create_with_units(self, admin_client):
        response = admin_client.post(reverse("admin:catalog_course_add"), {
            "slug": "new-course", "title": "New course", "topic": "Data Science", "description": "",
            "units-TOTAL_FORMS": "2", "units-INITIAL_FORMS": "0", "units-MIN_NUM_FORMS": "0", "units-MAX_NUM_FORMS": "1000",
            "units-0-title": "First", "units-0-order": "1", "units-1-title": "Second", "units-1-order": "2",
        })
        assert response.status_code == 302, response.content[:2000]
        course = Course.objects.get(slug="new-course")
        assert (course.topic, course.status, course.unit_count) == ("data-science", "draft", 2)
        assert list(course.units.values_list("order", "title")) == [(1, "First"), (2, "Second")]

    def test_inline_rename_reorder_delete_and_add(self, admin_client):
        course = CourseFactory(units=tree(1, 1, 1))
        a, b, c = course.units.order_by("order")
        data = inline_data(course, units=[(a, "A renamed", 3, False), (b, b.title, 1, False), (c, c.title, 2, True)],
                           extra=[("Brand new", "")])
        response = admin_client.post(change_url(course), data)
        assert response.status_code == 302, response.content[:3000]
        assert list(Unit.objects.filter(course=course).order_by("order").values_list("order", "title")) == [
            (1, b.title), (2, "A renamed"), (3, "Brand new"),
        ]

    def test_stale_form_is_refused(self, admin_client):
        from catalog import services

        course = CourseFactory()
        data = inline_data(course)
        services.course_update(course=course, title="Another editor's title")
        data["title"] = "My title"
        response = admin_client.post(change_url(course), data)
        assert response.status_code == 200
        assert b"Someone else changed this course" in response.content
        assert Course.objects.get(pk=course.pk).title == "Another editor's title"

    def test_delete(self, admin_client):
        course = CourseFactory(units=tree(2))
        response = admin_client.post(reverse("admin:catalog_course_delete", args=[course.pk]), {"post": "yes"})
        assert response.status_code == 302
        assert not Course.objects.exists() and not Unit.objects.exists()

    def test_change_is_visible_to_learners_at_once(self, admin_client, api, django_capture_on_commit_callbacks):
        course = CourseFactory(slug="live", title="Before", status="published", units=tree(1))
        assert api.get("/api/v1/courses/live/").json()["title"] == "Before"
        api.get("/api/v1/courses/live/")  # cached now
        unit = course.units.get()
        data = inline_data(course, units=[(unit, unit.title, 1, False)])
        data["title"] = "After"
        with django_capture_on_commit_callbacks(execute=True):  # the admin's transaction commits
            assert admin_client.post(change_url(course), data).status_code == 302
        assert api.get("/api/v1/courses/live/").json()["title"] == "After"
        assert b"After" in api.get("/courses/live/").content


class TestUnitPage:
    def test_modules_are_added_renamed_and_reordered(self, admin_client):
        course = CourseFactory(units=tree(2))
        unit = course.units.get()
        m1, m2 = unit.modules.order_by("order")
        data = {
            "title": unit.title,
            "modules-TOTAL_FORMS": "3", "modules-INITIAL_FORMS": "2", "modules-MIN_NUM_FORMS": "0", "modules-MAX_NUM_FORMS": "1000",
            "modules-0-id": m1.pk, "modules-0-unit": unit.pk, "modules-0-title": "One", "modules-0-content": "", "modules-0-order": "2",
            "modules-1-id": m2.pk, "modules-1-unit": unit.pk, "modules-1-title": m2.title, "modules-1-content": "", "modules-1-order": "1",
            "modules-2-unit": unit.pk, "modules-2-title": "Three", "modules-2-content": "text", "modules-2-order": "",
        }
        response = admin_client.post(reverse("admin:catalog_unit_change", args=[unit.pk]), data)
        assert response.status_code == 302, response.content[:3000]
        assert list(Module.objects.filter(unit=unit).order_by("order").values_list("order", "title")) == [
            (1, m2.title), (2, "One"), (3, "Three"),
        ]
        assert Course.objects.get(pk=course.pk).module_count == 3


class TestWorkflow:
    def test_buttons_show_only_allowed_moves(self, admin_client):
        course = CourseFactory(units=tree(1))
        page = admin_client.get(change_url(course)).content
        assert b"catalog-transition-publish" in page and b"catalog-transition-archive" in page
        assert b"catalog-transition-restore" not in page and b"catalog-transition-unpublish" not in page

    def test_publish_button(self, admin_client, editor):
        course = CourseFactory(units=tree(1))
        url = reverse("admin:catalog_course_transition", args=[course.pk, "publish"])
        response = admin_client.post(url, follow=True)
        assert Course.objects.get(pk=course.pk).status == "published"
        assert any("is now published" in m for m in messages_of(response))
        assert CourseTransition.objects.get(course=course).by == editor

    def test_refused_move_shows_the_reason_and_changes_nothing(self, admin_client):
        course = CourseFactory(units=[{"title": "Empty unit"}])
        url = reverse("admin:catalog_course_transition", args=[course.pk, "publish"])
        response = admin_client.post(url, follow=True)
        assert "cannot publish 'course" in " ".join(messages_of(response))
        assert "unit 1 'Empty unit' has no modules" in " ".join(messages_of(response))
        assert Course.objects.get(pk=course.pk).status == "draft"

    def test_get_does_not_move(self, admin_client):
        course = CourseFactory(units=tree(1))
        assert admin_client.get(reverse("admin:catalog_course_transition", args=[course.pk, "publish"])).status_code == 405
        assert Course.objects.get(pk=course.pk).status == "draft"

    def test_bulk_actions_report_per_course(self, admin_client):
        ready = CourseFactory(title="Ready", units=tree(1))
        empty = CourseFactory(title="Empty")
        response = admin_client.post(reverse("admin:catalog_course_changelist"), {
            "action": "publish_selected", "_selected_action": [ready.pk, empty.pk],
        }, follow=True)
        texts = messages_of(response)
        assert "'Ready': published." in texts
        assert any(t.startswith("'Empty': cannot publish") for t in texts)
        assert Course.objects.get(pk=ready.pk).status == "published"
        assert Course.objects.get(pk=empty.pk).status == "draft"

    def test_history_is_on_the_course_page(self, admin_client):
        course = CourseFactory(status="published", units=tree(1))
        page = admin_client.get(change_url(course)).content.decode()
        assert "draft → published" in page


class TestEditorsGroup:
    def test_editor_cannot_manage_users_or_groups(self, admin_client):
        assert admin_client.get(reverse("admin:auth_user_changelist")).status_code == 403
        assert admin_client.get(reverse("admin:auth_group_changelist")).status_code == 403
        index = admin_client.get(reverse("admin:index")).content
        assert b"Courses" in index and b"Units" in index and b"Modules" in index
        assert b"/admin/auth/user/" not in index

    def test_staff_without_the_group_sees_no_catalog(self, client, django_user_model):
        user = django_user_model.objects.create_user("staff", password="pw-staff-1", is_staff=True)
        client.force_login(user)
        assert client.get(reverse("admin:catalog_course_changelist")).status_code == 403
