"""Writing help for editors: Markdown rendered for a preview exactly as learners' pages render it."""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from catalog.domain import markdown
from catalog.domain.limits import MAX_CONTENT_LENGTH


class MarkdownPreviewMixin:
    """`POST …/markdown-preview/` with `text` → `{"html": …}`: staff only (the admin's login), with
    the CSRF token of the page, for whoever may add or change courses. Nothing is stored."""

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.markdown_preview_view))
        return [path("markdown-preview/", view, name="catalog_markdown_preview"), *super().get_urls()]

    def markdown_preview_view(self, request):
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        text = request.POST.get("text", "")
        if len(text) > MAX_CONTENT_LENGTH:
            return JsonResponse(
                {"detail": f"Too long to preview: at most {MAX_CONTENT_LENGTH} characters (it has {len(text)})."},
                status=400,
            )
        return JsonResponse({"html": markdown.render(text)})
