"""Learners' search on SQLite (`make run`): the same forgiving rules as PostgreSQL's, in Python over the
listings the other filters kept. Fine for a demo catalog (it reads every kept listing's text); a
catalog of many thousands belongs on PostgreSQL. What differs: no stemming (a word also matches the
words it begins with up to 3 more letters: `course` finds `courses`), and the description, unit titles,
module titles and content weigh the same, below title and topic (README)."""

from collections import Counter

from django.db.models import Case, IntegerField, QuerySet, Value, When

from catalog.domain import spelling

STEM_SLACK = 3  # letters a word may miss of a longer word and still match it (plurals, -ing, -ed)


def _matches(typed: str, word: str, *, prefix: bool) -> bool:
    if word == typed:
        return True
    return word.startswith(typed) and (prefix or len(word) - len(typed) <= STEM_SLACK)


def _corrections(terms: list[str], vocabulary: set[str]) -> dict[str, set[str]]:
    return {t: {w for w in vocabulary if spelling.within_reach(t, w)} for t in terms if spelling.edits_allowed(t)}


def embedded_matcher(text: str, documents_text: list[str]):
    """A test of a folded word: whether it matches a word of `text`, exactly or forgivingly (the excerpts)."""
    terms = spelling.words(text)
    vocabulary = set().union(*(set(spelling.tokens(t)) for t in documents_text)) if documents_text else set()
    corrections = _corrections(terms, vocabulary)
    last = len(terms) - 1

    def matches(word: str) -> bool:
        return any(
            _matches(term, word, prefix=i == last) or word in corrections.get(term, ()) for i, term in enumerate(terms)
        )

    return matches


def embedded_search(
    qs: QuerySet, text: str, *, strong=("title", "topic"), weak=("description", "search_text")
) -> QuerySet:
    """Listings of `qs` whose words (of the `strong` and `weak` fields) match every query word, exactly
    or forgivingly, best first."""
    terms = spelling.words(text)
    if not terms:
        return qs.none() if text else qs
    documents = []
    for pk, *texts in qs.values_list("pk", *strong, *weak):
        documents.append(
            (
                pk,
                set(spelling.tokens(" ".join(texts[: len(strong)]))),
                set(spelling.tokens(" ".join(texts[len(strong) :]))),
            )
        )
    vocabulary = set().union(*(s | w for _pk, s, w in documents)) if documents else set()
    corrections = _corrections(terms, vocabulary)
    last = len(terms) - 1
    scored = []
    for position, (pk, strong, weak) in enumerate(documents):
        exact, score = True, 0
        for i, term in enumerate(terms):
            prefix = i == last

            def found(words, term=term, prefix=prefix):
                return any(_matches(term, w, prefix=prefix) for w in words)

            def corrected(words, term=term):
                return bool(corrections.get(term, set()) & words)

            if found(strong):
                score += 3
            elif found(weak):
                score += 1
            elif corrected(strong):
                score, exact = score + 3, False
            elif corrected(weak):
                score, exact = score + 1, False
            else:
                break
        else:
            scored.append((not exact, -score, position, pk))
    order = [pk for *_key, pk in sorted(scored)]
    if not order:
        return qs.none()
    rank = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(order)), output_field=IntegerField())
    return qs.filter(pk__in=order).annotate(search_rank=rank).order_by("search_rank")


def facets_of(qs: QuerySet, fields=("topic", "level", "language")) -> dict[str, list[tuple[str, int]]]:
    """{field: [(value, listings of `qs` with it), most first]}, in one read: a search's facets where no
    candidates count them; listings without a value are not counted."""
    counts = {field: Counter() for field in fields}
    for row in qs.order_by().values_list(*fields):
        for field, value in zip(fields, row, strict=True):
            if value is not None:
                counts[field][value] += 1
    return {field: sorted(c.items(), key=lambda item: (-item[1], item[0])) for field, c in counts.items()}
