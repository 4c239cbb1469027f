"""WSGI entry point (gunicorn config.wsgi): refuses to serve in production mode without a real secret; cache
hits are answered in front of Django."""

import os

from django.core.wsgi import get_wsgi_application

from config.startup import refuse_unsafe_production

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()
refuse_unsafe_production()

from catalog.web.hits import HitLane  # noqa: E402 - after Django is set up

# Learners' cache hits are answered in front of Django's handler (catalog/web/hits.py).
application = HitLane(django_application)
