"""What learners can read: listings whose window holds now (catalog.models.Listing), served as stored."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import connection, connections, router
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.db import internals
from catalog.db.sql import any_of, live_window
from catalog.domain import documents, excerpts, spelling
from catalog.models import Listing, SlugRedirect, TopicCount
from catalog.selectors.embedded_search import embedded_search
from catalog.selectors.excerpts import MATCH, MATCH_PARAMS, query_sql, with_topics
from catalog.selectors.search import (
    CONFIG,
    Query,
    clean_query,
    estimated_rows,
    learner_query,
    newest_matching,
    tier_rank,
    walks,
)
from catalog.selectors.topics import topic_names


def live_at(now) -> Q:
    """The listings live at `now`: the one visibility rule for learners."""
    return Q(live_from__lte=now) & (Q(live_until__isnull=True) | Q(live_until__gt=now))


def listings_live(*, now=None) -> QuerySet[Listing]:
    """Every course learners can see now, newest first."""
    return Listing.objects.filter(live_at(now or timezone.now())).order_by("-created_at", "id")


# A search ranks at most this many of its newest strong matches (title, topic, unit titles) and of its
# newest matches anywhere: its cost does not grow with how many courses match, and strong matches are
# never crowded out by the words every description shares.
CANDIDATES = 500
NEWEST = ("-created_at", "id")


@dataclass(frozen=True)
class Candidates:
    """What a search ranks: ids of the newest strong matches and the newest matches of any kind."""

    ids: list[int]
    capped: bool  # more courses matched than it ranks
    query: Query | None = None  # the learner's words as PostgreSQL reads them; None: no word to search
    topics: tuple[tuple[str, int], ...] = ()  # (topic, candidates in it), most first
    levels: tuple[tuple[str, int], ...] = ()  # (level, candidates of it), most first; none without one
    languages: tuple[tuple[str, int], ...] = ()  # (language, candidates in it), most first


def _facet_sql(column: str) -> str:
    """The candidates (r) counted by one column, as 'value count' texts, most first."""
    return (
        f"array(SELECT f.{column} || ' ' || f.n FROM (SELECT r.{column}, count(*) AS n FROM r "
        f"WHERE r.{column} IS NOT NULL GROUP BY r.{column} ORDER BY n DESC, r.{column}) f)"
    )


def _ranked_sql(query: Query) -> tuple[str, str, list]:
    """(is an exact match, its rank: search.tier_rank) as SQL over the listing `l`, and their parameters."""
    rank, tiers = tier_rank("l.search_vector", query)
    if not any(term.corrections for term in query.terms):
        return "true", rank, tiers  # every match is exact
    exact = f"l.search_vector @@ to_tsquery('{CONFIG}', %s)"
    return exact, rank, [spelling.tsquery(list(query.terms), forgiving=False), *tiers]


def search_candidates(qs: QuerySet[Listing], text: str) -> Candidates | None:
    """The candidates of listing_search(qs, text), best match first, with their facets, found in one
    query that reads at most 2 x CANDIDATES + 1 matches however many courses match (after the one that
    corrects the words); None where the search is not PostgreSQL's.

    The statement is sent with its values written in (never prepared): a prepared one soon runs a
    generic plan, the same for every word, and no single plan is cheap for both a word in every course
    (walk the newest listings until enough match) and a rare one (the GIN index, then sort). Which of
    the two each part takes is chosen here from PostgreSQL's estimate of its matches (search.walks)."""
    text = clean_query(text)
    if not text or connection.vendor != "postgresql":
        return None
    # What the other filters kept, built once (PostgreSQL plans it as if written out in each part).
    base, params = internals.sql_of(qs.order_by().values("pk", "created_at", "title_vector", "search_vector"))
    return _candidates(connections[qs.db], text, base, params)


_LIVE_BASE = (
    f"SELECT l.id AS pk, l.created_at, l.title_vector, l.search_vector FROM {{listing}} l WHERE {live_window('l')}"
)


