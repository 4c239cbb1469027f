"""The warning shown when scheduled switches are overdue: `manage.py catalog_tick` is not running."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from catalog.models import Course

# catalog_tick runs every minute; a switch still unrecorded after this long means it is not running.
GRACE = dt.timedelta(minutes=2)


def overdue_warning(*, course: Course | None = None, now=None) -> str | None:
    """The warning's text when any course's (or this course's) scheduled switch is overdue, else None."""
    now = now or timezone.now()
    cutoff = now - GRACE
    late = Course.objects.filter(Q(publish_at__lt=cutoff) | Q(unpublish_at__lt=cutoff))
    if course is not None:
        late = late.filter(pk=course.pk)
    times = [t for pair in late.values_list("publish_at", "unpublish_at")[:1000] for t in pair if t and t < cutoff]
    if not times:
        return None
    minutes = int((now - min(times)).total_seconds() // 60)
    count = len(times)
    return (
        f"{count} scheduled switch{'es are' if count != 1 else ' is'} overdue (the oldest by {minutes} minutes). "
        "Learners already see each switch on time, but the courses' status and history lag behind because "
        "`python manage.py catalog_tick` is not running. Run it every minute (a cron entry, or a service beside "
        "the web server); its first run records every overdue switch."
    )
