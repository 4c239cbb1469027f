"""Learners' reads the cache missed: answered below DRF, and just as DRF answers them.

A request without credentials whose page the cache does not hold is answered by the view's quick
read (catalog.api.caching.LearnerCacheMixin.quick): no DRF request, authentication or rendering
(DRF's negotiator is asked; tests/catalog/api/test_read_path.py compares it with DRF's dispatch).
A logged-in learner's read still goes all the way through DRF, so comparing the two
answers, byte for byte, says the quick way changed nothing a client can see.
"""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from catalog import services
from catalog.domain.records import clean_record
from catalog.models import Course, Module
from tests.helpers.api import LIST, TOPICS, detail

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

# What a client sees of an answer, besides its body.
HEADERS = ("Content-Type", "Allow", "Location", "X-Cache", "Vary", "Retry-After")


def record(slug, topic, status="published"):
    return clean_record(
        {
            "slug": slug,
            "title": f"Course {slug}",
            "topic": topic,
            "status": status,
            "units": [{"title": "Basics", "modules": [{"title": "One", "content": "# One"}, {"title": "Two"}]}],
        }
    )


@pytest.fixture
def catalog(settings):
    settings.CATALOG_CACHE_ENABLED = False  # every read a miss: the quick way, every time
    topics = ["Data Science", "Web", "Web", "Cloud", "Web", "Data Science", "Security"]
    services.courses_upsert(records=[record(f"c-{i}", topic) for i, topic in enumerate(topics)])
    services.courses_upsert(records=[record("draft", "Web", status="draft")])
    moved = Course.objects.get(slug="c-3")
    services.course_update(course=moved, slug="c-3-renamed", status="published")
    # A change waiting to go live tomorrow: learners must not see it yet.
    pending = Course.objects.get(slug="c-1")
    services.course_update(course=pending, title="Not yet")
    services.course_schedule(course=pending, publish_at=timezone.now() + dt.timedelta(days=1))


def module_url(slug):
    module = Module.objects.filter(unit__course__slug=slug).order_by("unit__order", "order").first()
    return f"{detail(slug)}modules/{module.pk}/"


URLS = [
    LIST,
    f"{LIST}?page=2&page_size=3",
    f"{LIST}?page=3&page_size=3",
    f"{LIST}?topic=web",
    f"{LIST}?topic=%20WEB%20&page_size=1&page=2",
    f"{LIST}?topic=nothing-here",
    f"{LIST}?topic=",
    f"{LIST}?status=draft&utm_source=x",
    f"{LIST}?page=1&page=2&page_size=2",
    # errors: the quick read declines, DRF answers
    f"{LIST}?page=0",
    f"{LIST}?page=abc",
    f"{LIST}?page=99",
    f"{LIST}?page={'9' * 19}",
    f"{LIST}?page_size=0",
    f"{LIST}?page_size=101",
    f"{LIST}?page=0&page_size=101",
    # not the quick read's: searches, dates, orderings, several topics
    f"{LIST}?search=course",
    f"{LIST}?ordering=title",
    f"{LIST}?created_after=2000-01-01",
    f"{LIST}?created_after=garbage",
    f"{LIST}?topic=web&topic=cloud",
    detail("c-0"),
    detail("c-1"),
    detail("c-3"),  # the old slug: a permanent redirect
    detail("c-3") + "?keep=1",
    detail("draft"),
    detail("no-such-course"),
    TOPICS,
]


def answer(response) -> tuple:
    headers = {name: response.get(name) for name in HEADERS}
    if response.status_code >= 400:
        # Errors vary with credentials both ways; DRF's way adds `Cookie` only where it asked for a
        # session, the quick way always (test_errors_vary_with_credentials).
        headers.pop("Vary")
    return response.status_code, response.content, headers


