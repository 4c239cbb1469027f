"""The editors' back-office: every save, delete, inline change and action goes through catalog.services."""

import json
from dataclasses import dataclass
from datetime import datetime

from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from . import services
from .errors import CatalogError, CatalogNotFoundError
from .forms import CourseAdminForm, ModuleAdminForm, ModuleInlineForm, UnitAdminForm, UnitInlineForm
from .models import Course, Module, Unit

admin.site.site_header = "Course catalog: editors"
admin.site.site_title = "Course catalog admin"
admin.site.index_title = "Courses, units and modules"

ACTION_LABELS = {"publish": "Publish", "unpublish": "Unpublish", "archive": "Archive", "restore": "Restore"}
HISTORY_ON_PAGE = 10


# --- shared plumbing ------------------------------------------------------------------------------


class CatalogErrorsAsMessages:
    """A CatalogError raised while saving or deleting rolls the whole request back and shows as an error.

    Django's changeform_view and delete_view run inside one transaction.atomic, so the exception
    undoes every service call already made for this request (course fields, earlier inline rows).
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CatalogError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except CatalogError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def _apply_inline(formset, *, rows, create, update, delete, reorder):
    """Turn a sortable inline formset into service calls, deterministically; never formset.save().

    Deletes first, then renames, then new rows (appended), then moves. The kept rows are ranked by
    their submitted order (what the drag left in the hidden order inputs), ties broken by their
    current order; rows without an order (new ones) follow in the order they were entered, so the
    result does not depend on the order of the forms. Rows the form did not show (added by someone
    else meanwhile) keep their relative order after the submitted ones. The new order is applied with
    one reorder service call.
    """
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.deleted_forms:
        if form.instance.pk:
            delete(form.instance)
            formset.deleted_objects.append(form.instance)

    # Read under the course's row lock, which the parent's save service took and holds until commit.
    order = list(rows().values_list("pk", flat=True))
    ranked = []  # (sort key, instance, changed fields or None for a new row)
    for index, form in enumerate(formset.forms):
        if form in formset.deleted_forms or not getattr(form, "cleaned_data", None):
            continue  # deleted, or an extra row left empty
        submitted = form.cleaned_data.get("order")
        if form.instance.pk:
            if form.instance.pk not in order:  # deleted by someone else after the form was validated
                raise CatalogNotFoundError(
                    f"The {form.instance._meta.verbose_name} '{form.instance}' no longer exists."
                )
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in ("title", "content")}
            if changes:
                update(form.instance, changes)
            current = order.index(form.instance.pk) + 1
            ranked.append(((submitted or current, 0, current), form.instance, list(changes)))
        elif form.has_changed():
            created = create(form.cleaned_data)
            order.append(created.pk)
            formset.new_objects.append(created)
            ranked.append(((submitted or float("inf"), 1, index), created, None))

    ranked.sort(key=lambda row: row[0])
    wanted = [instance.pk for _key, instance, _changes in ranked]
    wanted += [pk for pk in order if pk not in set(wanted)]
    if wanted != order:
        reorder(wanted)
    for _key, instance, changes in ranked:
        moved = order.index(instance.pk) != wanted.index(instance.pk)
        if changes is not None and (changes or moved):
            formset.changed_objects.append((instance, changes + ["order"] * moved))


def _log_on_course(request, course_id, text):
    """Unit and module edits also go into their course's history, where editors look for them."""
    course = Course.objects.filter(pk=course_id).first()
    if course is not None:
        LogEntry.objects.log_actions(
            user_id=request.user.pk, queryset=[course], action_flag=CHANGE, change_message=text, single_object=True
        )


def _describe(message) -> str:
    """A LogEntry change message (JSON list or text) in words."""
    if isinstance(message, list):
        message = json.dumps(message)
    return LogEntry(change_message=message).get_change_message()


# --- history --------------------------------------------------------------------------------------


@dataclass
class HistoryEvent:
    at: datetime
    who: str
    what: str
    kind: str  # "edit" or "workflow"


