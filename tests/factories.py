"""factory-boy factories that create through the service layer, as every writer must."""

import factory
from django.db import connection

from catalog import services
from catalog.models import Course, Module, Unit


class CourseFactory(factory.django.DjangoModelFactory):
    """A course; a published or archived one gets one unit with one module unless `units` is given."""

    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"Course number {n}")
    description = "A course made by the test factory."
    topic = "Testing"
    status = Course.Status.DRAFT
    units = None

    @classmethod
    def _create(cls, model_class, units=None, status=Course.Status.DRAFT, **fields):
        if units is None:
            units = [] if status == Course.Status.DRAFT else [{"title": "Basics", "modules": [{"title": "Intro"}]}]
        record = {**fields, "status": status, "units": units}
        return services.course_upsert_tree(record=record).course


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Unit {n}")

    @classmethod
    def _create(cls, model_class, course, title, position=None):
        return services.unit_create(course=course, title=title, position=position)


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    content = ""

    @classmethod
    def _create(cls, model_class, unit, title, content="", position=None):
        return services.module_create(unit=unit, title=title, content=content, position=position)


def tree(*unit_specs):
    """tree(2, 1) -> two units, the first with 2 modules and the second with 1 (record format)."""
    return [
        {"title": f"Unit {u + 1}", "modules": [{"title": f"Module {u + 1}.{m + 1}"} for m in range(n)]}
        for u, n in enumerate(unit_specs)
    ]


def next_course_id(pk):
    """New courses get ids from `pk` on (PostgreSQL's sequence is not rolled back between tests)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('catalog_course', 'id'), %s, false)", [pk])
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = 'catalog_course'", [pk - 1])
