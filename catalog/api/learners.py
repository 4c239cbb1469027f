"""Learners' answers, served from the listings as stored: no tree walk and no serializer on a miss.

Each takes a DRF request or a plain Django one: a learner without credentials whose read the cache
missed is answered below DRF (catalog.api.caching.LearnerCacheMixin.quick).
"""

from django import forms
from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.utils import timezone
from rest_framework.exceptions import NotFound, ValidationError

from catalog import selectors
from catalog.api.filters import ListingFilter
from catalog.api.pagination import PAST_THE_END, CoursePagination, asked_page, asked_page_size, page_link
from catalog.domain import documents
from catalog.domain.filters import LanguagesField, LevelsField, MaxDurationField, TopicsField
from catalog.models import canonical_topics
from catalog.origin import absolute

NO_SUCH_COURSE = "No course has this slug."
NO_SUCH_MODULE = "This course has no module with this id."
# More courses matched a search than it ranks and shows (catalog.selectors.learners.CANDIDATES).
CAPPED = '"count_capped":true,'


def json_response(body: str) -> HttpResponse:
    return HttpResponse(body.encode(), content_type="application/json")


def expires_at(request, when) -> None:
    """No cached copy of this answer may outlive the next scheduled switch (catalog.cache caps the TTL)."""
    getattr(request, "_request", request).catalog_expires_at = when


def list_body(*, count: int, capped: bool, next_link: str | None, previous_link: str | None, summaries) -> str:
    return (
        f'{{"count":{count},{CAPPED if capped else ""}'
        f'"next":{documents.dumps(next_link)},'
        f'"previous":{documents.dumps(previous_link)},'
        f'"results":[{",".join(summaries)}]}}'
    )


# What only the filters answer: a list that asks for one of these goes through ListingFilter.
FILTERED = ("search", "created_after", "created_before", "ordering", "level", "language", "max_duration")
# Filters the kept counts per topic cannot answer: the list counts its matches instead.
COUNTED = ("search", "created_after", "created_before", "level", "language", "max_duration")


def newest_page(request) -> HttpResponse | None:
    """The learners' usual list, a page of the newest courses of one topic or all, in two small
    queries (the kept counts; the page's stored summaries) and no filter form; None when the query
    asks for more (a search, dates, an ordering, several topics), which course_list's filters answer.
    Its answers and errors are the filters' own (tests/catalog/api/test_learner_reads.py)."""
    query = request.GET
    if any(name in query for name in FILTERED):
        return None
    topics = canonical_topics(query.getlist("topic"))
    if len(topics) > 1:
        return None
    number, size = asked_page(query), asked_page_size(query)
    now = timezone.now()  # one moment for the count and the page, whatever switch falls between
    count = selectors.learner_total(topics=topics, now=now)
    pages = max(1, -(-count // size))
    if number > pages:
        raise NotFound(PAST_THE_END)
    topic = topics[0] if topics else None
    summaries, switch = selectors.learner_page(topic=topic, offset=(number - 1) * size, limit=size, now=now)
    expires_at(request, switch)
    body = list_body(
        count=count,
        capped=False,
        next_link=page_link(request, number + 1, keep_status=False) if number < pages else None,
        previous_link=page_link(request, number - 1, keep_status=False) if number > 1 else None,
        summaries=summaries,
    )
    return json_response(body)


# What narrowed_page answers besides the paging: the catalog's facets.
NARROWING = ("topic", "level", "language", "max_duration")


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
    if any(name in query for name in FILTERED if name not in NARROWING):
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
    pages = max(1, -(-count // size))
    if number > pages:
        raise NotFound(PAST_THE_END)
    expires_at(request, switch)
    body = list_body(
        count=count,
        capped=False,
        next_link=page_link(request, number + 1, keep_status=False) if number < pages else None,
        previous_link=page_link(request, number - 1, keep_status=False) if number > 1 else None,
        summaries=summaries,
    )
    return json_response(body)


def course_list(view, request) -> HttpResponse:
    plain = newest_page(request)
    if plain is None:
        plain = narrowed_page(request)
    if plain is not None:
        return plain
    filterset = ListingFilter(request.query_params, queryset=selectors.listings_live(), request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    paginator = CoursePagination()
    chosen = filterset.form.cleaned_data
    listings = filterset.qs  # filtered now: a search has found its candidates
    if not any(chosen.get(name) not in (None, "", []) for name in COUNTED):
        paginator.count = selectors.learner_total(topics=chosen.get("topic") or ())  # kept counts: no scan
    candidates = filterset.candidates
    if candidates is not None:
        paginator.count = len(candidates.ids)  # a search shows its candidates, no more
    capped = candidates is not None and candidates.capped
    ids = paginator.paginate_ids(listings, request, view=view)
    summaries, switch = selectors.learner_summaries(ids)
    expires_at(request, switch)
    body = list_body(
        count=paginator.page.paginator.count,
        capped=capped,
        next_link=paginator.get_next_link(),
        previous_link=paginator.get_previous_link(),
        summaries=(summaries[pk] for pk in ids if pk in summaries),
    )
    return json_response(body)


def course_detail(request, slug: str) -> HttpResponse:
    found = selectors.learner_detail(slug=slug)
    if found is not None:
        expires_at(request, found[1])
        return json_response(found[0])
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
    expires_at(request, found[2])
    return json_response(documents.dumps(found[1]))


def topics(request) -> HttpResponse:
    expires_at(request, selectors.next_switch())
    return json_response(documents.dumps(selectors.topic_counts()))
