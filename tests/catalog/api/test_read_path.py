"""One learner read path: an anonymous miss answered quickly is exactly DRF's answer.

`quick` (catalog.api.caching.LearnerCacheMixin) answers an anonymous learner's miss before DRF builds
its request. Switched off, the same anonymous request goes through DRF's dispatch to the same view:
random queries (valid and not) sent both ways must get the same status, headers and body.
"""

import datetime as dt

import django_filters
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import services
from catalog.api.caching import LearnerCacheMixin
from catalog.api.filters import ListingFilter
from catalog.domain.records import clean_record
from catalog.models import Course, Module
from tests.helpers.api import LIST, TOPICS, detail

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

ORIGIN = "https://learn.example.org"
# What a client (or the edge) reads of an answer besides its body; Vary is compared as a set.
HEADERS = (
    "Content-Type",
    "Allow",
    "Location",
    "X-Cache",
    "ETag",
    "Cache-Control",
    "Surrogate-Control",
    "xkey",
    "Retry-After",
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
)


def record(slug, topic, title=None, status="published"):
    units = [{"title": "Basics", "modules": [{"title": "One", "content": "# One"}, {"title": "Two"}]}]
    body = {"slug": slug, "title": title or f"Course {slug}", "topic": topic, "status": status, "units": units}
    return clean_record(body)


@pytest.fixture
def catalog(settings):
    settings.CATALOG_CACHE_ENABLED = False  # every read a miss: the quick way each time it may
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN]
    topics = ["Data Science", "Web", "Web", "Cloud", "Web", "Data Science", "Security", "Web"]
    services.courses_upsert(records=[record(f"c-{i}", topic, f"Ünit {i} ☃") for i, topic in enumerate(topics)])
    services.courses_upsert(records=[record("draft", "Web", status="draft")])
    services.course_update(course=Course.objects.get(slug="c-3"), slug="c-3-renamed", status="published")
    pending = Course.objects.get(slug="c-1")
    services.course_update(course=pending, title="Not yet")
    services.course_schedule(course=pending, publish_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    module = Module.objects.filter(unit__course__slug="c-0").order_by("unit__order", "order").first()
    return {"module": module.pk}


@pytest.fixture
def both_ways(client, monkeypatch):
    """get(url, params, accept) -> (quick answer, DRF's answer) for the same anonymous request."""
    quick = LearnerCacheMixin.quick

    def get(url, params=(), accept=None):
        headers = {"HTTP_ORIGIN": ORIGIN, **({"HTTP_ACCEPT": accept} if accept is not None else {})}
        monkeypatch.setattr(LearnerCacheMixin, "quick", quick)
        fast = client.get(url, list(params), **headers)
        monkeypatch.setattr(LearnerCacheMixin, "quick", lambda view, request, kwargs: None)
        through_drf = client.get(url, list(params), **headers)
        return fast, through_drf

    return get


def seen(response) -> tuple:
    vary = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    return response.status_code, {name: response.get(name) for name in HEADERS}, vary, response.content


NUMBERS = st.one_of(
    st.integers(min_value=-2, max_value=12).map(str),
    st.sampled_from(["", " 2", "02", "abc", "1.5", "²", "9" * 19, "101", "100", "1e3", "0x1"]),
)
TOPIC = st.sampled_from(["web", "Web", " WEB ", "data science", "Data-Science", "cloud", "nothing", "", "w%b"])
ORDERING = st.sampled_from(["title", "-title", "created_at", "-published_at", "title,", "bogus", "", " title"])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12)
PARAMS = st.one_of(
    st.tuples(st.sampled_from(["page", "page_size", "limit"]), NUMBERS),
    st.tuples(st.sampled_from(["topic", "Topic", "topic[]"]), TOPIC),
    st.tuples(st.just("ordering"), ORDERING),
    st.tuples(st.just("search"), TEXT),
    st.tuples(st.sampled_from(["created_after", "created_before"]), st.sampled_from(["2000-01-01", "garbage", ""])),
    st.tuples(st.sampled_from(["status", "utm_source", "PAGE", "page ", "cursor"]), TEXT),
    st.tuples(st.just("format"), st.sampled_from(["json", "xml", "api", ""])),
)
ACCEPT = st.sampled_from(
    [
        None,
        "*/*",
        "application/json",
        "application/json; indent=4",
        "text/html",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/xml",
        "application/*",
        "",
    ]
)
URL = st.sampled_from(["list", "list", "list", "c-0", "c-1", "c-3", "draft", "nope", "module", "module-0", "topics"])


def url_for(name, catalog):
    return {
        "list": LIST,
        "topics": TOPICS,
        "module": f"{detail('c-0')}modules/{catalog['module']}/",
        "module-0": f"{detail('c-0')}modules/0{catalog['module']}/",
    }.get(name) or detail(name)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=URL, params=st.lists(PARAMS, max_size=5), accept=ACCEPT)
