"""App configuration: connects the signal receivers, keeps the Editors group in sync, hands the
replica router the cache's fence, the cache's flushes to the edge purges, and the cache's keys the
course list's FilterSet."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Course catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from catalog import cache, checks, signals  # noqa: F401  (registers the checks, connects the receivers)
        from catalog.api.filters import reads_parameter
        from catalog.cache import invalidation, routes
        from catalog.db import replica
        from catalog.permissions import editors_group_sync
        from catalog.services.changes import edge

        post_migrate.connect(editors_group_sync, sender=self)
        replica.use_fence(cache.fence_read)
        invalidation.on_flush(edge.edges_purge)
        routes.use_list_filters(reads_parameter)


class CatalogAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the catalog's site as the default one (Django's documented way to
    override it): titles, the index's notices, the unit pickers (catalog/admin/site.py)."""

    default = False  # named in INSTALLED_APPS; CatalogConfig stays this module's default
    default_site = "catalog.admin.site.CatalogAdminSite"

    def ready(self):
        super().ready()
        from catalog.admin import courses, modules, topics, units, webhooks  # noqa: F401  (registers the model admins)
