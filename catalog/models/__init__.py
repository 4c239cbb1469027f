"""The catalog's data: the working copy, its history, its releases, the change feed and its webhooks."""

from .courses import (
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    TITLE_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    Course,
    CourseTransition,
    Module,
    TopicField,
    Unit,
    canonical_topics,
    normalize_topic,
    slug_validator,
)
from .feed import FeedEntry, FeedHorizon
from .imports import ImportState
from .releases import Listing, Release, SlugRedirect, TopicCount
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "SLUG_MAX_LENGTH",
    "SLUG_PATTERN",
    "TITLE_MAX_LENGTH",
    "TOPIC_MAX_LENGTH",
    "Course",
    "CourseTransition",
    "FeedEntry",
    "FeedHorizon",
    "ImportState",
    "Listing",
    "Module",
    "Release",
    "SlugRedirect",
    "TopicCount",
    "TopicField",
    "Unit",
    "WebhookDelivery",
    "WebhookEndpoint",
    "canonical_topics",
    "normalize_topic",
    "slug_validator",
]
