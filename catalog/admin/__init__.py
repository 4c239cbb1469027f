"""The editors' back-office, a module per model; every save, delete and action goes through catalog.services."""

from django.contrib import admin

from . import courses, modules, units, webhooks  # noqa: F401  (registers the model admins)

admin.site.site_header = "Course catalog: editors"
admin.site.site_title = "Course catalog admin"
admin.site.index_title = "Courses, units and modules"
# The index is where editors land: it says when a webhook endpoint was switched off.
admin.site.index = webhooks.with_switched_off_notice(admin.site.index)
