"""GET /api/v1/topics/: published courses per topic, sorted by topic, the same for everyone."""

import pytest

from catalog import services
from tests.factories import CourseFactory, tree
from tests.helpers.api import TOPICS

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


class TestTopics:
    def test_published_courses_per_topic_sorted(self, api, learner_api, editor_api):
        for i, (topic, status) in enumerate(
            [
                ("Web Development", "published"),
                ("databases", "published"),
                ("  DATABASES ", "published"),
                ("Algebra", "published"),
                ("Algebra", "draft"),
                ("Zoology", "draft"),
                ("Zoology", "archived"),
                ("web development", "archived"),
            ]
        ):
            CourseFactory(slug=f"c{i}", topic=topic, status=status, units=tree(1))
        expected = [
            {"topic": "algebra", "name": "Algebra", "course_count": 1},
            # "databases" is the normal form itself: the first real spelling is the name.
            {"topic": "databases", "name": "DATABASES", "course_count": 2},
            {"topic": "web-development", "name": "Web Development", "course_count": 1},
        ]
        for client in (api, learner_api, editor_api):
            response = client.get(TOPICS)
            assert response.status_code == 200 and response["Content-Type"] == "application/json"
            assert response.json() == expected

    def test_no_published_course_no_topic(self, api):
        CourseFactory(slug="draft", topic="Hidden", units=tree(1))
        assert api.get(TOPICS).json() == []

    def test_counts_follow_the_workflow(self, editor_api, django_capture_on_commit_callbacks):
        course = CourseFactory(slug="c", topic="Physics", status="published", units=tree(1))
        assert editor_api.get(TOPICS).json() == [{"topic": "physics", "name": "Physics", "course_count": 1}]
        with django_capture_on_commit_callbacks(execute=True):
            services.course_archive(course=course)
        assert editor_api.get(TOPICS).json() == []

    def test_query_parameters_change_nothing(self, api):
        CourseFactory(slug="c", topic="Physics", status="published", units=tree(1))
        assert api.get(TOPICS, {"status": "draft", "page": "x", "topic": "y"}).json() == [
            {"topic": "physics", "name": "Physics", "course_count": 1}
        ]

    def test_name_is_the_first_spelling_until_an_editor_sets_another(
        self, api, editor_api, django_capture_on_commit_callbacks
    ):
        CourseFactory(slug="a", topic="Cloud & DevOps", status="published", units=tree(1))
        CourseFactory(slug="b", topic="cloud devops", status="published", units=tree(1))
        assert api.get(TOPICS).json() == [{"topic": "cloud-devops", "name": "Cloud & DevOps", "course_count": 2}]
        with django_capture_on_commit_callbacks(execute=True):
            services.topic_rename(topic="cloud-devops", name="Cloud & DEVOPS")
        # The cached list is gone with the write: the next read has the new name.
        assert api.get(TOPICS).json()[0]["name"] == "Cloud & DEVOPS"

    def test_a_topic_without_a_recorded_name_reads_as_its_words(self, api):
        from catalog.models import Topic

        CourseFactory(slug="a", topic="Data Science", status="published", units=tree(1))
        Topic.objects.all().delete()  # as after the migration, for a spelling that was never kept
        assert api.get(TOPICS).json() == [{"topic": "data-science", "name": "Data science", "course_count": 1}]

    def test_the_apis_writes_keep_the_spelling_of_a_new_topic(self, api, editor_api):
        record = {"title": "Ops", "topic": "Cloud & DevOps", "units": [{"title": "U", "modules": [{"title": "M"}]}]}
        assert editor_api.post("/api/v1/courses/", {**record, "slug": "ops"}, format="json").status_code == 201
        assert (
            editor_api.put(
                "/api/v1/courses/ml/", {**record, "topic": "AI/ML", "status": "published"}, format="json"
            ).status_code
            == 201
        )
        response = editor_api.patch("/api/v1/courses/ops/", {"topic": "Site Reliability (SRE)"}, format="json")
        assert response.status_code == 200
        from catalog.models import Topic

        assert dict(Topic.objects.values_list("slug", "name")) == {
            "cloud-devops": "Cloud & DevOps",
            "aiml": "AI/ML",
            "site-reliability-sre": "Site Reliability (SRE)",
        }
        assert api.get(TOPICS).json() == [{"topic": "aiml", "name": "AI/ML", "course_count": 1}]
