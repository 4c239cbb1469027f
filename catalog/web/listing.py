"""The learner catalog page (`/`): search, facets with counts, a sort, and numbered pages, no JavaScript.

Its parameters are the API list's, read by the same form fields (catalog.domain.filters) so both
refuse the same values: `q` (the search words), `topic`, `level`, `language` (each repeatable:
either matches), `max_duration`, `sort` (`newest`, `title`, `shortest`) and `page`. Every link it
makes is the canonical spelling of its page: parameters sorted, defaults left out, one address per
combination.
"""

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import BadRequest
from django.core.paginator import InvalidPage
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils.safestring import mark_safe

from catalog import selectors
from catalog.domain.facets import DURATION_RANGES, Selection, facet_counts
from catalog.domain.filters import LanguagesField, LevelsField, MaxDurationField, TopicsField
from catalog.domain.languages import language_name
from catalog.models import Level
from catalog.selectors.paging import CountedPaginator

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
MAX_TOPICS = 20
SORTS = {
    "best": None,  # a search's default: best match first (without one: newest)
    "newest": ("-created_at", "id"),
    "title": ("title", "id"),
    "shortest": (F("duration_minutes").asc(nulls_last=True), "id"),
}
SORT_LABELS = {"best": "Best match", "newest": "Newest", "title": "Title", "shortest": "Shortest"}
LIST_FIELDS = (
    "slug", "title", "description", "topic", "unit_count", "module_count", "level", "language", "duration_minutes",
)  # fmt: skip
PAGE_WINDOW = 2  # page numbers shown either side of the current one (the first and last always are)


class CatalogForm(forms.Form):
    topic = TopicsField(required=False)
    level = LevelsField()
    language = LanguagesField(required=False)
    max_duration = MaxDurationField()


