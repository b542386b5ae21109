"""The WSGI application, loaded before the server takes its first request.

Django imports the URLconf (and with it every view, the API and its schemas) on the first
request. Under load that first request then waits for the import while the connections
queued behind it wait for both; loading it here moves that cost to the worker's start.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tentative.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports the URLconf now
