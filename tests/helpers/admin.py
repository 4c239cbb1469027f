"""Helpers of the admin tests: the change forms as the browser posts them, messages, URLs."""

from django.contrib.messages import get_messages
from django.urls import reverse

from catalog.models import Course, Module, Unit

CHANGELIST = "admin:catalog_course_changelist"


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def change_url(course):
    return reverse("admin:catalog_course_change", args=[course.pk])


def transition_url(course, action):
    return reverse("admin:catalog_course_transition", args=[course.pk, action])


def opened_at(course_id):
    return Course.objects.get(pk=course_id).updated_at.isoformat()


def modules_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def course_form(course, units=(), extra=(), **fields):
    """POST data of the course page: its fields, existing unit rows (unit, title, order, delete), new rows.

    Each unit row carries its (here empty) module rows' management form, as the nested page sends it;
    tree_form below posts modules too.
    """
    fresh = Course.objects.get(pk=course.pk)
    data = {
        "slug": fresh.slug,
        "title": fresh.title,
        "topic": fresh.topic,
        "description": fresh.description,
        "level": fresh.level or "",
        "language": fresh.language,
        "opened_at": fresh.updated_at.isoformat(),
        "units-TOTAL_FORMS": str(len(units) + len(extra)),
        "units-INITIAL_FORMS": str(len(units)),
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000",
    }
    for i, (unit, title, order, delete) in enumerate(units):
        data.update(
            {
                f"units-{i}-id": str(unit.pk),
                f"units-{i}-course": str(course.pk),
                f"units-{i}-title": title,
                f"units-{i}-order": str(order),
                **modules_management(f"units-{i}-modules"),
            }
        )
        if delete:
            data[f"units-{i}-DELETE"] = "on"
    for j, (title, order) in enumerate(extra, start=len(units)):
        data.update(
            {
                f"units-{j}-course": str(course.pk),
                f"units-{j}-title": title,
                f"units-{j}-order": str(order),
                **modules_management(f"units-{j}-modules"),
            }
        )
    data.update(fields)
    return data


def all_units(course, *, keep=True):
    """The course's units as they are now, unchanged, in their current order (rows for course_form)."""
    return [(u, u.title, u.order, False) for u in Unit.objects.filter(course=course).order_by("order")] if keep else []


def unit_form(unit, modules=(), extra=(), **fields):
    """POST data of a unit page: existing module rows (module, title, order, delete), then new (title, order)."""
    data = {
        "title": unit.title,
        "opened_at": opened_at(unit.course_id),
        "modules-TOTAL_FORMS": str(len(modules) + len(extra)),
        "modules-INITIAL_FORMS": str(len(modules)),
        "modules-MIN_NUM_FORMS": "0",
        "modules-MAX_NUM_FORMS": "1000",
    }
    for i, (module, title, order, delete) in enumerate(modules):
        data.update(
            {
                f"modules-{i}-id": str(module.pk),
                f"modules-{i}-unit": str(unit.pk),
                f"modules-{i}-title": title,
                f"modules-{i}-content": module.content,
                f"modules-{i}-order": str(order),
            }
        )
        if delete:
            data[f"modules-{i}-DELETE"] = "on"
    for j, (title, order) in enumerate(extra, start=len(modules)):
        data.update(
            {
                f"modules-{j}-unit": str(unit.pk),
                f"modules-{j}-title": title,
                f"modules-{j}-content": "",
                f"modules-{j}-order": str(order),
            }
        )
    data.update(fields)
    return data


def unit_titles(course):
    return list(Unit.objects.filter(course=course).order_by("order").values_list("order", "title"))


def module_titles(unit):
    return list(Module.objects.filter(unit=unit).order_by("order").values_list("order", "title"))
