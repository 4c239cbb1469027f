"""A full cache loses speed, never freshness: evicted or deleted tokens make pages dead, not stale.

docs/deploy.md asks for `maxmemory` with `allkeys-lru`. These tests run a Redis of their own with a
memory limit small enough to evict under a few hundred pages, write while it evicts, and check that
every answer shows the database's current titles. Under `noeviction` (Redis's default), a full
Redis refuses the token writes of an invalidation; the store then deletes those tokens (a deletion
is allowed when full), so other processes cannot serve the pages either.
"""

import random
import subprocess

import pytest
from django.core.cache import caches as django_caches
from redis.exceptions import OutOfMemoryError

from catalog import cache, services
from catalog.cache import keys, stores
from catalog.models import Course
from tests.factories import CourseFactory, tree
from tests.helpers.servers import free_port, wait_for_port

pytestmark = [pytest.mark.django_db]

LIST = "/api/v1/courses/"


def detail(slug):
    return f"{LIST}{slug}/"


def assert_fresh(response):
    """Every course an answer shows has the title the database holds now."""
    assert response.status_code == 200, response.content
    body = response.json()
    shown = body.get("results", [body])
    titles = dict(Course.objects.filter(slug__in=[c["slug"] for c in shown]).values_list("slug", "title"))
    for course in shown:
        assert course["title"] == titles[course["slug"]], (course["slug"], course["title"], titles[course["slug"]])


def retitle(slug, title, capture):
    course = Course.objects.get(slug=slug)
    with capture(execute=True):
        services.course_update(course=course, title=title, status="published")  # what learners read


@pytest.fixture
def catalog():
    for n in range(40):
        # Long descriptions: list pages of a few kilobytes each, so a small Redis fills quickly.
        CourseFactory(slug=f"c-{n}", title=f"Course {n} v0", status="published", units=tree(1), description="x" * 600)


def token_keys(slug):
    return [keys.epoch(), keys.scope(keys.LISTS), keys.scope(slug)]


@pytest.mark.embedded
def test_deleted_tokens_kill_their_pages_whatever_the_store(api, catalog, django_capture_on_commit_callbacks):
    api.get(detail("c-1"))
    api.get(LIST)
    assert api.get(detail("c-1"))["X-Cache"] == "HIT" and api.get(LIST)["X-Cache"] == "HIT"
    depending = {
        keys.epoch(): [detail("c-1"), LIST],
        keys.scope(keys.LISTS): [LIST],
        keys.scope("c-1"): [detail("c-1")],
    }
    for key, urls in depending.items():
        stores.current().delete(key)
        for url in urls:
            assert api.get(url)["X-Cache"] == "MISS", (key, url)
            assert api.get(url)["X-Cache"] == "HIT"  # rebuilt under fresh tokens
    # The dangerous order: a write replaces the tokens, then the new ones are evicted at once.
    retitle("c-1", "Course 1 v1", django_capture_on_commit_callbacks)
    stores.current().delete(*token_keys("c-1"))
    assert_fresh(api.get(detail("c-1")))
    assert_fresh(api.get(LIST))


@pytest.fixture
def small_redis(settings):
    """A Redis of the test's own, 2 MB at most, with the policy that `make_policy` names."""
    started = []

    def start(policy):
        port = free_port()
        args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--maxmemory", "2mb", "--maxmemory-policy", policy]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        started.append(process)
        wait_for_port(port)
        caches = {**settings.CACHES}
        caches["default"] = {
            **caches["default"],
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "catalog-memory",
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
        settings.CACHES = caches
        cache.reset_process_state()
        from django_redis import get_redis_connection

        return get_redis_connection("default")

    yield start
    for process in started:
        process.terminate()
        process.wait(5)
    cache.reset_process_state()


@pytest.mark.redis_only
def test_a_full_redis_evicting_with_allkeys_lru_never_serves_a_stale_page(
    api, catalog, small_redis, django_capture_on_commit_callbacks
):
    redis = small_redis("allkeys-lru")
    rng = random.Random(14)
    for version in range(1, 13):
        # Fill: distinct list pages of several kilobytes each, until Redis has to evict.
        for _ in range(40):
            response = api.get(LIST, {"page_size": rng.randint(5, 100), "ordering": rng.choice(["title", "-title"])})
            assert_fresh(response)
        slug = f"c-{rng.randrange(40)}"
        retitle(slug, f"Course {slug} v{version}", django_capture_on_commit_callbacks)
        for url in (detail(slug), LIST, f"{LIST}?page_size=100", f"{LIST}?page_size=100&ordering=title"):
            assert_fresh(api.get(url))
            assert_fresh(api.get(url))
    assert int(redis.info("stats")["evicted_keys"]) > 0, "the test never made Redis evict"
    # Still a cache, not only a database. A Redis at its limit may evict any key at any moment (the
    # page just stored too, now and then, on a busy machine), so a hit is asked of a few reads.
    hits = [api.get(f"{LIST}?page_size=100")["X-Cache"] for _ in range(4)]
    assert "HIT" in hits[1:], hits


@pytest.mark.redis_only
def test_a_full_redis_with_noeviction_refuses_the_new_tokens_but_kills_the_old(
    api, catalog, small_redis, django_capture_on_commit_callbacks
):
    redis = small_redis("noeviction")
    api.get(detail("c-3"))
    api.get(LIST)
    assert api.get(detail("c-3"))["X-Cache"] == "HIT"
    # Full: every write that needs memory is refused from now on (deletions and reads are not).
    redis.config_set("maxmemory", 1)
    with pytest.raises(OutOfMemoryError):
        redis.set("one-more", b"x")
    retitle("c-3", "Course 3 v1", django_capture_on_commit_callbacks)  # its token writes are refused
    # Another process knows nothing of the failed invalidation: it must not find valid pages either.
    cache.reset_process_state()
    assert_fresh(api.get(detail("c-3")))
    assert_fresh(api.get(LIST))


@pytest.mark.embedded
def test_the_embedded_token_files_can_be_culled_without_a_stale_read(
    api, catalog, settings, django_capture_on_commit_callbacks
):
    if stores.is_redis():
        pytest.skip("the embedded store's own cull")
    tokens = django_caches["tokens"]
    api.get(detail("c-2"))
    retitle("c-2", "Course 2 v1", django_capture_on_commit_callbacks)
    tokens.clear()  # what a cull of every file would do
    assert_fresh(api.get(detail("c-2")))
    assert_fresh(api.get(LIST))