def course_history(course: Course, *, limit: int | None = None) -> list[HistoryEvent]:
    """The admin's edit log and the workflow's transition log of one course, newest first.

    Transitions come from course.transitions, so moves made through the API or the import show too.
    """
    entries = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Course), object_id=str(course.pk))
        .select_related("user")
        .order_by("-action_time", "-id")
    )
    transitions = course.transitions.select_related("by").order_by("-at", "-id")
    if limit is not None:
        entries, transitions = entries[:limit], transitions[:limit]
    flags = {ADDITION: "Created the course.", DELETION: "Deleted."}
    events = [
        HistoryEvent(
            e.action_time, _username(e.user), e.get_change_message() or flags.get(e.action_flag, "Saved."), "edit"
        )
        for e in entries
    ]
    events += [
        HistoryEvent(t.at, _username(t.by), f"Status: {t.from_status} → {t.to_status}", "workflow") for t in transitions
    ]
    events.sort(key=lambda event: event.at, reverse=True)
    return events[:limit] if limit is not None else events


def _username(user) -> str:
    # No user: the import command, a shell script, or a user deleted since.
    return user.get_username() if user is not None else "(no user recorded)"


# --- courses ----------------------------------------------------------------------------------------


class UnitInline(SortableTabularInline):
    model = Unit
    form = UnitInlineForm
    ordering = ["order"]
    fields = ["title", "order"]
    extra = 1
    show_change_link = True
    verbose_name_plural = "Units (drag a row by its name to reorder; open a unit to edit its modules)"


