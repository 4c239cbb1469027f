"""ASGI entry point; refuses to serve in production mode without a real secret."""

import os

from django.core.asgi import get_asgi_application

from config.startup import refuse_unsafe_production

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
refuse_unsafe_production()
