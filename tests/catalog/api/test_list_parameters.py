"""Property-based: every list parameter, valid or not, against an oracle; never a 500, and the cache agrees.

Each example builds a query from the grammar of each parameter (valid values, near misses, junk),
asks the real API (the whole middleware stack, the learners' cache included), and checks the answer
against what the contract says it must be: the right courses in the right order, or a 400 naming a
parameter that was wrong, or a 404 past the last page. The cache is not cleared between examples,
so two queries that the cache takes for the same page but that mean different lists fail here.
"""

import datetime as dt
import json
import random
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import CourseFactory
from tests.helpers.api import LIST

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

# ASCII titles with a duplicate, so that the database's collation and Python's agree and the id
# has to break a tie.
# slug, title, topic, level, language, the minutes of its modules (duration: their sum, None if none known)
COURSES = [
    ("c-1", "beta", "Databases", "beginner", "en", [30, None]),
    ("c-2", "alpha", "Data Science", None, "pt-BR", [None]),
    ("c-3", "gamma", "Web Development", "advanced", "en", [90, 60]),
    ("c-4", "alpha", "Databases", "intermediate", "de", [0]),
    ("c-5", "delta", "data science", "beginner", "en-GB", [200]),
    ("c-6", "epsilon", "Testing", "advanced", "pt-BR", [45]),
    ("c-7", "beta", "Web development", None, "en", [150]),
]
FIELDS = ("title", "created_at", "published_at", "duration_minutes")
FILTER_PARAMS = {"ordering", "topic", "created_after", "created_before", "level", "language", "max_duration"}


@pytest.fixture
def rows():
    made = [
        CourseFactory(
            slug=slug,
            title=title,
            topic=topic,
            level=level,
            language=language,
            status="published",
            units=[{"title": "U", "modules": [{"title": f"M{i}", "minutes": m} for i, m in enumerate(minutes)]}],
        )
        for slug, title, topic, level, language, minutes in COURSES
    ]
    return [
        {
            "id": c.pk,
            "slug": c.slug,
            "title": c.title,
            "topic": c.topic,
            "level": c.level,
            "language": c.language,
            "duration_minutes": c.duration_minutes,
            "created_at": c.created_at,
            "published_at": c.published_at,
        }
        for c in made
    ]


# --- the grammar of each parameter: (value, meaning); meaning None = must be refused ---------------

SPACES = st.sampled_from(["", " ", "  "])


def _ordering():
    good = st.sampled_from([sign + field for field in FIELDS for sign in ("", "-")])
    bad = st.sampled_from(["", " ", "id", "slug", "-", "--title", "+title", "title ", " -title", "TITLE", "created"])
    item = st.one_of(good.map(lambda v: (v, v)), bad.map(lambda v: (v, None)))
    return st.lists(item, min_size=1, max_size=4).map(_ordering_meaning)


def _ordering_meaning(items):
    text = ",".join(v for v, _ in items)
    if not text.strip():
        return text, []  # nothing asked: the default order
    return text, [m for _, m in items]


def _topic_variant(draw_case, draw_spaces, topic):
    words = topic.split()
    joiner = draw_spaces + " " if draw_spaces else "-"
    text = joiner.join(words)
    return {"upper": text.upper(), "lower": text.lower(), "title": text.title()}[draw_case]


topics = st.lists(
    st.one_of(
        st.builds(
            _topic_variant,
            st.sampled_from(["upper", "lower", "title"]),
            SPACES,
            st.sampled_from(["Databases", "Data Science", "Web Development", "Testing", "Nothing Here"]),
        ),
        st.sampled_from(["", " ", "--", "data--science", "Data_Science", " databases "]),
    ),
    max_size=3,
)


