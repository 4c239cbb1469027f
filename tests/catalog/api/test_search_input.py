"""Any search text is answered (200 with a list) or refused by name (400), never a server error: quotes,
operators, emoji, control characters, 10,000 characters; the same for suggestions."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from catalog.selectors.search import clean_query
from tests.factories import CourseFactory
from tests.helpers.api import LIST, assert_json_error

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
SUGGEST = "/api/v1/suggest/"

PIECES = st.sampled_from(
    ['"', "'", "-", "or", "OR", "&", "|", "!", ":*", "<->", "(", ")", "\\", "%", "_", "*", "~", ":", "<", ">",
     "python", "pyton", "kube", "café", "\u6570\u636e", "\U0001f680", "\u200b", "\u202e", "\x7f", "\x01",
     " ", "\t", "a" * 40, "the", "and", "not", "$$", "'--", "<mark>", "\ufeff", "ǅ", "²", "e\u0301"]
)  # fmt: skip
TEXTS = st.one_of(
    st.lists(PIECES, max_size=30).map("".join),
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=490, max_size=520),
)


@pytest.fixture
def catalog():
    units = [{"title": "Basics", "modules": [{"title": "Python", "content": "Kubernetes and café <b>x</b>"}]}]
    CourseFactory(slug="python", title="Python basics", status="published", units=units)


def expected_status(text: str) -> int:
    return 400 if "\x00" in text or len(text.strip()) > 500 else 200


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_any_search_text_is_answered_or_refused_by_name(api, catalog, text):
    response = api.get(LIST, {"search": text})
    assert response.status_code == expected_status(text), (text, response.content[:300])
    if response.status_code == 200:
        body = response.json()
        assert isinstance(body["results"], list)
        if clean_query(text):  # an empty search is the plain list
            assert set(body["facets"]) == {"topic", "level", "language"}
        for result in body["results"]:
            assert "<b>" not in result.get("match", "")


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_any_suggestion_text_is_answered_or_refused_by_name(api, catalog, text):
    response = api.get(SUGGEST, {"q": text})
    assert response.status_code == (400 if "\x00" in text or len(text.strip()) > 200 else 200), text
    if response.status_code == 200:
        assert all(set(r) == {"slug", "title", "topic"} for r in response.json()["results"])


def test_ten_thousand_characters_are_a_400_naming_the_parameter(api, catalog):
    assert_json_error(api.get(LIST + "?search=" + "a" * 10_000), 400, "search")
    assert_json_error(api.get(SUGGEST + "?q=" + "a" * 10_000), 400, "q")
