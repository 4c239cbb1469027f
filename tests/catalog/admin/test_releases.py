"""The admin's release workflow: the list's status, publish changes, discard, revert, preview, schedule,
compare, redirects, the overdue warning; and every refusal, permission and CSRF check on the way."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog import selectors, services
from catalog.models import Course, CourseTransition, Module, Release, SlugRedirect
from tests.factories import CourseFactory, tree
from tests.helpers.admin import all_units, course_form

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

CHANGELIST = "admin:catalog_course_changelist"


@pytest.fixture
def viewer(django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_course"))
    return user


def url(name, course, *args):
    return reverse(f"admin:catalog_course_{name}", args=[course.pk, *args])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def errors_of(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def published_with_changes(**fields):
    """A published course (release 1) whose working copy has a new title and module text."""
    course = CourseFactory(status="published", title="Old title", units=tree(2), **fields)
    services.course_update(course=course, title="New title")
    services.module_update(module=Module.objects.filter(unit__course=course).first(), content="Line one\nLine two")
    return Course.objects.get(pk=course.pk)


def live_title(course):
    return selectors.with_release_state(Course.objects.filter(pk=course.pk)).get().live_release


class TestCourseList:
    def test_status_says_unpublished_changes_and_scheduled_times(self, admin_client):
        published_with_changes(slug="changed")
        CourseFactory(slug="same", status="published", title="Unchanged course")
        later = timezone.now() + dt.timedelta(days=2)
        draft = CourseFactory(slug="soon", units=tree(1), title="Coming soon")
        services.course_schedule(course=draft, publish_at=later)
        page = admin_client.get(reverse(CHANGELIST)).content.decode()
        assert page.count("with unpublished changes") == 1
        assert f"goes live {timezone.localtime(later):%Y-%m-%d %H:%M}" in page

    def test_overdue_switches_are_a_warning_with_the_fix(self, admin_client, settings):
        settings.CATALOG_TICK_ON_REQUEST = False  # a deployment with a worker, whose tick did not run
        course = CourseFactory(units=tree(1))
        services.course_schedule(course=course, publish_at=timezone.now() + dt.timedelta(minutes=5))
        assert b"catalog-overdue" not in admin_client.get(reverse(CHANGELIST)).content
        # catalog_tick did not run: the switch is still unrecorded 10 minutes after its time.
        Course.objects.filter(pk=course.pk).update(publish_at=timezone.now() - dt.timedelta(minutes=10))
        page = admin_client.get(reverse(CHANGELIST)).content.decode()
        assert "1 scheduled switch is overdue (the oldest by 10 minutes)" in page
        assert "python manage.py catalog_tick" in page and "every minute" in page
        assert "catalog-overdue" in admin_client.get(url("change", course)).content.decode()

    def test_a_switch_within_the_grace_minutes_is_not_overdue(self, admin_client):
        course = CourseFactory(units=tree(1))
        Course.objects.filter(pk=course.pk).update(publish_at=timezone.now() - dt.timedelta(seconds=30))
        assert b"catalog-overdue" not in admin_client.get(reverse(CHANGELIST)).content

    def test_search_finds_unit_and_module_words_and_still_titles_and_slugs(self, admin_client):
        CourseFactory(
            slug="sql",
            title="Intro to SQL",
            units=[{"title": "Aggregation", "modules": [{"title": "Window functions"}]}],
        )
        CourseFactory(slug="css-grid", title="Responsive layouts")
        for term in ("aggregation", "window", "intro", "css-grid"):
            page = admin_client.get(reverse(CHANGELIST), {"q": term}).content.decode()
            expected = "Responsive layouts" if term == "css-grid" else "Intro to SQL"
            other = "Intro to SQL" if term == "css-grid" else "Responsive layouts"
            assert expected in page and other not in page, term


class TestCoursePage:
    def test_buttons_follow_the_release_state(self, admin_client):
        draft = CourseFactory(units=tree(1))
        page = admin_client.get(url("change", draft)).content.decode()
        assert ">Publish</button>" in page and "Discard changes" not in page
        assert url("transition", draft, "archive") in page  # a link to the confirmation page
        changed = published_with_changes()
        page = admin_client.get(url("change", changed)).content.decode()
        assert ">Publish changes</button>" in page and url("discard", changed) in page
        assert "Copy preview link" in page and url("schedule", changed) in page
        assert "Learners see release 1" in page and "compare them with the live release" in page

    def test_release_history_with_live_marker_compare_and_revert(self, admin_client, editor):
        course = published_with_changes()
        admin_client.post(url("transition", course, "publish"))
        page = admin_client.get(url("change", course)).content.decode()
        table = page[page.index('class="catalog-releases"') :]
        assert table.index('<th scope="row">2</th>') < table.index('<th scope="row">1</th>')
        assert 'class="catalog-live">live</strong>' in table and editor.username in table
        assert url("revert", course, 1) in table and f"{url('compare', course)}?from=1&amp;to=draft" in table

    def test_old_slugs_that_redirect_here_are_listed(self, admin_client):
        course = CourseFactory(slug="old-address", status="published")
        services.course_update(course=course, slug="new-address")
        assert not SlugRedirect.objects.filter(slug="old-address").exists()  # learners keep it until publish
        services.course_publish(course=course)
        assert SlugRedirect.objects.filter(slug="old-address").exists()
        page = admin_client.get(url("change", course)).content.decode()
        assert "Old addresses that redirect here: <code>/courses/old-address/</code>." in page


class TestPublishChanges:
    def test_publish_changes_makes_release_2(self, admin_client, api, django_capture_on_commit_callbacks):
        course = published_with_changes(slug="pc")
        assert api.get("/api/v1/courses/pc/").json()["title"] == "Old title"
        with django_capture_on_commit_callbacks(execute=True):  # the cache forgets on commit
            response = admin_client.post(url("transition", course, "publish"), follow=True)
        assert "'New title' is now published: release 2 is live." in messages_of(response)
        assert api.get("/api/v1/courses/pc/").json()["title"] == "New title"

    def test_nothing_new_to_publish(self, admin_client):
        course = CourseFactory(status="published")
        response = admin_client.post(url("transition", course, "publish"), follow=True)
        assert f"Nothing new to publish: '{course.title}' already shows release 1 to learners." in messages_of(response)
        assert Release.objects.filter(course=course).count() == 1

    def test_a_stale_button_is_refused(self, admin_client):
        course = published_with_changes()
        opened = Course.objects.get(pk=course.pk).updated_at.isoformat()
        services.course_update(course=course, description="Someone else's edit, unseen")
        response = admin_client.post(url("transition", course, "publish"), {"opened_at": opened}, follow=True)
        assert any("Someone else changed this course" in m for m in errors_of(response))
        assert Release.objects.filter(course=course).count() == 1

    def test_archive_asks_first(self, admin_client):
        course = CourseFactory(status="published")
        page = admin_client.get(url("transition", course, "archive"))
        assert page.status_code == 200 and b"Yes, archive it" in page.content
        assert Course.objects.get(pk=course.pk).status == "published"
        admin_client.post(url("transition", course, "archive"), {"opened_at": page.context["opened_at"]})
        assert Course.objects.get(pk=course.pk).status == "archived"

    def test_other_moves_do_not_answer_get(self, admin_client):
        course = CourseFactory(status="archived")
        assert admin_client.get(url("transition", course, "restore")).status_code == 405


class TestDiscard:
    def test_the_confirmation_shows_what_is_thrown_away(self, admin_client):
        course = published_with_changes()
        page = admin_client.get(url("discard", course)).content.decode()
        assert "These changes are thrown away" in page
        assert '<td class="catalog-before">Old title</td><td class="catalog-after">New title</td>' in page
        assert Course.objects.get(pk=course.pk).title == "New title"

    def test_discard(self, admin_client, editor):
        course = published_with_changes()
        response = admin_client.post(url("discard", course), follow=True)
        assert "Discarded the unpublished changes of 'Old title'" in messages_of(response)[0]
        fresh = Course.objects.get(pk=course.pk)
        assert (
            fresh.title == "Old title"
            and Module.objects.filter(unit__course=course, content__contains="Line").count() == 0
        )
        move = CourseTransition.objects.filter(course=course).first()
        assert (move.action, move.release, move.by) == ("discard", 1, editor)

    def test_discard_without_a_live_release_is_refused(self, admin_client):
        course = CourseFactory(units=tree(1))
        response = admin_client.get(url("discard", course), follow=True)
        assert errors_of(response) == [f"Nothing to discard: '{course.slug}' has no live release."]
        response = admin_client.post(url("discard", course), follow=True)
        assert errors_of(response) == [f"cannot discard changes of '{course.slug}': it has no live release"]

    def test_a_stale_confirmation_is_refused(self, admin_client):
        course = published_with_changes()
        opened = admin_client.get(url("discard", course)).context["opened_at"]
        services.course_update(course=course, description="Edited after the page was shown")
        response = admin_client.post(url("discard", course), {"opened_at": opened}, follow=True)
        assert any("Someone else changed this course" in m for m in errors_of(response))
        assert Course.objects.get(pk=course.pk).title == "New title"


class TestRevert:
    def test_revert_after_confirmation(self, admin_client):
        course = published_with_changes()
        admin_client.post(url("transition", course, "publish"))  # release 2 = the new title
        page = admin_client.get(url("revert", course, 1))
        assert page.status_code == 200 and b"Yes, revert to release 1" in page.content
        assert b"Line one" in page.content  # the content that goes, as a text diff
        assert Course.objects.get(pk=course.pk).title == "New title"
        response = admin_client.post(url("revert", course, 1), {"opened_at": page.context["opened_at"]}, follow=True)
        assert "The working copy of 'Old title' is now release 1. Publish it to make it live." in messages_of(response)
        fresh = Course.objects.get(pk=course.pk)
        assert fresh.title == "Old title" and live_title(fresh) == 2  # learners still see release 2

    def test_a_missing_release_is_refused(self, admin_client):
        course = CourseFactory(status="published")
        response = admin_client.get(url("revert", course, 9), follow=True)
        assert errors_of(response) == [f"'{course.slug}' has no release 9."]
        response = admin_client.post(url("revert", course, 9), follow=True)
        assert errors_of(response) == [f"'{course.slug}' has no release 9."]


class TestPreview:
    def test_the_link_is_in_a_message_and_works_without_login(self, admin_client, client):
        course = published_with_changes()
        response = admin_client.post(url("preview", course), follow=True)
        (text,) = messages_of(response)
        link = text[text.index('href="') + 6 : text.index('">')]
        assert "/preview/" in link and "no login needed" in text
        assert f'<a class="catalog-preview-link" href="{link}">' in response.content.decode()  # a real link
        anonymous = Client()
        preview = anonymous.get(link)
        assert preview.status_code == 200 and b"New title" in preview.content
        assert preview["Cache-Control"] == "private, no-store"

    def test_the_script_gets_json(self, admin_client):
        course = CourseFactory(units=tree(1))
        response = admin_client.post(url("preview", course), HTTP_ACCEPT="application/json")
        body = response.json()
        assert "/preview/" in body["url"] and body["expires_at"].endswith("Z")

    def test_get_makes_no_link(self, admin_client):
        assert admin_client.get(url("preview", CourseFactory())).status_code == 405

    def test_the_page_says_how_long_a_link_lives_and_offers_to_revoke_them(self, admin_client, settings):
        settings.CATALOG_PREVIEW_TTL = 2 * 86400
        course = published_with_changes()
        page = admin_client.get(reverse("admin:catalog_course_change", args=[course.pk])).content.decode()
        assert "it works for 2 days" in page and "Revoke preview links" in page
        (text,) = messages_of(admin_client.post(url("preview", course), follow=True))
        assert "2 days from now" in text

    def test_revoking_ends_every_link_made_before(self, admin_client):
        course = published_with_changes()
        old = admin_client.post(url("preview", course), HTTP_ACCEPT="application/json").json()["url"]
        assert Client().get(old).status_code == 200
        assert admin_client.get(url("preview_revoke", course)).status_code == 405
        (text,) = messages_of(admin_client.post(url("preview_revoke", course), follow=True))
        assert "revoked" in text
        assert Client().get(old).status_code == 404
        new = admin_client.post(url("preview", course), HTTP_ACCEPT="application/json").json()["url"]
        assert Client().get(new).status_code == 200


class TestSchedule:
    def future(self, **delta):
        return (timezone.now() + dt.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")

    def test_the_form_shows_and_sets_both_switches(self, admin_client):
        course = CourseFactory(units=tree(1))
        assert admin_client.get(url("schedule", course)).status_code == 200
        response = admin_client.post(
            url("schedule", course),
            {"publish_at": self.future(days=1), "unpublish_at": self.future(days=3)},
            follow=True,
        )
        assert "goes live at" in messages_of(response)[0] and "is withdrawn at" in messages_of(response)[0]
        fresh = Course.objects.get(pk=course.pk)
        assert fresh.publish_at and fresh.unpublish_at and fresh.releases.count() == 1  # frozen now
        # Saving the form again with the same times freezes nothing new.
        admin_client.post(
            url("schedule", course),
            {
                "publish_at": timezone.localtime(fresh.publish_at).strftime("%Y-%m-%dT%H:%M"),
                "unpublish_at": timezone.localtime(fresh.unpublish_at).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        assert fresh.releases.count() == 1

    def test_a_past_time_is_refused_with_a_message(self, admin_client):
        course = CourseFactory(units=tree(1))
        past = (timezone.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        response = admin_client.post(url("schedule", course), {"publish_at": past, "unpublish_at": ""})
        assert response.status_code == 200
        assert any("Must be in the future." in m for m in errors_of(response))
        assert b"Must be in the future." in response.content  # beside the field too
        assert Course.objects.get(pk=course.pk).publish_at is None

    def test_a_course_that_breaks_the_publish_rule_is_refused(self, admin_client):
        course = CourseFactory(units=[{"title": "Empty"}])
        response = admin_client.post(url("schedule", course), {"publish_at": self.future(days=1), "unpublish_at": ""})
        assert errors_of(response) == [
            f"The schedule was not changed: cannot publish '{course.slug}': unit 1 'Empty' has no modules"
        ]
        assert Course.objects.get(pk=course.pk).publish_at is None

    def test_cancel(self, admin_client):
        course = CourseFactory(units=tree(1))
        services.course_schedule(course=course, publish_at=timezone.now() + dt.timedelta(days=1))
        response = admin_client.post(url("schedule", course), {"cancel_all": "1"}, follow=True)
        assert f"Cancelled the scheduled switches of '{course.title}'." in messages_of(response)
        assert Course.objects.get(pk=course.pk).publish_at is None


class TestCompare:
    def test_live_to_draft_by_default(self, admin_client):
        course = published_with_changes()
        page = admin_client.get(url("compare", course)).content.decode()
        assert "Changes from <strong>the live release (1)</strong> to <strong>the working copy (draft)</strong>" in page
        assert '<td class="catalog-before">Old title</td><td class="catalog-after">New title</td>' in page
        assert "<ins>" in page and "Line one" in page  # module content as a text diff

    def test_units_and_modules_added_removed_and_moved(self, admin_client):
        course = CourseFactory(status="published", units=tree(2, 1))
        u1, u2 = course.units.order_by("order")
        services.module_move(module=u1.modules.order_by("order").first(), unit=u2, position=1)
        services.unit_create(course=course, title="Appendix")
        page = admin_client.get(url("compare", course), {"from": "1", "to": "draft"}).content.decode()
        assert "<strong>Added</strong> unit “Appendix” as unit 3" in page
        assert (
            "<strong>Moved</strong> module “Module 1.1” from unit &#x27;Unit 1&#x27; to unit &#x27;Unit 2&#x27;" in page
        )

    def test_a_new_address_waiting_for_publish_is_a_difference(self, admin_client):
        course = CourseFactory(slug="sql", status="published", units=tree(1))
        services.course_update(course=course, slug="sql-basics")
        page = admin_client.get(url("compare", course)).content.decode()
        assert '<th scope="row">Address (slug)</th>' in page or "Address (slug)" in page
        assert '<td class="catalog-before">sql</td><td class="catalog-after">sql-basics</td>' in page
        services.course_publish(course=Course.objects.get(pk=course.pk))
        assert "No differences" in admin_client.get(url("compare", course)).content.decode()

    def test_no_differences(self, admin_client):
        course = CourseFactory(status="published")
        page = admin_client.get(url("compare", course), {"from": "1", "to": "live"}).content.decode()
        assert "No differences" in page

    @pytest.mark.parametrize("pick", ["9", "nonsense"])
    def test_a_bad_version_is_a_400_that_names_it(self, admin_client, pick):
        course = CourseFactory(status="published")
        response = admin_client.get(url("compare", course), {"from": pick})
        assert response.status_code == 400
        assert pick.encode() in response.content


class TestPermissionsAndCsrf:
    def test_staff_without_change_course_cannot_act(self, client, viewer):
        client.force_login(viewer)
        course = published_with_changes()
        assert client.get(url("compare", course)).status_code == 200  # reading is viewing
        page = client.get(url("change", course)).content.decode()
        assert "catalog-transition-" not in page and "Revert to" not in page
        for name, args in (("discard", ()), ("revert", (1,)), ("preview", ()), ("schedule", ())):
            assert client.post(url(name, course, *args)).status_code == 403, name
            assert client.get(url(name, course, *args)).status_code in (403, 405), name
        assert Course.objects.get(pk=course.pk).title == "New title" and course.releases.count() == 1

    def test_every_new_post_needs_a_csrf_token(self, editor):
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(editor)
        course = published_with_changes()
        future = (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        for name, args, data in (
            ("discard", (), {}),
            ("revert", (1,), {}),
            ("preview", (), {}),
            ("schedule", (), {"publish_at": future}),
            ("transition", ("publish",), {}),
        ):
            assert strict.post(url(name, course, *args), data).status_code == 403, name
        fresh = Course.objects.get(pk=course.pk)
        assert fresh.title == "New title" and fresh.publish_at is None and course.releases.count() == 1

    def test_a_missing_course_is_404(self, admin_client):
        assert admin_client.get(reverse("admin:catalog_course_compare", args=[999999])).status_code == 404


class TestUnitPicker:
    def test_the_module_pages_unit_picker_names_the_course(self, admin_client):
        CourseFactory(title="Intro to SQL", units=[{"title": "Basics", "modules": [{"title": "SELECT"}]}])
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {"term": "basics", "app_label": "catalog", "model_name": "module", "field_name": "unit"},
        )
        assert [r["text"] for r in response.json()["results"]] == ["Intro to SQL › 1. Basics"]

    def test_the_module_page_shows_its_unit_with_the_course(self, admin_client):
        CourseFactory(title="Intro to SQL", units=[{"title": "Basics", "modules": [{"title": "SELECT"}]}])
        module = Module.objects.get()
        page = admin_client.get(reverse("admin:catalog_module_change", args=[module.pk])).content.decode()
        assert "Intro to SQL › 1. Basics" in page


class TestMovesThatChangeWhatLearnersSeeAskFirst:
    """Unpublish, archive, a publish that replaces a schedule or moves the address, and the bulk actions:
    a confirmation page (a link, then a form: no JavaScript needed) says what happens at once."""

    def test_unpublish_says_which_pages_answer_404(self, admin_client, api):
        course = CourseFactory(slug="sql", title="Intro to SQL", status="published", units=tree(3, 3, 3))
        page = admin_client.get(url("change", course)).content.decode()
        assert f'href="{url("transition", course, "unpublish")}"' in page  # a link, not a one-click button
        asked = admin_client.get(url("transition", course, "unpublish"))
        text = asked.content.decode()
        assert asked.status_code == 200 and "Yes, unpublish it" in text
        assert "the course page http://127.0.0.1/courses/sql/ and its 9 module pages answer 404" in text
        assert "Release 1 stays in the history" in text
        assert Course.objects.get(pk=course.pk).status == "published"  # asking changed nothing
        assert api.get("/api/v1/courses/sql/").status_code == 200
        admin_client.post(url("transition", course, "unpublish"), {"opened_at": asked.context["opened_at"]})
        assert Course.objects.get(pk=course.pk).status == "draft"

    def test_unpublish_says_a_scheduled_release_still_goes_live(self, admin_client):
        course = CourseFactory(status="published", units=tree(1))
        services.course_update(course=course, title="Second edition")
        services.course_schedule(course=course, publish_at=timezone.now() + dt.timedelta(days=1))
        text = admin_client.get(url("transition", course, "unpublish")).content.decode()
        assert "Release 2 still goes live at" in text and "cancel the schedule" in text
        archive = admin_client.get(url("transition", course, "archive")).content.decode()
        assert "The schedule is cancelled: release 2 no longer goes live at" in archive

    def test_publish_replacing_a_schedule_asks_first(self, admin_client):
        course = published_with_changes()
        services.course_schedule(course=course, publish_at=timezone.now() + dt.timedelta(days=1))
        services.course_update(course=course, title="Newer still")
        page = admin_client.get(url("change", course)).content.decode()
        assert f'href="{url("transition", course, "publish")}"' in page
        text = admin_client.get(url("transition", course, "publish")).content.decode()
        assert "Release 2, scheduled to go live at" in text and "is dropped" in text

    def test_publish_moving_the_address_asks_first_and_says_both(self, admin_client):
        course = CourseFactory(slug="old-address", status="published", units=tree(1))
        services.course_update(course=course, slug="new-address")
        text = admin_client.get(url("transition", course, "publish")).content.decode()
        assert (
            "Learners&#x27; address moves from http://127.0.0.1/courses/old-address/ to "
            "http://127.0.0.1/courses/new-address/; the old one redirects (301) to the new one."
        ) in text

    def test_a_plain_publish_does_not_ask(self, admin_client):
        draft = CourseFactory(units=tree(1))
        page = admin_client.get(url("change", draft)).content.decode()
        assert ">Publish</button>" in page

    @pytest.mark.parametrize("action", ["publish", "unpublish"])
    def test_bulk_actions_ask_first(self, admin_client, action):
        live = CourseFactory(title="Live one", status="published", units=tree(2, 2))
        draft = CourseFactory(title="Draft one", units=tree(1))
        selection = {"action": f"{action}_selected", "_selected_action": [live.pk, draft.pk]}
        asked = admin_client.post(reverse(CHANGELIST), selection)
        text = asked.content.decode()
        assert asked.status_code == 200 and f"Yes, {action} 2 courses" in text
        if action == "unpublish":
            assert "Learners lose 1 of these 2 courses at once: their course pages and 4 module pages" in text
        assert sorted(Course.objects.values_list("status", flat=True)) == ["draft", "published"]
        admin_client.post(reverse(CHANGELIST), {**selection, "post": "yes"})
        expected = {"publish": {"published"}, "unpublish": {"draft"}}[action]
        assert set(Course.objects.values_list("status", flat=True)) == expected


class TestTheSlugWaitsForPublish:
    def test_saving_a_new_slug_keeps_learners_address_until_publish(self, admin_client, api, settings):
        settings.CATALOG_CACHE_ENABLED = False  # on-commit invalidation does not run in these transactions
        course = CourseFactory(slug="old-address", title="Addressed", status="published", units=tree(1))
        page = admin_client.get(url("change", course)).content.decode()
        assert "Learners find this course at http://127.0.0.1/courses/old-address/." in page  # its own, not an example
        admin_client.post(url("change", course), course_form(course, all_units(course), slug="new-address"))
        assert Course.objects.get(pk=course.pk).slug == "new-address"
        assert api.get("/api/v1/courses/old-address/").json()["title"] == "Addressed"
        assert api.get("/api/v1/courses/new-address/").status_code == 404
        page = admin_client.get(url("change", course)).content.decode()
        assert "until you publish; then at http://127.0.0.1/courses/new-address/" in page
        assert "with unpublished changes" in page
        assert '<a href="/courses/old-address/" class="viewsitelink">' in page  # where learners find it now
        admin_client.post(url("transition", course, "publish"))
        moved = api.get("/api/v1/courses/old-address/")
        assert moved.status_code == 301 and moved["Location"].endswith("/api/v1/courses/new-address/")
        assert (
            "Old addresses that redirect here: <code>/courses/old-address/</code>."
            in admin_client.get(url("change", course)).content.decode()
        )
