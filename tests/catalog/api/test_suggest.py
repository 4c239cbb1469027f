"""GET /api/v1/suggest/?q=: titles matching what a learner is typing, forgiving like search, cached."""

import pytest

from catalog import services
from catalog.models import Course
from tests.factories import CourseFactory
from tests.helpers.api import assert_json_error

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
SUGGEST = "/api/v1/suggest/"


@pytest.fixture
def catalog():
    CourseFactory(slug="k8s", title="Kubernetes in production", topic="DevOps", status="published")
    CourseFactory(slug="k8s-intro", title="Kubernetes for beginners", topic="DevOps", status="published")
    CourseFactory(slug="py", title="Python basics", topic="Programming", status="published")
    CourseFactory(slug="draft", title="Kubernetes secrets", topic="DevOps")
    # Only a module says Kubernetes: suggestions match titles.
    units = [{"title": "U", "modules": [{"title": "Kubernetes", "content": "kubernetes"}]}]
    CourseFactory(slug="ops", title="Operations", topic="Kubernetes", status="published", units=units)
    CourseFactory(slug="helm", title="Introducing Helm", topic="DevOps", status="published")


def suggested(api, q):
    response = api.get(SUGGEST, {"q": q})
    assert response.status_code == 200, response.content
    return [r["slug"] for r in response.json()["results"]]


class TestSuggestions:
    def test_the_last_word_is_a_prefix_of_titles_only_published_newest_first(self, api, catalog):
        assert suggested(api, "kube") == ["k8s-intro", "k8s"]
        assert suggested(api, "Kubernetes for b") == ["k8s-intro"]

    @pytest.mark.postgres_only  # SQLite's titles hold every word: there "in" is a prefix like any other
    def test_a_stop_word_typed_last_keeps_the_words_before_it_here_and_in_search(self, api, catalog):
        # "in", "i", "t" are stop words: no document holds them, so they cannot narrow anything yet.
        assert suggested(api, "kubernetes in") == ["k8s-intro", "k8s"]
        assert suggested(api, "kubernetes i") == ["k8s-intro", "k8s"]
        assert suggested(api, "kubernets in") == ["k8s-intro", "k8s"]  # the word before it still forgiven
        assert suggested(api, "python t") == ["py"]
        # Alone, or after another stop word, it still matches the words it begins.
        assert suggested(api, "in") == ["helm"] and suggested(api, "the in") == ["helm"]
        found = api.get("/api/v1/courses/", {"search": "kubernetes in"}).json()["results"]
        assert {r["slug"] for r in found} == {"k8s", "k8s-intro", "ops"}

    def test_typos_are_forgiven_like_search(self, api, catalog):
        assert suggested(api, "kubernets") == ["k8s-intro", "k8s"]
        assert suggested(api, "pyhton") == ["py"]

    def test_answers_carry_slug_title_topic(self, api, catalog):
        assert api.get(SUGGEST, {"q": "pyth"}).json() == {
            "results": [{"slug": "py", "title": "Python basics", "topic": "programming"}]
        }

    def test_empty_or_wordless_text_gives_no_results(self, api, catalog):
        for q in ("", "   ", "!!!", "\U0001f680"):
            assert suggested(api, q) == []
        assert api.get(SUGGEST).json() == {"results": []}

    def test_at_most_eight(self, api):
        for i in range(10):
            CourseFactory(slug=f"c{i}", title=f"Gardening {i}", status="published")
        assert len(suggested(api, "gard")) == 8

    def test_bad_text_is_a_400_naming_q(self, api, catalog):
        assert_json_error(api.get(SUGGEST, {"q": "a\x00b"}), 400, "q")
        assert_json_error(api.get(SUGGEST, {"q": "a" * 201}), 400, "q")


class TestCaching:
    def test_cached_like_every_learner_read_and_fresh_after_a_write(
        self, api, catalog, django_capture_on_commit_callbacks
    ):
        assert api.get(SUGGEST, {"q": "pyth"})["X-Cache"] == "MISS"
        again = api.get(SUGGEST, {"q": " PYTH "})
        assert again["X-Cache"] == "HIT" and [r["slug"] for r in again.json()["results"]] == ["py"]
        with django_capture_on_commit_callbacks(execute=True):
            CourseFactory(slug="py2", title="Python advanced", status="published")
            services.course_unpublish(course=Course.objects.get(slug="py"))
        assert suggested(api, "pyth") == ["py2"]
