"""Test settings: the product's settings, with the environment a test run needs.

Tests only ever talk to this machine: loopback is the only network reachable, and 127.0.0.1 is
allowed through the crawler's private-address guard (127.0.0.2 and up stay refused, for SSRF tests).
"""

import os
import tempfile

os.environ.setdefault("AKHBAR_DATA_DIR", tempfile.mkdtemp(prefix="akhbar-test-"))
os.environ.setdefault("AKHBAR_FETCH_ALLOW_NETWORKS", "127.0.0.1/32")
os.environ.setdefault("AKHBAR_FETCH_ONLY_NETWORKS", "127.0.0.0/8")
os.environ.setdefault("AKHBAR_FETCH_HOST_DELAY", "0")
os.environ.setdefault("AKHBAR_FETCH_TIMEOUT", "3")
os.environ.setdefault("AKHBAR_SECRET_KEY", "tests-only-secret-key-not-for-production-use-0123456789")

from akhbar.settings import *  # noqa: E402,F403

# The product serves hashed static files collected by `akhbar up`; tests render pages without collecting.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns about a missing folder
