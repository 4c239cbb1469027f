"""Learners' answers, served from the listings as stored: no tree walk and no serializer on a miss.

Each takes a DRF request or a plain Django one: a learner without credentials whose read the cache
missed is answered below DRF (catalog.api.caching.LearnerCacheMixin.quick). Bodies are built with
orjson around the stored documents (orjson.Fragment), never by hand.
"""

import orjson
from django import forms
from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from catalog import selectors
from catalog.api.filters import LEARNERS_IGNORE, ListingFilter
from catalog.api.pagination import PAST_THE_END, CoursePagination, asked_page, asked_page_size, page_link
from catalog.domain.filters import LanguagesField, LevelsField, MaxDurationField, TopicsField
from catalog.models import canonical_topics
from catalog.origin import absolute

NO_SUCH_COURSE = "No course has this slug."
NO_SUCH_MODULE = "This course has no module with this id."
# The filters of ListingFilter that newest_page answers itself; any other one the query fills (a
# search, dates, an ordering, a filter added later) hands the list to the FilterSet (course_list).
NEWEST_PAGE_FILTERS = frozenset({"topic", *LEARNERS_IGNORE})
# The filters under which the kept counts per topic are the list's count; any other one counts its rows.
KEPT_COUNTS_FILTERS = NEWEST_PAGE_FILTERS | {"ordering"}


def json_response(body: bytes | str, *, expires_at=None, **kwargs) -> HttpResponse:
    """A JSON answer. `expires_at` (the next scheduled switch, None for none) bounds how long the
    learners' cache and the edge keep it (catalog.api.caching.LearnerCacheMixin.missed hands it on)."""
    response = HttpResponse(body, content_type="application/json", **kwargs)
    response.catalog_expires_at = expires_at
    return response


def list_body(
    *, count: int, capped: bool, next_link: str | None, previous_link: str | None, summaries, facets: dict | None = None
) -> bytes:
    """The list's JSON around stored summaries (JSON text each), in the serializer's key order."""
    body = {"count": count}
    if capped:  # more courses matched a search than it ranks and shows (catalog.selectors.learners.CANDIDATES)
        body["count_capped"] = True
    body.update(next=next_link, previous=previous_link)
    if facets is not None:  # a search's, counted over its matches
        body["facets"] = facets
    body["results"] = [orjson.Fragment(s) for s in summaries]
    return orjson.dumps(body)


def asks_the_filters(query, answered=NEWEST_PAGE_FILTERS) -> bool:
    """Whether the query gives a value to a filter of ListingFilter that newest_page does not answer.

    Asked of the FilterSet's own fields, as its form reads them (Widget.value_omitted_from_data, which
    knows the names a multi-part widget reads): a filter added there is answered by the FilterSet,
    never silently ignored here."""
    return any(
        not spec.field.widget.value_omitted_from_data(query, {}, name)
        for name, spec in ListingFilter.base_filters.items()
        if name not in answered
    )


def facets_body(candidates, listings) -> dict:
    """A search's `facets`, counted over its matches: the candidates' own counts on PostgreSQL
    (catalog.selectors.learners.search_candidates), the matching listings' elsewhere."""
    if candidates is not None:
        counted = {"topic": candidates.topics, "level": candidates.levels, "language": candidates.languages}
    else:
        counted = selectors.facets_of(listings)
    return {field: [{"value": value, "count": n} for value, n in rows] for field, rows in counted.items()}


def with_match(summary: str, match: str | None) -> str:
    """A stored summary (a JSON object's text) with the search's `match` added."""
    return summary if match is None else f'{summary[:-1]},"match":{orjson.dumps(match).decode()}}}'


def newest_page(request) -> HttpResponse | None:
    """The learners' usual list, a page of the newest courses of one topic or all, in two small
    queries (the kept counts; the page's stored summaries) and no filter form; None when the query
    asks for more (a search, dates, an ordering, several topics), which course_list's filters answer.
    Its answers and errors are the filters' own (tests/catalog/api/test_learner_reads.py)."""
    query = request.GET
    if asks_the_filters(query):
        return None
    topics = canonical_topics(query.getlist("topic"))
    if len(topics) > 1:
        return None
    number, size = asked_page(query), asked_page_size(query)
    now = timezone.now()  # one moment for the count and the page, whatever switch falls between
    count = selectors.learner_total(topics=topics, now=now)
    pages = page_count(count, size, number)
    topic = topics[0] if topics else None
    summaries, switch = selectors.learner_page(topic=topic, offset=(number - 1) * size, limit=size, now=now)
    return plain_page(request, number=number, pages=pages, count=count, summaries=summaries, switch=switch)


