"""How long a login for a username must wait: past a ceiling of failures from any addresses, the attempts slow down."""

import math
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum, Value
from django.db.models.functions import Least
from django.utils import timezone


def login_wait(*, username: str, now=None) -> int:
    """Seconds before `username` may try a password again (0: now), counting the failures axes
    recorded for it from every address within AXES_COOLOFF_TIME. Past LOGIN_SLOWDOWN_FAILURES, one
    attempt per LOGIN_SLOWDOWN_SECONDS: many addresses no longer give many guesses, and since the
    username is slowed rather than locked, an attacker cannot shut an editor out (the lockout per
    username and address stays as it is)."""
    ceiling = settings.LOGIN_SLOWDOWN_FAILURES
    if not username or not ceiling:
        return 0
    now = now or timezone.now()
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME)
    # An address counts up to the lockout: the attempts after it were refused, not guesses (and that
    # address is told of its lockout rather than of this slowdown).
    guesses = Least("failures_since_start", Value(settings.AXES_FAILURE_LIMIT))
    seen = recent.aggregate(failures=Sum(guesses), last=Max("attempt_time"))
    if (seen["failures"] or 0) < ceiling:
        return 0
    ready = seen["last"] + timedelta(seconds=settings.LOGIN_SLOWDOWN_SECONDS)
    return max(0, math.ceil((ready - now).total_seconds()))
