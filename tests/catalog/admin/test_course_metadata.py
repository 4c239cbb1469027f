"""The admin's level (a select), language (a text box with suggestions, validated) and module minutes."""

import pytest
from django.urls import reverse

from catalog.models import Course, Module
from tests.factories import CourseFactory, tree
from tests.helpers.admin import all_units, change_url, course_form, opened_at

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_the_course_page_offers_a_level_select_and_language_suggestions(admin_client):
    page = admin_client.get(change_url(CourseFactory())).content.decode()
    assert '<select name="level"' in page and '<option value="intermediate">Intermediate</option>' in page
    assert 'name="language"' in page and 'list="id_language-suggestions"' in page
    assert '<datalist id="id_language-suggestions"><option value="ar">Arabic</option>' in page


def test_level_and_language_are_saved_in_their_standard_form(admin_client):
    course = CourseFactory(units=tree(1))
    data = course_form(course, all_units(course), level="advanced", language="pt-br")
    response = admin_client.post(change_url(course), data)
    assert response.status_code == 302, response.content[:2000]
    fresh = Course.objects.get(pk=course.pk)
    assert (fresh.level, fresh.language) == ("advanced", "pt-BR")


@pytest.mark.parametrize("language", ["english", "pt_BR", "zz-zz"])
def test_a_language_that_is_not_a_tag_is_a_form_error_and_nothing_changes(admin_client, language):
    course = CourseFactory(units=tree(1))
    response = admin_client.post(change_url(course), course_form(course, all_units(course), language=language))
    assert response.status_code == 200 and b"Give a BCP 47 language tag" in response.content
    assert Course.objects.get(pk=course.pk).language == "en"


def test_module_minutes_are_edited_on_the_module_page_and_sum_into_the_course(admin_client):
    course = CourseFactory(units=tree(2))
    first, second = Module.objects.filter(unit__course=course).order_by("order")
    for module, minutes in ((first, "30"), (second, "15")):
        data = {"title": module.title, "content": "", "minutes": minutes, "opened_at": opened_at(course.pk)}
        response = admin_client.post(reverse("admin:catalog_module_change", args=[module.pk]), data)
        assert response.status_code == 302, response.content[:2000]
    assert Course.objects.get(pk=course.pk).duration_minutes == 45
    data = {"title": first.title, "content": "", "minutes": "-5", "opened_at": opened_at(course.pk)}
    response = admin_client.post(reverse("admin:catalog_module_change", args=[first.pk]), data)
    assert response.status_code == 200 and Module.objects.get(pk=first.pk).minutes == 30
