"""URLs of the JSON API (/api/v1/) and its OpenAPI schema and docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from catalog.api import views

router = SimpleRouter()
router.register("courses", views.CourseViewSet, basename="course")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/topics/", views.TopicListView.as_view(), name="topic-list"),
    path("v1/suggest/", views.SuggestView.as_view(), name="suggest-list"),
    path("v1/changes/", views.ChangeFeedView.as_view(), name="change-list"),
    path("v1/preview/<str:token>/", views.PreviewView.as_view(), name="course-preview"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("schema/course-record.json", views.record_schema, name="course-record-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    re_path(r"^.*$", views.api_not_found),
]
