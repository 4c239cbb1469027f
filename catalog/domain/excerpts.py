"""A search result's `match`: a short excerpt, HTML-escaped, the matched words in <mark>…</mark>.

The database (or catalog.selectors.embedded_search) marks the matched words with two control
characters that no course text keeps (START, STOP); this escapes everything else and turns the marks
into tags, so no course text can ever add markup of its own.
"""

import html
import re

from catalog.domain.spelling import WORD, fold

START, STOP = "\x01", "\x02"
LT, GT = "\x03", "\x04"  # `<` and `>` on their way through PostgreSQL's marker (catalog.selectors.excerpts)
LIMIT = 200  # characters of text, the marks not counted
LONG_WORD = 20  # characters a word may run past LIMIT before it is cut
_SPACES = re.compile(r"\s+")


def without_marks(text: str) -> str:
    """Course text as it goes to the marker: without the two characters that mark."""
    return text.replace(START, "").replace(STOP, "")


def excerpt(marked: str, *, limit: int = LIMIT) -> str:
    """At most about `limit` characters of `marked` around its first mark, escaped, marks as <mark>."""
    marked = _SPACES.sub(" ", marked).strip()
    plain = without_marks(marked)
    if len(plain) > limit:
        first = marked.find(START)
        start = max(0, min(first - limit // 4, len(marked) - limit)) if first >= 0 else 0
        cut = marked[start:]
        # Keep whole words and never cut a mark in half.
        if start > 0 and " " in cut[:30]:
            cut = cut[cut.index(" ") + 1 :]
        kept, length, inside = [], 0, False
        for ch in cut:
            if ch in (START, STOP):
                inside = ch == START
                kept.append(ch)
                continue
            # At a space after `limit`; within a word that runs on (a long word, a URL), soon after.
            if length >= limit and (ch == " " and not inside or length >= limit + LONG_WORD):
                break
            kept.append(ch)
            length += 1
        if inside:  # cut within a marked word: the mark closes before the ellipsis
            kept.append(STOP)
        marked = ("… " if start > 0 else "") + "".join(kept).strip() + (" …" if length >= limit else "")
    escaped = html.escape(marked, quote=True).replace(LT, "&lt;").replace(GT, "&gt;")
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def mark_words(text: str, matches) -> str:
    """`text` with START/STOP around each word for which `matches(folded word)` holds (SQLite's marker)."""

    def one(found: re.Match) -> str:
        word = found.group(0)
        return f"{START}{word}{STOP}" if matches(fold(word)) else word

    return WORD.sub(one, without_marks(text).replace(LT, "").replace(GT, ""))
