"""Learners' cache hits answered in front of Django's handler: the same answer for a third of the cost.

config.wsgi wraps the application in HitLane (CATALOG_HIT_LANE=0 leaves it out). A learner's GET of a
cached API read (no credentials, no conditional headers) that the cache holds is answered here, with
every header the whole stack would give it: the cache's own (catalog.cache.routes.hit_headers), the
request id as django-guid keeps or makes it (and its log context), Django's security headers (from
SecurityMiddleware itself, worked out once per setting), CORS for a GET as django-cors-headers decides
it from its settings, and the metrics' counts. tests/catalog/web/test_hit_lane.py compares the two
answers header by header. Everything else goes to Django as before; a miss hands its cache page on
(`catalog.page` in the environ), so the cache middleware does not look it up again.
"""

import functools
import io
import re
import time
from urllib.parse import urlsplit

from corsheaders.conf import conf as cors
from corsheaders.signals import check_request_enabled
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django_guid.config import settings as guid_settings
from django_guid.context import guid
from django_guid.utils import generate_guid, validate_guid

from catalog import cache, metrics
from catalog.cache.routes import has_credentials, hit_headers, page_for, route_name

PAGE = "catalog.page"  # the environ key of a miss's cache page, for the cache middleware
CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


class HitLane:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or not environ.get("PATH_INFO", "").startswith("/api/")
            or not settings.CATALOG_HIT_LANE
            or any(name in environ for name in CONDITIONS)
        ):
            return self.application(environ, start_response)
        answer = self.hit(environ)
        if answer is None:
            return self.application(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def hit(self, environ):
        setup = _setup()
        if not setup.lane or check_request_enabled.receivers:
            return None
        request = WSGIRequest(environ.copy())  # WSGIRequest rewrites PATH_INFO: Django's own must see it raw
        if has_credentials(request) or (setup.ssl_redirect and not request.is_secure()):
            return None  # credentials: the view decides; no https: SecurityMiddleware redirects (or exempts)
        try:
            page = page_for(request)
        except SuspiciousOperation:
            return None  # e.g. too many query fields: the view's own answer says so
        if page is None:
            return None
        started = time.perf_counter()
        request_id = _request_id(request, setup)  # before the lookup, whose log lines must name it
        found = cache.lookup_or_wait(page)
        if found is None:
            environ[PAGE] = page
            environ[setup.guid_meta] = request_id  # django-guid keeps it: one id for the whole request
            return None
        headers = [*hit_headers(found), *setup.security[request.is_secure()]]
        headers.append((setup.guid_header, request_id))
        _cors(request, headers, setup)
        if setup.metrics:
            metrics.request_done(
                route=route_name(request.path_info) or "unmatched",
                method="GET",
                status=200,
                seconds=time.perf_counter() - started,
                cache="HIT",
            )
        return "200 OK", headers, found.body


def _request_id(request, setup) -> str:
    """django-guid's: the client's X-Request-ID when it is a valid UUID, else a new one; and its log context."""
    given = request.META.get(setup.guid_meta)
    value = given if given and (not setup.guid_validate or validate_guid(given)) else generate_guid()
    guid.set(value)
    return value


def _cors(request, headers, setup) -> None:
    """What django-cors-headers adds to the answer to a GET (corsheaders.middleware.add_response_headers)."""
    if not setup.cors_urls.match(request.path_info):
        return
    headers[:] = [(name, f"{value}, origin" if name == "Vary" else value) for name, value in headers]
    origin = request.META.get("HTTP_ORIGIN")
    if not origin:
        return
    try:
        url = urlsplit(origin)
    except ValueError:
        return
    allowed = origin in setup.origins if origin == "null" else (url.scheme, url.netloc) in setup.origin_parts
    if not setup.allow_all and not allowed:
        return
    headers.append(("access-control-allow-origin", "*" if setup.allow_all and not setup.credentials else origin))
    if setup.credentials:
        headers.append(("access-control-allow-credentials", "true"))
    if setup.expose:
        headers.append(("access-control-expose-headers", setup.expose))


class _Setup:
    """What the lane reads on every hit, read once per settings (django-cors-headers' own reads each miss a
    setting, getattr with a default, which costs more than the rest of the CORS decision)."""

    def __init__(self):
        self.metrics = metrics.enabled()
        self.ssl_redirect = settings.SECURE_SSL_REDIRECT
        self.security = {secure: _security_headers(secure) for secure in (False, True)}
        self.guid_header = guid_settings.guid_header_name
        self.guid_meta = "HTTP_" + self.guid_header.upper().replace("-", "_")
        self.guid_validate = guid_settings.validate_guid
        self.cors_urls = re.compile(cors.CORS_URLS_REGEX)
        self.allow_all = cors.CORS_ALLOW_ALL_ORIGINS
        self.credentials = cors.CORS_ALLOW_CREDENTIALS
        self.origins = list(cors.CORS_ALLOWED_ORIGINS)
        self.origin_parts = {(o.scheme, o.netloc) for o in map(urlsplit, self.origins)}
        self.expose = ", ".join(cors.CORS_EXPOSE_HEADERS)
        # What the lane does not reproduce goes to Django.
        self.lane = not (
            guid_settings.ignore_urls
            or not guid_settings.return_header
            or guid_settings.expose_header
            or cors.CORS_ALLOWED_ORIGIN_REGEXES
            or cors.CORS_ALLOW_PRIVATE_NETWORK
        )


def _security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers SecurityMiddleware adds to an answer (they depend on the settings and on https only)."""
    scheme = "https" if secure else "http"
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": scheme}
    request = WSGIRequest(environ)
    request.is_secure = lambda: secure
    plain = HttpResponse()
    before = set(plain.headers)
    answer = SecurityMiddleware(lambda r: None).process_response(request, plain)
    return [(name, value) for name, value in answer.items() if name not in before]


@functools.cache
def _setup() -> _Setup:
    return _Setup()


def _settings_changed(**kwargs):
    _setup.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="catalog_hit_lane_settings")
