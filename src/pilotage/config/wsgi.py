"""WSGI entry point used by ``pilotage serve`` (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilotage.config.settings")

application = get_wsgi_application()
