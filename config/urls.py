"""URL configuration: pages, the admin, the JSON API and its docs, health checks."""

from django.contrib import admin
from django.urls import include, path

from catalog.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("catalog.api.urls")),
    path("", include("catalog.web.urls")),
]

handler404 = "catalog.web.error_pages.not_found"
handler500 = "catalog.web.error_pages.server_error"
handler400 = "catalog.web.error_pages.bad_request"
