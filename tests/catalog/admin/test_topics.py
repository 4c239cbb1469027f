"""The topic pages: editors correct a topic's display name; chips, pages and the API show it at once."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from catalog.models import Topic
from tests.factories import CourseFactory, tree
from tests.helpers.admin import change_url, course_form

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def course():
    return CourseFactory(slug="ops", title="Ops", topic="cloud devops", status="published", units=tree(1))


def test_an_editor_renames_a_topic_and_learners_see_it_at_once(admin_client, client, course):
    assert 'cloud devops <span class="count">1</span>' in client.get("/").content.decode()  # cached now
    url = reverse("admin:catalog_topic_change", args=["cloud-devops"])
    page = admin_client.get(url).content.decode()
    assert "Any spelling of the same topic" in page
    response = admin_client.post(url, {"name": "Cloud & DevOps"})
    assert response.status_code == 302
    assert Topic.objects.get(slug="cloud-devops").name == "Cloud & DevOps"
    assert 'Cloud &amp; DevOps <span class="count">1</span>' in client.get("/").content.decode()
    assert '<span class="topic">Cloud &amp; DevOps</span>' in client.get("/courses/ops/").content.decode()
    assert client.get("/api/v1/topics/").json()[0]["name"] == "Cloud & DevOps"


def test_a_name_of_another_topic_is_a_form_error_and_changes_nothing(admin_client, course):
    url = reverse("admin:catalog_topic_change", args=["cloud-devops"])
    page = admin_client.post(url, {"name": "Cloud and DevOps"}).content.decode()
    assert "would be the topic cloud-and-devops, not cloud-devops" in page
    assert Topic.objects.get(slug="cloud-devops").name == "cloud devops"


def test_topics_are_listed_with_their_courses_and_neither_added_nor_deleted_here(admin_client, course):
    page = admin_client.get(reverse("admin:catalog_topic_changelist")).content.decode()
    assert "cloud-devops" in page and "cloud devops" in page
    assert admin_client.get(reverse("admin:catalog_topic_add")).status_code == 403
    assert admin_client.get(reverse("admin:catalog_topic_delete", args=["cloud-devops"])).status_code == 403


def test_the_course_form_suggests_topics_and_shows_the_name(admin_client, course):
    CourseFactory(slug="db", topic="Databases")
    page = admin_client.get(change_url(course)).content.decode()
    assert 'list="id_topic_suggestions"' in page
    assert (
        '<datalist id="id_topic_suggestions"><option value="cloud devops"></option><option value="Databases">' in page
    )
    assert 'name="topic" value="cloud devops"' in page


def test_another_spelling_of_the_courses_topic_is_no_change(admin_client, course):
    data = course_form(course, topic="Cloud DevOps")  # the same topic: not a change of the course
    response = admin_client.post(change_url(course), data)
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.topic == "cloud-devops"
    assert Topic.objects.get(slug="cloud-devops").name == "cloud devops"  # renamed on the topic's page only
    assert not LogEntry.objects.filter(change_message__contains="Topic").exists()


def test_add_course_fills_the_slug_from_the_title(admin_client):
    page = admin_client.get(reverse("admin:catalog_course_add")).content.decode().replace("&quot;", '"')
    assert '"id": "#id_slug", "name": "slug", "dependency_ids": ["#id_title"]' in page
