"""App configuration: connects the signal receivers and keeps the Editors group in sync."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Course catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers the checks, connects the receivers)
        from .permissions import editors_group_sync

        post_migrate.connect(editors_group_sync, sender=self)
