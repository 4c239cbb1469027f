"""Every read of the catalog.

- learners: what learners see (listings live now; `live_at` is their one visibility rule);
- courses: editors' reads of the working copies, their release state and history; exports;
- search: full-text search for both;
- logins: how long a login for a username must wait (the per-username slowdown).
"""

from catalog.selectors import feed
from catalog.selectors.courses import (
    EXPORT_CHUNK,
    SUMMARY_FIELDS,
    HistoryEvent,
    course_history,
    course_list,
    course_records,
    course_search,
    course_visible_to,
    course_with_tree,
    course_written,
    describe_transition,
    has_unpublished_changes,
    status_now,
    version_of,
    with_release_state,
    working_document,
)
from catalog.selectors.effects import LearnersView, learners_view, move_needs_confirmation
from catalog.selectors.embedded_search import facets_of
from catalog.selectors.excerpts import listing_excerpts
from catalog.selectors.facets import learner_facet_combinations, learner_kept_combinations, learner_narrowed_page
from catalog.selectors.feed import feed_page
from catalog.selectors.learners import (
    Candidates,
    course_redirect,
    learner_counts,
    learner_course,
    learner_detail,
    learner_module,
    learner_page,
    learner_redirect,
    learner_search_candidates,
    learner_search_summaries,
    learner_summaries,
    learner_total,
    listing_search,
    listings_live,
    live_at,
    next_switch,
    search_candidates,
    topic_counts,
)
from catalog.selectors.search import clean_query
from catalog.selectors.suggestions import learner_suggest, learner_suggestions
from catalog.selectors.topics import topic_names, topic_suggestions

__all__ = [
    "LearnersView",
    "learners_view",
    "move_needs_confirmation",
    "EXPORT_CHUNK",
    "SUMMARY_FIELDS",
    "HistoryEvent",
    "course_history",
    "course_list",
    "course_records",
    "course_redirect",
    "course_search",
    "course_visible_to",
    "course_with_tree",
    "course_written",
    "describe_transition",
    "feed",
    "feed_page",
    "learner_counts",
    "learner_facet_combinations",
    "learner_kept_combinations",
    "learner_narrowed_page",
    "learner_course",
    "learner_detail",
    "learner_page",
    "learner_module",
    "learner_redirect",
    "learner_search_candidates",
    "learner_search_summaries",
    "learner_summaries",
    "learner_total",
    "listing_search",
    "listings_live",
    "live_at",
    "Candidates",
    "search_candidates",
    "next_switch",
    "topic_counts",
    "facets_of",
    "listing_excerpts",
    "clean_query",
    "learner_suggest",
    "learner_suggestions",
    "topic_names",
    "topic_suggestions",
    "has_unpublished_changes",
    "status_now",
    "with_release_state",
    "version_of",
    "working_document",
]