def page_count(count: int, size: int, number: int) -> int:
    """How many pages `count` courses make; asking past the last is the list's 404."""
    pages = max(1, -(-count // size))
    if number > pages:
        raise NotFound(PAST_THE_END)
    return pages


def plain_page(
    request, *, number: int, pages: int, count: int, summaries, switch, capped: bool = False, facets=None
) -> HttpResponse:
    """A page of stored summaries answered without the FilterSet, with the list's links (and a search's
    `count_capped` and `facets`)."""
    body = list_body(
        count=count,
        capped=capped,
        next_link=page_link(request, number + 1, keep_status=False) if number < pages else None,
        previous_link=page_link(request, number - 1, keep_status=False) if number > 1 else None,
        summaries=summaries,
        facets=facets,
    )
    return json_response(body, expires_at=switch)


# What narrowed_page answers besides the paging: the catalog's facets.
NARROWING = ("topic", "level", "language", "max_duration")
NARROWED_PAGE_FILTERS = frozenset({*NARROWING, *LEARNERS_IGNORE})


class NarrowingForm(forms.Form):
    """The facets as ListingFilter reads them (the same fields, so the same values are valid)."""

    topic = TopicsField(required=False)
    level = LevelsField()
    language = LanguagesField(required=False)
    max_duration = MaxDurationField()


def narrowed_page(request) -> HttpResponse | None:
    """A page of the newest live courses narrowed by level, language, max_duration and topics, in one
    prepared query (count and page from the filtered lists' indexes) and no FilterSet; None when the
    query asks for more (a search, dates, an ordering), for anything invalid (course_list's filters
    then give the 400), or off PostgreSQL."""
    query = request.GET
    if connection.vendor != "postgresql" or not any(name in query for name in NARROWING[1:]):
        return None
    if asks_the_filters(query, answered=NARROWED_PAGE_FILTERS):
        return None
    form = NarrowingForm(
        {name: query.getlist(name) for name in NARROWING[:3]} | {"max_duration": query.get("max_duration", "")}
    )
    if not form.is_valid():
        return None
    chosen = form.cleaned_data
    number, size = asked_page(query), asked_page_size(query)
    count, summaries, switch = selectors.learner_narrowed_page(
        topics=chosen["topic"],
        levels=chosen["level"],
        languages=chosen["language"],
        max_duration=chosen["max_duration"],
        offset=(number - 1) * size,
        limit=size,
    )
    pages = page_count(count, size, number)
    return plain_page(request, number=number, pages=pages, count=count, summaries=summaries, switch=switch)


# What searched_page answers: a search alone, best match first (the paging aside).
SEARCHED_PAGE_FILTERS = frozenset({"search", *LEARNERS_IGNORE})


def searched_page(request) -> HttpResponse | None:
    """A page of a learner's search with nothing else asked (no other filter, no ordering), best match
    first: its ranked candidates paged, with their summaries, matches and facets, and no FilterSet,
    paginator or ORM query; None when the query asks for more, for a text the search filter refuses
    (its 400) or without a word, and off PostgreSQL. Its answers and errors are the filters' own
    (tests/catalog/api/test_search.py::TestTheSearchedPage)."""
    query = request.GET
    if connection.vendor != "postgresql" or "search" not in query:
        return None
    text = query.get("search", "")
    if "\x00" in text or len(text) > ListingFilter.base_filters["search"].extra["max_length"]:
        return None
    if asks_the_filters(query, answered=SEARCHED_PAGE_FILTERS):
        return None
    number, size = asked_page(query), asked_page_size(query)
    candidates = selectors.learner_search_candidates(text)
    if candidates is None or candidates.query is None:
        return None
    count = len(candidates.ids)  # a search shows its candidates, no more
    pages = page_count(count, size, number)
    ids = candidates.ids[(number - 1) * size : number * size]
    summaries, matches, switch = selectors.learner_search_summaries(ids, query=candidates.query)
    return plain_page(
        request,
        number=number,
        pages=pages,
        count=count,
        summaries=(with_match(summaries[pk], matches.get(pk)) for pk in ids if pk in summaries),
        switch=switch,
        capped=candidates.capped,
        facets=facets_body(candidates, None),
    )


def course_list(view, request) -> HttpResponse:
    plain = newest_page(request)
    if plain is None:
        plain = narrowed_page(request)
    if plain is None:
        plain = searched_page(request)
    if plain is not None:
        return plain
    filterset = ListingFilter(request.query_params, queryset=selectors.listings_live(), request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    paginator = CoursePagination()
    chosen = filterset.form.cleaned_data
    listings = filterset.qs  # filtered now: a search has found its candidates
    if not any(value not in (None, "", [], ()) for name, value in chosen.items() if name not in KEPT_COUNTS_FILTERS):
        paginator.count = selectors.learner_total(topics=chosen.get("topic") or ())  # kept counts: no scan
    candidates = filterset.candidates
    if candidates is not None:
        paginator.count = len(candidates.ids)  # a search shows its candidates, no more
    capped = candidates is not None and candidates.capped
    if candidates is not None and candidates.query is not None and not chosen.get("ordering"):
        # Best match first: the candidates are the list, in its order (no query for the page's ids).
        ids = paginator.paginate_ids(candidates.ids, request, view=view)
        summaries, matches, switch = selectors.learner_search_summaries(ids, query=candidates.query)
        facets = facets_body(candidates, listings)
    else:
        ids = paginator.paginate_ids(listings, request, view=view)
        summaries, switch = selectors.learner_summaries(ids)
        text = chosen.get("search") or ""
        matches, facets = {}, None
        if selectors.clean_query(text):
            query = candidates.query if candidates is not None else None
            matches = selectors.listing_excerpts(ids=ids, text=text, query=query, using=listings.db)
            facets = facets_body(candidates, listings)
    body = list_body(
        count=paginator.page.paginator.count,
        capped=capped,
        next_link=paginator.get_next_link(),
        previous_link=paginator.get_previous_link(),
        summaries=(with_match(summaries[pk], matches.get(pk)) for pk in ids if pk in summaries),
        facets=facets,
    )
    return json_response(body, expires_at=switch)


def course_detail(request, slug: str) -> HttpResponse:
    found = selectors.learner_detail(slug=slug)
    if found is not None:
        return json_response(found[0], expires_at=found[1])
    moved_to = selectors.learner_redirect(slug=slug)
    if moved_to is not None:
        return moved(request, slug, moved_to)
    raise NotFound(NO_SUCH_COURSE)


def moved(request, slug: str, moved_to: str) -> HttpResponsePermanentRedirect:
    """301 from a course's old address to its current one (absolute, on the canonical base), the rest of
    the URL kept."""
    path = request.path.replace(f"/courses/{slug}/", f"/courses/{moved_to}/", 1)
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(absolute(request, path) + (f"?{query}" if query else ""))


def module_detail(request, slug: str, module_id: int) -> HttpResponse:
    found = selectors.learner_module(slug=slug, module_id=module_id)
    if found is None:
        raise NotFound(NO_SUCH_MODULE if selectors.learner_detail(slug=slug) else NO_SUCH_COURSE)
    return json_response(orjson.dumps(found[1]), expires_at=found[2])


def topics(request) -> HttpResponse:
    return json_response(orjson.dumps(selectors.topic_counts()), expires_at=selectors.next_switch())


SUGGEST_MAX_LENGTH = 200
SUGGEST_TOO_LONG = f"Ensure this field has no more than {SUGGEST_MAX_LENGTH} characters."
SUGGEST_NUL = "Null characters are not allowed."


def suggest(request) -> HttpResponse:
    """Up to 8 live courses whose titles match `q` as typed (catalog.selectors.suggestions)."""
    text = request.GET.get("q", "")
    if "\x00" in text:
        raise ValidationError({"q": [SUGGEST_NUL]})
    text = selectors.clean_query(text)
    if len(text) > SUGGEST_MAX_LENGTH:
        raise ValidationError({"q": [SUGGEST_TOO_LONG]})
    found, switch = selectors.learner_suggest(text=text)
    return json_response(orjson.dumps({"results": found}), expires_at=switch)