def _chosen(request) -> tuple[str, str, Selection]:
    """(search words, sort, the facets chosen), or BadRequest naming what is wrong."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    default = "best" if query else "newest"
    sort = request.GET.get("sort", "").strip() or default
    if sort not in SORTS:
        raise BadRequest(f"There is no sort {sort[:40]!r}: sort by best, newest, title or shortest.")
    if sort == "best" and not query:
        sort = "newest"
    data = {name: request.GET.getlist(name)[:MAX_TOPICS] for name in ("topic", "level", "language")}
    form = CatalogForm({**data, "max_duration": request.GET.get("max_duration", "")})
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        raise BadRequest(f"This list cannot be shown ({problems})")
    cleaned = form.cleaned_data
    chosen = Selection(
        topics=tuple(cleaned["topic"]),
        levels=tuple(cleaned["level"]),
        languages=tuple(cleaned["language"]),
        max_duration=cleaned["max_duration"],
    )
    return query, sort, chosen


def _narrowed(query: str, chosen: Selection, sort: str):
    """(the page's courses in order, the live courses the search narrows to, for the facets, the
    search's candidates or None)."""
    live = selectors.listings_live().only(*LIST_FIELDS)
    courses = live
    candidates = None
    if query:
        candidates = selectors.search_candidates(live, query)
        live = live.filter(pk__in=candidates.ids) if candidates else selectors.listing_search(live, query)
        courses = selectors.listing_search(courses, query, candidates=candidates)
    for name, values in (("topic", chosen.topics), ("level", chosen.levels), ("language", chosen.languages)):
        if values:
            courses = courses.filter(**{f"{name}__in": values})
    if chosen.max_duration is not None:
        courses = courses.filter(duration_minutes__lte=chosen.max_duration)
    if SORTS[sort]:
        courses = courses.order_by(*SORTS[sort])
    return courses, live, candidates


def _page(request, paginator: CountedPaginator):
    """The requested page; anything that is not one is a 404 that says how many pages there are."""
    raw = request.GET.get("page") or "1"
    try:
        return paginator.page(raw)
    except InvalidPage:
        pages = paginator.num_pages
        raise Http404(
            f"There is no page {raw[:20]!r}: the catalog has {pages} page{'s' * (pages != 1)} here."
        ) from None


class Links:
    """Canonical query strings of the catalog page: what is chosen, with some choices changed."""

    def __init__(self, query: str, sort: str, chosen: Selection):
        self.base = reverse("catalog:home")
        self.state = {
            "q": query,
            "topic": chosen.topics,
            "level": chosen.levels,
            "language": chosen.languages,
            "max_duration": chosen.max_duration,
            "sort": sort,
        }

    def __call__(self, page: int = 1, **changes) -> str:
        state = {**self.state, **changes}
        params = []
        for name in ("language", "level", "max_duration", "q", "sort", "topic"):
            value = state[name]
            if isinstance(value, tuple | list | set | frozenset):
                params += [(name, v) for v in sorted(value)]
            elif value not in (None, "") and not (name == "sort" and value == ("best" if state["q"] else "newest")):
                params.append((name, str(value)))
        if page != 1:
            params.append(("page", str(page)))
        return f"{self.base}?{urlencode(params)}" if params else self.base

    def toggle(self, name: str, value) -> str:
        return self(**{name: tuple(set(self.state[name]) ^ {value})})


def page_numbers(number: int, last: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: the first, the last and a window around the current page (None: a gap)."""
    shown = sorted({1, last, *range(max(1, number - PAGE_WINDOW), min(last, number + PAGE_WINDOW) + 1)})
    numbers: list[int | None] = []
    for n in shown:
        if numbers and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


def home_context(request) -> dict:
    query, sort, chosen = _chosen(request)
    courses, narrowed, candidates = _narrowed(query, chosen, sort)
    # Unsearched, the facets and the total come from the kept counts (O(combinations)); a search's
    # (or a max_duration inside a range's) are counted over the courses it narrows to.
    combinations = None if query else selectors.learner_kept_combinations(max_duration=chosen.max_duration)
    if combinations is None:
        combinations = selectors.learner_facet_combinations(narrowed, max_duration=chosen.max_duration)
    facets = facet_counts(combinations, chosen)
    page = _page(request, CountedPaginator(courses, PAGE_SIZE, count=facets.total))
    if query:
        # Each result says where it matched: excerpts for this page's courses only, escaped with <mark>s.
        matches = selectors.listing_excerpts(
            ids=[course.pk for course in page.object_list],
            text=query,
            query=candidates.query if candidates else None,
            using=courses.db,
        )
        for course in page.object_list:
            course.match = mark_safe(matches.get(course.pk, ""))  # noqa: S308 (escaped by catalog.domain.excerpts)
    link = Links(query, sort, chosen)
    topics = sorted(set(facets.topic) | set(chosen.topics))
    names = selectors.topic_names(slugs=topics)
    return {
        "canonical_path": link(page=page.number),
        "topic_names": names,  # the cards' topics, read with the chips
        "page": page,
        "query": query,
        "sort": sort,
        "chosen": chosen,
        "selected_topics": chosen.topics,
        "topics": [
            {
                "topic": t,
                "name": names[t],
                "course_count": facets.topic[t],
                "selected": t in chosen.topics,
                "url": link.toggle("topic", t),
            }
            for t in topics
            if facets.topic[t] or t in chosen.topics
        ],
        "clear_topics_url": link(topic=()),
        "levels": [
            {"value": value, "label": label, "count": facets.level[value], "selected": value in chosen.levels}
            for value, label in Level.choices
        ],
        "languages": [
            {"value": tag, "label": language_name(tag), "count": n, "selected": tag in chosen.languages}
            for tag, n in sorted(facets.language.items(), key=lambda item: (-item[1], item[0]))
            if n or tag in chosen.languages
        ],
        "durations": [
            {"value": limit, "label": label, "count": facets.duration[limit], "selected": chosen.max_duration == limit}
            for limit, label in DURATION_RANGES.items()
        ],
        "other_duration": chosen.max_duration not in (None, *DURATION_RANGES),
        "sorts": [
            {"value": s, "label": SORT_LABELS[s], "url": link(sort=s), "current": s == sort}
            for s in SORTS
            if query or s != "best"
        ],
        "page_links": [
            {"number": n, "url": link(page=n) if n else None, "current": n == page.number}
            for n in page_numbers(page.number, page.paginator.num_pages)
        ],
        "previous_url": link(page=page.previous_page_number()) if page.has_previous() else None,
        "next_url": link(page=page.next_page_number()) if page.has_next() else None,
        "clear_url": link(topic=(), level=(), language=(), max_duration=None),
        "filtered": bool(chosen.topics or chosen.levels or chosen.languages or chosen.max_duration is not None),
    }
