import pytest

from catalog import services
from catalog.errors import CatalogValidationError
from catalog.models import Course, Module, Unit
from tests.factories import CourseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def titles(course):
    return list(Unit.objects.filter(course=course).order_by("order").values_list("order", "title"))


def module_titles(unit):
    return list(Module.objects.filter(unit=unit).order_by("order").values_list("order", "title"))


@pytest.fixture
def course():
    return CourseFactory(units=[{"title": t, "modules": [{"title": f"{t}.1"}]} for t in "ABC"])


class TestUnitOrder:
    @pytest.mark.parametrize(("position", "expected"), [(1, "XABC"), (2, "AXBC"), (4, "ABCX"), (None, "ABCX")])
    def test_insert(self, course, position, expected):
        services.unit_create(course=course, title="X", position=position)
        assert titles(course) == list(enumerate(expected, start=1))

    @pytest.mark.parametrize(
        ("source", "position", "expected"), [("A", 3, "BCA"), ("C", 1, "CAB"), ("B", 3, "ACB"), ("B", 1, "BAC")]
    )
    def test_move(self, course, source, position, expected):
        services.unit_move(unit=course.units.get(title=source), position=position)
        assert titles(course) == list(enumerate(expected, start=1))

    @pytest.mark.parametrize(("victim", "expected"), [("A", "BC"), ("B", "AC"), ("C", "AB")])
    def test_delete(self, course, victim, expected):
        services.unit_delete(unit=course.units.get(title=victim))
        assert titles(course) == list(enumerate(expected, start=1))
        assert Course.objects.get(pk=course.pk).unit_count == 2

    @pytest.mark.parametrize("position", [0, 5, -1, "2", True])
    def test_position_out_of_range_is_refused(self, course, position):
        with pytest.raises(CatalogValidationError, match="position"):
            services.unit_create(course=course, title="X", position=position)
        assert titles(course) == list(enumerate("ABC", start=1))

    def test_blank_title_is_refused(self, course):
        with pytest.raises(CatalogValidationError, match="title"):
            services.unit_create(course=course, title="   ")


class TestModuleOrder:
    @pytest.fixture
    def unit(self, course):
        unit = course.units.get(title="A")
        for title in ("A.2", "A.3"):
            services.module_create(unit=unit, title=title)
        return unit

    def test_insert_at_start_middle_end(self, unit):
        services.module_create(unit=unit, title="first", position=1)
        services.module_create(unit=unit, title="middle", position=3)
        services.module_create(unit=unit, title="last")
        assert [t for _, t in module_titles(unit)] == ["first", "A.1", "middle", "A.2", "A.3", "last"]
        assert [o for o, _ in module_titles(unit)] == [1, 2, 3, 4, 5, 6]

    def test_move_and_delete(self, unit):
        services.module_move(module=unit.modules.get(title="A.1"), position=3)
        assert module_titles(unit) == [(1, "A.2"), (2, "A.3"), (3, "A.1")]
        services.module_delete(module=unit.modules.get(title="A.3"))
        assert module_titles(unit) == [(1, "A.2"), (2, "A.1")]

    def test_move_to_another_unit_keeps_both_contiguous(self, course, unit):
        other = course.units.get(title="B")
        services.module_move(module=unit.modules.get(title="A.2"), unit=other, position=1)
        assert module_titles(unit) == [(1, "A.1"), (2, "A.3")]
        assert module_titles(other) == [(1, "A.2"), (2, "B.1")]

    def test_counts_follow_the_tree(self, course, unit):
        assert Course.objects.get(pk=course.pk).module_count == 5
        services.module_delete(module=unit.modules.get(title="A.1"))
        assert Course.objects.get(pk=course.pk).module_count == 4


class TestUpdatedAt:
    def test_every_tree_change_bumps_the_course(self, course):
        unit = course.units.get(title="A")
        module = unit.modules.get()
        steps = [
            lambda: services.unit_create(course=course, title="New"),
            lambda: services.unit_update(unit=unit, title="Renamed"),
            lambda: services.unit_move(unit=unit, position=2),
            lambda: services.module_create(unit=unit, title="M"),
            lambda: services.module_update(module=module, title="M renamed"),
            lambda: services.module_move(module=module, position=2),
            lambda: services.module_delete(module=module),
            lambda: services.unit_delete(unit=unit),
        ]
        last = Course.objects.get(pk=course.pk).updated_at
        for step in steps:
            step()
            now = Course.objects.get(pk=course.pk).updated_at
            assert now > last
            last = now

    def test_renaming_to_the_same_title_changes_nothing(self, course):
        unit = course.units.get(title="A")
        before = Course.objects.get(pk=course.pk).updated_at
        services.unit_update(unit=unit, title="A")
        assert Course.objects.get(pk=course.pk).updated_at == before


class TestReorder:
    def test_units_take_the_given_order(self, course):
        ids = dict(course.units.values_list("title", "id"))
        services.unit_reorder(course=course, unit_ids=[ids["C"], ids["A"], ids["B"]])
        assert titles(course) == list(enumerate("CAB", start=1))

    def test_modules_take_the_given_order(self, course):
        unit = course.units.get(title="A")
        second = services.module_create(unit=unit, title="A.2")
        first = unit.modules.get(title="A.1")
        services.module_reorder(unit=unit, module_ids=[second.pk, first.pk])
        assert module_titles(unit) == [(1, "A.2"), (2, "A.1")]

    def test_an_incomplete_order_is_refused(self, course):
        ids = list(course.units.values_list("id", flat=True))
        with pytest.raises(CatalogValidationError, match="exactly once"):
            services.unit_reorder(course=course, unit_ids=ids[:2])
        assert titles(course) == list(enumerate("ABC", start=1))
