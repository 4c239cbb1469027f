"""The typo budget and the words of a search: the contract's rules, exactly at their edges."""

import pytest

from catalog.domain import excerpts, spelling


@pytest.mark.parametrize(
    ("typed", "known", "reached"),
    [
        ("rusk", "rust", False),  # 4 letters: exact only
        ("dockr", "docker", True),  # 5 letters: one edit (a letter left out)
        ("dokr", "docker", False),  # 4 letters
        ("pyhton", "python", True),  # two neighbours swapped is one edit
        ("pyhtno", "python", False),  # two swaps in 6 letters
        ("teraform", "terraform", True),  # 8 letters, one edit
        ("trraform", "terraform", True),
        ("trrafrom", "terraform", False),  # 8 letters, three edits
        ("photografy", "photography", True),  # 10 letters: two edits
        ("kubernets", "kubernetes", True),  # 9 letters
        ("kbernets", "kubernetes", False),  # 8 letters, two edits: too many
        ("python", "python", False),  # the word itself is no correction
    ],
)
def test_edits_follow_the_length_of_the_typed_word(typed, known, reached):
    assert spelling.within_reach(typed, known) is reached


@pytest.mark.parametrize(("word", "edits"), [("abcd", 0), ("abcde", 1), ("abcdefgh", 1), ("abcdefghi", 2)])
def test_the_budget(word, edits):
    assert spelling.edits_allowed(word) == edits


def test_words_are_folded_without_accents_or_operators():
    assert spelling.words("Café  -- KUBE:* <b>") == ["cafe", "kube", "b"]
    assert spelling.words("x " * 30) == ["x"] * spelling.MAX_WORDS


def test_operators_are_websearch_syntax():
    assert spelling.uses_operators('"exact phrase"') and spelling.uses_operators("sql -joins")
    assert spelling.uses_operators("pottery or geometry")
    assert not spelling.uses_operators("e-learning") and not spelling.uses_operators("oracle")


def test_tsquery_ors_each_word_with_its_alternatives_and_ands_the_words():
    terms = [
        spelling.Term(word="pyton", corrections=("python",)),
        spelling.Term(word="kube", completions=("kubernetes",), prefix=True),
    ]
    assert spelling.tsquery(terms, forgiving=True) == "('pyton' | 'python') & ('kube':* | 'kubernetes')"
    assert spelling.tsquery(terms, forgiving=False) == "('pyton') & ('kube':* | 'kubernetes')"
    assert spelling.tsquery(terms[1:], forgiving=True, weight="A") == "('kube':*A | 'kubernetes':A)"


class TestExcerpt:
    def test_marks_become_tags_and_everything_else_is_escaped(self):
        marked = f"<b>{excerpts.START}Café{excerpts.STOP}</b> & co"
        assert excerpts.excerpt(marked) == "&lt;b&gt;<mark>Café</mark>&lt;/b&gt; &amp; co"

    def test_a_long_text_is_cut_around_the_first_mark(self):
        marked = "word " * 100 + f"{excerpts.START}needle{excerpts.STOP} " + "tail " * 100
        cut = excerpts.excerpt(marked)
        assert "<mark>needle</mark>" in cut and cut.startswith("… ") and cut.endswith(" …")
        assert len(cut.replace("<mark>", "").replace("</mark>", "")) <= excerpts.LIMIT + 10

    def test_course_text_cannot_forge_a_mark(self):
        assert excerpts.without_marks(f"a{excerpts.START}b{excerpts.STOP}") == "ab"
        marked = excerpts.mark_words(f"x{excerpts.START}y python", lambda w: w == "python")
        assert excerpts.excerpt(marked) == "xy <mark>python</mark>"
