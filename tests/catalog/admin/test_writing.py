"""Writing content in the admin: Markdown boxes say so, grow, and preview with the pages' renderer."""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.domain.limits import MAX_CONTENT_LENGTH
from tests.factories import CourseFactory, tree
from tests.helpers.admin import change_url

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
PREVIEW = reverse("admin:catalog_markdown_preview")


class TestMarkdownPreview:
    def test_renders_as_the_pages_do_and_drops_script(self, admin_client):
        text = "# Rows\n\nPick **columns**.\n\n<script>alert(1)</script> [x](javascript:alert(1))"
        response = admin_client.post(PREVIEW, {"text": text})
        assert response.status_code == 200
        html = response.json()["html"]
        assert "<h1>Rows</h1>" in html
        assert "<strong>columns</strong>" in html
        assert "<script" not in html
        assert 'href="javascript' not in html

    def test_empty_text_is_an_empty_preview(self, admin_client):
        assert admin_client.post(PREVIEW, {}).json() == {"html": ""}

    def test_too_long_is_a_400_that_says_the_limit(self, admin_client):
        response = admin_client.post(PREVIEW, {"text": "x" * (MAX_CONTENT_LENGTH + 1)})
        assert response.status_code == 400
        assert response.json()["detail"] == (
            f"Too long to preview: at most {MAX_CONTENT_LENGTH} characters (it has {MAX_CONTENT_LENGTH + 1})."
        )

    def test_get_is_refused(self, admin_client):
        assert admin_client.get(PREVIEW).status_code == 405

    def test_anonymous_is_sent_to_the_login(self, client):
        response = client.post(PREVIEW, {"text": "**x**"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))

    def test_staff_without_catalog_permissions_is_refused(self, django_user_model):
        user = django_user_model.objects.create_user("clerk", password="pw-clerk-1", is_staff=True)
        client = Client()
        client.force_login(user)
        assert client.post(PREVIEW, {"text": "**x**"}).status_code == 403

    def test_a_post_without_the_csrf_token_is_refused(self, editor):
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor)
        assert client.post(PREVIEW, {"text": "**x**"}).status_code == 403


class TestMarkdownFields:
    def test_the_course_page_says_which_fields_are_markdown_with_taller_boxes(self, admin_client):
        course = CourseFactory(units=tree(1))
        html = admin_client.get(change_url(course)).content.decode()
        assert '<span class="catalog-markdown-note">(Markdown)</span>' in html  # the modules' Content column
        assert 'textarea name="description" cols="60" rows="6" class="catalog-markdown"' in html
        assert 'textarea name="units-0-modules-0-content" cols="60" rows="6" class="catalog-markdown"' in html
        assert html.count('class="catalog-markdown-preview-button"') >= 2
        assert f'data-url="{PREVIEW}"' in html
        assert "Markdown: **bold**" in html

    def test_the_module_page_has_a_preview_too(self, admin_client):
        module = CourseFactory(units=tree(1)).units.get().modules.get()
        html = admin_client.get(reverse("admin:catalog_module_change", args=[module.pk])).content.decode()
        assert 'class="catalog-markdown-preview-button"' in html
        assert "catalog/admin.js" in html
