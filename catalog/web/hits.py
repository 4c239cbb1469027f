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
import os
import re
import time
from urllib.parse import urlsplit

from corsheaders.conf import conf as cors
from corsheaders.signals import check_request_enabled
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest, get_str_from_wsgi
from django.core.signals import setting_changed
from django.http import HttpResponse, parse_cookie
from django.middleware.security import SecurityMiddleware
from django_guid.config import settings as guid_settings
from django_guid.context import guid
from django_guid.utils import generate_guid, validate_guid

from catalog import cache, metrics
from catalog.cache import keys
from catalog.cache.pages import Page
from catalog.cache.routes import hit_headers, page_for, route_name

PAGE = "catalog.page"  # the environ key of a miss's cache page, for the cache middleware
CONDITIONS = frozenset({"HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE"})


class HitLane:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or not environ.get("PATH_INFO", "").startswith("/api/")
            or not environ.keys().isdisjoint(CONDITIONS)
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
        if "HTTP_AUTHORIZATION" in environ or (
            "HTTP_COOKIE" in environ
            and settings.SESSION_COOKIE_NAME in parse_cookie(get_str_from_wsgi(environ, "HTTP_COOKIE", ""))
        ):
            return None  # credentials (routes.has_credentials, read from the environ): the view decides
        secure = _is_secure(environ, setup)
        if setup.ssl_redirect and not secure:
            return None  # no https: SecurityMiddleware redirects (or exempts)
        route = _page_of(environ, keys.prefix())
        if route is None:
            return None  # not a cached page, or a query the view answers itself (e.g. too many fields)
        page_key, lock_key, scope_key, scope, route, path_info = route
        page = Page(key=page_key, lock=lock_key, scope=scope_key, name=scope)
        started = time.perf_counter()
        request_id = _request_id(environ, setup)  # before the lookup, whose log lines must name it
        found = cache.lookup_or_wait(page)
        if found is None:
            environ[PAGE] = page
            environ[setup.guid_meta] = request_id  # django-guid keeps it: one id for the whole request
            return None
        headers = [*hit_headers(found), *setup.security[secure]]
        headers.append((setup.guid_header, request_id))
        _cors(environ, path_info, headers, setup)
        if setup.metrics:
            metrics.request_done(
                route=route or "unmatched",
                method="GET",
                status=200,
                seconds=time.perf_counter() - started,
                cache="HIT",
            )
        return "200 OK", headers, found.body


def _is_secure(environ, setup) -> bool:
    """HttpRequest.is_secure(), read from the environ (SECURE_PROXY_SSL_HEADER first, then the WSGI scheme)."""
    if setup.proxy_ssl_header:
        header, secure_value = setup.proxy_ssl_header
        value = environ.get(header)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


# What the cache page of a request depends on besides settings (a change clears what was worked out): its
# path and script name (the variables Django reads them from), query, Accept, and port (catalog.origin); and
# the keys' prefix, read on every hit (tests change settings.CACHES in place).
_PAGE_INPUTS = ("PATH_INFO", "SCRIPT_NAME", "SCRIPT_URL", "REDIRECT_URL", "QUERY_STRING", "HTTP_ACCEPT", "SERVER_PORT")


@functools.lru_cache(maxsize=4096)
def _page_inputs(*values):
    environ = {"REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
    environ.update((name, value) for name, value in zip(_PAGE_INPUTS, values) if value is not None)  # noqa: B905
    request = WSGIRequest(environ)
    page = page_for(request)
    if page is None:
        return None
    return page.key, page.lock, page.scope, page.name, route_name(request.path_info), request.path_info


def _page_of(environ, prefix):
    """page_for() of the request, worked out once per distinct inputs (parsing the query costs more than the
    lookup); None when the URL is not cached or the view must answer (SuspiciousOperation, not remembered)."""
    try:
        return _page_inputs(*(environ.get(name) for name in _PAGE_INPUTS), prefix)
    except SuspiciousOperation:
        return None


def _request_id(environ, setup) -> str:
    """django-guid's: the client's X-Request-ID when it is a valid UUID, else a new one; and its log context."""
    given = environ.get(setup.guid_meta)
    value = given if given and (not setup.guid_validate or validate_guid(given)) else _new_guid(setup)
    guid.set(value)
    return value


def _new_guid(setup) -> str:
    """generate_guid(): a UUID4 as django-guid formats it; in its default hex format made from the random bytes
    as uuid.uuid4() makes them (version and variant bits set), without building a UUID object."""
    if setup.guid_format != "hex":
        return generate_guid(setup.guid_length)
    random = bytearray(os.urandom(16))
    random[6] = random[6] & 0x0F | 0x40  # version 4
    random[8] = random[8] & 0x3F | 0x80  # RFC 4122 variant
    return random.hex()[: setup.guid_length]


def _cors(environ, path_info, headers, setup) -> None:
    """What django-cors-headers adds to the answer to a GET (corsheaders.middleware.add_response_headers)."""
    if not setup.cors_urls.match(path_info):
        return
    for index, (name, value) in enumerate(headers):
        if name == "Vary":
            headers[index] = (name, f"{value}, origin")
    origin = environ.get("HTTP_ORIGIN")
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
        self.proxy_ssl_header = settings.SECURE_PROXY_SSL_HEADER
        self.security = {secure: _security_headers(secure) for secure in (False, True)}
        self.guid_header = guid_settings.guid_header_name
        self.guid_meta = "HTTP_" + self.guid_header.upper().replace("-", "_")
        self.guid_validate = guid_settings.validate_guid
        self.guid_format = guid_settings.uuid_format
        self.guid_length = guid_settings.uuid_length
        self.cors_urls = re.compile(cors.CORS_URLS_REGEX)
        self.allow_all = cors.CORS_ALLOW_ALL_ORIGINS
        self.credentials = cors.CORS_ALLOW_CREDENTIALS
        self.origins = list(cors.CORS_ALLOWED_ORIGINS)
        self.origin_parts = {(o.scheme, o.netloc) for o in map(urlsplit, self.origins)}
        self.expose = ", ".join(cors.CORS_EXPOSE_HEADERS)
        # What the lane does not reproduce goes to Django.
        self.lane = settings.CATALOG_HIT_LANE and not (
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
    _page_inputs.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="catalog_hit_lane_settings")