def learner_search_candidates(text: str, *, now=None) -> Candidates | None:
    """search_candidates over every live listing (a search with no other filter), its base written
    here rather than built by the ORM at every search."""
    text = clean_query(text)
    if not text or connection.vendor != "postgresql":
        return None
    now = now or timezone.now()
    return _candidates(connections[router.db_for_read(Listing)], text, _LIVE_BASE.format(listing=_LISTING), [now, now])


def _candidates(using, text: str, base: str, params: list) -> Candidates:
    query = learner_query(text, using=using.alias)
    if query is None:
        return Candidates(ids=[], capped=False)
    function, text = query.sql
    source = using.ops.compose_sql(f"({base}) b", params)
    matches = using.ops.compose_sql(f"{function}('{CONFIG}', %s)", [text])
    strong, anywhere = f"b.title_vector @@ {matches}", f"b.search_vector @@ {matches}"
    exact, rank, rank_params = _ranked_sql(query)
    ranked = using.ops.compose_sql(f"{exact} AS exact, {rank} AS rank", rank_params)
    with using.cursor() as cursor:
        # Walk the newest listings or read the matches from the index: chosen per part (search.walks).
        counted = [f"SELECT 1 FROM {source}", *(f"SELECT 1 FROM {source} WHERE {c}" for c in (strong, anywhere))]
        rows = estimated_rows(cursor, counted)
        listings, *found = rows or (1, 1, 1)
        walk_strong, walk_any = (rows is None or walks(wanted=CANDIDATES, listings=listings, matches=n) for n in found)
        if walk_any:
            # With operators (`-word`) a title can match where the whole document does not: the strong
            # matches are then checked against both, so that CANDIDATES of them count, as on the index.
            walked = f"{strong} AND {anywhere}" if function == "websearch_to_tsquery" else strong
            s = newest_matching(source, walked, limit=CANDIDATES, walk=walk_strong, columns="b.pk")
            a = newest_matching(source, anywhere, limit=CANDIDATES + 1, walk=True, columns="b.pk, b.created_at")
            found_sql = f"s AS ({s}), a AS ({a})"
        else:  # a rare match: one read of the index for both
            m = f"SELECT b.pk, b.created_at, {strong} AS strong FROM {source} WHERE {anywhere}"
            found_sql = (
                f"m AS MATERIALIZED ({m}), "
                f"s AS (SELECT pk FROM m WHERE strong ORDER BY created_at DESC, pk LIMIT {CANDIDATES}), "
                f"a AS (SELECT pk, created_at FROM m ORDER BY created_at DESC, pk LIMIT {CANDIDATES + 1})"
            )
        # The candidates are read once (r), ranked there, and the facets count them there.
        sql = (
            f"WITH {found_sql}, "
            f"c AS (SELECT pk FROM s UNION SELECT pk FROM (SELECT pk FROM a ORDER BY created_at DESC, pk "
            f"LIMIT {CANDIDATES}) a1), "
            f"r AS MATERIALIZED (SELECT l.id, l.created_at, l.topic, l.level, l.language, {ranked} "
            # Each candidate by its key (OFFSET 0 keeps PostgreSQL from reading all the matches again
            # from the index to join them, 4 ms for a word in one course in fifty). A candidate matches
            # the whole document too: `-word` drops a course whose content has the word, whatever its title.
            f"FROM c CROSS JOIN LATERAL (SELECT l.id, l.created_at, l.topic, l.level, l.language, l.search_vector "
            f"FROM {_LISTING} l WHERE l.id = c.pk OFFSET 0) l WHERE l.search_vector @@ {matches}) "
            "SELECT array(SELECT r.id FROM r ORDER BY r.exact DESC, r.rank DESC, r.created_at DESC, r.id), "
            f"(SELECT count(*) FROM a) > {CANDIDATES}, "
            f"{_facet_sql('topic')}, {_facet_sql('level')}, {_facet_sql('language')}"
        )
        cursor.execute(sql)  # every value written in above: nothing left to bind
        ids, capped, *facets = cursor.fetchone()
    topics, levels, languages = (tuple((value, int(n)) for value, n in (t.rsplit(" ", 1) for t in f)) for f in facets)
    return Candidates(ids=ids, capped=capped, query=query, topics=topics, levels=levels, languages=languages)


