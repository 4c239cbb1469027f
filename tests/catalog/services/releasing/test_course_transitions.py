import pytest

from catalog import services
from catalog.errors import InvalidTransitionError
from catalog.models import Course, CourseTransition
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
S = Course.Status


def _fresh(course):
    return Course.objects.get(pk=course.pk)


class TestAllowedTransitions:
    @pytest.mark.parametrize(
        ("start", "action", "end"),
        [
            (S.DRAFT, "publish", S.PUBLISHED),
            (S.PUBLISHED, "unpublish", S.DRAFT),
            (S.DRAFT, "archive", S.ARCHIVED),
            (S.PUBLISHED, "archive", S.ARCHIVED),
            (S.ARCHIVED, "restore", S.DRAFT),
        ],
    )
    def test_move_is_made_and_recorded(self, start, action, end, editor):
        course = CourseFactory(status=start, units=tree(1))
        getattr(services, f"course_{action}")(course=course, by=editor)
        assert _fresh(course).status == end
        last = CourseTransition.objects.filter(course=course).first()
        assert (last.from_status, last.to_status, last.by) == (start, end, editor)

    def test_publish_sets_published_at_each_time(self):
        course = CourseFactory(units=tree(1))
        first = services.course_publish(course=course).published_at
        services.course_unpublish(course=course)
        assert _fresh(course).published_at == first
        second = services.course_publish(course=course).published_at
        assert second > first
        assert _fresh(course).published_at == second


class TestRefusedTransitions:
    @pytest.mark.parametrize(
        ("start", "action"),
        [
            (S.ARCHIVED, "publish"),
            (S.DRAFT, "unpublish"),
            (S.ARCHIVED, "unpublish"),
            (S.ARCHIVED, "archive"),
            (S.DRAFT, "restore"),
            (S.PUBLISHED, "restore"),
        ],
    )
    def test_move_is_refused_with_a_reason_and_changes_nothing(self, start, action):
        course = CourseFactory(status=start, units=tree(1))
        before = _fresh(course)
        transitions = CourseTransition.objects.count()
        with pytest.raises(InvalidTransitionError) as excinfo:
            getattr(services, f"course_{action}")(course=course)
        assert f"cannot {action}" in str(excinfo.value)
        assert start in str(excinfo.value)
        after = _fresh(course)
        assert (after.status, after.updated_at, after.published_at) == (
            before.status,
            before.updated_at,
            before.published_at,
        )
        assert CourseTransition.objects.count() == transitions

    def test_empty_course_cannot_be_published(self):
        course = CourseFactory()
        with pytest.raises(InvalidTransitionError, match="has no units"):
            services.course_publish(course=course)
        assert _fresh(course).status == S.DRAFT

    def test_unit_without_modules_blocks_publishing(self):
        course = CourseFactory(units=[{"title": "Basics", "modules": [{"title": "A"}]}, {"title": "Joins"}])
        with pytest.raises(InvalidTransitionError, match="unit 2 'Joins' has no modules"):
            services.course_publish(course=course)
        assert _fresh(course).status == S.DRAFT

    def test_unknown_action_is_refused(self):
        course = CourseFactory(units=tree(1))
        with pytest.raises(InvalidTransitionError, match="not a transition"):
            services.course_transition(course=course, action="promote")

    def test_status_change_through_update_follows_the_workflow(self):
        course = CourseFactory(status=S.ARCHIVED, units=tree(1))
        with pytest.raises(InvalidTransitionError, match="restore it to draft first"):
            services.course_update(course=course, status=S.PUBLISHED)
        services.course_update(course=course, status=S.DRAFT)
        assert _fresh(course).status == S.DRAFT


class TestCourseUpdate:
    def test_fields_change_and_topic_is_normalised(self):
        course = CourseFactory()
        services.course_update(course=course, title="New", topic="Web Dev", description="d")
        fresh = _fresh(course)
        assert (fresh.title, fresh.topic, fresh.description) == ("New", "web-dev", "d")

    def test_stale_update_is_refused(self):
        from catalog.errors import CatalogConflictError

        course = CourseFactory()
        opened_at = _fresh(course).updated_at
        services.course_update(course=course, title="Someone else's edit")
        with pytest.raises(CatalogConflictError, match="Someone else changed this course"):
            services.course_update(course=course, title="Mine", precondition=services.unchanged_since(opened_at))
        assert _fresh(course).title == "Someone else's edit"

    def test_a_precondition_is_checked_under_the_lock_before_any_change(self):
        from catalog.errors import PreconditionFailedError

        course = CourseFactory(units=tree(1))
        seen = []

        def refuse(locked):
            seen.append(locked.title)
            raise PreconditionFailedError("no")

        with pytest.raises(PreconditionFailedError):
            services.course_update(course=course, title="Mine", precondition=refuse)
        with pytest.raises(PreconditionFailedError):
            services.unit_create(course=course, title="Extra", precondition=refuse)
        with pytest.raises(PreconditionFailedError):
            services.course_transition(course=course, action="publish", precondition=refuse)
        assert seen == [course.title] * 3
        fresh = _fresh(course)
        assert (fresh.title, fresh.status, fresh.units.count()) == (course.title, "draft", 1)

    def test_duplicate_slug_is_refused(self):
        from catalog.errors import CatalogValidationError

        CourseFactory(slug="taken")
        course = CourseFactory()
        with pytest.raises(CatalogValidationError, match="already exists"):
            services.course_update(course=course, slug="taken")

    def test_delete_removes_the_tree(self):
        from catalog.models import Module, Unit

        course = CourseFactory(units=tree(2, 3))
        services.course_delete(course=course)
        assert not Course.objects.filter(pk=course.pk).exists()
        assert Unit.objects.count() == Module.objects.count() == 0
