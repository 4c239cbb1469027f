"""System checks for settings that would otherwise fail at the first request."""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS

from catalog.db.fence import REPLICA, is_postgresql, replica_configured


@register()
def replica_is_postgresql(app_configs, databases=None, **kwargs):
    """The router fences replica reads by WAL position, which only PostgreSQL has."""
    if not replica_configured() or (is_postgresql(REPLICA) and is_postgresql(DEFAULT_DB_ALIAS)):
        return []
    return [
        Error(
            "DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica.",
            hint="Learners read from the replica only once it has replayed the last write, which "
            "is checked by WAL position. Unset DATABASE_REPLICA_URL to read from one database.",
            id="catalog.E001",
        )
    ]


@register()
def base_url_is_an_origin_and_a_path(app_configs, **kwargs):
    """Every absolute URL the API builds starts with CATALOG_BASE_URL (catalog.origin)."""
    base = settings.CATALOG_BASE_URL
    if not base:
        return []
    parts = urlsplit(base)
    if parts.scheme in ("http", "https") and parts.hostname and not (parts.query or parts.fragment or parts.username):
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            pass
        else:
            return []
    return [
        Error(
            f"CATALOG_BASE_URL={base!r} is not an http(s) origin with an optional path.",
            hint="Write it as the address learners use, e.g. https://catalog.example.org or "
            "https://example.org/catalog (no query, fragment or user).",
            id="catalog.E002",
        )
    ]


@register(Tags.staticfiles, deploy=True)
def static_files_collected(app_configs, **kwargs):
    """Production names static files by collectstatic's manifest; without it they are served unhashed."""
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    if settings.DEBUG or "Manifest" not in backend:
        return []
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        return []
    return [
        Warning(
            f"collectstatic has not been run: {manifest} is missing.",
            hint="Run `python manage.py collectstatic --noinput` on each release, before the new code "
            "takes traffic. Until then pages work, but static files are served unhashed from the "
            "apps' directories, without long-term browser caching.",
            id="catalog.W001",
        )
    ]