def listing_search(
    qs: QuerySet[Listing], text: str, *, candidates: Candidates | None = None, best_first: bool = True
) -> QuerySet[Listing]:
    """Search in title, description, topic, the tree's titles and the modules' content, best match first
    (or, best_first=False, in no order: for a caller that orders them itself or reads the candidates).

    PostgreSQL ranks (in the order of catalog.selectors.search.ranked) only the candidates (see
    search_candidates, which ranks them; pass them when you have them already): the cost of a search
    does not grow with how many courses match. SQLite forgives typos in its own way
    (catalog.selectors.embedded_search).
    """
    text = clean_query(text)
    if not text or connection.vendor != "postgresql":
        return embedded_search(qs, text)
    candidates = candidates or search_candidates(qs, text)
    if candidates.query is None:
        return qs.none()
    # The ids written in (integers the database gave): as parameters, hundreds of them cost more to
    # hash, copy and send than the statement costs to run. Each row's place is looked up in a jsonb
    # object (a binary search), not found by array_position (a walk through the list for every row).
    ids = "'{" + ",".join(map(str, map(int, candidates.ids))) + "}'::bigint[]"
    found = qs.filter(pk__in=RawSQL(f"SELECT unnest({ids})", []))
    if not best_first:
        return found
    places = ",".join(f'"{int(pk)}":{n}' for n, pk in enumerate(candidates.ids))
    return found.order_by(RawSQL(f"""('{{{places}}}'::jsonb ->> {_LISTING}."id"::text)::int""", []))


def switch_times(*, now, per_course: bool = True) -> dict:
    """Annotations for when learners' view next changes by itself (a scheduled switch): of the row's
    course, or of any course. Each is one index lookup."""
    times = {}
    for name in ("live_from", "live_until"):
        later = Listing.objects.filter(**{f"{name}__gt": now})
        if per_course:
            later = later.filter(slug=OuterRef("slug"))
        times[f"next_{name}"] = Subquery(later.order_by(name).values(name)[:1])
    return times


def earliest(*times) -> dt.datetime | None:
    times = [t for t in times if t is not None]
    return min(times) if times else None


# The hot reads of a cache miss, in plain SQL: building them with the ORM cost more than running them.
_LISTING = f'"{Listing._meta.db_table}"'
_NEXT = (
    f"(SELECT min(n.live_from) FROM {_LISTING} n WHERE n.live_from > %s{{slug}}), "
    f"(SELECT min(n.live_until) FROM {_LISTING} n WHERE n.live_until > %s{{slug}})"
)
_DETAIL_SQL = (
    f"SELECT l.detail, {_NEXT.format(slug=' AND n.slug = l.slug')} FROM {_LISTING} l "
    f"WHERE l.slug = %s AND {live_window('l')} LIMIT 1"
)


def _rows(sql: str, params: list, *, times=()) -> list:
    """Rows of a read of listings (on the connection the router picks), with datetimes in `times`
    columns as aware datetimes whatever the database. On PostgreSQL a statement a connection runs
    often is prepared (settings: server-side binding)."""
    connection = connections[router.db_for_read(Listing)]
    params = [connection.ops.adapt_datetimefield_value(p) if isinstance(p, dt.datetime) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if times and connection.vendor != "postgresql":
        rows = [tuple(_aware(v) if i in times else v for i, v in enumerate(row)) for row in rows]
    return rows


def _aware(value):
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(value)
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)


