"""The editors' back-office, a module per model; every save, delete and action goes through catalog.services."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView

from catalog.admin import courses, modules, topics, units, webhooks  # noqa: F401  (registers the model admins)
from catalog.admin.forms import unit_label
from catalog.models import Unit

admin.site.site_header = "Course catalog: editors"
admin.site.site_title = "Course catalog admin"
admin.site.index_title = "Courses, units and modules"
# The index is where editors land: it says when a webhook endpoint was switched off.
admin.site.index = webhooks.with_switched_off_notice(admin.site.index)


class CatalogAutocompleteJsonView(AutocompleteJsonView):
    """The admin's search-as-you-type pickers, naming a unit with its course ("Intro to SQL › 1. Basics"):
    "1. Basics" alone could be any course's first unit."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Unit):
            result["text"] = unit_label(obj)
        return result


def autocomplete_view(request):
    return CatalogAutocompleteJsonView.as_view(admin_site=admin.site)(request)


# The default site builds its URLs from this attribute when the URLconf is first loaded.
admin.site.autocomplete_view = autocomplete_view
