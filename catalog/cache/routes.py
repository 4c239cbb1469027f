"""Which learner URLs are cached, and under which key: decided by URL name, for the middleware and the API.

The learners' cache middleware answers hits before authentication runs; the API views use the same
pages for logged-in learners. Both ask page_for(), which resolves the path against the URLconf, so
renaming or moving a URL moves its caching with it.
"""

import functools
import re
import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from catalog.cache import keys, surrogate
from catalog.cache.pages import Hit, Page, page
from catalog.domain.languages import standard_language
from catalog.models import canonical_topics
from catalog.origin import absolute

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
VARY = "Authorization, Cookie"
MODULE_ID = re.compile(r"/modules/([0-9]+)/$")
NUMBER = re.compile(r"[0-9]{1,18}")

# URL name -> the token scope of its pages: every list, or the course named by the `slug` argument.
CACHED = {
    "course-list": keys.LISTS,
    "topic-list": keys.LISTS,
    "change-list": keys.LISTS,
    "course-detail": "slug",
    "course-module": "slug",
}


@functools.lru_cache(maxsize=4096)
def _route(path: str) -> tuple[str, str, str] | None:
    """(URL name, scope, canonical path) of a cached route, or None. `modules/0219/` is `modules/219/`:
    equivalent spellings share one entry, so one client cannot make unbounded keys of one page."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    scope = CACHED.get(match.url_name)
    if scope is None:
        return None
    if match.url_name == "course-module":
        path = MODULE_ID.sub(lambda m: f"/modules/{int(m[1])}/", path)
    return match.url_name, match.kwargs[scope] if scope == "slug" else scope, path


def route_name(path: str) -> str | None:
    """The URL name of a cached learner route (for metrics of hits, which never reach the resolver)."""
    route = _route(path)
    return route[0] if route else None


def page_for(request) -> Page | None:
    """The cache page of a learner's GET, or None if this URL is not cached."""
    if "format" in request.GET:
        return None  # DRF's format switch: not a learner page worth a key (and maybe an error)
    route = _route(request.path_info)
    if route is None:
        return None
    name, scope, path = route
    # The canonical origin, not the request's Host: one key per page, whatever Host variant asked.
    url = absolute(request, request.path[: len(request.path) - len(request.path_info)] + path)
    if name == "course-list":
        url = list_url(url, canonical_list_params(request.GET, keep_status=False))
    elif name == "change-list":
        feed = [(k, request.GET.get(k, "").strip()) for k in ("cursor", "limit") if request.GET.get(k, "").strip()]
        url = list_url(url, [(k, canonical_number(v) if k == "limit" else v) for k, v in feed])
    return page(url=url, scope=scope)


def canonical_list_params(query, *, keep_status: bool) -> list[tuple[str, str]]:
    """Known parameters only, normalised and sorted; defaults (page 1, page_size 20) dropped.

    `?topic=A&page=1` and `?page=1&topic=a` give the same list, as do `?utm=x` and nothing.
    Single-valued parameters take the last value, as the filters do.
    """
    params = []
    for name in ("search", "created_after", "created_before", "ordering"):
        value = query.get(name, "")
        if value.strip():
            # Stripped where the filter strips too; `ordering` items are read as sent (`title ` is a 400).
            params.append((name, value if name == "ordering" else value.strip()))
    params += [("topic", topic) for topic in canonical_topics(query.getlist("topic"))]
    # Repeatable, either matches: order and repeats say nothing. A language in its standard form
    # (`pt-br` is `pt-BR`); a value the filters refuse stays as sent (its answer is the 400).
    params += [("level", level) for level in sorted({v for v in query.getlist("level") if v.strip()})]
    tags = {standard_language(v.strip()) or v for v in query.getlist("language") if v.strip()}
    params += [("language", tag) for tag in sorted(tags)]
    max_duration = canonical_number(query.get("max_duration", ""))
    if max_duration:
        params.append(("max_duration", max_duration))
    if keep_status and query.get("status", ""):
        params.append(("status", query.get("status")))
    page_number = canonical_number(query.get("page", ""))
    if page_number and page_number != "1":
        params.append(("page", page_number))
    page_size = canonical_number(query.get("page_size", ""))
    if page_size and page_size != str(DEFAULT_PAGE_SIZE):
        params.append(("page_size", page_size))
    return sorted(params)


def canonical_number(value: str) -> str:
    """`2`, `02` and ` 002` are one number (and one cache entry); anything else stays as sent (an error)."""
    value = value.strip()
    return str(int(value)) if NUMBER.fullmatch(value) else value


def list_url(base: str, params: list[tuple[str, str]], **replace) -> str:
    """`base` with `params`, some replaced (page=1 is dropped, being the default)."""
    params = [(k, v) for k, v in params if k not in replace]
    params += [(k, str(v)) for k, v in replace.items() if not (k == "page" and str(v) == "1")]
    query = urlencode(sorted(params))
    return f"{base}?{query}" if query else base


def has_credentials(request) -> bool:
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


def hit_headers(hit: Hit) -> list[tuple[str, str]]:
    """The headers of a cache hit's answer, before the middleware's own (the hit lane adds those itself)."""
    return [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(hit.body))),
        ("ETag", hit.etag),
        ("X-Cache", "HIT"),
        ("Vary", VARY),
        # A hit leaves before XFrameOptionsMiddleware runs; SecurityMiddleware (outside) still applies.
        ("X-Frame-Options", settings.X_FRAME_OPTIONS),
        # The edge keeps it no longer than the copy it came from had left (its scheduled switch included).
        *surrogate.headers(hit.scope, surrogate.max_age(hit.expires, time.time())).items(),
    ]


def hit_response(hit: Hit) -> HttpResponse:
    return HttpResponse(hit.body, headers=dict(hit_headers(hit)))
