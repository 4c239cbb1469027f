"""/robots.txt and the sitemaps: every published course page and module page, nothing else, on the canonical
base, lastmod from the live release; an index past 50,000 URLs; cached like a list page, killed with the lists."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.utils import timezone

from catalog import cache, services
from catalog.cache import keys
from catalog.domain import sitemaps
from catalog.models import Course, Listing, Module
from catalog.selectors import site
from tests.factories import CourseFactory, tree

pytestmark = [pytest.mark.django_db]
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://learn.example.org"


@pytest.fixture(autouse=True)
def base(settings):
    settings.CATALOG_BASE_URL = BASE


def locs(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/xml")
    return [loc.text for loc in ET.fromstring(response.content).findall(".//s:loc", NS)]


def lastmods(response) -> dict[str, str]:
    root = ET.fromstring(response.content)
    return {node.find("s:loc", NS).text: node.find("s:lastmod", NS).text for node in root.findall("s:url", NS)}


def module_urls(slug) -> list[str]:
    ids = Module.objects.filter(unit__course__slug=slug).order_by("unit__order", "order").values_list("pk", flat=True)
    return [f"{BASE}/courses/{slug}/modules/{pk}/" for pk in ids]


@pytest.fixture
def catalog():
    CourseFactory(slug="sql", status="published", units=tree(2, 1))
    CourseFactory(slug="draft", status="draft", units=tree(1))
    CourseFactory(slug="gone", status="archived", units=tree(1))
    return CourseFactory(slug="rust", status="published", units=tree(1))


@pytest.mark.embedded
class TestRobots:
    def test_names_the_sitemap_and_keeps_crawlers_out_of_the_back_office(self, client):
        response = client.get("/robots.txt")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        lines = response.content.decode().splitlines()
        assert lines[0] == "User-agent: *"
        assert {"Disallow: /admin/", "Disallow: /api/", "Disallow: /preview/"} <= set(lines)
        assert f"Sitemap: {BASE}/sitemap.xml" in lines


@pytest.mark.embedded
class TestSitemap:
    def test_lists_every_published_course_and_module_page_and_nothing_else(self, client, catalog):
        found = locs(client.get("/sitemap.xml"))
        expected = [f"{BASE}/courses/sql/", *module_urls("sql"), f"{BASE}/courses/rust/", *module_urls("rust")]
        assert sorted(found) == sorted(expected)
        assert len(found) == len(set(found)) == 6

    def test_lastmod_is_when_the_live_release_went_live(self, client, catalog):
        went_live = timezone.now() - dt.timedelta(days=3, hours=2)
        Listing.objects.filter(slug="rust").update(live_from=went_live)
        found = lastmods(client.get("/sitemap.xml"))
        stamp = went_live.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        assert found[f"{BASE}/courses/rust/"] == stamp
        assert all(found[url] == stamp for url in module_urls("rust"))

    def test_the_live_release_not_the_working_copy(self, client, catalog):
        services.unit_create(course=catalog, title="Unpublished unit")
        found = locs(client.get("/sitemap.xml"))
        assert len([url for url in found if "/courses/rust/" in url]) == 2  # the course page and its one module

    def test_an_empty_catalog_is_an_empty_sitemap(self, client):
        assert locs(client.get("/sitemap.xml")) == []

    def test_past_the_limit_an_index_of_files(self, client, catalog, monkeypatch):
        monkeypatch.setattr(site, "SITEMAP_LIMIT", 5)  # sql has 4 pages, rust 2: 6 pages pass a file's 5
        index = client.get("/sitemap.xml")
        root = ET.fromstring(index.content)
        assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
        assert locs(index) == [f"{BASE}/sitemap-1.xml", f"{BASE}/sitemap-2.xml"]
        first, second = locs(client.get("/sitemap-1.xml")), locs(client.get("/sitemap-2.xml"))
        assert (len(first), len(second)) == (4, 2)
        assert sorted(first + second) == sorted(
            [f"{BASE}/courses/sql/", *module_urls("sql"), f"{BASE}/courses/rust/", *module_urls("rust")]
        )
        # Each file's lastmod in the index: no older than its pages' (both courses share a block here,
        # read course by course, so each file has the block's), the newest being the newest going live.
        stamps = [node.find("s:lastmod", NS).text for node in root.findall("s:sitemap", NS)]
        newest = [max(lastmods(client.get(f"/sitemap-{n}.xml")).values()) for n in (1, 2)]
        assert all(stamp >= own for stamp, own in zip(stamps, newest, strict=True))
        assert max(stamps) == max(newest)

    def test_a_catalog_that_fills_one_file_exactly_is_that_file(self, client, catalog, monkeypatch):
        monkeypatch.setattr(site, "SITEMAP_LIMIT", 6)  # sql's 4 pages and rust's 2
        response = client.get("/sitemap.xml")
        assert ET.fromstring(response.content).tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
        assert len(locs(response)) == 6

    def test_a_file_past_the_end_is_a_404_that_says_how_many(self, client, catalog, settings):
        settings.DEBUG = False
        response = client.get("/sitemap-7.xml")
        assert response.status_code == 404
        assert "There is no sitemap 7: the catalog has 1 sitemap file." in response.content.decode()
        assert client.get("/sitemap-01.xml").status_code == 404  # one address per file


class TestSitemapFiles:
    @pytest.fixture(autouse=True)
    def block_per_course(self, monkeypatch):
        monkeypatch.setattr(sitemaps, "BLOCK", 1)  # packed course by course, whatever the ids

    def test_a_course_never_spans_two_files(self):
        for _ in range(5):
            CourseFactory(status="published", units=tree(2, 1))  # 4 pages each
        files = site.sitemap_files(limit=10)
        assert [f.number for f in files] == [1, 2, 3]
        slugs = list(Course.objects.order_by("pk").values_list("slug", flat=True))
        # A file takes the next course while its pages fit: 4 + 4, then 4 + 4, then the last 4.
        placed = [[slug for slug, _m, _at in site.sitemap_entries(f)] for f in files]
        assert placed == [slugs[0:2], slugs[2:4], slugs[4:]]
        assert [f.pages for f in files] == [8, 8, 4]
        # Each file starts where the one before it ends; the first at 0, the last has no end.
        assert files[0].first == 0 and files[-1].last == site.LAST_ID
        assert [f.first for f in files[1:]] == [f.last + 1 for f in files[:-1]]
        for file in files:
            assert sum(1 + len(modules) for _slug, modules, _at in site.sitemap_entries(file)) <= 10

    def test_a_course_that_does_not_fit_starts_the_next_file(self):
        CourseFactory(status="published", units=tree(1))  # 2 pages
        CourseFactory(status="published", units=tree(4, 4))  # 9 pages: 2 + 9 and 9 + 2 pass 10
        CourseFactory(status="published", units=tree(1))
        files = site.sitemap_files(limit=10)
        assert [f.number for f in files] == [1, 2, 3]
        assert [sum(1 + len(m) for _s, m, _a in site.sitemap_entries(f)) for f in files] == [2, 9, 2]


@pytest.mark.redis_only
class TestSitemapCache:
    def test_cached_like_a_list_page_and_killed_with_the_lists(
        self, client, catalog, django_capture_on_commit_callbacks
    ):
        first = client.get("/sitemap.xml")
        assert first["X-Cache"] == "MISS"
        again = client.get("/sitemap.xml")
        assert again["X-Cache"] == "HIT"
        assert again.content == first.content and again["ETag"] == first["ETag"]
        with django_capture_on_commit_callbacks(execute=True):
            CourseFactory(slug="new", status="published", units=tree(1))
        fresh = client.get("/sitemap.xml")
        assert fresh["X-Cache"] == "MISS"
        assert f"{BASE}/courses/new/" in locs(fresh)

    def test_files_are_placed_once_per_change_of_the_lists(
        self, client, catalog, monkeypatch, django_assert_num_queries, django_capture_on_commit_callbacks
    ):
        monkeypatch.setattr(site, "SITEMAP_LIMIT", 5)
        client.get("/sitemap.xml")  # places the files
        with django_assert_num_queries(2):  # the next switch and the file's courses: no placing again
            assert len(locs(client.get("/sitemap-2.xml"))) == 2
        with django_capture_on_commit_callbacks(execute=True):
            CourseFactory(slug="new", status="published", units=tree(1))
        second = [f"{BASE}/courses/rust/", *module_urls("rust"), f"{BASE}/courses/new/", *module_urls("new")]
        assert locs(client.get("/sitemap-2.xml")) == second  # placed again: the new course fits beside rust

    def test_a_placing_cached_by_the_release_before_is_not_read(self, client, catalog, monkeypatch):
        # During a deployment the previous release's processes cache the placing in their shape
        # ([number, first, last, lastmod]) under their own name; this release must not trip on it.
        monkeypatch.setattr(site, "SITEMAP_LIMIT", 5)
        old = cache.page(url=f"{BASE}/sitemap.xml#files", scope=keys.LISTS)
        body = json.dumps([[1, 0, 10**9, "2020-01-01T00:00:00+00:00"]]).encode()
        assert cache.lookup(old) is None  # a miss: it holds the tokens to store under
        cache.store(old, body=body, etag=cache.etag_for(body))
        assert cache.lookup(old).body == body
        assert len(locs(client.get("/sitemap-2.xml"))) == 2

    def test_the_edge_may_keep_it_under_the_lists_key(self, client, catalog):
        prefix = settings.CACHES["default"].get("KEY_PREFIX") or "catalog"
        for _ in range(2):  # the miss and the hit tell the edge the same
            response = client.get("/sitemap.xml")
            assert set(response["xkey"].split()) == {f"{prefix}:lists", f"{prefix}:all"}
            seconds = int(response["Surrogate-Control"].removeprefix("max-age="))
            assert settings.CATALOG_EDGE_TTL - 2 <= seconds <= settings.CATALOG_EDGE_TTL  # a hit: what it has left

    def test_not_kept_past_a_scheduled_switch(self, client, catalog):
        services.course_schedule(course=catalog, unpublish_at=timezone.now() + dt.timedelta(seconds=30))
        response = client.get("/sitemap.xml")
        assert 0 < int(response["Surrogate-Control"].removeprefix("max-age=")) <= 30
