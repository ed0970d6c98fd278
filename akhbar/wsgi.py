import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akhbar.settings")
django_application = get_wsgi_application()

from akhbar.web.pagecache import PageCacheApp  # noqa: E402 - needs Django set up first

application = PageCacheApp(django_application)

# Everything made at start-up (Django, the URL patterns, the models) lives as long as the process: frozen, it is
# left out of the garbage collector's full passes, which otherwise walk its 100,000 objects in the middle of a
# request (the slowest home pages took twice the usual time).
gc.freeze()
