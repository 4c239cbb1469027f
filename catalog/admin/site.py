"""The editors' admin site: Django's, with the catalog's titles, the index's notices and unit pickers
that name their course. Installed as the default site (catalog.apps.CatalogAdminConfig), so
`admin.site` and `@admin.register` are this site."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class CatalogAutocompleteJsonView(AutocompleteJsonView):
    """The admin's search-as-you-type pickers, naming a unit with its course ("Intro to SQL › 1. Basics"):
    "1. Basics" alone could be any course's first unit."""

    def serialize_result(self, obj, to_field_name):
        from catalog.admin.forms import unit_label
        from catalog.models import Unit

        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Unit):
            result["text"] = unit_label(obj)
        return result


class CatalogAdminSite(admin.AdminSite):
    site_header = "Course catalog: editors"
    site_title = "Course catalog admin"
    index_title = "Courses, units and modules"

    def index(self, request, extra_context=None):
        # The index is where editors land: it says when a webhook endpoint was switched off.
        from catalog.admin.webhooks import switched_off_notice

        switched_off_notice(request)
        return super().index(request, extra_context)

    def autocomplete_view(self, request):
        return CatalogAutocompleteJsonView.as_view(admin_site=self)(request)
