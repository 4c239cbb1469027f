"""Editors' back-office: their own time zone, and (without a worker) the scheduled switches recorded in
the serving process."""

import logging
import threading

from django.conf import settings
from django.utils import timezone

from catalog import services
from catalog.domain.zones import ZONE_COOKIE, zone_named

log = logging.getLogger(__name__)


class EditorTimeZoneMiddleware:
    """Admin pages show and read times in the editor's zone: the browser's (a small script stores
    Intl's zone in the `catalog_tz` cookie) or the one picked on the schedule page; UTC until then."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/admin/"

    def __call__(self, request):
        if not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        zone = zone_named(request.COOKIES.get(ZONE_COOKIE))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # a view may activate another (the schedule's picked zone): none outlives it


class InProcessTickMiddleware:
    """With no worker (no broker: `make run`), the process that serves records scheduled switches that
    are due, at most once a second, before it answers: the history, the status, the change feed and
    webhooks follow the clock with no second process. Learners never wait for it (their reads pick the
    release live now); a request that finds the tick running elsewhere in the process goes on.

    On a request rather than a thread: runserver's autoreloader runs the app in two processes, and a
    thread writing to SQLite beside the request threads would fight them for its one write lock; a
    request is also when anyone can look. Switches that fall due while nobody asks are recorded at
    their own times by the next request."""

    interval = 1.0
    _lock = threading.Lock()
    _last = {"at": None}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.CATALOG_TICK_ON_REQUEST:
            self.tick(timezone.now())
        return self.get_response(request)

    @classmethod
    def tick(cls, now) -> None:
        last = cls._last["at"]
        if last is not None and 0 <= (now - last).total_seconds() < cls.interval:
            return
        if not cls._lock.acquire(blocking=False):
            return
        try:
            cls._last["at"] = now
            services.schedule_apply_due(now=now)
        except Exception:  # noqa: BLE001 - the answer must not fail for it; the next request tries again
            log.exception("Scheduled switches could not be recorded on this request")
        finally:
            cls._lock.release()
