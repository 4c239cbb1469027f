"""The admin as an Editors member: every write goes through services and shows up for learners at once."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog import services
from catalog.models import Course, CourseTransition, Module, Unit
from tests.factories import CourseFactory, tree
from tests.helpers.admin import (
    CHANGELIST,
    all_units,
    change_url,
    course_form,
    messages_of,
    module_titles,
    modules_management,
    opened_at,
    transition_url,
    unit_form,
    unit_titles,
)

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


class TestCourseList:
    def test_columns_badge_and_counts(self, admin_client):
        CourseFactory(
            slug="intro-to-sql", title="Intro to SQL", status="published", topic="Databases", units=tree(2, 1)
        )
        page = admin_client.get(reverse(CHANGELIST)).content.decode()
        for header in (
            "column-title",
            "column-topic",
            "column-status_column",
            "column-unit_count",
            "column-module_count",
            "column-updated_at",
        ):
            assert header in page
        assert '<span class="catalog-badge catalog-badge-published">Published</span>' in page
        assert '<td class="field-unit_count">2</td>' in page and '<td class="field-module_count">3</td>' in page

    def test_search_by_title_and_slug(self, admin_client):
        CourseFactory(slug="intro-to-sql", title="Intro to SQL")
        CourseFactory(slug="css-grid", title="Responsive layouts")
        url = reverse(CHANGELIST)
        by_title = admin_client.get(url, {"q": "intro"}).content
        assert b"Intro to SQL" in by_title and b"Responsive layouts" not in by_title
        by_slug = admin_client.get(url, {"q": "css-grid"}).content
        assert b"Responsive layouts" in by_slug and b"Intro to SQL" not in by_slug

    def test_filters_and_date_hierarchy(self, admin_client):
        sql = CourseFactory(title="Intro to SQL", status="published", topic="Databases")
        CourseFactory(title="CSS Grid", topic="Web Development")
        url = reverse(CHANGELIST)
        published = admin_client.get(url, {"status__exact": "published"}).content
        assert b"Intro to SQL" in published and b"CSS Grid" not in published
        topic = admin_client.get(url, {"topic": "web-development"}).content
        assert b"CSS Grid" in topic and b"Intro to SQL" not in topic
        year = admin_client.get(url, {"created_at__year": sql.created_at.year})
        assert year.status_code == 200 and b"Intro to SQL" in year.content

    def test_newest_edit_first(self, admin_client):
        older = CourseFactory(title="Older edit")
        CourseFactory(title="Newer edit")
        services.course_update(course=older, title="Latest edit")
        page = admin_client.get(reverse(CHANGELIST)).content.decode()
        assert page.index("Latest edit") < page.index("Newer edit")

    def test_changelist_queries_do_not_grow_with_rows(self, admin_client, django_assert_max_num_queries):
        url = reverse(CHANGELIST)
        CourseFactory(units=tree(2, 2))
        admin_client.get(url)
        with django_assert_max_num_queries(15) as few:
            admin_client.get(url)
        for n in range(25):
            CourseFactory(units=tree(3, 3), status="published" if n % 2 else "draft", topic=f"Topic {n % 4}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert b"Course number" in admin_client.get(url).content


class TestCourseEditing:
    def test_create_with_units(self, admin_client, editor):
        response = admin_client.post(
            reverse("admin:catalog_course_add"),
            {
                "slug": "new-course",
                "title": "New course",
                "topic": "Data Science",
                "description": "",
                "units-TOTAL_FORMS": "3",
                "units-INITIAL_FORMS": "0",
                "units-MIN_NUM_FORMS": "0",
                "units-MAX_NUM_FORMS": "1000",
                "units-0-title": "First",
                "units-0-order": "",
                "units-1-title": "Second",
                "units-1-order": "",
                "units-2-title": "",
                "units-2-order": "",  # the empty extra row
                **modules_management("units-0-modules"),
                **modules_management("units-1-modules"),
                **modules_management("units-2-modules"),
            },
        )
        assert response.status_code == 302, response.content[:2000]
        course = Course.objects.get(slug="new-course")
        assert (course.topic, course.status, course.unit_count) == ("data-science", "draft", 2)
        assert unit_titles(course) == [(1, "First"), (2, "Second")]
        entry = LogEntry.objects.get(object_id=str(course.pk))
        assert entry.user == editor and entry.is_addition()

    def test_a_taken_slug_is_a_form_error(self, admin_client):
        CourseFactory(slug="taken")
        response = admin_client.post(
            reverse("admin:catalog_course_add"),
            {
                "slug": "taken",
                "title": "Another",
                "topic": "Testing",
                "description": "",
                "units-TOTAL_FORMS": "0",
                "units-INITIAL_FORMS": "0",
                "units-MIN_NUM_FORMS": "0",
                "units-MAX_NUM_FORMS": "1000",
            },
        )
        assert response.status_code == 200 and b"Course with this Slug already exists." in response.content
        assert Course.objects.count() == 1

    def test_status_is_not_a_form_field(self, admin_client):
        course = CourseFactory(units=tree(1))
        assert b'name="status"' not in admin_client.get(change_url(course)).content
        response = admin_client.post(change_url(course), course_form(course, all_units(course), status="published"))
        assert response.status_code == 302
        assert Course.objects.get(pk=course.pk).status == "draft"

    def test_a_topic_without_letters_is_a_form_error(self, admin_client):
        course = CourseFactory()
        response = admin_client.post(change_url(course), course_form(course, topic="!!!"))
        assert response.status_code == 200 and b"Use at least one letter or digit." in response.content
        assert Course.objects.get(pk=course.pk).topic == "testing"

    def test_inline_rename_reorder_delete_and_add(self, admin_client):
        course = CourseFactory(units=tree(1, 1, 1))
        a, b, c = course.units.order_by("order")
        data = course_form(
            course,
            units=[(a, "A renamed", 3, False), (b, b.title, 1, False), (c, c.title, 2, True)],
            extra=[("Brand new", "")],
            confirm_unit_delete="yes",  # unit 3 still has a module: the page asked first
        )
        response = admin_client.post(change_url(course), data)
        assert response.status_code == 302, response.content[:3000]
        assert unit_titles(course) == [(1, b.title), (2, "A renamed"), (3, "Brand new")]
        fresh = Course.objects.get(pk=course.pk)
        assert (fresh.unit_count, fresh.module_count) == (3, 2)

    def test_drag_order_is_applied_the_same_whatever_the_form_sequence(self, admin_client):
        first = CourseFactory(units=tree(1, 1, 1, 1))
        second = CourseFactory(units=tree(1, 1, 1, 1))

        # Dragged to 4, 3, 1, 2 (what the inline's script writes into the hidden order inputs) ...
        def rows(course):
            return [(u, u.title, {1: 3, 2: 4, 3: 2, 4: 1}[u.order], False) for u in course.units.order_by("order")]

        assert admin_client.post(change_url(first), course_form(first, rows(first))).status_code == 302
        # ... and the same order submitted with the rows in another sequence.
        assert admin_client.post(change_url(second), course_form(second, rows(second)[::-1])).status_code == 302
        expected = [(1, "Unit 4"), (2, "Unit 3"), (3, "Unit 1"), (4, "Unit 2")]
        assert unit_titles(first) == expected and unit_titles(second) == expected

    def test_a_reorder_bumps_updated_at_and_is_logged(self, admin_client):
        course = CourseFactory(units=tree(1, 1))
        before = Course.objects.get(pk=course.pk).updated_at
        a, b = course.units.order_by("order")
        admin_client.post(change_url(course), course_form(course, [(a, a.title, 2, False), (b, b.title, 1, False)]))
        assert unit_titles(course) == [(1, "Unit 2"), (2, "Unit 1")]
        assert Course.objects.get(pk=course.pk).updated_at > before
        entry = LogEntry.objects.filter(object_id=str(course.pk)).latest("action_time")
        # Named by their numbers after the save, never the stale ones from before the reorder.
        assert entry.get_change_message() == "Reordered the units: 1 'Unit 2', 2 'Unit 1'."

    def test_stale_form_is_refused(self, admin_client):
        course = CourseFactory()
        data = course_form(course)
        services.course_update(course=course, title="Another editor's title")
        data["title"] = "My title"
        response = admin_client.post(change_url(course), data)
        assert response.status_code == 200
        assert b"Someone else changed this course since you opened it" in response.content
        assert Course.objects.get(pk=course.pk).title == "Another editor's title"

    def test_a_tree_change_elsewhere_also_makes_the_form_stale(self, admin_client):
        course = CourseFactory(units=tree(1, 1))
        data = course_form(course, all_units(course), title="My title")
        services.unit_create(course=course, title="Added by someone else", position=1)
        response = admin_client.post(change_url(course), data)
        assert b"Someone else changed this course" in response.content
        assert Course.objects.get(pk=course.pk).title != "My title"
        assert unit_titles(course)[0] == (1, "Added by someone else")

    @pytest.mark.parametrize("value", ["", "yesterday", "2024-13-45T99:00:00"])
    def test_missing_or_garbled_opening_time_is_refused_not_a_crash(self, admin_client, value):
        course = CourseFactory()
        response = admin_client.post(change_url(course), course_form(course, title="Mine", opened_at=value))
        assert response.status_code == 200 and b"Someone else changed this course" in response.content
        assert Course.objects.get(pk=course.pk).title != "Mine"

    def test_a_refused_save_rolls_back_every_row_and_keeps_the_editors_input(self, admin_client):
        # The guard runs in the first service call, under the course's row lock; the inline rows the
        # same request would have changed are rolled back with it, and the form shows what was typed.
        course = CourseFactory(units=tree(1))
        unit = course.units.get()
        data = course_form(course, [(unit, "Renamed unit", 1, False)], title="Mine")
        services.course_update(course=course, description="Someone else's edit")
        response = admin_client.post(change_url(course), data)
        assert response.status_code == 200
        assert b"Someone else changed this course since you opened it" in response.content
        assert b'value="Mine"' in response.content and b'value="Renamed unit"' in response.content
        fresh = Course.objects.get(pk=course.pk)
        assert (fresh.title, fresh.description) == (course.title, "Someone else's edit")
        assert Unit.objects.get(pk=unit.pk).title == unit.title

    def test_delete(self, admin_client):
        course = CourseFactory(units=tree(2))
        response = admin_client.post(reverse("admin:catalog_course_delete", args=[course.pk]), {"post": "yes"})
        assert response.status_code == 302
        assert not Course.objects.exists() and not Unit.objects.exists() and not Module.objects.exists()

    def test_bulk_delete(self, admin_client):
        doomed, kept = CourseFactory(units=tree(1)), CourseFactory()
        response = admin_client.post(
            reverse(CHANGELIST),
            {
                "action": "delete_selected",
                "_selected_action": [doomed.pk],
                "post": "yes",
            },
        )
        assert response.status_code == 302
        assert list(Course.objects.values_list("pk", flat=True)) == [kept.pk]

    def test_a_change_to_a_published_course_waits_for_publish(
        self, admin_client, client, api, django_capture_on_commit_callbacks
    ):
        course = CourseFactory(slug="live", title="Before", status="published", units=tree(1))
        assert api.get("/api/v1/courses/live/").json()["title"] == "Before"
        unit = course.units.get()
        data = course_form(course, [(unit, "Renamed unit", 1, False)], title="After")
        with django_capture_on_commit_callbacks(execute=True):  # the admin's transaction commits
            assert admin_client.post(change_url(course), data).status_code == 302
        # The working copy changed; learners still read release 1, in the API and on the page.
        assert Course.objects.get(pk=course.pk).title == "After"
        assert api.get("/api/v1/courses/live/").json()["title"] == "Before"
        learner_page = client.get("/courses/live/").content.decode()
        assert "Before" in learner_page and "Renamed unit" not in learner_page
        assert "with unpublished changes" in admin_client.get(reverse(CHANGELIST)).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(transition_url(course, "publish"), follow=True)
        assert "'After' is now published: release 2 is live." in messages_of(response)
        assert api.get("/api/v1/courses/live/").json()["title"] == "After"
        learner_page = client.get("/courses/live/").content.decode()
        assert "After" in learner_page and "Renamed unit" in learner_page


class TestUnitPage:
    def test_the_course_page_edits_modules_in_place_and_the_unit_page_remains(self, admin_client):
        course = CourseFactory(units=tree(1))
        unit = course.units.get()
        page = admin_client.get(change_url(course)).content.decode()
        # No "Change" link that would leave unsaved edits behind: the modules are on this page.
        assert 'id="units-0-modules-group"' in page and "inlinechangelink" not in page
        page = admin_client.get(reverse("admin:catalog_unit_change", args=[unit.pk])).content.decode()
        assert change_url(course) in page  # back to its course
        assert 'class="js-inline-admin-formset inline-group" id="modules-group"' in page

    def test_modules_are_added_renamed_deleted_and_reordered(self, admin_client):
        course = CourseFactory(units=tree(3))
        unit = course.units.get()
        m1, m2, m3 = unit.modules.order_by("order")
        data = unit_form(
            unit, [(m1, "One", 2, False), (m2, m2.title, 1, False), (m3, m3.title, 3, True)], extra=[("Three", "")]
        )
        response = admin_client.post(reverse("admin:catalog_unit_change", args=[unit.pk]), data)
        assert response.status_code == 302, response.content[:3000]
        assert module_titles(unit) == [(1, m2.title), (2, "One"), (3, "Three")]
        assert Course.objects.get(pk=course.pk).module_count == 3

    def test_unit_edits_show_in_the_course_history(self, admin_client):
        course = CourseFactory(units=tree(1))
        unit = course.units.get()
        admin_client.post(
            reverse("admin:catalog_unit_change", args=[unit.pk]),
            unit_form(unit, [(m, m.title, m.order, False) for m in unit.modules.all()], extra=[("Extra", "")]),
        )
        history = admin_client.get(reverse("admin:catalog_course_history", args=[course.pk])).content.decode()
        assert f"Unit &#x27;1. {unit.title}&#x27;: Added module" in history

    def test_stale_unit_page_is_refused(self, admin_client):
        course = CourseFactory(units=tree(2))
        unit = course.units.get()
        m1, m2 = unit.modules.order_by("order")
        data = unit_form(unit, [(m1, m1.title, 2, False), (m2, m2.title, 1, False)])
        services.module_create(unit=unit, title="Someone else's module", position=1)
        response = admin_client.post(reverse("admin:catalog_unit_change", args=[unit.pk]), data)
        assert response.status_code == 200 and b"Someone else changed this course" in response.content
        assert module_titles(unit) == [(1, "Someone else's module"), (2, m1.title), (3, m2.title)]

    def test_deleting_a_unit_keeps_the_order_contiguous(self, admin_client):
        course = CourseFactory(units=tree(1, 1, 1))
        middle = course.units.get(order=2)
        response = admin_client.post(reverse("admin:catalog_unit_delete", args=[middle.pk]), {"post": "yes"})
        assert response.status_code == 302
        assert unit_titles(course) == [(1, "Unit 1"), (2, "Unit 3")]

    def test_add_pages_create_through_services(self, admin_client):
        course = CourseFactory(units=tree(1))
        response = admin_client.post(
            reverse("admin:catalog_unit_add"),
            {
                "course": course.pk,
                "title": "Appendix",
                "modules-TOTAL_FORMS": "1",
                "modules-INITIAL_FORMS": "0",
                "modules-MIN_NUM_FORMS": "0",
                "modules-MAX_NUM_FORMS": "1000",
                "modules-0-title": "Glossary",
                "modules-0-content": "",
                "modules-0-order": "",
            },
        )
        assert response.status_code == 302, response.content[:2000]
        appendix = Unit.objects.get(course=course, title="Appendix")
        assert appendix.order == 2 and module_titles(appendix) == [(1, "Glossary")]
        response = admin_client.post(
            reverse("admin:catalog_module_add"), {"unit": appendix.pk, "title": "Index", "content": ""}
        )
        assert response.status_code == 302, response.content[:2000]
        assert module_titles(appendix) == [(1, "Glossary"), (2, "Index")]
        assert Course.objects.get(pk=course.pk).module_count == 3

    def test_course_autocomplete_on_the_unit_add_page(self, admin_client):
        CourseFactory(title="Intro to SQL", slug="intro-to-sql")
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "term": "sql",
                "app_label": "catalog",
                "model_name": "unit",
                "field_name": "course",
            },
        )
        assert [r["text"] for r in response.json()["results"]] == ["Intro to SQL"]

    def test_stale_module_page_is_refused(self, admin_client):
        course = CourseFactory(units=tree(1))
        module = Module.objects.get(unit__course=course)
        data = {"title": "Mine", "content": "My text.", "opened_at": opened_at(course.pk)}
        services.unit_create(course=course, title="Someone else's unit")
        response = admin_client.post(reverse("admin:catalog_module_change", args=[module.pk]), data)
        assert response.status_code == 200 and b"Someone else changed this course" in response.content
        assert Module.objects.get(pk=module.pk).title == module.title

    def test_module_page_edit(self, admin_client):
        course = CourseFactory(units=tree(1))
        module = Module.objects.get(unit__course=course)
        response = admin_client.post(
            reverse("admin:catalog_module_change", args=[module.pk]),
            {
                "title": "Renamed module",
                "content": "Now with text.",
                "opened_at": opened_at(course.pk),
            },
        )
        assert response.status_code == 302, response.content[:2000]
        assert Module.objects.filter(pk=module.pk).values_list("title", "content").get() == (
            "Renamed module",
            "Now with text.",
        )


class TestWorkflow:
    @pytest.mark.parametrize(
        "status, shown",
        [
            ("draft", {"publish", "archive"}),
            ("published", {"unpublish", "archive"}),  # "Publish changes" only once there are changes
            ("archived", {"restore"}),
        ],
    )
    def test_buttons_show_only_allowed_moves(self, admin_client, status, shown):
        page = admin_client.get(change_url(CourseFactory(status=status))).content.decode()
        for action in ("publish", "unpublish", "archive", "restore"):
            assert (f"catalog-transition-{action}" in page) == (action in shown), action
        assert page.count('name="csrfmiddlewaretoken"') >= len(shown) + 1

    @pytest.mark.parametrize(
        "status, action, after",
        [
            ("draft", "publish", "published"),
            ("published", "unpublish", "draft"),
            ("draft", "archive", "archived"),
            ("published", "archive", "archived"),
            ("archived", "restore", "draft"),
        ],
    )
    def test_each_button(self, admin_client, editor, status, action, after):
        course = CourseFactory(status=status, units=tree(1))
        response = admin_client.post(transition_url(course, action), follow=True)
        assert response.redirect_chain[-1][0] == change_url(course)
        assert Course.objects.get(pk=course.pk).status == after
        assert f"is now {after}" in " ".join(messages_of(response))
        move = CourseTransition.objects.filter(course=course).first()
        assert (move.from_status, move.to_status, move.by) == (status, after, editor)

    def test_refused_move_shows_the_reason_and_changes_nothing(self, admin_client):
        course = CourseFactory(units=[{"title": "Empty unit"}])
        before = Course.objects.get(pk=course.pk).updated_at
        response = admin_client.post(transition_url(course, "publish"), follow=True)
        errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
        assert errors == [f"cannot publish '{course.slug}': unit 1 'Empty unit' has no modules"]
        fresh = Course.objects.get(pk=course.pk)
        assert (fresh.status, fresh.updated_at) == ("draft", before)
        assert not CourseTransition.objects.filter(course=course).exists()

    def test_a_move_not_allowed_from_this_status_is_refused(self, admin_client):
        course = CourseFactory(status="archived")
        response = admin_client.post(transition_url(course, "publish"), follow=True)
        assert any("only a draft or published course can be published" in m for m in messages_of(response))
        assert Course.objects.get(pk=course.pk).status == "archived"

    def test_get_does_not_move(self, admin_client):
        course = CourseFactory(units=tree(1))
        assert admin_client.get(transition_url(course, "publish")).status_code == 200  # its confirmation page
        assert Course.objects.get(pk=course.pk).status == "draft"

    def test_the_buttons_need_a_csrf_token(self, editor):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.force_login(editor)
        course = CourseFactory(units=tree(1))
        assert strict.post(transition_url(course, "publish")).status_code == 403
        assert Course.objects.get(pk=course.pk).status == "draft"

    def test_staff_without_editing_rights_cannot_move(self, client, django_user_model):
        viewer = django_user_model.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
        viewer.user_permissions.add(Permission.objects.get(codename="view_course"))
        client.force_login(viewer)
        course = CourseFactory(units=tree(1))
        assert client.post(transition_url(course, "publish")).status_code == 403
        assert Course.objects.get(pk=course.pk).status == "draft"
        assert b"catalog-transition-" not in client.get(change_url(course)).content

    def test_bulk_publish_reports_per_course(self, admin_client):
        ready = CourseFactory(title="Ready", units=tree(1))
        empty = CourseFactory(title="Empty", slug="empty")
        response = admin_client.post(
            reverse(CHANGELIST),
            {
                "action": "publish_selected",
                "_selected_action": [ready.pk, empty.pk],
                "post": "yes",
            },
            follow=True,
        )
        texts = messages_of(response)
        assert "'Ready': published." in texts
        assert "'Empty': cannot publish 'empty': the course has no units" in texts
        assert "1 of 2 selected courses published." in texts
        assert Course.objects.get(pk=ready.pk).status == "published"
        assert Course.objects.get(pk=empty.pk).status == "draft"

    def test_bulk_archive_reports_per_course(self, admin_client):
        draft = CourseFactory(title="Draft one")
        live = CourseFactory(title="Live one", status="published")
        gone = CourseFactory(title="Gone one", slug="gone", status="archived")
        selection = {"action": "archive_selected", "_selected_action": [draft.pk, live.pk, gone.pk]}
        # Asked first: a page that lists the courses and says how many learners lose; nothing moves yet.
        asked = admin_client.post(reverse(CHANGELIST), selection)
        assert asked.status_code == 200 and b"Yes, archive 3 courses" in asked.content
        assert b"Learners lose 1 of these 3 courses at once" in asked.content
        assert Course.objects.filter(status="archived").count() == 1
        response = admin_client.post(reverse(CHANGELIST), {**selection, "post": "yes"}, follow=True)
        texts = messages_of(response)
        assert "'Draft one': archived." in texts and "'Live one': archived." in texts
        assert (
            "'Gone one': cannot archive 'gone': it is archived, and only a draft or published course can be archived"
        ) in texts
        assert "2 of 3 selected courses archived." in texts
        assert set(Course.objects.values_list("status", flat=True)) == {"archived"}

    def test_bulk_report_counts_the_selection_even_under_a_status_filter(self, admin_client):
        courses = [CourseFactory(units=tree(1)) for _ in range(2)]
        response = admin_client.post(
            reverse(CHANGELIST) + "?status__exact=draft",
            {
                "action": "publish_selected",
                "_selected_action": [c.pk for c in courses],
                "post": "yes",
            },
            follow=True,
        )
        assert "2 of 2 selected courses published." in messages_of(response)

    def test_history_shows_edits_and_every_transition(self, admin_client, editor):
        course = CourseFactory(units=tree(1))
        services.course_publish(course=course)  # e.g. through the API with a token: no admin log entry
        admin_client.post(transition_url(course, "unpublish"))
        admin_client.post(change_url(course), course_form(course, all_units(course), title="Retitled"))
        page = admin_client.get(change_url(course)).content.decode()
        published = "Published release 1 (draft → published)."
        unpublished = "Unpublished (release 1 withdrawn) (published → draft)."
        retitled = f"Title: &#x27;{course.title}&#x27; → &#x27;Retitled&#x27;."  # before and after
        assert published in page and unpublished in page
        assert retitled in page and editor.username in page
        history = admin_client.get(reverse("admin:catalog_course_history", args=[course.pk])).content.decode()
        assert history.index(retitled) < history.index(unpublished) < history.index(published)

    def test_the_history_of_a_course_that_is_gone_says_so_on_the_index(self, admin_client):
        response = admin_client.get(reverse("admin:catalog_course_history", args=[987654]), follow=True)
        assert response.redirect_chain == [(reverse("admin:index"), 302)]
        assert messages_of(response) == ["course with ID “987654” doesn’t exist. Perhaps it was deleted?"]


class TestEditorsGroup:
    def test_the_group_holds_exactly_the_catalog_permissions(self):
        group = Group.objects.get(name="Editors")
        assert set(group.permissions.values_list("content_type__app_label", flat=True)) == {"catalog"}
        assert group.permissions.count() == Permission.objects.filter(content_type__app_label="catalog").count()

    def test_editor_cannot_manage_users_or_groups(self, admin_client):
        assert admin_client.get("/admin/auth/user/").status_code == 403
        assert admin_client.get("/admin/auth/group/").status_code == 403
        assert admin_client.get("/admin/auth/user/add/").status_code == 403
        index = admin_client.get(reverse("admin:index")).content
        assert b"Courses" in index and b"Units" in index and b"Modules" in index
        assert b"/admin/auth/" not in index

    def test_staff_without_the_group_sees_no_catalog(self, client, django_user_model):
        user = django_user_model.objects.create_user("staff", password="pw-staff-1", is_staff=True)
        client.force_login(user)
        assert client.get(reverse(CHANGELIST)).status_code == 403