def learner_detail(*, slug: str, now=None) -> tuple[str, dt.datetime | None] | None:
    """(the live detail document of the course at `slug` as stored, when it next changes by itself)."""
    now = now or timezone.now()
    rows = _rows(_DETAIL_SQL, [now, now, slug, now, now], times=(1, 2))
    return None if not rows else (rows[0][0], earliest(rows[0][1], rows[0][2]))


def learner_summaries(ids, *, now=None) -> tuple[dict, dt.datetime | None]:
    """({id: summary as stored}, when any course's view next changes by itself) for a list page."""
    now = now or timezone.now()
    if not ids:
        return {}, next_switch(now=now)
    chosen, values = any_of(ids, "bigint")
    sql = f"SELECT l.id, l.summary, {_NEXT.format(slug='')} FROM {_LISTING} l WHERE l.id {chosen}"
    rows = _rows(sql, [now, now, *values], times=(2, 3))
    if not rows:
        return {}, next_switch(now=now)
    return {pk: summary for pk, summary, _a, _b in rows}, earliest(rows[0][2], rows[0][3])


def learner_search_summaries(ids, *, query: Query, now=None) -> tuple[dict, dict, dt.datetime | None]:
    """({id: summary as stored}, {id: its `match`}, when any course's view next changes by itself) for
    a page of a search on PostgreSQL, in one query (learner_summaries and listing_excerpts in one)."""
    now = now or timezone.now()
    if not ids:
        return {}, {}, next_switch(now=now)
    function, text = query.sql
    sql = (
        f"SELECT l.id, l.summary, {MATCH}, {_NEXT.format(slug='')} FROM {_LISTING} l, {query_sql(function)} "
        "WHERE l.id = ANY(%s::bigint[])"
    )
    rows = _rows(sql, [*MATCH_PARAMS, now, now, text, list(ids)], times=(3, 4))
    if not rows:
        return {}, {}, next_switch(now=now)
    summaries = {pk: summary for pk, summary, *_ in rows}
    marked = with_topics({pk: marked for pk, _, marked, *_ in rows}, query=query, using=router.db_for_read(Listing))
    return summaries, {pk: excerpts.excerpt(text) for pk, text in marked.items()}, earliest(rows[0][3], rows[0][4])


_PAGE_SQL = (
    f"SELECT l.summary, {_NEXT.format(slug='')} FROM {_LISTING} l JOIN (SELECT p.id, p.created_at FROM {_LISTING} p "
    f"WHERE {live_window('p')}{{topic}} "
    "ORDER BY p.created_at DESC, p.id LIMIT {limit:d} OFFSET {offset:d}) page ON page.id = l.id "
    "ORDER BY page.created_at DESC, page.id"
)


def learner_page(*, topic: str | None, offset: int, limit: int, now=None) -> tuple[list[str], dt.datetime | None]:
    """(the stored summaries of a page of the newest live courses, of one topic or all, in order;
    when any course's view next changes by itself): one query, an index-only scan of the page's ids.

    The page's bounds are written into the statement: prepared with parameters for them, PostgreSQL
    would guess a tenth of the table and plan it afresh at every run; written in, one plan serves
    every run of that page (the plan is the same index scan for every page). A page is prepared once a
    connection has read it a few times (the first pages, which most reads ask for): a crawler's walk
    through the others reads each once and prepares none."""
    now = now or timezone.now()
    sql = _PAGE_SQL.format(topic=" AND p.topic = %s" if topic else "", limit=int(limit), offset=int(offset))
    params = [now, now, now, now, *([topic] if topic else [])]
    rows = _rows(sql, params, times=(1, 2))
    if not rows:
        return [], next_switch(now=now)
    return [row[0] for row in rows], earliest(rows[0][1], rows[0][2])


def learner_redirect(*, slug: str, now=None) -> str | None:
    """The current slug of a visible course that used to answer at `slug` (a permanent redirect)."""
    redirect = SlugRedirect.objects.filter(slug=slug).values_list("course_id", flat=True).first()
    if redirect is None:
        return None
    return listings_live(now=now).filter(course_id=redirect).values_list("slug", flat=True).first()


