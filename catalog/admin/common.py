"""What every catalog admin page shares: saving and deleting through services, errors as messages."""

import json

from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.http import HttpResponseRedirect

from catalog import services
from catalog.errors import CatalogConflictError, CatalogError, CatalogNotFoundError
from catalog.models import Course


class ServiceAdmin:
    """Mixin for a ModelAdmin whose writes go through catalog.services, never model.save().

    Subclasses say how with `service_save(request, obj, form, change)` (returns the saved object)
    and `service_delete(obj)`. Django's change and delete views run in one transaction, so a
    CatalogError raised by any service call of the request rolls all of them back. A stale edit
    (CatalogConflictError, raised by the service's precondition under the course lock) shows the
    form again with the editor's input and the reason; other errors show as a message.
    """

    def service_save(self, request, obj, form, change):
        raise NotImplementedError

    def service_delete(self, obj):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        saved = self.service_save(request, obj, form, change)
        # The admin goes on with this instance (inlines, log entry, redirect): give it the saved state.
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        self.service_delete(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                self.service_delete(obj)
            except CatalogError as exc:
                self.message_user(request, f"'{obj}': {exc}", level=messages.ERROR)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        conflict = getattr(request, "catalog_conflict", None)
        return type(form.__name__, (form,), {"conflict": conflict}) if conflict else form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CatalogConflictError as exc:
            # Everything the request wrote is rolled back; the form refuses this time (see its clean).
            request.catalog_conflict = str(exc)
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


def opened_guard(form, change: bool):
    """The precondition of an edit page: the course is as it was when the editor opened the page."""
    return services.unchanged_since(form.cleaned_data.get("opened_at")) if change else None


def apply_inline(formset, *, rows, create, update, delete, reorder):
    """Turn a sortable inline formset into service calls, deterministically; never formset.save().

    Deletes first, then renames, then new rows (appended), then moves. The kept rows are ranked by
    their submitted order (what the drag left in the hidden order inputs), ties broken by their
    current order; rows without an order (new ones) follow in the order they were entered, so the
    result does not depend on the order of the forms (services.merged_order puts rows added by
    someone else meanwhile after them). The new order is applied with one reorder service call.
    """
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.deleted_forms:
        if form.instance.pk:
            delete(form.instance)
            formset.deleted_objects.append(form.instance)

    # Read under the course's row lock, which the parent's save service took and holds until commit.
    order = list(rows().values_list("pk", flat=True))
    ranked, kept = [], []  # (sort key, pk); (instance, changed fields or None for a new row)
    for index, form in enumerate(formset.forms):
        if form in formset.deleted_forms or not getattr(form, "cleaned_data", None):
            continue  # deleted, or an extra row left empty
        submitted = getattr(form, "position", None)
        if form.instance.pk:
            if form.instance.pk not in order:  # deleted by someone else after the form was validated
                name = form.instance._meta.verbose_name
                raise CatalogNotFoundError(f"The {name} '{form.instance}' no longer exists.")
            changes = {name: form.cleaned_data[name] for name in form.changed_data if name in ("title", "content")}
            if changes:
                update(form.instance, changes)
            current = order.index(form.instance.pk) + 1
            ranked.append(((submitted or current, 0, current), form.instance.pk))
            kept.append((form.instance, list(changes)))
        elif form.has_changed():
            created = create(form.cleaned_data)
            order.append(created.pk)
            formset.new_objects.append(created)
            ranked.append(((submitted or float("inf"), 1, index), created.pk))

    wanted = services.merged_order(order, ranked)
    if wanted != order:
        reorder(wanted)
    for instance, changes in kept:
        moved = order.index(instance.pk) != wanted.index(instance.pk)
        if changes or moved:
            formset.changed_objects.append((instance, changes + ["order"] * moved))


def log_on_course(request, course_id, text):
    """Unit and module edits also go into their course's history, where editors look for them."""
    course = Course.objects.filter(pk=course_id).first()
    if course is not None:
        LogEntry.objects.log_actions(
            user_id=request.user.pk, queryset=[course], action_flag=CHANGE, change_message=text, single_object=True
        )


def describe(message) -> str:
    """A LogEntry change message (JSON list or text) in words."""
    if isinstance(message, list):
        message = json.dumps(message)
    return LogEntry(change_message=message).get_change_message()


class LogsOnCourse:
    """Also writes each log entry of a unit or module into its course's history."""

    def course_id_of(self, obj):
        raise NotImplementedError

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        log_on_course(request, self.course_id_of(obj), f"Added {self.opts.verbose_name} '{obj}'.")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if message:
            text = describe(message)
            log_on_course(request, self.course_id_of(obj), f"{self.opts.verbose_name.capitalize()} '{obj}': {text}")
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            log_on_course(request, self.course_id_of(obj), f"Deleted {self.opts.verbose_name} '{obj}'.")
        return entries
