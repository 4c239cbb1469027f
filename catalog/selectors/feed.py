"""Reading the change feed: the current state first, then every change since, never skipping one.

Entry ids follow commit order (catalog.services.changes.feed serialises appends), so a follower's position
is the last entry id it read: everything committed later has a higher id. Cursors are signed (an
altered one is a 400); a position older than the compaction horizon is gone (410: start again
without a cursor).
"""

from django.core import signing
from django.db.models import Max

from catalog.domain import documents
from catalog.errors import FeedCursorError, FeedCursorExpiredError
from catalog.models import FeedEntry, FeedHorizon
from catalog.selectors.learners import listings_live

SALT = "catalog.feed"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
BAD_CURSOR = "This cursor is not one the feed gave out; start again without a cursor."


def encode(state: dict) -> str:
    return signing.dumps(state, salt=SALT, compress=True)


def decode(cursor: str) -> dict:
    try:
        state = signing.loads(cursor, salt=SALT)
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise FeedCursorError(BAD_CURSOR) from exc
    if not (isinstance(state, dict) and state.get("p") in ("state", "changes") and isinstance(state.get("a"), int)):
        raise FeedCursorError(BAD_CURSOR)
    return state


def feed_page(*, cursor: str | None, limit: int = DEFAULT_LIMIT) -> dict:
    """{"results": [entry JSON text, ...], "next": cursor, "has_more": bool}."""
    if cursor is None:
        # The state as it is now, then the changes after the last entry it already reflects.
        state = {"p": "state", "c": 0, "a": FeedEntry.objects.aggregate(n=Max("id"))["n"] or 0}
    else:
        state = decode(cursor)
    if state["p"] == "state":
        return _state_page(state, limit)
    return _changes_page(state["a"], limit)


def _state_page(state: dict, limit: int) -> dict:
    rows = list(
        listings_live()
        .filter(course_id__gt=state.get("c", 0))
        .order_by("course_id")
        .values_list("course_id", "slug", "release__number", "live_from", "summary")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    latest = _latest_entries([row[0] for row in rows])
    results = [
        _entry(*latest.get(course_id, (None, at)), slug, "published", number, summary)
        for course_id, slug, number, at, summary in rows
    ]
    if more:
        return {"results": results, "next": encode({**state, "c": rows[-1][0]}), "has_more": True}
    _check_horizon(state["a"])
    return {
        "results": results,
        "next": encode({"p": "changes", "a": state["a"]}),
        "has_more": FeedEntry.objects.filter(id__gt=state["a"]).exists(),
    }


def _changes_page(after: int, limit: int) -> dict:
    _check_horizon(after)
    rows = list(
        FeedEntry.objects.filter(id__gt=after)
        .order_by("id")
        .values_list("id", "slug", "kind", "release", "at", "summary")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    results = [_entry(pk, at, slug, kind, number, summary) for pk, slug, kind, number, at, summary in rows]
    position = rows[-1][0] if rows else after
    return {"results": results, "next": encode({"p": "changes", "a": position}), "has_more": more}


def _check_horizon(after: int) -> None:
    horizon = FeedHorizon.objects.values_list("entry", flat=True).first()
    if horizon and after < horizon:
        raise FeedCursorExpiredError(
            "This cursor is older than the changes the feed still keeps; start again without a cursor."
        )


def _latest_entries(course_ids: list[int]) -> dict[int, tuple[int, object]]:
    """{course id: (id, at)} of each course's latest entry: the one that made its current state visible,
    so the state's entries carry the id and time a follower of the changes would have read."""
    latest = FeedEntry.objects.filter(course_id__in=course_ids).values("course_id").annotate(last=Max("id"))
    rows = FeedEntry.objects.filter(id__in=latest.values("last")).values_list("course_id", "id", "at")
    return {course_id: (pk, at) for course_id, pk, at in rows}


def _entry(pk, at, slug, kind, number, summary) -> str:
    head = documents.dumps({"id": pk, "slug": slug, "kind": kind, "release": number, "at": documents.timestamp(at)})
    return f'{head[:-1]},"course":{summary if kind == "published" and summary else "null"}}}'
