"""The catalog's words (catalog.services.search): what a learner's typo is corrected to, kept by every way
a course goes live (an import's new courses, an import's changed ones, a publish)."""

from types import SimpleNamespace

import pytest

from catalog.services.search import listing_words
from tests.factories import CourseFactory
from tests.helpers.commands import course, run_import, write_jsonl

pytestmark = pytest.mark.django_db

# Words found nowhere else: a typo of each is corrected only if the table holds the module content's words,
# in lower case (`Zanzibar`: `zanzibr` is one edit from `zanzibar`, two from `Zanzibar`) and without accents.
CONTENT = "The Quetzalcoatl of Zanzibar drinks Crème."
TYPOS = ["zanzibr", "quetzalcoatll", "cremme"]


def found(api, text: str) -> list[str]:
    answer = api.get("/api/v1/courses/", {"search": text})
    assert answer.status_code == 200, answer.content
    return [c["slug"] for c in answer.json()["results"]]


def record(slug: str, content: str) -> dict:
    units = [{"title": "One", "modules": [{"title": "Only", "content": content}]}]
    return course(slug, title="Plain title", units=units)


class TestTheWordsOfEveryWrite:
    @pytest.mark.parametrize("typo", TYPOS)
    def test_a_course_an_import_creates(self, api, tmp_path, typo, django_capture_on_commit_callbacks):
        assert found(api, typo) == []
        with django_capture_on_commit_callbacks(execute=True):  # the learners' cache forgets the answer
            assert run_import(write_jsonl(tmp_path, [record("zoo", CONTENT)]))[0] == 0
        assert found(api, typo) == ["zoo"]

    @pytest.mark.parametrize("typo", TYPOS)
    def test_courses_an_import_creates_in_bulk(self, api, tmp_path, typo, django_capture_on_commit_callbacks):
        assert found(api, typo) == []
        with django_capture_on_commit_callbacks(execute=True):  # several new courses: written in bulk
            assert run_import(write_jsonl(tmp_path, [record("zoo", CONTENT), record("other", "Plain.")]))[0] == 0
        assert found(api, typo) == ["zoo"]

    @pytest.mark.parametrize("typo", TYPOS)
    def test_a_course_an_import_changes(self, api, tmp_path, typo, django_capture_on_commit_callbacks):
        assert run_import(write_jsonl(tmp_path, [record("zoo", "Nothing to see.")]))[0] == 0
        assert found(api, typo) == []
        with django_capture_on_commit_callbacks(execute=True):
            assert run_import(write_jsonl(tmp_path, [record("zoo", CONTENT)], name="again.jsonl"))[0] == 0
        assert found(api, typo) == ["zoo"]

    @pytest.mark.parametrize("typo", TYPOS)
    def test_a_course_published(self, api, typo, django_capture_on_commit_callbacks):
        CourseFactory(slug="zoo", title="Plain title", status="published")
        assert found(api, typo) == []
        with django_capture_on_commit_callbacks(execute=True):
            CourseFactory(slug="zoo-2", title="Plain title", description=CONTENT, status="published")
        assert found(api, typo) == ["zoo-2"]


# Texts as other tools write them: an accent as a mark of its own (`e` then U+0300), a Turkish capital
# dotted I, Greek capitals. Each word is kept as a learner's query folds it, so its typo is corrected.
@pytest.mark.parametrize(
    ("text", "typo"),
    [("Pa\u0302tisserie cre\u0300me bru\u0302le\u0301e", "cremme"), ("Visiting İstanbul", "istambul"),
     ("ΟΔΟΣ ΣΟΦΙΑΣ guide", "σοφιαα")],
    ids=["decomposed-accents", "dotted-capital-i", "greek-capitals"],
)  # fmt: skip
def test_words_as_other_tools_write_them(api, tmp_path, text, typo):
    assert run_import(write_jsonl(tmp_path, [record("zoo", text), record("other", "Plain.")]))[0] == 0
    assert found(api, typo) == ["zoo"]


def test_the_words_are_runs_of_letters_and_digits_in_lower_case():
    listing = SimpleNamespace(title="Node.js & C++ 2024", topic="web-dev", description="Big_Data", search_text="Ça va")
    assert listing_words([listing]) == {"node", "js", "c", "2024", "web", "dev", "big", "data", "ca", "va"}
