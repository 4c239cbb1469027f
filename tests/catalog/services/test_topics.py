"""Topics' display names: the first spelling is kept, editors change it to another spelling of the same topic."""

import pytest

from catalog import services
from catalog.errors import CatalogValidationError
from catalog.models import Course, Topic
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def names():
    return dict(Topic.objects.values_list("slug", "name"))


class TestTopicNamesRemember:
    def test_the_first_spelling_is_kept_and_later_ones_change_nothing(self):
        services.course_create(slug="a", title="A", topic="  Cloud   &  DevOps ")
        services.course_create(slug="b", title="B", topic="cloud devops")
        assert Course.objects.get(slug="b").topic == "cloud-devops"
        assert names() == {"cloud-devops": "Cloud & DevOps"}

    def test_a_course_moved_to_a_new_topic_brings_its_spelling(self):
        course = CourseFactory(slug="a", topic="Databases", units=tree(1))
        services.course_update(course=course, topic="Data Engineering & SQL")
        assert names() == {"databases": "Databases", "data-engineering-sql": "Data Engineering & SQL"}

    def test_a_refused_create_keeps_no_name(self):
        CourseFactory(slug="taken", topic="Databases")
        with pytest.raises(CatalogValidationError):
            services.course_create(slug="taken", title="Again", topic="Quantum Things")
        assert "quantum-things" not in names()

    def test_an_import_keeps_the_spelling_of_a_new_topic(self):
        from catalog.domain.records import clean_record, fast_clean

        records = [
            fast_clean({"slug": "a", "title": "A", "topic": "Cloud & DevOps"}),
            clean_record({"slug": "b", "title": "B", "topic": "Data  Science!"}),
        ]
        services.courses_upsert(records=records)
        assert names() == {"cloud-devops": "Cloud & DevOps", "data-science": "Data Science!"}

    def test_a_topic_written_in_normal_form_keeps_no_name(self):
        services.course_create(slug="a", title="A", topic="data-science")
        assert names() == {}

    def test_a_dry_run_keeps_no_name(self):
        services.course_upsert_tree(record={"slug": "x", "title": "X", "topic": "Dry Topic"}, dry_run=True)
        assert names() == {}


class TestTopicRename:
    def test_another_spelling_of_the_same_topic(self):
        CourseFactory(slug="a", topic="cloud devops")
        services.topic_rename(topic="cloud-devops", name=" Cloud  &  DevOps ")
        assert names() == {"cloud-devops": "Cloud & DevOps"}

    def test_a_topic_without_a_row_gets_one(self):
        services.topic_rename(topic="physics", name="PHYSICS")
        assert names() == {"physics": "PHYSICS"}

    @pytest.mark.parametrize(
        ("name", "says"),
        [
            ("Cloud and DevOps", "“Cloud and DevOps” would be the topic cloud-and-devops, not cloud-devops"),
            ("   ", "A topic needs a name."),
            ("&&&", "“&&&” would be the topic (none), not cloud-devops"),
            ("Cloud DevOps " + "!" * 200, "At most 200 characters"),
        ],
    )
    def test_a_name_that_is_not_a_spelling_of_the_topic_is_refused(self, name, says):
        CourseFactory(slug="a", topic="Cloud & DevOps")
        with pytest.raises(CatalogValidationError) as refused:
            services.topic_rename(topic="cloud-devops", name=name)
        assert says in str(refused.value.detail if hasattr(refused.value, "detail") else refused.value)
        assert names() == {"cloud-devops": "Cloud & DevOps"}
