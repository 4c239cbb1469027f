"""The project's URLs plus /bench/floor: constant bytes through the full middleware stack."""

from django.http import HttpResponse
from django.urls import include, path

FLOOR_BODY = b'{"floor":true}'


def floor(request):
    return HttpResponse(FLOOR_BODY, content_type="application/json")


urlpatterns = [
    path("bench/floor", floor),
    path("", include("config.urls")),
]
