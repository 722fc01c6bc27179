import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import the URLconf (every view, serializer and schema module it names) now rather than
# on each worker's first request: under `make serve` gunicorn --preload does this once in
# the master before it forks, so a restarted master's workers answer at once. It cost
# more CPU than loading Django itself, twice over (once per worker), which is what made
# a SIGKILLed master slow to answer /healthz on a busy host (issue 16).
get_resolver().url_patterns  # noqa: B018 - the import is the point
