import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akhbar.settings")
django_application = get_wsgi_application()

from akhbar.web.pagecache import PageCacheApp  # noqa: E402 - needs Django set up first

application = PageCacheApp(django_application)
