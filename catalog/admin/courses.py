"""The course pages: fields, the whole tree on one page, the release workflow, bulk actions, history."""

import nested_admin
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext

from catalog import services
from catalog.admin.common import ServiceAdmin, opened_guard
from catalog.admin.forms import CourseAdminForm
from catalog.admin.history import history_events, releases_table
from catalog.admin.overdue import overdue_warning
from catalog.admin.releases import CONFIRMED_MOVES, CourseReleasesMixin
from catalog.admin.tree import CONFIRM_UNIT_DELETE, UnitInline, apply_tree
from catalog.admin.wording import consequences, publish_label, when
from catalog.admin.writing import MarkdownPreviewMixin
from catalog.domain import workflow
from catalog.errors import CatalogError
from catalog.models import Course
from catalog.origin import absolute
from catalog.selectors import (
    course_search,
    has_unpublished_changes,
    learners_view,
    move_needs_confirmation,
    previews,
    status_now,
    with_release_state,
)

HISTORY_ON_PAGE = 10


def slug_help(request, course) -> str:
    """The slug field's help: this course's own address, and when a new slug reaches learners."""
    rule = "Lowercase letters, digits and hyphens."
    if course is None:
        example = absolute(request, reverse("catalog:course", args=["intro-to-sql"]))
        return f"The course's address once published: intro-to-sql is {example}. {rule}"
    live_slug = getattr(course, "live_slug", None)
    if live_slug is None:
        here = absolute(request, reverse("catalog:course", args=[course.slug]))
        return f"Learners do not see this course; once published, its address is {here}. {rule}"
    live = absolute(request, reverse("catalog:course", args=[live_slug]))
    if live_slug != course.slug:
        new = absolute(request, reverse("catalog:course", args=[course.slug]))
        return (
            f"Learners find this course at {live} until you publish; then at {new}, and the old address "
            f"redirects there (301). {rule}"
        )
    return (
        f"Learners find this course at {live}. A new slug is part of the next release: learners keep this "
        f"address until you publish, then it redirects (301) to the new one. {rule}"
    )


def _quote(value) -> str:
    text = str(value)
    return f"'{text if len(text) <= 80 else text[:79] + '…'}'"