@st.composite
def date_values(draw, rows_created):
    """(text, parsed) where parsed is a UTC datetime or a date; parsed None means junk."""
    kind = draw(st.sampled_from(["exact", "near", "day", "far", "junk"]))
    if kind == "junk":
        junk = draw(
            st.sampled_from(["yesterday", "2026-13-01", "2026-02-30", "2026-01-01T25:00", "1/2/2026", "0", "--", "T"])
        )
        return junk, None
    if kind == "far":
        day = draw(st.sampled_from([dt.date(1, 1, 1), dt.date(2000, 1, 1), dt.date(9999, 12, 31)]))
        return day.isoformat(), day
    created = draw(st.sampled_from(rows_created))
    if kind == "day":
        return created.date().isoformat(), created.date()
    moment = created + dt.timedelta(microseconds=draw(st.sampled_from([-1, 0, 1])) if kind == "near" else 0)
    offset = draw(st.sampled_from(["Z", "+00:00", "+02:00", "-05:30"]))
    hours, minutes = {"Z": (0, 0), "+00:00": (0, 0), "+02:00": (2, 0), "-05:30": (-5, -30)}[offset]
    local = moment.astimezone(dt.timezone(dt.timedelta(hours=hours, minutes=minutes)))
    return local.replace(tzinfo=None).isoformat() + offset, moment


def _number(maximum, *, bounded):
    """`page` is any whole number from 1 (past the end: 404); `page_size` 1..maximum."""
    valid = st.integers(1, maximum).map(lambda n: (str(n), n))
    invalid = st.sampled_from(["0", "-1", "abc", "1.5", "\u00b2", "1 2", str(maximum + 1) if bounded else "-0"])
    blank = st.sampled_from(["", " "]).map(lambda v: (v, "absent"))
    return st.one_of(valid, invalid.map(lambda v: (v, None)), blank)


# --- the oracle ---------------------------------------------------------------------------------


def _ordered(rows, items):
    if not items:
        items = ["-created_at"]
    result = sorted(rows, key=lambda r: r["id"])
    for item in reversed(items):
        field, descending = item.lstrip("-"), item.startswith("-")
        known = sorted((r for r in result if r[field] is not None), key=lambda r: r[field], reverse=descending)
        result = known + [r for r in result if r[field] is None]  # an unknown duration comes last either way
    return result


# value as sent -> what it means (None: refused)
LEVELS = {"beginner": "beginner", "intermediate": "intermediate", "advanced": "advanced", "": "blank"}
LEVELS |= {"Beginner": None, "expert": None, " advanced": None, "1": None}
LANGUAGES = {"en": "en", "pt-BR": "pt-BR", "pt-br": "pt-BR", "PT-BR": "pt-BR", "de": "de", "fr": "fr", "": "blank"}
LANGUAGES |= {" en ": "en", "en-gb": "en-GB", "pt_BR": None, "english": None, "xx": None, "en-": None}
DURATIONS = {"0": 0, "45": 45, "60": 60, "0150": 150, "1000": 1000, " 90": 90, "": "absent"}
DURATIONS |= {"-1": None, "1.5": None, "abc": None, "1e3": None}