@admin.register(Course)
class CourseAdmin(CatalogErrorsAsMessages, SortableAdminBase, admin.ModelAdmin):
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
        events = course_history(course, limit=HISTORY_ON_PAGE)
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

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("slug", "title", "topic", "description")}
        if change:
            course = services.course_update(
                course=obj, by=request.user, expected_updated_at=form.cleaned_data["opened_at"], **data
            )
        else:
            course = services.course_create(by=request.user, **data)
        # The admin goes on with this instance (inlines, log entry, redirect): give it the saved state.
        obj.pk = course.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        course = form.instance
        _apply_inline(
            formset,
            rows=lambda: Unit.objects.filter(course_id=course.pk).order_by("order"),
            create=lambda data: services.unit_create(course=course, title=data["title"]),
            update=lambda unit, changes: services.unit_update(unit=unit, **changes),
            delete=lambda unit: services.unit_delete(unit=unit),
            reorder=lambda ids: services.unit_reorder(course=course, unit_ids=ids),
        )

    def delete_model(self, request, obj):
        services.course_delete(course=obj)

    def delete_queryset(self, request, queryset):
        for course in queryset:
            try:
                services.course_delete(course=course)
            except CatalogError as exc:
                self.message_user(request, f"'{course.title}': {exc}", level=messages.ERROR)

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
            context["transitions"] = [
                (action, ACTION_LABELS[action])
                for action, (sources, _to) in services.TRANSITIONS.items()
                if obj.status in sources
            ]
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
            "events": Paginator(course_history(course), 100).get_page(request.GET.get("p")),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def _bulk(self, request, queryset, action):
        # Listed first: a status filter on the changelist would otherwise shrink the set as we go.
        courses = list(queryset.order_by("title", "id"))
        done = 0
        for course in courses:
            try:
                # A savepoint each: one refused course leaves the others' moves in place.
                with transaction.atomic():
                    services.course_transition(course=course, action=action, by=request.user)
            except CatalogError as exc:
                self.message_user(request, f"'{course.title}': {exc}", level=messages.ERROR)
            else:
                done += 1
                self.message_user(request, f"'{course.title}': {services.PAST_TENSE[action]}.", level=messages.SUCCESS)
        total = len(courses)
        self.message_user(
            request,
            f"{done} of {total} selected course{'s' * (total != 1)} {services.PAST_TENSE[action]}.",
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


# --- units and modules ----------------------------------------------------------------------------


class LogsOnCourse:
    """Also writes each log entry of a unit or module into its course's history."""

    def course_id_of(self, obj):
        raise NotImplementedError

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        _log_on_course(request, self.course_id_of(obj), f"Added {self.opts.verbose_name} '{obj}'.")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if message:
            text = _describe(message)
            _log_on_course(request, self.course_id_of(obj), f"{self.opts.verbose_name.capitalize()} '{obj}': {text}")
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            _log_on_course(request, self.course_id_of(obj), f"Deleted {self.opts.verbose_name} '{obj}'.")
        return entries


class ModuleInline(SortableTabularInline):
    model = Module
    form = ModuleInlineForm
    ordering = ["order"]
    fields = ["title", "content", "order"]
    extra = 1
    verbose_name_plural = "Modules (drag a row by its name to reorder)"


@admin.register(Unit)
class UnitAdmin(CatalogErrorsAsMessages, LogsOnCourse, SortableAdminBase, admin.ModelAdmin):
    form = UnitAdminForm
    list_display = ["title", "course", "order"]
    list_select_related = ["course"]
    list_filter = ["course__status"]
    search_fields = ["title", "course__title", "course__slug"]
    ordering = ["course__title", "course_id", "order"]
    # A search box, not a <select> of every course: the catalog may hold many thousands.
    autocomplete_fields = ["course"]
    inlines = [ModuleInline]

    class Media:
        css = {"all": ["catalog/admin.css"]}

    def get_fields(self, request, obj=None):
        return ["course", "title", "order", "opened_at"] if obj else ["course", "title"]

    def get_readonly_fields(self, request, obj=None):
        # A unit stays in its course: moving it elsewhere is not an edit the services offer.
        return ["course", "order"] if obj else []

    def course_id_of(self, unit):
        return unit.course_id

    def save_model(self, request, obj, form, change):
        if change:
            unit = services.unit_update(unit=obj, title=form.cleaned_data["title"])
        else:
            unit = services.unit_create(course=form.cleaned_data["course"], title=form.cleaned_data["title"])
        obj.pk = unit.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        unit = form.instance
        _apply_inline(
            formset,
            rows=lambda: Module.objects.filter(unit_id=unit.pk).order_by("order"),
            create=lambda data: services.module_create(
                unit=unit, title=data["title"], content=data.get("content") or ""
            ),
            update=lambda module, changes: services.module_update(module=module, **changes),
            delete=lambda module: services.module_delete(module=module),
            reorder=lambda ids: services.module_reorder(unit=unit, module_ids=ids),
        )

    def delete_model(self, request, obj):
        services.unit_delete(unit=obj)

    def delete_queryset(self, request, queryset):
        for unit in queryset:
            try:
                services.unit_delete(unit=unit)
            except CatalogError as exc:
                self.message_user(request, f"'{unit}': {exc}", level=messages.ERROR)


@admin.register(Module)
class ModuleAdmin(CatalogErrorsAsMessages, LogsOnCourse, admin.ModelAdmin):
    form = ModuleAdminForm
    list_display = ["title", "unit", "course", "order"]
    list_select_related = ["unit", "unit__course"]
    search_fields = ["title", "unit__title", "unit__course__title", "unit__course__slug"]
    ordering = ["unit__course__title", "unit__course_id", "unit__order", "order"]
    autocomplete_fields = ["unit"]

    def get_fields(self, request, obj=None):
        return ["unit", "title", "content", "order", "opened_at"] if obj else ["unit", "title", "content"]

    def get_readonly_fields(self, request, obj=None):
        return ["unit", "order"] if obj else []

    @admin.display(description="course", ordering="unit__course__title")
    def course(self, module):
        return module.unit.course

    def course_id_of(self, module):
        return module.unit.course_id

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            module = services.module_update(module=obj, title=data["title"], content=data["content"])
        else:
            module = services.module_create(unit=data["unit"], title=data["title"], content=data["content"])
        obj.pk = module.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.module_delete(module=obj)

    def delete_queryset(self, request, queryset):
        for module in queryset:
            try:
                services.module_delete(module=module)
            except CatalogError as exc:
                self.message_user(request, f"'{module}': {exc}", level=messages.ERROR)
