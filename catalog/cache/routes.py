"""Which learner URLs are cached, and under which key: decided by URL name, for the middleware and the API.

The learners' cache middleware answers hits before authentication runs; the API views use the same
pages for logged-in learners. Both ask page_for(), which resolves the path against the URLconf, so
renaming or moving a URL moves its caching with it.
"""

import functools
import operator
import re
import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from rest_framework.exceptions import NotAcceptable
from rest_framework.request import Request
from rest_framework.settings import api_settings

from catalog.cache import keys, surrogate
from catalog.cache.pages import Hit, Page, page
from catalog.domain.languages import standard_language
from catalog.domain.spelling import fold
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
    "suggest-list": keys.LISTS,
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
    if route is None or not negotiates_json(request):
        return None
    name, scope, path = route
    # The canonical origin, not the request's Host: one key per page, whatever Host variant asked.
    url = absolute(request, request.path[: len(request.path) - len(request.path_info)] + path)
    if name == "course-list":
        url = list_url(url, canonical_list_params(request.GET, keep_status=False))
    elif name == "suggest-list":
        # `Kube`, ` kube ` and `kube` are one answer: suggestions read folded words.
        typed = " ".join(fold(request.GET.get("q", "")).split())
        url = list_url(url, [("q", typed)] if typed else [])
    elif name == "change-list":
        feed = [(k, request.GET.get(k, "").strip()) for k in ("cursor", "limit") if request.GET.get(k, "").strip()]
        url = list_url(url, [(k, canonical_number(v) if k == "limit" else v) for k, v in feed])
    return page(url=url, scope=scope)


def negotiates_json(request, renderer_classes=None, format_suffix=None) -> bool:
    """Whether DRF's content negotiation (a format suffix or `?format=`, then the Accept header) gives
    this request the API's JSON, which is what the cache holds and the learners' functions build. Asked
    of DRF's own negotiator with the API's renderers (or a view's), so a cached or quick answer goes where
    DRF's would and nowhere else: an Accept that DRF answers 406 is DRF's to answer."""
    override = api_settings.URL_FORMAT_OVERRIDE
    return _negotiates_json(
        tuple(api_settings.DEFAULT_RENDERER_CLASSES if renderer_classes is None else renderer_classes),
        request.META.get("HTTP_ACCEPT"),
        format_suffix or (request.GET.get(override) if override else None),
    )


@functools.lru_cache(maxsize=256)
def _negotiates_json(renderer_classes: tuple, accept: str | None, format_asked: str | None) -> bool:
    """The negotiation depends on these three only: asked once per combination (a hit pays a lookup)."""
    asked = HttpRequest()
    if accept is not None:
        asked.META["HTTP_ACCEPT"] = accept
    negotiator = api_settings.DEFAULT_CONTENT_NEGOTIATION_CLASS()
    try:
        renderer, _ = negotiator.select_renderer(
            Request(asked), [renderer() for renderer in renderer_classes], format_asked
        )
    except (NotAcceptable, Http404):
        return False
    return renderer.format == "json"


# The parameters canonical_list_params normalises itself; any other one the list's FilterSet reads is kept as sent.
LIST_PARAMS = frozenset(
    {
        "search", "created_after", "created_before", "ordering", "topic", "level", "language", "max_duration",
        "status", "page", "page_size",
    }
)  # fmt: skip
# Sorted by name only: the values of one parameter keep their order (a single-valued filter reads the last).
BY_NAME = operator.itemgetter(0)


def _no_filter_reads(name: str) -> bool:
    return False


# Whether the course list's FilterSet reads a query parameter of this name. Set by catalog.apps to
# catalog.api.filters.reads_parameter (the cache sits below the API that declares the FilterSet), so a
# filter added there is part of the page's key and links, never dropped like `utm_source`.
_filter_reads = _no_filter_reads


def use_list_filters(reads) -> None:
    global _filter_reads  # noqa: PLW0603 (set once, at app start)
    _filter_reads = reads


def canonical_list_params(query, *, keep_status: bool) -> list[tuple[str, str]]:
    """Parameters of the list only, normalised and sorted; defaults (page 1, page_size 20) dropped.

    `?topic=A&page=1` and `?page=1&topic=a` give the same list, as do `?utm=x` and nothing.
    Single-valued parameters take the last value, as the filters do; a parameter of a filter this does
    not know (catalog.api.filters) is kept with its every value, as sent.
    """
    params = [
        (name, value)
        for name in query
        if name not in LIST_PARAMS and _filter_reads(name)
        for value in query.getlist(name)
    ]
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
    return sorted(params, key=BY_NAME)


def canonical_number(value: str) -> str:
    """`2`, `02` and ` 002` are one number (and one cache entry); anything else stays as sent (an error)."""
    value = value.strip()
    return str(int(value)) if NUMBER.fullmatch(value) else value


def list_url(base: str, params: list[tuple[str, str]], **replace) -> str:
    """`base` with `params`, some replaced (page=1 is dropped, being the default)."""
    params = [(k, v) for k, v in params if k not in replace]
    params += [(k, str(v)) for k, v in replace.items() if not (k == "page" and str(v) == "1")]
    query = urlencode(sorted(params, key=BY_NAME))
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
