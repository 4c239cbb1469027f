"""Learners' answers, served from the listings as stored: no tree walk and no serializer on a miss."""

from django.http import HttpResponse, HttpResponsePermanentRedirect
from rest_framework.exceptions import NotFound, ValidationError

from .. import documents, selectors
from .filters import ListingFilter
from .pagination import CoursePagination

NO_SUCH_COURSE = "No course has this slug."
NO_SUCH_MODULE = "This course has no module with this id."
# More courses matched a search than it ranks and shows (catalog.selectors.learners.CANDIDATES).
CAPPED = '"count_capped":true,'


def json_response(body: str) -> HttpResponse:
    return HttpResponse(body.encode(), content_type="application/json")


def expires_at(request, when) -> None:
    """No cached copy of this answer may outlive the next scheduled switch (catalog.cache caps the TTL)."""
    request._request.catalog_expires_at = when


def course_list(view, request) -> HttpResponse:
    filterset = ListingFilter(request.query_params, queryset=selectors.listings_live(), request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    paginator = CoursePagination()
    chosen = filterset.form.cleaned_data
    listings = filterset.qs  # filtered now: a search has found its candidates
    if not any(chosen.get(name) for name in ("search", "created_after", "created_before")):
        paginator.count = selectors.learner_total(topics=chosen.get("topic") or ())  # kept counts: no scan
    candidates = filterset.candidates
    if candidates is not None:
        paginator.count = len(candidates.ids)  # a search shows its candidates, no more
    capped = candidates is not None and candidates.capped
    ids = paginator.paginate_ids(listings, request, view=view)
    summaries, switch = selectors.learner_summaries(ids)
    expires_at(request, switch)
    body = (
        f'{{"count":{paginator.page.paginator.count},{CAPPED if capped else ""}'
        f'"next":{documents.dumps(paginator.get_next_link())},'
        f'"previous":{documents.dumps(paginator.get_previous_link())},'
        f'"results":[{",".join(summaries[pk] for pk in ids if pk in summaries)}]}}'
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
    """301 from a course's old address to its current one, the rest of the URL kept."""
    path = request.path.replace(f"/courses/{slug}/", f"/courses/{moved_to}/", 1)
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(path + (f"?{query}" if query else ""))


def module_detail(request, slug: str, module_id: int) -> HttpResponse:
    found = selectors.learner_module(slug=slug, module_id=module_id)
    if found is None:
        raise NotFound(NO_SUCH_MODULE if selectors.learner_detail(slug=slug) else NO_SUCH_COURSE)
    expires_at(request, found[2])
    return json_response(documents.dumps(found[1]))


def topics(request) -> HttpResponse:
    expires_at(request, selectors.next_switch())
    return json_response(documents.dumps(selectors.topic_counts()))