@admin.register(Course)
class CourseAdmin(ServiceAdmin, MarkdownPreviewMixin, CourseReleasesMixin, nested_admin.NestedModelAdmin):
    form = CourseAdminForm
    list_display = ["title", "topic", "status_column", "unit_count", "module_count", "updated_at"]
    list_display_links = ["title"]
    list_filter = ["status", "topic", "level", "language"]
    search_fields = ["title", "slug"]
    search_help_text = "Finds courses by title or slug, and by the words of their descriptions, units and modules."
    date_hierarchy = "created_at"
    # Recently edited first: what an editor most often comes back to.
    ordering = ["-updated_at", "-id"]
    list_per_page = 50
    readonly_fields = ["status_summary", "releases", "recent_history"]
    # "Add course": the slug follows the title as it is typed until the editor changes it (Django's
    # prepopulate.js leaves a saved slug alone).
    prepopulated_fields = {"slug": ["title"]}  # noqa: RUF012 (Django's declaration)
    inlines = [UnitInline]
    actions = ["publish_selected", "unpublish_selected", "archive_selected", "restore_selected"]
    change_form_template = "admin/catalog/course/change_form.html"
    change_list_template = "admin/catalog/course/change_list.html"
    object_history_template = "admin/catalog/course/object_history.html"

    class Media:
        css = {"all": ["catalog/admin.css"]}
        js = ["catalog/admin.js", "catalog/timezone.js"]

    def get_queryset(self, request):
        return with_release_state(super().get_queryset(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)  # a class of its own per request
        if "slug" in form.base_fields:  # absent for a viewer (read-only)
            form.base_fields["slug"].help_text = slug_help(request, obj)
        return form

    def get_search_results(self, request, queryset, search_term):
        # Titles and slugs as before (the contract), and the full-text search of the working copies,
        # which also knows the words of the units' and modules' titles.
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return found, may_have_duplicates
        words = course_search(Course.objects.all(), search_term).values("pk")
        return queryset.filter(Q(pk__in=found.values("pk")) | Q(pk__in=words)), False

    def get_fieldsets(self, request, obj=None):
        fields = (None, {"fields": ["slug", "title", "topic", "level", "language", "description", "opened_at"]})
        if obj is None:
            return [fields]
        return [
            fields,
            ("Status and releases", {"fields": ["status_summary", "releases"]}),
            ("Recent history", {"fields": ["recent_history"]}),
        ]

    # --- columns and read-only panels

    @admin.display(description="status", ordering="status")
    def status_column(self, course):
        # From the release windows at this second, whether or not the scheduled switch is recorded yet.
        now = timezone.now()
        status = status_now(course)
        badge = format_html(
            '<span class="catalog-badge catalog-badge-{}">{}</span>', status, Course.Status(status).label
        )
        notes = []
        if has_unpublished_changes(course):
            notes.append("with unpublished changes")
        if course.publish_at and course.publish_at > now:
            notes.append(f"goes live {when(course.publish_at)}")
        if course.unpublish_at and course.unpublish_at > now:
            notes.append(f"withdrawn {when(course.unpublish_at)}")
        if not notes:
            return badge
        # Read aloud as one phrase: "Published, with unpublished changes, goes live …".
        return format_html(
            '{}<span class="catalog-sr-only">,</span> <span class="catalog-status-notes">{}</span>',
            badge,
            ", ".join(notes),
        )

    @admin.display(description="status")
    def status_summary(self, course):
        lines = [self.status_column(course)]
        if course.live_release is not None:
            lines.append(
                format_html("Learners see release {} (live since {}).", course.live_release, when(course.live_since))
            )
        elif course.status != Course.Status.ARCHIVED:
            lines.append("Learners do not see this course.")
        if has_unpublished_changes(course):
            compare = reverse("admin:catalog_course_compare", args=[course.pk])
            lines.append(
                format_html(
                    'The working copy has changes learners do not see yet: <a href="{}?from=live&amp;to=draft">'
                    "compare them with the live release</a>, then publish or discard them.",
                    compare,
                )
            )
        redirects = list(course.old_slugs.order_by("slug").values_list("slug", flat=True))
        if redirects:
            lines.append(
                format_html(
                    "Old addresses that redirect here: {}.",
                    format_html_join(", ", "<code>/courses/{}/</code>", ((slug,) for slug in redirects)),
                )
            )
        return format_html_join("", "<p>{}</p>", ((line,) for line in lines))

    @admin.display(description="releases")
    def releases(self, course):
        return releases_table(course, can_change=getattr(course, "catalog_can_change", False))

    @admin.display(description="history")
    def recent_history(self, course):
        events = history_events(course, limit=HISTORY_ON_PAGE)
        full = reverse("admin:catalog_course_history", args=[course.pk])
        if not events:
            return format_html('No changes recorded yet. <a href="{}">Full history</a>', full)
        rows = format_html_join(
            "",
            '<tr class="catalog-history-{}"><td>{}</td><td>{}</td><td>{}</td></tr>',
            ((e.kind, when(e.at), e.who, e.what) for e in events),
        )
        return format_html(
            '<table class="catalog-history"><thead><tr><th scope="col">When</th><th scope="col">Who</th>'
            '<th scope="col">What</th></tr></thead><tbody>{}</tbody></table><p><a href="{}">Full history</a></p>',
            rows,
            full,
        )

    # --- saving through services

    def service_save(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name] for name in ("slug", "title", "topic", "description", "level", "language")
        }
        if not change:
            return services.course_create(by=request.user, **data)
        # The first service call of the save: it takes the course's row lock and checks the guard.
        course = services.course_update(course=obj, by=request.user, precondition=opened_guard(form, change), **data)
        request.catalog_changes = [
            self._field_change(form, name)
            for name in form.changed_data
            if name in data and data[name] != form.initial.get(name)
        ]
        return course

    @staticmethod
    def _field_change(form, name) -> str:
        before, after = form.initial.get(name, ""), form.cleaned_data[name]
        label = capfirst(form.fields[name].label or name)
        if name == "description":
            return f"{label} changed ({len(before or '')} → {len(after)} characters)."
        return f"{label}: {_quote(before)} → {_quote(after)}."

    def service_delete(self, obj):
        services.course_delete(course=obj)

    def save_related(self, request, form, formsets, change):
        lines = apply_tree(form.instance, formsets)
        request.catalog_changes = getattr(request, "catalog_changes", []) + lines

    def construct_change_message(self, request, form, formsets, add=False):
        if add:
            return super().construct_change_message(request, form, formsets, add)
        # Before and after, in words, with the numbers units and modules have after this save.
        return " ".join(getattr(request, "catalog_changes", []))

    # --- the page

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            # Read by the releases panel (a read-only field sees the course only).
            obj.catalog_can_change = self.has_change_permission(request, obj)
        if obj is not None and obj.catalog_can_change:
            moves = workflow.actions_from(obj.status)
            if obj.status == Course.Status.PUBLISHED and not has_unpublished_changes(obj):
                moves = [action for action in moves if action != "publish"]
            view = learners_view(course=obj)
            context["transitions"] = [
                (
                    action,
                    publish_label(obj) if action == "publish" else workflow.LABELS[action],
                    action in CONFIRMED_MOVES and move_needs_confirmation(view, action),
                )
                for action in moves
            ]
            context["can_discard"] = has_unpublished_changes(obj)
            context["preview_lifetime"] = previews.lifetime()
        context["overdue"] = obj is not None and overdue_warning(course=obj)
        context["confirm_unit_delete"] = CONFIRM_UNIT_DELETE
        context["unit_delete_pending"] = any(
            getattr(f.formset, "needs_delete_confirmation", ()) for f in context.get("inline_admin_formsets", [])
        )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"overdue": overdue_warning(), **(extra_context or {})})

    def missing_redirect(self, request, object_id):
        """What Django's admin answers for an object that is not there: a warning, then the index."""
        message = gettext("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?") % {
            "name": self.opts.verbose_name,
            "key": unquote(object_id),
        }
        self.message_user(request, message, messages.WARNING)
        return HttpResponseRedirect(reverse("admin:index", current_app=self.admin_site.name))

    def history_view(self, request, object_id, extra_context=None):
        course = self.get_object(request, unquote(object_id))
        if course is None:
            return self.missing_redirect(request, object_id)
        if not self.has_view_or_change_permission(request, course):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {course}",
            "subtitle": None,
            "object": course,
            "opts": self.opts,
            "module_name": capfirst(self.opts.verbose_name_plural),
            "events": Paginator(history_events(course), 100).get_page(request.GET.get("p")),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    # --- bulk actions

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

    def _bulk_confirmed(self, request, queryset, action):
        """Ask first, as Django's delete action does: a page saying what each course's move changes for
        learners at once; its "Yes" posts the same action again with post=yes."""
        if request.POST.get("post") == "yes":
            return self._bulk(request, queryset, action)
        courses = list(queryset.order_by("title", "id"))
        views = [learners_view(course=course) for course in courses]
        lines = [consequences(request, view, action) for view in views]
        n = len(courses)
        plural = f"{n} course{'s' * (n != 1)}"
        if action == "publish":
            summary = (
                f"Publishing makes the working copies of these {plural} what learners see, at once "
                "(a course whose working copy equals its live release stays as it is)."
            )
        else:
            live = [view for view in views if view.live]
            modules = sum(view.module_count for view in live)
            summary = (
                f"Learners lose {len(live)} of these {plural} at once: their course pages and {modules} module "
                "pages answer 404. Their releases stay in the history."
            )
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            "admin/catalog/course/bulk_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{workflow.LABELS[action]} {plural}?",
                "subtitle": None,
                "crumb": f"{workflow.LABELS[action]} several courses",
                "opts": self.opts,
                "summary": summary,
                "courses": list(zip(courses, lines, strict=True)),
                "action_name": f"{action}_selected",
                "button": f"Yes, {workflow.LABELS[action].lower()} {plural}",
                "danger": action != "publish",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
            },
        )

    @admin.action(description="Publish selected courses (or their changes)…", permissions=["change"])
    def publish_selected(self, request, queryset):
        return self._bulk_confirmed(request, queryset, "publish")

    @admin.action(description="Unpublish selected courses…", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        return self._bulk_confirmed(request, queryset, "unpublish")

    @admin.action(description="Archive selected courses…", permissions=["change"])
    def archive_selected(self, request, queryset):
        return self._bulk_confirmed(request, queryset, "archive")

    @admin.action(description="Restore selected courses (to draft)", permissions=["change"])
    def restore_selected(self, request, queryset):
        self._bulk(request, queryset, "restore")
