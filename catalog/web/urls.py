"""URLs of the pages for people."""

from django.urls import path

from catalog.web import crawlers, views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_home, name="home"),
    path("courses/<slug:slug>/", views.course_page, name="course"),
    path("courses/<slug:slug>/modules/<int:module_id>/", views.module_page, name="module"),
    path("preview/<str:token>/", views.preview_page, name="preview"),
    path("preview/<str:token>/modules/<int:module_id>/", views.preview_module_page, name="preview-module"),
    path("robots.txt", crawlers.robots, name="robots"),
    path("sitemap.xml", crawlers.sitemap, name="sitemap"),
    path("sitemap-<int:number>.xml", crawlers.sitemap_file, name="sitemap-file"),
    path("favicon.ico", views.favicon, name="favicon"),
]
