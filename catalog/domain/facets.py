"""Facet counts of the learners' catalog page, from the combinations a grouped read gives; no database.

A facet counts, for each of its values, the courses that choosing it would show with the other
facets' choices kept (a value already chosen counts what it adds): the usual way a catalog's filter
panel reads, so a learner never follows a count to a different number of courses.
"""

from collections import Counter
from dataclasses import dataclass, field

# Duration ranges offered as `max_duration` choices, in minutes, with their labels.
DURATION_RANGES = {60: "Up to 1 hour", 180: "Up to 3 hours", 600: "Up to 10 hours"}
UNKNOWN_RANGE, LONGER = -1, 0  # a combination's range: no duration known; longer than every range


def duration_range(minutes: int | None) -> int:
    """The smallest DURATION_RANGES limit `minutes` is within, else LONGER (or UNKNOWN_RANGE: none known)."""
    if minutes is None:
        return UNKNOWN_RANGE
    return next((limit for limit in sorted(DURATION_RANGES) if minutes <= limit), LONGER)


def ranges_within(max_duration: int | None) -> tuple[int, ...] | None:
    """The ranges whose courses all are within `max_duration` and no others' are (all when None); None
    when `max_duration` cuts through a range (only a course's own duration can tell)."""
    if max_duration is None:
        return (UNKNOWN_RANGE, LONGER, *DURATION_RANGES)
    if max_duration not in DURATION_RANGES:
        return None
    return tuple(limit for limit in DURATION_RANGES if limit <= max_duration)


@dataclass(frozen=True)
class Combination:
    topic: str
    level: str | None
    language: str
    range: int  # the smallest DURATION_RANGES limit the duration is within, else LONGER or UNKNOWN_RANGE
    within: int  # 1 when within the chosen max_duration (or none is chosen)
    n: int


@dataclass(frozen=True)
class Selection:
    topics: tuple = ()
    levels: tuple = ()
    languages: tuple = ()
    max_duration: int | None = None


@dataclass
class Facets:
    total: int = 0
    topic: Counter = field(default_factory=Counter)
    level: Counter = field(default_factory=Counter)
    language: Counter = field(default_factory=Counter)
    duration: Counter = field(default_factory=Counter)  # DURATION_RANGES limit -> courses


def facet_counts(combinations: list[Combination], chosen: Selection) -> Facets:
    facets = Facets()
    topics, levels, languages = set(chosen.topics), set(chosen.levels), set(chosen.languages)
    limits = sorted(DURATION_RANGES)
    for c in combinations:
        # Whether the combination keeps each facet's choice (a facet with nothing chosen keeps all).
        topic = not topics or c.topic in topics
        level = not levels or c.level in levels
        language = not languages or c.language in languages
        duration = c.within == 1
        if topic and level and language and duration:
            facets.total += c.n
        if level and language and duration:
            facets.topic[c.topic] += c.n
        if topic and language and duration and c.level is not None:
            facets.level[c.level] += c.n
        if topic and level and duration:
            facets.language[c.language] += c.n
        if topic and level and language and c.range > 0:
            for limit in limits:
                if c.range <= limit:
                    facets.duration[limit] += c.n
    return facets
