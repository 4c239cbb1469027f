"""The catalog's data: the working copy, its history, its releases, the change feed, webhooks, edge purges, topics."""

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
from catalog.models.facets import FacetCount, SitemapBlock
from catalog.models.feed import FeedEntry, FeedHorizon
from catalog.models.imports import ImportIdentity, ImportState
from catalog.models.releases import Listing, Release, SlugRedirect, TitleWord, TopicCount
from catalog.models.topics import Topic, default_topic_name, topic_name_problem
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
    "FacetCount",
    "FeedEntry",
    "FeedHorizon",
    "ImportIdentity",
    "ImportState",
    "Level",
    "Listing",
    "Module",
    "Release",
    "SitemapBlock",
    "SlugRedirect",
    "Topic",
    "TitleWord",
    "TopicCount",
    "TopicField",
    "Unit",
    "WebhookDelivery",
    "WebhookEndpoint",
    "canonical_topics",
    "default_topic_name",
    "default_language",
    "normalize_topic",
    "slug_validator",
    "topic_name_problem",
]
