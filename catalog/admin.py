"""The editors' back-office: every save, delete, inline change and action goes through services."""
from adminsortable2.admin import SortableAdminBase, SortableTabularInline
from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join

from . import services
from .errors import CatalogError
from .models import Course, Module, Unit

STATUS_COLOURS = {"draft": "#8a6d00", "published": "#1e7b34", "archived": "#6c757d"}


class CatalogErrorsAsMessages:
    """A CatalogError raised while saving rolls the whole save back and shows as an admin error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CatalogError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except CatalogError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def _apply_inline(formset, *, create, update, delete, reorder):
    """Turn a sortable inline formset into service calls; never formset.save()."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.deleted_forms:
        if form.instance.pk:
            delete(form.instance)
            formset.deleted_objects.append(form.instance)
    kept = [f for f in formset.forms if f not in formset.deleted_forms and f.cleaned_data]
    rows = []
    for form in kept:
        data = form.cleaned_data
        if form.instance.pk:
            changed = [name for name in form.changed_data if name in ("title", "content")]
            if changed:
                update(form.instance, {name: data[name] for name in changed})
                formset.changed_objects.append((form.instance, changed))
            rows.append((data.get("order") or 0, form.instance.pk))
        elif form.has_changed():
            created = create(data)
            formset.new_objects.append(created)
            rows.append((data.get("order") or 10**9, created.pk))
    # The dragged order decides; new rows without one go last, in the order they were entered.
    reorder([pk for _, pk in sorted(rows, key=lambda row: row[0])])


def _complete(ids, queryset):
    """The dragged order, followed by any rows the form did not show (added meanwhile elsewhere)."""
    rest = [pk for pk in queryset.order_by("order").values_list("pk", flat=True) if pk not in set(ids)]
    return [*ids, *rest]


class UnitInline(SortableTabularInline):
    model = Unit
    ordering = ["order"]
    fields = ["title", "order"]
    extra = 1
    show_change_link = True
    verbose_name_plural = "Units (drag to reorder; open a unit to edit its modules)"


