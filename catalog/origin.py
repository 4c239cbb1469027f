"""The one canonical origin of every absolute URL the catalog builds, and of the cache's keys.

`CATALOG_BASE_URL` names it (``https://catalog.example.org``, or ``https://example.org/catalog``
when a proxy serves the catalog under a path; settings make that path the script prefix). Unset,
it is ``http://`` (``https://`` with SECURE_SSL_REDIRECT) + the first concrete host of
DJANGO_ALLOWED_HOSTS + the port this server listens on. Nothing a client sends (Host and its
variants, X-Forwarded-Host/-Port/-Prefix, Forwarded, SCRIPT_NAME) takes part, so an answer the
cache serves to everyone never carries a host or path one client chose, and Host variants share
one cache key.
"""

from urllib.parse import urlsplit

from django.conf import settings

DEFAULT_PORTS = {"http": "80", "https": "443"}


def configured() -> str:
    """scheme://host[:port] of CATALOG_BASE_URL, or "" when unset."""
    base = settings.CATALOG_BASE_URL
    if not base:
        return ""
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def origin(request) -> str:
    """scheme://host[:port] for absolute URLs in answers to `request` (its path: request.path)."""
    fixed = configured()
    if fixed:
        return fixed
    scheme = "https" if settings.SECURE_SSL_REDIRECT else "http"
    # SERVER_PORT is the listening socket's port under runserver and gunicorn on TCP (gunicorn
    # takes it from Host only on a unix socket: docs/deploy.md says to set CATALOG_BASE_URL there).
    port = request.META.get("SERVER_PORT", "")
    suffix = f":{port}" if port.isdigit() and port != DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{default_host()}{suffix}"


def default_host() -> str:
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*" and not host.startswith("."):
            return host.lower()
    return "localhost"


def absolute(request, path: str) -> str:
    """`path` (as reverse() or request.path give it, script prefix included) on the canonical origin."""
    return origin(request) + path
