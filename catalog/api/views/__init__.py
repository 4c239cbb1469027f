"""The JSON API's views: courses (with their release endpoints), topics, previews, JSON 404s."""

from .courses import CourseViewSet
from .feed import ChangeFeedView
from .other import PreviewView, TopicListView, api_not_found, record_schema

__all__ = ["ChangeFeedView", "CourseViewSet", "PreviewView", "TopicListView", "api_not_found", "record_schema"]
