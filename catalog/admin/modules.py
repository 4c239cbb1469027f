"""The module pages: a module's title, content and minutes."""

from django.contrib import admin

from catalog import services
from catalog.admin.common import LogsOnCourse, ServiceAdmin, opened_guard
from catalog.admin.forms import ModuleAdminForm, unit_label
from catalog.models import Module


@admin.register(Module)
class ModuleAdmin(ServiceAdmin, LogsOnCourse, admin.ModelAdmin):
    form = ModuleAdminForm
    list_display = ["title", "unit", "course", "order"]
    list_select_related = ["unit", "unit__course"]
    search_fields = ["title", "unit__title", "unit__course__title", "unit__course__slug"]
    ordering = ["unit__course__title", "unit__course_id", "unit__order", "order"]
    autocomplete_fields = ["unit"]

    class Media:
        css = {"all": ["catalog/admin.css"]}
        js = ["catalog/admin.js"]

    def get_fields(self, request, obj=None):
        return (
            ["unit_of", "title", "content", "minutes", "order", "opened_at"]
            if obj
            else ["unit", "title", "content", "minutes"]
        )

    def get_readonly_fields(self, request, obj=None):
        return ["unit_of", "order"] if obj else []

    @admin.display(description="unit")
    def unit_of(self, module):
        return unit_label(module.unit)

    @admin.display(description="course", ordering="unit__course__title")
    def course(self, module):
        return module.unit.course

    def course_id_of(self, module):
        return module.unit.course_id

    def service_save(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            return services.module_update(
                module=obj,
                title=data["title"],
                content=data["content"],
                minutes=data["minutes"],
                precondition=opened_guard(form, change),
            )
        return services.module_create(
            unit=data["unit"], title=data["title"], content=data["content"], minutes=data["minutes"]
        )

    def service_delete(self, obj):
        services.module_delete(module=obj)
