"""The words of a search and how far a typo may go: pure rules, the same on PostgreSQL and SQLite."""

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import OSA

MAX_WORDS = 20
LONGEST_WORD = 32  # the longest word the table of the catalog's words keeps (catalog.services.search)
WORD = re.compile(r"[^\W_]+")
# websearch syntax (a quoted phrase, -word, `or`) asks for exactly these words: no forgiveness.
OPERATORS = re.compile(r'"|(^|\s)-\S|\sor\s', re.IGNORECASE)


def fold(text: str) -> str:
    """Lower case without accents (`Café` -> `cafe`), as the search documents are written."""
    if text.isascii():  # nothing to decompose: the same, at a fraction of the cost (the catalog's words)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Every word of a text, folded, in order."""
    return WORD.findall(fold(text))


def words(text: str) -> list[str]:
    """The query's words, folded, in order, at most MAX_WORDS."""
    return tokens(text)[:MAX_WORDS]


def uses_operators(text: str) -> bool:
    return bool(OPERATORS.search(f" {text} "))


def edits_allowed(word: str) -> int:
    """The contract's typo budget: shorter than 5 letters exact, 5 to 8 one edit, 9 or more two."""
    return 0 if len(word) < 5 else 1 if len(word) <= 8 else 2


def correctable(word: str) -> bool:
    """Whether a typed word is looked up for corrections: long enough for an edit, and not so long that
    no word of the table (at most LONGEST_WORD letters) can be near it (its nearest-neighbour scan
    would read the whole index before giving up)."""
    return edits_allowed(word) > 0 and len(word) <= LONGEST_WORD + 2


def within_reach(typed: str, known: str) -> bool:
    """Whether `known` is at most the allowed edits from `typed` (insert, delete, replace, swap of neighbours)."""
    allowed = edits_allowed(typed)
    return allowed > 0 and typed != known and OSA.distance(typed, known, score_cutoff=allowed) <= allowed


@dataclass(frozen=True)
class Term:
    """One query word and what it also matches: its corrections and, for the last, its completions."""

    word: str
    corrections: tuple[str, ...] = ()
    completions: tuple[str, ...] = ()
    prefix: bool = False

    @property
    def exact(self) -> tuple[str, ...]:
        return (self.word, *self.completions)

    @property
    def alternatives(self) -> tuple[str, ...]:
        return (*self.exact, *self.corrections)


def tsquery(terms: list[Term], *, forgiving: bool, weight: str = "") -> str:
    """to_tsquery text: every term must match; a term is its word (a prefix if last), its completions
    and, when `forgiving`, its corrections; only in the parts of `weight` (e.g. "A") when given. Words
    are letters and digits only, so quoting is safe."""
    parts = []
    for term in terms:
        options = [f"'{term.word}':*{weight}" if term.prefix else f"'{term.word}'{':' + weight if weight else ''}"]
        options += [f"'{w}'{':' + weight if weight else ''}" for w in term.completions]
        if forgiving:
            options += [f"'{w}'{':' + weight if weight else ''}" for w in term.corrections]
        parts.append("(" + " | ".join(options) + ")")
    return " & ".join(parts)
