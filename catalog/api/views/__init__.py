"""The JSON API's views: courses (with their release endpoints), topics, previews, JSON 404s."""

from catalog.api.views.courses import CourseViewSet
from catalog.api.views.feed import ChangeFeedView
from catalog.api.views.other import PreviewView, SuggestView, TopicListView, api_not_found, record_schema

__all__ = [
    "ChangeFeedView",
    "CourseViewSet",
    "PreviewView",
    "SuggestView",
    "TopicListView",
    "api_not_found",
    "record_schema",
]
