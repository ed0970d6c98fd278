"""Akhbar's settings: everything comes from the environment, with defaults for one machine."""

import os
from pathlib import Path

import dj_database_url


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("AKHBAR_DATA_DIR", "var")).resolve()

DEBUG = env_bool("AKHBAR_DEBUG", False)


def secret_key() -> str:
    """AKHBAR_SECRET_KEY, else a random key kept in the data folder, so no install shares a public secret."""
    if os.environ.get("AKHBAR_SECRET_KEY"):
        return os.environ["AKHBAR_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        import secrets

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = secret_key()
ALLOWED_HOSTS = env_list("AKHBAR_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("AKHBAR_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("AKHBAR_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks_db",
    "akhbar.sources",
    "akhbar.news",
    "akhbar.moderation",
    "akhbar.search",
    "akhbar.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Editions: /fr/, /ar/, /es/, /en/ set the language; an address without one is sent to the reader's.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

# Defence in depth behind the sanitiser: no script runs on our pages but our own.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # Readers' browsers never load a publisher's image: lead images are served from /img/.
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Production behind TLS (AKHBAR_HTTPS=1): what `akhbar manage check --deploy` asks for, all of it.
if env_bool("AKHBAR_HTTPS", False):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("AKHBAR_SSL_REDIRECT", True)  # off when the proxy redirects already
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("AKHBAR_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("AKHBAR_HSTS_PRELOAD", True)

ROOT_URLCONF = "akhbar.web.urls"
WSGI_APPLICATION = "akhbar.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

SQLITE_PATH = DATA_DIR / "akhbar.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (the site) and the writer (the crawler) work at once; IMMEDIATE avoids
    # the lock-upgrade deadlock when two writers start a transaction together.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a real SQLite file too, beside the data, never an in-memory stand-in.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-akhbar.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("AKHBAR_REDIS_URL", "")
if REDIS_URL:
    # One cache for every web process on every machine: a page rendered once is served everywhere,
    # and the content version lives there too (akhbar.news.freshness).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": "akhbar", "TIMEOUT": 300}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "akhbar",
            "TIMEOUT": 300,
            # Cached pages are 20-60 KB each (with their gzipped copy): this bounds a process to ~100 MB.
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# The in-process backend runs crawl batches inside `akhbar up`. django_tasks_db.DatabaseBackend queues them
# in the database instead, for any number of `akhbar worker` processes on any number of machines.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("AKHBAR_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"),
    }
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("ar", "العربية"), ("es", "Español"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The edition a reader chose, remembered a year; without one, their browser's Accept-Language decides.
LANGUAGE_COOKIE_NAME = "akhbar_edition"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    # Image renditions. Several web machines need a shared folder here, or an object store's backend.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "akhbar.logfmt.KeyValueFormatter", "format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("AKHBAR_LOG_LEVEL", "WARNING")},
}

# The crawler.
FETCH_USER_AGENT = os.environ.get(
    "AKHBAR_USER_AGENT", "Akhbar/0.1 (+https://github.com/akhbar-news/akhbar; news aggregator)"
)
FETCH_ALLOW_NETWORKS = env_list("AKHBAR_FETCH_ALLOW_NETWORKS")
FETCH_ONLY_NETWORKS = env_list("AKHBAR_FETCH_ONLY_NETWORKS")
FETCH_MAX_BYTES = int(os.environ.get("AKHBAR_FETCH_MAX_BYTES", 10 * 1024 * 1024))
FETCH_TIMEOUT = float(os.environ.get("AKHBAR_FETCH_TIMEOUT", 20))
FETCH_CONCURRENCY = int(os.environ.get("AKHBAR_FETCH_CONCURRENCY", 64))
FETCH_PER_HOST = int(os.environ.get("AKHBAR_FETCH_PER_HOST", 2))
FETCH_HOST_DELAY = float(os.environ.get("AKHBAR_FETCH_HOST_DELAY", 0.5))
# Extraction is CPU-bound and holds the GIL: one worker process per core by default.
EXTRACT_PROCESSES = int(os.environ.get("AKHBAR_EXTRACT_PROCESSES", os.cpu_count() or 1))
FETCH_OBEY_ROBOTS = env_bool("AKHBAR_FETCH_OBEY_ROBOTS", True)
POLL_INTERVAL_DEFAULT = int(os.environ.get("AKHBAR_POLL_INTERVAL", 600))
POLL_INTERVAL_MIN = int(os.environ.get("AKHBAR_POLL_INTERVAL_MIN", 120))
POLL_INTERVAL_MAX = int(os.environ.get("AKHBAR_POLL_INTERVAL_MAX", 3600))
BACKOFF_MAX = int(os.environ.get("AKHBAR_BACKOFF_MAX", 6 * 3600))
SCHEDULER_TICK = float(os.environ.get("AKHBAR_SCHEDULER_TICK", 5))
# A claimed feed is not claimed again for this long: if the worker polling it dies, the feed is due again after.
CLAIM_LEASE = int(os.environ.get("AKHBAR_CLAIM_LEASE", 15 * 60))

# Images and their moderation.
IMAGE_MAX_BYTES = int(os.environ.get("AKHBAR_IMAGE_MAX_BYTES", 8 * 1024 * 1024))
IMAGE_MAX_PIXELS = int(os.environ.get("AKHBAR_IMAGE_MAX_PIXELS", 40_000_000))
# Perceptual hashes this many bits apart or fewer are the same picture (re-encoded, resized).
IMAGE_MATCH_DISTANCE = int(os.environ.get("AKHBAR_IMAGE_MATCH_DISTANCE", 6))
IMAGE_REPORT_THRESHOLD = int(os.environ.get("AKHBAR_IMAGE_REPORT_THRESHOLD", 3))
REPORTS_PER_HOUR = int(os.environ.get("AKHBAR_REPORTS_PER_HOUR", 20))
REPORT_RETENTION_DAYS = int(os.environ.get("AKHBAR_REPORT_RETENTION_DAYS", 90))
# Two reports of one image from the same network within this window count once.
REPORT_NETWORK_WINDOW_HOURS = int(os.environ.get("AKHBAR_REPORT_NETWORK_WINDOW_HOURS", 24))
# Proxies whose X-Forwarded-For is believed; anyone else's is ignored.
TRUSTED_PROXIES = env_list("AKHBAR_TRUSTED_PROXIES")
# Requests to /api/ each client network (its /24 or /48) may make, per second, minute, hour or day.
API_RATE = os.environ.get("AKHBAR_API_RATE", "120/minute")
