"""Model Atlas settings: the one settings module, every value from the environment.

Each variable has a working local default (README lists them all). With DEBUG off the
development SECRET_KEY is refused, so a production deploy cannot start with it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEV_SECRET_KEY = "dev-only-insecure-model-atlas-key"  # noqa: S105 - refused when DEBUG is off
DEBUG = env.bool("DJANGO_DEBUG", default=env.bool("DEBUG", default=False))
SECRET_KEY = env("DJANGO_SECRET_KEY", default=env("SECRET_KEY", default=DEV_SECRET_KEY))
TESTING = env.bool("ATLAS_TESTING", default=False)
if not DEBUG and not TESTING and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set when DEBUG is off (the development key is refused)."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "catalog",
    "benchmarks",
    "quality",
    "pricing",
    "planner",
]

MIDDLEWARE = [
    "config.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.RequestBodyLimitMiddleware",
    "config.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# --- Security (production defaults; `manage.py check --deploy` passes with them) -------
# ATLAS_BEHIND_TLS: the site is reached over HTTPS (TLS ends here or at a proxy that sets
# X-Forwarded-Proto). Then HTTP redirects to HTTPS, cookies are Secure and HSTS is sent.
# Default on with DEBUG off; `make serve` on plain http://127.0.0.1 sets it false.
ATLAS_BEHIND_TLS = env.bool("ATLAS_BEHIND_TLS", default=not DEBUG and not TESTING)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=ATLAS_BEHIND_TLS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # probes speak plain HTTP
if ATLAS_BEHIND_TLS and env.bool("ATLAS_TRUST_X_FORWARDED_PROTO", default=True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=ATLAS_BEHIND_TLS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=ATLAS_BEHIND_TLS)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if ATLAS_BEHIND_TLS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = env("SECURE_REFERRER_POLICY", default="same-origin")
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (config.middleware): scripts and styles only from our origin.
# Empty means the built-in policy, config.middleware.DEFAULT_CSP.
CONTENT_SECURITY_POLICY = env("CONTENT_SECURITY_POLICY", default="")
# Request bodies over this are refused with 413 (API JSON error body); 1 MiB.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'atlas.sqlite3'}"),
}
# Test databases get a per-checkout name so parallel checkouts (and CI) never collide
# on the shared PostgreSQL server.
_checkout = hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:8]  # noqa: S324 - a name, not security
DATABASES["default"].setdefault("TEST", {})
DATABASES["default"]["TEST"]["NAME"] = env("TEST_DATABASE_NAME", default=None) or (
    f"test_atlas_{_checkout}" if "postgresql" in DATABASES["default"]["ENGINE"] else None
)
if "sqlite" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL  # no broker: tasks run in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=3300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=3600)
# Redis redelivers unacked tasks after this long: keep it above the longest task.
# (Fault tests lower it, via CELERY_VISIBILITY_TIMEOUT_S, to see a killed worker's task again.)
_visibility_timeout_s = env.int("CELERY_VISIBILITY_TIMEOUT_S", default=CELERY_TASK_TIME_LIMIT + 600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout_s,
    "unacked_restore_throttle": 1 if _visibility_timeout_s < 60 else 10,
}
CELERY_TASK_ROUTES = {"benchmarks.tasks.benchmark_run_task": {"queue": "gpu"}}
# Beat schedules live in code: each app's `schedule.py` has BEAT_SCHEDULE, merged here.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

# --- External sources -----------------------------------------------------------------
HF_ENDPOINT = env("HF_ENDPOINT", default="https://huggingface.co").rstrip("/")
HF_TOKEN = env("HF_TOKEN", default=None)
HUB_TIMEOUT_S = env.float("HUB_TIMEOUT_S", default=30.0)
HUB_MAX_RETRIES = env.int("HUB_MAX_RETRIES", default=5)
HUB_MAX_BACKOFF_S = env.float("HUB_MAX_BACKOFF_S", default=60.0)
# A Hub run that committed no page for this long was killed: the next sync resumes it.
HUB_RUN_STALE_AFTER_S = env.float("HUB_RUN_STALE_AFTER_S", default=1800.0)
FEED_TIMEOUT_S = env.float("FEED_TIMEOUT_S", default=30.0)
SNAPSHOT_PATH = env("SNAPSHOT_PATH", default=str(BASE_DIR / "data" / "demo_snapshot.json.gz"))

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "config.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.AnonThrottle",
        "config.api.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="600/min"),
        "user": env("API_THROTTLE_USER", default="3000/min"),
    },
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
# Seconds a rendered API list page is served from the cache (0 = off; config.api).
API_LIST_CACHE_SECONDS = env.int("API_LIST_CACHE_SECONDS", default=0)
# planner.selectors.plan_catalog_rows: per-process cache checked against catalog_version()
PLANNER_CATALOG_CACHE_SECONDS = env.int(
    "PLANNER_CATALOG_CACHE_SECONDS", default=0 if TESTING else 60
)
SPECTACULAR_SETTINGS = {
    "TITLE": "Model Atlas API",
    "DESCRIPTION": (
        "Catalog, prices, hardware estimates, benchmarks and plans for generative AI models."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package (no CDN), split view (no inline script): CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets share the field name "source": name their enums explicitly.
    "ENUM_NAME_OVERRIDES": {
        "ModelSourceEnum": "catalog.models.Model.Source",
        "BenchmarkRunSourceEnum": "benchmarks.models.BenchmarkRun.Source",
    },
    # Describes path parameters (repo_id, slug) and plain filterset_fields everywhere.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema_describe_parameters",
    ],
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# LOG_FORMAT=json: one JSON object per line (config.logging); default in production.
LOG_FORMAT = env("LOG_FORMAT", default="plain" if DEBUG or TESTING else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "level": env("LOG_LEVEL", default="INFO"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},  # huggingface_hub 2.x transport
        "huggingface_hub": {"level": "WARNING"},
    },
}
# Celery workers keep our handlers (JSON lines) instead of installing their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
