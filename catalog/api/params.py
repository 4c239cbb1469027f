"""The canonical form of a course-list query: one cache key and one set of links per meaning."""

from urllib.parse import urlencode

from ..models import normalize_topic

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def canonical_list_params(query, *, keep_status: bool) -> list[tuple[str, str]]:
    """Known parameters only, normalised and sorted; defaults (page 1, page_size 20) dropped.

    `?topic=A&page=1` and `?page=1&topic=a` give the same list, as do `?utm=x` and nothing.
    Single-valued parameters take the last value, as the filters do.
    """
    params = []
    for name in ("search", "created_after", "created_before", "ordering"):
        value = query.get(name, "").strip()
        if value:
            params.append((name, value))
    for topic in sorted({normalize_topic(t) for t in query.getlist("topic")} - {""}):
        params.append(("topic", topic))
    if keep_status and query.get("status", ""):
        params.append(("status", query.get("status")))
    page = query.get("page", "").strip()
    if page and page != "1":
        params.append(("page", page))
    page_size = query.get("page_size", "").strip()
    if page_size and page_size != str(DEFAULT_PAGE_SIZE):
        params.append(("page_size", page_size))
    return sorted(params)


def list_url(base: str, params: list[tuple[str, str]], **replace) -> str:
    """`base` with `params`, some replaced (page=1 is dropped, being the default)."""
    params = [(k, v) for k, v in params if k not in replace]
    params += [(k, str(v)) for k, v in replace.items() if not (k == "page" and str(v) == "1")]
    query = urlencode(sorted(params))
    return f"{base}?{query}" if query else base
