"""URLs of the pages for people."""

from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_home, name="home"),
    path("courses/<slug:slug>/", views.course_page, name="course"),
    path("favicon.ico", views.favicon, name="favicon"),
]