def course_redirect(*, slug: str) -> str | None:
    """The current slug of the course (any status: for editors) that used to answer at `slug`, or that
    learners still find there while its new slug waits in the working copy."""
    moved = SlugRedirect.objects.filter(slug=slug).values_list("course__slug", flat=True).first()
    if moved is None:
        moved = Listing.objects.filter(slug=slug).exclude(course__slug=slug).values_list("course__slug", flat=True)
        moved = moved.first()
    return moved


def learner_course(*, slug: str, now=None) -> dict | None:
    """The live detail of the course at `slug` as data (the course page)."""
    found = learner_detail(slug=slug, now=now)
    return None if found is None else documents.loads(found[0])


def live_module(*, slug: str, module_id: int, now=None) -> tuple[dict, dict, dict, dt.datetime | None] | None:
    """(course summary, live document, module page, when it next changes by itself) of a module of the
    live release, in one query; None when either is not there."""
    now = now or timezone.now()
    row = (
        listings_live(now=now)
        .filter(slug=slug)
        .annotate(**switch_times(now=now))
        .values_list("summary", "release__document", "next_live_from", "next_live_until")
        .first()
    )
    if row is None:
        return None
    page = documents.module_page(row[1], module_id)
    return None if page is None else (documents.loads(row[0]), row[1], page, earliest(row[2], row[3]))


def learner_module(*, slug: str, module_id: int, now=None) -> tuple[dict, dict, dt.datetime | None] | None:
    """(course summary, module page, when it next changes by itself) of a module of the live release;
    None when either is not there."""
    found = live_module(slug=slug, module_id=module_id, now=now)
    return None if found is None else (found[0], found[2], found[3])


def topic_counts(*, now=None, counts: Counter | None = None) -> list[dict]:
    """Published courses per topic, sorted by topic, with the topic's display name."""
    counts = learner_counts(now=now) if counts is None else counts
    shown = sorted(topic for topic, n in counts.items() if n > 0)
    names = topic_names(slugs=shown)
    return [{"topic": topic, "name": names[topic], "course_count": counts[topic]} for topic in shown]


def learner_total(*, topics=(), now=None, counts: Counter | None = None) -> int:
    """How many courses learners see now, in any of `topics` (all when empty)."""
    counts = learner_counts(now=now) if counts is None else counts
    return sum(n for topic, n in counts.items() if n > 0 and (not topics or topic in topics))


_COUNTS_SQL = (
    f"SELECT topic, courses, 'kept', NULL FROM \"{TopicCount._meta.db_table}\" WHERE courses > 0 "
    f"UNION ALL SELECT topic, 1, 'in', live_until FROM {_LISTING} WHERE NOT counted AND live_from <= %s "
    # IS NOT NULL tells the prepared statement's one plan (made without the time) that few rows qualify.
    f"UNION ALL SELECT topic, 1, 'out', live_until FROM {_LISTING} "
    "WHERE counted AND live_until IS NOT NULL AND live_until <= %s"
)


def learner_counts(*, now=None) -> Counter:
    """Courses learners see now, per topic, in one query whatever the catalog's size: the kept counts
    (O(topics)), corrected by the few listings whose scheduled switch has come but is not recorded."""
    now = now or timezone.now()
    counts = Counter()
    for topic, n, kind, live_until in _rows(_COUNTS_SQL, [now, now], times=(3,)):
        if kind == "kept":
            counts[topic] += n
        elif kind == "out":
            counts[topic] -= 1  # withdrawn by its schedule, not recorded yet
        elif live_until is None or live_until > now:
            counts[topic] += 1  # gone live by its schedule, not recorded yet
    return counts


def next_switch(*, now=None) -> dt.datetime | None:
    """When learners' view of any course next changes by itself (a scheduled switch): one query."""
    now = now or timezone.now()
    return earliest(*_rows(f"SELECT {_NEXT.format(slug='')}", [now, now], times=(0, 1))[0])