class TestSameAnswers:
    @pytest.mark.parametrize("url", URLS)
    def test_without_credentials_as_with_them(self, api, learner_api, catalog, url):
        quick, through_drf = api.get(url), learner_api.get(url)
        assert answer(quick) == answer(through_drf)
        assert quick.status_code != 500

    def test_modules_too(self, api, learner_api, catalog):
        for url in (module_url("c-0"), module_url("c-1"), f"{detail('c-0')}modules/999999/"):
            assert answer(api.get(url)) == answer(learner_api.get(url))

    def test_what_learners_see_and_do_not(self, api, catalog):
        listed = [course["slug"] for course in api.get(f"{LIST}?page_size=100").json()["results"]]
        assert sorted(listed) == sorted(["c-0", "c-1", "c-2", "c-3-renamed", "c-4", "c-5", "c-6"])
        assert api.get(detail("c-1")).json()["title"] == "Course c-1"  # the change is scheduled, not live
        assert api.get(detail("draft")).status_code == 404
        assert api.get(f"{LIST}?topic=Web").json()["count"] == 3
        page = api.get(f"{LIST}?page=2&page_size=3&topic=")
        assert page.json()["next"].endswith(f"{LIST}?page=3&page_size=3")
        assert page.json()["previous"].endswith(f"{LIST}?page_size=3")
        assert page["X-Cache"] == "MISS" and page["Allow"] == "GET, POST, HEAD, OPTIONS"


class TestTheQuickWay:
    def test_a_learner_miss_without_credentials_skips_drf(self, api, learner_api, catalog, monkeypatch):
        """The point of it: DRF's request is never built for an anonymous miss (the logged-in
        learner's read shows that the counter counts)."""
        built = []
        initialize = APIView.initialize_request

        def counting(view, request, *args, **kwargs):
            built.append(request.path)
            return initialize(view, request, *args, **kwargs)

        monkeypatch.setattr(APIView, "initialize_request", counting)
        for url in (LIST, f"{LIST}?topic=web&page_size=2", detail("c-0"), module_url("c-0"), TOPICS):
            assert api.get(url).status_code == 200
        assert built == []
        learner_api.get(detail("c-0"))
        assert built == [detail("c-0")]

    def test_the_newest_page_answers_what_the_filters_answer(self, api, catalog):
        """`ordering=-created_at` is the newest-first order, asked through the filters."""
        for query in ("", "page=2&page_size=3", "topic=web&page_size=2&page=2", "topic=security"):
            quick = api.get(f"{LIST}?{query}").json()
            filtered = api.get(f"{LIST}?{query}&ordering=-created_at").json()
            assert (quick["count"], quick["results"]) == (filtered["count"], filtered["results"])
            assert bool(quick["next"]) == bool(filtered["next"])
            assert bool(quick["previous"]) == bool(filtered["previous"])
        past = api.get(f"{LIST}?page=9&page_size=3")
        assert past.status_code == 404
        assert past.json() == api.get(f"{LIST}?page=9&page_size=3&ordering=-created_at").json()

    @pytest.mark.parametrize("url", [detail("c-0"), f"{LIST}?search=course", f"{LIST}?topic=web"])
    def test_misses_without_credentials_are_throttled_as_before(self, api, catalog, monkeypatch, url):
        """Once per request, whether the quick read answers it or hands it to DRF (a search)."""
        monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")
        statuses = [api.get(url).status_code for _ in range(3)]
        refused = api.get(url)
        assert statuses == [200, 200, 200]
        assert refused.status_code == 429 and "throttled" in refused.json()["detail"].lower()
        assert int(refused["Retry-After"]) > 0

    def test_a_client_cannot_escape_the_throttle_by_rotating_x_forwarded_for(self, api, catalog, monkeypatch):
        monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")
        url = f"{LIST}?search=course"
        statuses = [api.get(url, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(6)]
        assert statuses == [200, 200, 200, 429, 429, 429]
        other = api.get(url, REMOTE_ADDR="198.51.100.7")  # another client (its own address) is not throttled
        assert other.status_code == 200

    def test_errors_vary_with_credentials(self, api, catalog):
        """A draft is a 404 for learners and a 200 for its editors: a shared cache must tell them apart."""
        for url in (detail("draft"), f"{LIST}?page=0", f"{LIST}?page=99"):
            vary = {name.strip().lower() for name in api.get(url)["Vary"].split(",")}
            assert {"authorization", "cookie"} <= vary
