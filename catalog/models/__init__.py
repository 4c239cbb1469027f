"""The catalog's data: the working copy, its history, its releases, the change feed, webhooks, edge purges."""

from catalog.models.courses import (
    LANGUAGE_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    SLUG_PATTERN,
    TITLE_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    Course,
    CourseTransition,
    Level,
    Module,
    TopicField,
    Unit,
    canonical_topics,
    default_language,
    normalize_topic,
    slug_validator,
)
from catalog.models.edge import EdgePurge
from catalog.models.feed import FeedEntry, FeedHorizon
from catalog.models.imports import ImportState
from catalog.models.releases import Listing, Release, SlugRedirect, TopicCount
from catalog.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "LANGUAGE_MAX_LENGTH",
    "SLUG_MAX_LENGTH",
    "SLUG_PATTERN",
    "TITLE_MAX_LENGTH",
    "TOPIC_MAX_LENGTH",
    "Course",
    "CourseTransition",
    "EdgePurge",
    "FeedEntry",
    "FeedHorizon",
    "ImportState",
    "Level",
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
    "default_language",
    "normalize_topic",
    "slug_validator",
]
