"""The course page's tree: units and their modules edited, moved and reordered in one save, through services."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog import services
from catalog.models import Course, Module, Unit
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def change_url(course):
    return reverse("admin:catalog_course_change", args=[course.pk])


def management(prefix, total, initial):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def unit_row(unit=None, title=None, *, modules=(), delete=False):
    """One unit row of the page: an existing unit (title defaults to its own) or a new one."""
    return {
        "unit": unit,
        "title": title if title is not None else unit.title,
        "modules": list(modules),
        "delete": delete,
    }


def module_row(module=None, title=None, content=None, *, delete=False):
    return {
        "module": module,
        "title": title if title is not None else module.title,
        "content": content if content is not None else (module.content if module else ""),
        "delete": delete,
    }


def tree_form(course, rows, **fields):
    """POST data of the course page as the nested inline sends it: rows in page order (the order
    inputs numbered from 0, as django-nested-admin numbers them); a module row sits in the unit row
    that holds it on the page (moved there or not). Existing rows first in each formset, as the page
    keeps them (a module moved into a new unit becomes one of its new rows)."""
    fresh = Course.objects.get(pk=course.pk)
    data = {
        "slug": fresh.slug,
        "title": fresh.title,
        "topic": fresh.topic,
        "description": fresh.description,
        "opened_at": fresh.updated_at.isoformat(),
    }
    units = sorted(enumerate(rows), key=lambda pair: pair[1]["unit"] is None)
    data.update(management("units", len(rows), sum(1 for r in rows if r["unit"] is not None)))
    for i, (place, row) in enumerate(units):
        prefix = f"units-{i}"
        data.update(
            {f"{prefix}-title": row["title"], f"{prefix}-order": str(place), f"{prefix}-course": str(course.pk)}
        )
        if row["unit"] is not None:
            data[f"{prefix}-id"] = str(row["unit"].pk)
        if row["delete"]:
            data[f"{prefix}-DELETE"] = "on"
        is_new_unit = row["unit"] is None
        modules = sorted(enumerate(row["modules"]), key=lambda pair: pair[1]["module"] is None or is_new_unit)
        initial = 0 if is_new_unit else sum(1 for m in row["modules"] if m["module"] is not None)
        data.update(management(f"{prefix}-modules", len(modules), initial))
        for j, (m_place, m) in enumerate(modules):
            m_prefix = f"{prefix}-modules-{j}"
            data.update(
                {
                    f"{m_prefix}-title": m["title"],
                    f"{m_prefix}-content": m["content"],
                    f"{m_prefix}-order": str(m_place),
                    f"{m_prefix}-unit": "" if is_new_unit else str(row["unit"].pk),
                }
            )
            if m["module"] is not None:
                data[f"{m_prefix}-id"] = str(m["module"].pk)
            if m["delete"]:
                data[f"{m_prefix}-DELETE"] = "on"
    data.update(fields)
    return data


def as_is(course):
    """Every row of the course unchanged, in order."""
    return [
        unit_row(u, modules=[module_row(m) for m in u.modules.order_by("order")])
        for u in course.units.order_by("order")
    ]


def outline(course):
    return [
        (u.title, [m.title for m in u.modules.order_by("order")])
        for u in Unit.objects.filter(course=course).order_by("order")
    ]


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


class TestOnePage:
    def test_a_3x3_course_is_created_with_one_post(self, admin_client):
        data = {"slug": "sql", "title": "Intro to SQL", "topic": "Databases", "description": ""}
        data.update(management("units", 3, 0))
        for u in range(3):
            data.update({f"units-{u}-title": f"Unit {u + 1}", f"units-{u}-order": str(u)})
            data.update(management(f"units-{u}-modules", 3, 0))
            for m in range(3):
                prefix = f"units-{u}-modules-{m}"
                data.update(
                    {f"{prefix}-title": f"M{u + 1}.{m + 1}", f"{prefix}-content": "", f"{prefix}-order": str(m)}
                )
        response = admin_client.post(reverse("admin:catalog_course_add"), data)
        assert response.status_code == 302, response.content[:3000]
        course = Course.objects.get(slug="sql")
        assert outline(course) == [(f"Unit {u}", [f"M{u}.{m}" for m in (1, 2, 3)]) for u in (1, 2, 3)]
        assert (course.unit_count, course.module_count, course.status) == (3, 9, "draft")

    def test_restructuring_in_one_save(self, admin_client):
        course = CourseFactory(units=tree(3, 3, 3))
        u1, u2, u3 = course.units.order_by("order")
        m11, m12, m13 = u1.modules.order_by("order")
        m21, m22, m23 = u2.modules.order_by("order")
        m31, m32, m33 = u3.modules.order_by("order")
        rows = [
            unit_row(u3, "Third first", modules=[module_row(m33), module_row(m31), module_row(m32)]),
            unit_row(
                u1,
                modules=[
                    module_row(m11, "Renamed", "New text."),
                    module_row(m12, delete=True),
                    module_row(m21),  # moved here from unit 2
                    module_row(title="Brand new"),
                ],
            ),
            unit_row(u2, modules=[module_row(m22), module_row(m23), module_row(m13)]),  # m13 moved here
            unit_row(title="Appendix", modules=[module_row(title="Glossary")]),
        ]
        response = admin_client.post(change_url(course), tree_form(course, rows))
        assert response.status_code == 302, response.content[:3000]
        assert outline(course) == [
            ("Third first", ["Module 3.3", "Module 3.1", "Module 3.2"]),
            ("Unit 1", ["Renamed", "Module 2.1", "Brand new"]),
            ("Unit 2", ["Module 2.2", "Module 2.3", "Module 1.3"]),
            ("Appendix", ["Glossary"]),
        ]
        # Moved rows keep their identity (learners' links to modules are by id).
        assert Module.objects.get(pk=m21.pk).unit_id == u1.pk and Module.objects.get(pk=m13.pk).unit_id == u2.pk
        assert Module.objects.get(pk=m11.pk).content == "New text."
        assert not Module.objects.filter(pk=m12.pk).exists()
        fresh = Course.objects.get(pk=course.pk)
        assert (fresh.unit_count, fresh.module_count) == (4, 10)

    def test_a_module_moves_into_a_unit_added_in_the_same_save(self, admin_client):
        course = CourseFactory(units=tree(2))
        unit = course.units.get()
        first, second = unit.modules.order_by("order")
        rows = [unit_row(unit, modules=[module_row(first)]), unit_row(title="Later", modules=[module_row(second)])]
        response = admin_client.post(change_url(course), tree_form(course, rows))
        assert response.status_code == 302, response.content[:3000]
        assert outline(course) == [("Unit 1", ["Module 1.1"]), ("Later", ["Module 1.2"])]
        assert Module.objects.get(pk=second.pk).unit.title == "Later"

    def test_the_history_says_before_and_after_with_numbers_after_the_save(self, admin_client):
        course = CourseFactory(units=tree(1, 1))
        u1, u2 = course.units.order_by("order")
        (m1,) = u1.modules.all()
        rows = [unit_row(u2, "Second, now first"), unit_row(u1, modules=[module_row(m1, "Renamed module")])]
        admin_client.post(change_url(course), tree_form(course, rows, title="New title"))
        entry = LogEntry.objects.filter(object_id=str(course.pk)).latest("action_time")
        text = entry.get_change_message()
        assert f"Title: '{course.title}' → 'New title'." in text
        assert "Renamed unit 1: 'Unit 2' → 'Second, now first'." in text
        assert "Module 2.1 'Renamed module': title 'Module 1.1' → 'Renamed module'." in text
        assert "Reordered the units: 1 'Second, now first', 2 'Unit 1'." in text

    def test_the_page_labels_every_input_and_offers_move_buttons(self, admin_client):
        course = CourseFactory(units=tree(2))
        page = admin_client.get(change_url(course)).content.decode()
        for name in ("title", "content", "DELETE"):
            assert f'for="id_units-0-modules-0-{name}"' in page, name
        assert 'for="id_units-0-DELETE">Delete this unit with its modules' in page
        assert page.count('class="catalog-move"') >= 6  # a unit's two and each module's two
        assert "Move module “Module 1.2” down" in page
        assert "maxlength" not in page  # a pasted title is never cut by the browser


class TestDeletingUnits:
    def test_a_unit_with_modules_is_deleted_only_after_confirmation(self, admin_client):
        course = CourseFactory(units=tree(2, 1))
        u1, u2 = course.units.order_by("order")
        data = tree_form(
            course,
            [unit_row(u1, delete=True, modules=[module_row(m, delete=True) for m in u1.modules.all()]), unit_row(u2)],
        )
        asked = admin_client.post(change_url(course), data)
        assert asked.status_code == 200
        page = asked.content.decode()
        assert "Deleting unit &#x27;Unit 1&#x27; (2 modules) also deletes its modules. Nothing was saved" in page
        assert 'name="confirm_unit_delete"' in page and 'value="Unit 1"' in page  # the editor's input is kept
        assert outline(course)[0] == ("Unit 1", ["Module 1.1", "Module 1.2"])
        response = admin_client.post(change_url(course), {**data, "confirm_unit_delete": "yes"})
        assert response.status_code == 302
        assert outline(course) == [("Unit 2", ["Module 2.1"])]

    def test_an_empty_unit_goes_without_asking(self, admin_client):
        course = CourseFactory(units=tree(1, 0))
        u1, u2 = course.units.order_by("order")
        data = tree_form(
            course, [unit_row(u1, modules=[module_row(m) for m in u1.modules.all()]), unit_row(u2, delete=True)]
        )
        assert admin_client.post(change_url(course), data).status_code == 302
        assert outline(course) == [("Unit 1", ["Module 1.1"])]

    def test_a_module_moved_out_of_a_deleted_unit_survives(self, admin_client):
        course = CourseFactory(units=tree(2, 1))
        u1, u2 = course.units.order_by("order")
        keep, drop = u1.modules.order_by("order")
        rows = [
            unit_row(u1, delete=True, modules=[module_row(drop, delete=True)]),
            unit_row(u2, modules=[*[module_row(m) for m in u2.modules.all()], module_row(keep)]),
        ]
        data = tree_form(course, rows, confirm_unit_delete="yes")
        assert admin_client.post(change_url(course), data).status_code == 302
        assert outline(course) == [("Unit 2", ["Module 2.1", "Module 1.1"])]

    def test_a_new_unit_with_modules_needs_a_title(self, admin_client):
        course = CourseFactory(units=tree(1))
        rows = [*as_is(course), unit_row(title="", modules=[module_row(title="Orphan")])]
        data = tree_form(course, rows)
        response = admin_client.post(change_url(course), data)
        assert response.status_code == 200 and b"This field is required." in response.content
        # Without a submitted place either (a row the script left alone), the inline says why.
        response = admin_client.post(change_url(course), {**data, "units-1-order": ""})
        assert response.status_code == 200 and b"A new unit has modules but no title" in response.content
        assert outline(course) == [("Unit 1", ["Module 1.1"])]


class TestRefusals:
    def test_a_stale_page_changes_nothing_in_the_tree(self, admin_client):
        course = CourseFactory(units=tree(2, 1))
        u1, u2 = course.units.order_by("order")
        m1, m2 = u1.modules.order_by("order")
        rows = [
            unit_row(u2, modules=[module_row(u2.modules.get()), module_row(m1, "Mine")]),
            unit_row(u1, modules=[module_row(m2)]),
        ]
        data = tree_form(course, rows)
        services.module_update(module=m2, content="Someone else's text.")
        response = admin_client.post(change_url(course), data)
        assert (
            response.status_code == 200 and b"Someone else changed this course since you opened it" in response.content
        )
        assert b'value="Mine"' in response.content  # the editor's input, shown again
        assert outline(course) == [("Unit 1", ["Module 1.1", "Module 1.2"]), ("Unit 2", ["Module 2.1"])]
        assert Module.objects.get(pk=m2.pk).content == "Someone else's text."

    def test_a_module_of_another_course_cannot_be_pulled_in(self, admin_client):
        course, other = CourseFactory(units=tree(1)), CourseFactory(units=tree(1))
        stranger = Module.objects.get(unit__course=other)
        rows = as_is(course)
        rows[0]["modules"].append(module_row(stranger))
        response = admin_client.post(change_url(course), tree_form(course, rows), follow=True)
        assert f"The module '{stranger.title}' no longer exists." in messages_of(response)
        assert Module.objects.get(pk=stranger.pk).unit.course_id == other.pk
        assert outline(course) == [("Unit 1", ["Module 1.1"])]

    def test_a_too_long_title_is_refused_with_a_message_never_cut(self, admin_client):
        course = CourseFactory(units=tree(1))
        long = ("Long words " * 40)[:439]
        response = admin_client.post(change_url(course), tree_form(course, as_is(course), title=long))
        assert response.status_code == 200
        assert b"Ensure this value has at most 200 characters (it has 439)." in response.content
        assert Course.objects.get(pk=course.pk).title == course.title

    def test_a_too_long_module_title_is_refused_too(self, admin_client):
        course = CourseFactory(units=tree(1))
        rows = as_is(course)
        rows[0]["modules"][0]["title"] = "x" * 439
        response = admin_client.post(change_url(course), tree_form(course, rows))
        assert response.status_code == 200 and b"(it has 439)" in response.content
        assert outline(course) == [("Unit 1", ["Module 1.1"])]


class TestText:
    def test_line_breaks_from_a_browser_are_stored_as_lf_and_are_no_change(self, admin_client):
        course = CourseFactory(units=[{"title": "Basics", "modules": [{"title": "SELECT", "content": "One\nTwo"}]}])
        rows = as_is(course)
        rows[0]["modules"][0]["content"] = "One\r\nTwo"  # what a textarea sends
        before = Course.objects.get(pk=course.pk).updated_at
        assert admin_client.post(change_url(course), tree_form(course, rows)).status_code == 302
        assert Module.objects.get().content == "One\nTwo"
        assert Course.objects.get(pk=course.pk).updated_at == before
        rows[0]["modules"][0]["content"] = "One\r\nTwo\r\nThree"
        admin_client.post(change_url(course), tree_form(course, rows))
        assert Module.objects.get().content == "One\nTwo\nThree"
