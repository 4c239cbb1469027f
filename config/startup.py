"""What a server checks before it takes a request: production mode needs a real secret key."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 50
MIN_DISTINCT = 5


def is_real_secret(key: str) -> bool:
    """Django's own measure (security.W009): long, varied, and not a development key."""
    return len(key) >= MIN_LENGTH and len(set(key)) >= MIN_DISTINCT and not key.startswith("django-insecure-")


def refuse_unsafe_production() -> None:
    """Called by config.wsgi and config.asgi, so gunicorn and runserver refuse; commands do not."""
    if settings.DEBUG or is_real_secret(settings.SECRET_KEY):
        return
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set to a real secret, and this server runs in production mode "
        f"(DJANGO_DEBUG is off). Set DJANGO_SECRET_KEY to {MIN_LENGTH}+ random characters, e.g. "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`, or DJANGO_DEBUG=1 on a laptop."
    )