def test_random_queries_get_drfs_answer(catalog, both_ways, url, params, accept):
    fast, through_drf = both_ways(url_for(url, catalog), params, accept)
    assert seen(fast) == seen(through_drf)
    assert fast.status_code != 500


def test_the_comparison_sees_the_quick_way_answer(catalog, both_ways):
    """The fast way did answer (no DRF request built: see test_learner_reads), and with the learners'
    cache headers: the comparison above compares something."""
    fast, through_drf = both_ways(LIST, [("topic", "web")])
    assert fast.status_code == 200 and fast.json()["count"] == 4
    assert fast["X-Cache"] == "MISS" and "Surrogate-Control" in fast and fast["Access-Control-Allow-Origin"] == ORIGIN
    assert seen(fast) == seen(through_drf)


class TestWhatTheFilterSetAsks:
    def test_a_filter_added_to_the_filterset_is_honoured_not_ignored(self, catalog, both_ways, monkeypatch):
        """newest_page knows nothing of `title`: asked, the FilterSet answers it."""
        monkeypatch.setitem(ListingFilter.base_filters, "title", django_filters.CharFilter(field_name="title"))
        fast, through_drf = both_ways(LIST, [("title", "Ünit 2 ☃")])
        assert fast.json()["count"] == 1
        assert [course["slug"] for course in fast.json()["results"]] == ["c-2"]
        assert seen(fast) == seen(through_drf)

    def test_a_multi_part_filter_is_seen_under_the_names_it_reads(self, catalog, both_ways, monkeypatch):
        """A range filter reads `ident_min` and `ident_max`, not `ident`."""
        monkeypatch.setitem(ListingFilter.base_filters, "ident", django_filters.RangeFilter(field_name="id"))
        fast, through_drf = both_ways(LIST, [("ident_min", "999999999")])
        assert fast.status_code == 200 and fast.json()["count"] == 0
        assert seen(fast) == seen(through_drf)

    def test_a_filter_added_to_the_filterset_has_its_own_cached_pages_and_links(
        self, catalog, client, settings, monkeypatch
    ):
        """The learners' cache keys a list by the parameters the FilterSet reads, a new one included."""
        settings.CATALOG_CACHE_ENABLED = True
        title = django_filters.CharFilter(field_name="title", lookup_expr="icontains")
        monkeypatch.setitem(ListingFilter.base_filters, "title", title)
        assert client.get(LIST)["X-Cache"] == "MISS" and client.get(LIST)["X-Cache"] == "HIT"
        for _ in range(2):
            page = client.get(LIST, {"title": "Ünit 2", "utm_source": "x"})  # SQLite folds ASCII only
            assert [course["slug"] for course in page.json()["results"]] == ["c-2"]
        assert page["X-Cache"] == "HIT"
        # A single-valued filter reads the last value: the order of its values is part of the key.
        assert client.get(f"{LIST}?title=nothing&title=%C3%9Cnit+5").json()["count"] == 1
        assert client.get(f"{LIST}?title=%C3%BCnit+5&title=nothing").json()["count"] == 0
        first = client.get(LIST, {"title": "Ünit", "page_size": 3}).json()
        assert first["count"] == 8 and "title=%C3%9Cnit" in first["next"]
        second = client.get(first["next"]).json()
        assert second["count"] == 8 and "title=%C3%9Cnit" in second["previous"]

    def test_learners_status_is_ignored_both_ways(self, catalog, both_ways):
        fast, through_drf = both_ways(LIST, [("status", "draft")])
        assert fast.json()["count"] == 8
        assert seen(fast) == seen(through_drf)


class TestNegotiation:
    @pytest.mark.parametrize("url", [LIST, detail("c-0"), TOPICS])
    def test_an_accept_drf_cannot_satisfy_is_a_406_both_ways(self, catalog, both_ways, url):
        fast, through_drf = both_ways(url, accept="text/html")
        assert fast.status_code == 406 and "Accept" in fast.json()["detail"]
        assert seen(fast) == seen(through_drf)

    def test_also_when_the_cache_holds_the_page(self, catalog, client, settings):
        settings.CATALOG_CACHE_ENABLED = True
        assert client.get(TOPICS).status_code == 200
        assert client.get(TOPICS)["X-Cache"] == "HIT"
        assert client.get(TOPICS, HTTP_ACCEPT="text/html").status_code == 406
        assert client.get(TOPICS, HTTP_ACCEPT="application/json")["X-Cache"] == "HIT"

    def test_an_unknown_format_is_drfs_404(self, catalog, both_ways):
        fast, through_drf = both_ways(LIST, [("format", "xml")])
        assert fast.status_code == 404
        assert seen(fast) == seen(through_drf)