def _in_range(row, after, before):
    created = row["created_at"]
    if after is not None:
        start = after if isinstance(after, dt.datetime) else dt.datetime.combine(after, dt.time.min, tzinfo=dt.UTC)
        if created < start:
            return False
    if before is not None:
        if isinstance(before, dt.datetime):
            return created <= before
        if before != dt.date.max:
            return created < dt.datetime.combine(before + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    return True


def _normal(topic):
    return "-".join(topic.replace("_", "-").replace("-", " ").lower().split())


def _metadata(draw, params, wrong, meaning):
    """level, language (repeated or not) and max_duration."""
    for name, grammar in (("level", LEVELS), ("language", LANGUAGES)):
        for value in draw(st.lists(st.sampled_from(sorted(grammar)), max_size=3)):
            params.append((name, value))
            if grammar[value] is None:
                wrong.add(name)
            elif grammar[value] != "blank":
                meaning.setdefault(name, set()).add(grammar[value])
    if draw(st.booleans()):
        value = draw(st.sampled_from(sorted(DURATIONS)))
        params.append(("max_duration", value))
        if DURATIONS[value] is None:
            wrong.add("max_duration")
        elif DURATIONS[value] != "absent":
            meaning["max_duration"] = DURATIONS[value]


@st.composite
def queries(draw, rows):
    created = [r["created_at"] for r in rows]
    params, wrong, meaning = [], set(), {}
    if draw(st.booleans()):
        text, items = draw(_ordering())
        params.append(("ordering", text))
        if None in items:
            wrong.add("ordering")
        meaning["ordering"] = items
    for value in draw(topics):
        params.append(("topic", value))
    _metadata(draw, params, wrong, meaning)
    for name in ("created_after", "created_before"):
        if draw(st.booleans()):
            text, parsed = draw(date_values(created))
            params.append((name, text))
            if parsed is None:
                wrong.add(name)
            meaning[name] = parsed
    for name, maximum, bounded in (("page", 12, False), ("page_size", 100, True)):
        if draw(st.booleans()):
            text, number = draw(_number(maximum, bounded=bounded))
            params.append((name, text))
            if number is None:
                wrong.add(name)
            if number != "absent":
                meaning[name] = number
    return params, wrong, meaning


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None
)
@given(data=st.data(), who=st.sampled_from(["anonymous", "editor"]))
def test_every_list_parameter_against_the_oracle(api, editor_api, rows, data, who):
    params, wrong, meaning = data.draw(queries(rows))
    client = api if who == "anonymous" else editor_api
    client.raise_request_exception = False
    query = urlencode(params, quote_via=quote)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code != 500, (query, response.content[:300])
    assert response["Content-Type"] == "application/json", query
    body = json.loads(response.content)

    if wrong & FILTER_PARAMS:
        assert response.status_code == 400, (query, body)
        assert set(body) and set(body) <= wrong, (query, body)
        return
    if wrong:
        assert response.status_code == 400, (query, body)
        assert set(body) <= wrong and set(body), (query, body)
        return

    wanted = {_normal(t) for _, t in params if _ == "topic"} - {""}
    matching = [
        r
        for r in rows
        if (not wanted or r["topic"] in wanted)
        and _in_range(r, meaning.get("created_after"), meaning.get("created_before"))
        and ("level" not in meaning or r["level"] in meaning["level"])
        and ("language" not in meaning or r["language"] in meaning["language"])
        and (
            "max_duration" not in meaning
            or (r["duration_minutes"] is not None and r["duration_minutes"] <= meaning["max_duration"])
        )
    ]
    expected = _ordered(matching, meaning.get("ordering") or [])
    size = meaning.get("page_size") or 20
    page = meaning.get("page") or 1
    last = max(1, -(-len(expected) // size))
    if page > last:
        assert response.status_code == 404, (query, body)
        assert "detail" in body
        return
    assert response.status_code == 200, (query, body)
    assert body["count"] == len(expected), (query, body["count"], len(expected))
    shown = [course["slug"] for course in body["results"]]
    assert shown == [r["slug"] for r in expected[(page - 1) * size : page * size]], query
    assert (body["next"] is None) == (page == last), query

    if who == "anonymous":
        # The same list asked with its parameters in another order: the same answer, now from the cache.
        shuffled = list(params)
        random.Random(query).shuffle(shuffled)
        again = client.get(f"{LIST}?{urlencode(shuffled, quote_via=quote)}")
        assert again.status_code == 200 and json.loads(again.content) == body, query
        assert again["X-Cache"] == "HIT", query


@pytest.mark.parametrize("ordering", ["title,", ",,", "title,,-created_at", ",title", " , ", "-title, "])
def test_an_empty_item_in_ordering_is_a_400_naming_it(api, editor_api, rows, ordering):
    for client in (api, editor_api):
        response = client.get(LIST, {"ordering": ordering})
        assert response.status_code == 400, response.content
        assert "empty" in response.json()["ordering"][0]
