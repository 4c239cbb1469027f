"""WSGI entry point (gunicorn config.wsgi); refuses to serve in production mode without a real secret."""

import os

from django.core.wsgi import get_wsgi_application

from config.startup import refuse_unsafe_production

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
refuse_unsafe_production()
