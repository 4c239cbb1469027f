"""The site's URLs plus views that fail on purpose, for the error pages' tests (`@pytest.mark.urls`)."""

from django.core.exceptions import BadRequest
from django.db import OperationalError
from django.urls import path

from config.urls import handler400, handler404, handler500, urlpatterns  # noqa: F401 - Django reads them here


def _boom(request):
    raise RuntimeError("secret internals")


def _database_down(request):
    raise OperationalError("connection refused to db.internal:5432")


def _bad_filter(request):
    raise BadRequest("Unknown level 'expert': choose beginner, intermediate or advanced.")


urlpatterns = [
    path("boom/", _boom),
    path("database-down/", _database_down),
    path("bad-filter/", _bad_filter),
    *urlpatterns,
]