class CourseAdminForm(forms.ModelForm):
    # When the editor opened the form: saving after someone else's change is refused.
    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Course
        fields = ["slug", "title", "topic", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["opened_at"] = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = Course.objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
            opened = parse_datetime(cleaned.get("opened_at") or "")
            if current is not None and opened != current:
                raise forms.ValidationError(
                    "Someone else changed this course since you opened it. Reload the page to see their "
                    "changes, then apply yours again."
                )
            cleaned["opened_at"] = opened
        return cleaned


@admin.register(Course)
class CourseAdmin(CatalogErrorsAsMessages, SortableAdminBase, admin.ModelAdmin):
    form = CourseAdminForm
    list_display = ["title", "topic", "status_badge", "unit_count", "module_count", "updated_at"]
    list_filter = ["status", "topic"]
    search_fields = ["title", "slug"]
    date_hierarchy = "created_at"
    ordering = ["-updated_at", "id"]
    fields = ["slug", "title", "topic", "description", "opened_at", "status_badge", "published_at",
              "unit_count", "module_count", "created_at", "updated_at", "workflow_history"]
    readonly_fields = ["status_badge", "published_at", "unit_count", "module_count", "created_at", "updated_at",
                       "workflow_history"]
    inlines = [UnitInline]
    actions = ["publish_selected", "unpublish_selected", "archive_selected", "restore_selected"]
    change_form_template = "admin/catalog/course/change_form.html"

    @admin.display(description="status", ordering="status")
    def status_badge(self, course):
        return format_html(
            '<span class="catalog-badge" style="background:{};color:#fff;padding:2px 8px;border-radius:9px">{}</span>',
            STATUS_COLOURS.get(course.status, "#333"), course.get_status_display(),
        )

    @admin.display(description="workflow history")
    def workflow_history(self, course):
        if not course.pk:
            return "-"
        rows = course.transitions.select_related("by")[:50]
        if not rows:
            return "No workflow moves yet."
        return format_html(
            "<table><tr><th>when</th><th>move</th><th>by</th></tr>{}</table>",
            format_html_join(
                "", "<tr><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
                ((t.at.strftime("%Y-%m-%d %H:%M:%S UTC"), t.from_status, t.to_status, t.by or "—") for t in rows),
            ),
        )

    # --- saving through services

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("slug", "title", "topic", "description")}
        if change:
            course = services.course_update(
                course=obj, by=request.user, expected_updated_at=form.cleaned_data.get("opened_at"), **data
            )
        else:
            course = services.course_create(by=request.user, **data)
        obj.pk = course.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        course = form.instance
        _apply_inline(
            formset,
            create=lambda data: services.unit_create(course=course, title=data["title"]),
            update=lambda unit, data: services.unit_update(unit=unit, **data),
            delete=lambda unit: services.unit_delete(unit=unit),
            reorder=lambda ids: services.unit_reorder(course=course, unit_ids=_complete(ids, course.units)),
        )

    def delete_model(self, request, obj):
        services.course_delete(course=obj)

    def delete_queryset(self, request, queryset):
        for course in queryset:
            services.course_delete(course=course)

    # --- the workflow: buttons on the course page, bulk actions on the list

    def get_urls(self):
        urls = super().get_urls()
        mine = [
            path("<int:pk>/transition/<str:action>/", self.admin_site.admin_view(self.transition_view),
                 name="catalog_course_transition"),
        ]
        return mine + urls

    def transition_view(self, request, pk, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        course = get_object_or_404(Course, pk=pk)
        if not self.has_change_permission(request, course):
            return HttpResponseRedirect(reverse("admin:index"))
        try:
            course = services.course_transition(course=course, action=action, by=request.user)
        except CatalogError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, f"'{course.title}' is now {course.status}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:catalog_course_change", args=[pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["transitions"] = [
                (action, action.capitalize()) for action, (sources, _) in services.TRANSITIONS.items()
                if obj.status in sources
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _bulk(self, request, queryset, action):
        for course in queryset.order_by("title"):
            try:
                with transaction.atomic():
                    services.course_transition(course=course, action=action, by=request.user)
            except CatalogError as exc:
                self.message_user(request, f"'{course.title}': {exc}", messages.ERROR)
            else:
                self.message_user(request, f"'{course.title}': {services.PAST_TENSE[action]}.", messages.SUCCESS)

    @admin.action(description="Publish selected courses", permissions=["change"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description="Unpublish selected courses", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, "unpublish")

    @admin.action(description="Archive selected courses", permissions=["change"])
    def archive_selected(self, request, queryset):
        self._bulk(request, queryset, "archive")

    @admin.action(description="Restore selected courses", permissions=["change"])
    def restore_selected(self, request, queryset):
        self._bulk(request, queryset, "restore")


class ModuleInline(SortableTabularInline):
    model = Module
    ordering = ["order"]
    fields = ["title", "content", "order"]
    extra = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "content":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["course", "title"]


@admin.register(Unit)
class UnitAdmin(CatalogErrorsAsMessages, SortableAdminBase, admin.ModelAdmin):
    form = UnitAdminForm
    list_display = ["title", "course", "order"]
    list_select_related = ["course"]
    search_fields = ["title", "course__title", "course__slug"]
    readonly_fields = ["order"]
    inlines = [ModuleInline]

    def get_readonly_fields(self, request, obj=None):
        # A unit stays in its course; moving between courses is not an edit we offer.
        return ["course", "order"] if obj else ["order"]

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
            create=lambda data: services.module_create(unit=unit, title=data["title"], content=data.get("content") or ""),
            update=lambda module, data: services.module_update(module=module, **data),
            delete=lambda module: services.module_delete(module=module),
            reorder=lambda ids: services.module_reorder(unit=unit, module_ids=_complete(ids, unit.modules)),
        )

    def delete_model(self, request, obj):
        services.unit_delete(unit=obj)

    def delete_queryset(self, request, queryset):
        for unit in queryset:
            services.unit_delete(unit=unit)


@admin.register(Module)
class ModuleAdmin(CatalogErrorsAsMessages, admin.ModelAdmin):
    list_display = ["title", "unit", "order"]
    list_select_related = ["unit", "unit__course"]
    search_fields = ["title", "unit__title", "unit__course__title"]
    fields = ["unit", "title", "content", "order"]
    readonly_fields = ["order"]

    def get_readonly_fields(self, request, obj=None):
        return ["unit", "order"] if obj else ["order"]

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
            services.module_delete(module=module)
