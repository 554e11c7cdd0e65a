import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopdb.settings")
application = get_wsgi_application()

# gunicorn forks its workers from the process that loaded this module (``preload_app``): each
# starts with the catalogues read, the URLs resolved and the templates compiled.
from coopdb.warm import warm  # noqa: E402

warm()
