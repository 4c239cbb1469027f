"""The record format's three declarations agree: the serializers (the reference for every message),
the published JSON Schema, and fast_clean (the import's fast path, built on that schema).

Hypothesis sends records that are valid, nearly valid and wrong in every field and checks: what the
fast path accepts, the serializers accept with the very same cleaned record; what the serializers
refuse, the fast path leaves to them (so every message is the serializers'); and the schema a
generator validates with refuses nothing the import accepts, except surrounding whitespace that the
import trims from titles.
"""

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.domain import records
from catalog.errors import CatalogValidationError

pytestmark = [pytest.mark.embedded]

SCHEMA = jsonschema_rs.validator_for(records.SCHEMA)
TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "  Data  Science ", "SQL", "\x00", "a\u0301", "\ud800", "-", "é" * 3, "x" * 201]),
    st.text(alphabet=" \t\n\r\x00\u00a0\u2028x", max_size=6),
)
ANY = st.one_of(TEXT, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False), st.just([]), st.just({}))
SLUG = st.one_of(st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True), st.sampled_from(["Web 101", "a" * 101, "ü"]), ANY)


def field(value_strategy, *, optional=True):
    return st.one_of(st.just(None), value_strategy) if optional else value_strategy


@st.composite
def obj(draw, fields: dict, required=()):
    record = {}
    for name, strategy in fields.items():
        if name not in required and draw(st.booleans()):
            continue
        record[name] = draw(st.one_of(strategy, ANY) if draw(st.integers(0, 5)) == 0 else strategy)
    if draw(st.integers(0, 8)) == 0:
        record[draw(st.sampled_from(["modulez", "colour", "id"]))] = draw(ANY)
    return record


MINUTES = st.one_of(st.integers(-2, 10_002), st.sampled_from([0, 45, 10_000, 10_001, 2**70, 5.0, "5", True]))
LANGUAGE = st.sampled_from(["en", "pt-BR", "PT-br", "zh-hant", "pt_BR", "xx", "english", " en", "en-", "", "i-klingon"])
LEVEL = st.sampled_from(["beginner", "intermediate", "advanced", "Beginner", "expert", ""])
MODULE = obj({"title": TEXT, "content": TEXT, "minutes": field(MINUTES)}, required=("title",))
UNIT = obj({"title": TEXT, "modules": st.lists(MODULE, max_size=3)}, required=("title",))
RECORD = obj(
    {
        "slug": SLUG,
        "title": TEXT,
        "description": TEXT,
        "topic": TEXT,
        "level": field(LEVEL),
        "language": LANGUAGE,
        "status": st.sampled_from(["draft", "published", "archived", "gone", "Draft"]),
        "units": st.lists(UNIT, max_size=3),
    },
    required=("slug", "title", "topic"),
)
RUNS = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def serializer_says(data):
    serializer = records.CourseRecordSerializer(data=data)
    if serializer.is_valid():
        return records._plain(serializer.validated_data), None
    return None, records.flatten_errors(serializer.errors)


def titles_untrimmed(data) -> bool:
    def texts(record):
        yield record.get("title")
        for unit in record.get("units", []):
            yield unit.get("title")
            yield from (module.get("title") for module in unit.get("modules", []))

    return any(isinstance(t, str) and t != t.strip() for t in texts(data))


@RUNS
@given(RECORD)
def test_the_three_declarations_agree(data):
    fast = records.fast_clean(data)
    cleaned, errors = serializer_says(data)
    if fast is not None:
        assert errors is None, errors  # the fast path never accepts what the serializers refuse
        assert fast == cleaned  # ... and cleans exactly as they do
    if errors is not None:
        with pytest.raises(CatalogValidationError) as refused:
            records.clean_record(data)
        assert refused.value.errors == errors  # every message is the serializers' own
    else:
        assert records.clean_record(data) == cleaned
        if not titles_untrimmed(data):
            assert SCHEMA.is_valid(data), data  # the published schema refuses nothing the import takes


@pytest.mark.parametrize(
    "data",
    [
        {
            "slug": "a",
            "title": "A",
            "topic": "T",
            "units": [{"title": "U", "modules": [{"title": "M", "content": "x" * 100_000}] * 27}],
        },
        {"slug": "a", "title": "A", "topic": "T", "description": "é" * 20_000, "units": [{"title": "U"}] * 200},
    ],
)
def test_records_at_the_limits_are_valid_everywhere(data):
    assert SCHEMA.is_valid(data) and records.fast_clean(data) == serializer_says(data)[0]
