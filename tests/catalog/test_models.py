import pytest
from django.db import IntegrityError, connection, transaction

from catalog.models import Course, Module, Unit, normalize_topic
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


class TestTopicNormalisation:
    @pytest.mark.parametrize(
        ("raw", "stored"),
        [
            ("Data Science ", "data-science"),
            ("  WEB   development", "web-development"),
            ("Cloud & DevOps", "cloud-devops"),
            ("machine_learning", "machine-learning"),
            ("Café", "cafe"),
        ],
    )
    def test_topic_is_stored_as_a_slug(self, raw, stored):
        assert normalize_topic(raw) == stored
        course = CourseFactory(topic=raw)
        assert Course.objects.get(pk=course.pk).topic == stored

    def test_lookups_normalise_the_topic_too(self):
        CourseFactory(topic="Data Science")
        assert Course.objects.filter(topic="DATA science ").count() == 1
        assert Course.objects.filter(topic__in=["data  Science"]).count() == 1


class TestDatabaseConstraints:
    """The database itself refuses what the service layer never writes."""

    def _check_now(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def test_duplicate_slug_is_rejected(self):
        CourseFactory(slug="same")
        with pytest.raises(IntegrityError), transaction.atomic():
            Course.objects.create(slug="same", title="Other", topic="x")

    def test_duplicate_unit_order_is_rejected(self):
        course = CourseFactory(units=tree(1))
        with pytest.raises(IntegrityError), transaction.atomic():
            Unit.objects.create(course=course, title="Second unit one", order=1)
            self._check_now()

    def test_duplicate_module_order_is_rejected(self):
        course = CourseFactory(units=tree(1))
        unit = course.units.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            Module.objects.create(unit=unit, title="Second module one", order=1)
            self._check_now()

    def test_order_zero_is_rejected(self):
        course = CourseFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Unit.objects.create(course=course, title="Zero", order=0)

    def test_unknown_status_is_rejected(self):
        course = CourseFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Course.objects.filter(pk=course.pk).update(status="hidden")
