"""The course pages: fields, units inline (drag to reorder), workflow buttons and bulk actions, history."""

from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from .. import services
from ..errors import CatalogError
from ..forms import CourseAdminForm, UnitInlineForm
from ..models import Course, Unit
from ..selectors import course_history
from ..services import workflow
from .common import ServiceAdmin, apply_inline, opened_guard

HISTORY_ON_PAGE = 10


class UnitInline(SortableTabularInline):
    model = Unit
    form = UnitInlineForm
    ordering = ["order"]
    fields = ["title", "order"]
    extra = 1
    show_change_link = True
    verbose_name_plural = "Units (drag a row by its name to reorder; open a unit to edit its modules)"


@admin.register(Course)
class CourseAdmin(ServiceAdmin, SortableAdminBase, admin.ModelAdmin):
    form = CourseAdminForm
    list_display = ["title", "topic", "status_badge", "unit_count", "module_count", "updated_at"]
    list_display_links = ["title"]
    list_filter = ["status", "topic"]
    search_fields = ["title", "slug"]
    search_help_text = "Finds courses by title or slug."
    date_hierarchy = "created_at"
    # Recently edited first: what an editor most often comes back to.
    ordering = ["-updated_at", "-id"]
    list_per_page = 50
    readonly_fields = [
        "status_badge",
        "published_at",
        "unit_count",
        "module_count",
        "created_at",
        "updated_at",
        "recent_history",
    ]
    inlines = [UnitInline]
    actions = ["publish_selected", "unpublish_selected", "archive_selected", "restore_selected"]
    change_form_template = "admin/catalog/course/change_form.html"
    object_history_template = "admin/catalog/course/object_history.html"

    class Media:
        css = {"all": ["catalog/admin.css"]}

    def get_fieldsets(self, request, obj=None):
        fields = (None, {"fields": ["slug", "title", "topic", "description", "opened_at"]})
        if obj is None:
            return [fields]
        return [
            fields,
            (
                "Status",
                {
                    "fields": [
                        ("status_badge", "published_at"),
                        ("created_at", "updated_at"),
                        ("unit_count", "module_count"),
                    ]
                },
            ),
            ("Recent history", {"fields": ["recent_history"]}),
        ]

    @admin.display(description="status", ordering="status")
    def status_badge(self, course):
        return format_html(
            '<span class="catalog-badge catalog-badge-{}">{}</span>', course.status, course.get_status_display()
        )

    @admin.display(description="history")
    def recent_history(self, course):
        events = course_history(course=course, limit=HISTORY_ON_PAGE)
        full = reverse("admin:catalog_course_history", args=[course.pk])
        if not events:
            return format_html('No changes recorded yet. <a href="{}">Full history</a>', full)
        rows = format_html_join(
            "",
            '<tr class="catalog-history-{}"><td>{}</td><td>{}</td><td>{}</td></tr>',
            ((e.kind, e.at.strftime("%Y-%m-%d %H:%M:%S UTC"), e.who, e.what) for e in events),
        )
        return format_html(
            '<table class="catalog-history"><thead><tr><th>When</th><th>Who</th><th>What</th></tr></thead>'
            '<tbody>{}</tbody></table><p><a href="{}">Full history</a></p>',
            rows,
            full,
        )

    # --- saving through services

    def service_save(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("slug", "title", "topic", "description")}
        if change:
            return services.course_update(course=obj, by=request.user, precondition=opened_guard(form, change), **data)
        return services.course_create(by=request.user, **data)

    def service_delete(self, obj):
        services.course_delete(course=obj)

    def save_formset(self, request, form, formset, change):
        course = form.instance
        apply_inline(
            formset,
            rows=lambda: Unit.objects.filter(course_id=course.pk).order_by("order"),
            create=lambda data: services.unit_create(course=course, title=data["title"]),
            update=lambda unit, changes: services.unit_update(unit=unit, **changes),
            delete=lambda unit: services.unit_delete(unit=unit),
            reorder=lambda ids: services.unit_reorder(course=course, unit_ids=ids),
        )

    # --- the workflow: buttons on the course page, bulk actions on the list

    def get_urls(self):
        transition = self.admin_site.admin_view(self.transition_view)
        return [
            path("<path:object_id>/transition/<slug:action>/", transition, name="catalog_course_transition"),
            *super().get_urls(),
        ]

    def transition_view(self, request, object_id, action):
        """POST only (the buttons are forms with a CSRF token): one workflow move, or its refusal."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        course = self.get_object(request, unquote(object_id))
        if course is None:
            raise Http404("No such course.")
        if not self.has_change_permission(request, course):
            raise PermissionDenied
        try:
            course = services.course_transition(course=course, action=action, by=request.user)
        except CatalogError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
        else:
            self.message_user(
                request, f"'{course.title}' is now {course.get_status_display().lower()}.", level=messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:catalog_course_change", args=[course.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_change_permission(request, obj):
            context["transitions"] = [(action, workflow.LABELS[action]) for action in workflow.actions_from(obj.status)]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        course = self.get_object(request, unquote(object_id))
        if course is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, course):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {course}",
            "subtitle": None,
            "object": course,
            "opts": self.opts,
            "module_name": capfirst(self.opts.verbose_name_plural),
            "events": Paginator(course_history(course=course), 100).get_page(request.GET.get("p")),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def _bulk(self, request, queryset, action):
        # Listed first: a status filter on the changelist would otherwise shrink the set as we go.
        courses = list(queryset.order_by("title", "id"))
        done = 0
        past = workflow.PAST_TENSE[action]
        for course in courses:
            try:
                # A savepoint each: one refused course leaves the others' moves in place.
                with transaction.atomic():
                    services.course_transition(course=course, action=action, by=request.user)
            except CatalogError as exc:
                self.message_user(request, f"'{course.title}': {exc}", level=messages.ERROR)
            else:
                done += 1
                self.message_user(request, f"'{course.title}': {past}.", level=messages.SUCCESS)
        total = len(courses)
        self.message_user(
            request,
            f"{done} of {total} selected course{'s' * (total != 1)} {past}.",
            level=messages.INFO if done == total else messages.WARNING,
        )

    @admin.action(description="Publish selected courses", permissions=["change"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description="Unpublish selected courses", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, "unpublish")

    @admin.action(description="Archive selected courses", permissions=["change"])
    def archive_selected(self, request, queryset):
        self._bulk(request, queryset, "archive")

    @admin.action(description="Restore selected courses (to draft)", permissions=["change"])
    def restore_selected(self, request, queryset):
        self._bulk(request, queryset, "restore")
