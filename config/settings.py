"""Model Atlas settings: the one settings module, every value from the environment.

Each variable has a working local default (README lists them all). With DEBUG off the
development SECRET_KEY is refused, so a production deploy cannot start with it.
"""

from __future__ import annotations

import hashlib
import sys
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
    "axes",  # admin login lockout (last: its signals need the auth app)
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
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
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
# Persistent connections: a new PostgreSQL connection per request costs more than a list
# page's query (issue 19). `make serve` sets CONN_MAX_AGE (scripts/serve.sh); health
# checks drop a connection the server closed before it is reused.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# Server-side prepared statements (psycopg 3), used only where the code asks for them
# (config.api.CompiledValuesQuery: the API list's page SQL, planned once per connection).
# Django's own queries bind client-side and are never prepared. Off (DB_PREPARED_STATEMENTS
# =false) behind a transaction-mode pooler that cannot carry prepared statements.
# JIT off (DB_JIT=false, the default): a web request's queries run in milliseconds, and
# PostgreSQL JIT-compiles any plan whose estimate passes jit_above_cost, e.g. the task
# list's count fallback at 200k models: 57 ms of compiling for a 0.2 ms query (issue 19).
if "postgresql" in DATABASES["default"]["ENGINE"]:
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options.setdefault(
        "prepare_threshold", 5 if env.bool("DB_PREPARED_STATEMENTS", default=True) else None
    )
    if not env.bool("DB_JIT", default=False):
        _db_options["options"] = (_db_options.get("options", "") + " -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Proxies in front of Django (`make serve`: nginx, NUM_PROXIES=1). The client address
# for throttles and the login lockout is then the last X-Forwarded-For entry (what nginx
# saw), never what the client sent. Unset elsewhere, and ignored under runserver.
# 0 (not None): DRF would otherwise key anonymous clients on whatever X-Forwarded-For
# they send, so a new header each time was never throttled.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
if sys.argv[1:2] == ["runserver"]:
    NUM_PROXIES = 0  # runserver is reached directly: X-Forwarded-For is the client's

# --- Admin login lockout (django-axes) -----------------------------------------------
# AXES_FAILURE_LIMIT failed logins for one username from one client address lock that
# pair out for AXES_COOLOFF_HOURS (429); failures are rows in the database, so every
# gunicorn worker sees them. The address is the proxy's X-Forwarded-For under NUM_PROXIES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = NUM_PROXIES
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if NUM_PROXIES else ["REMOTE_ADDR"]
)

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
# Extra task modules for the workers (the process-level fault tests load their probes
# with it: tests/ops/test_serve_stack.py); empty in production.
CELERY_INCLUDE = env.list("CELERY_EXTRA_INCLUDE", default=[])
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
# On-demand Hub fetch of a model the catalog lacks (catalog.services.hub_fetch): lookups
# per minute per process, seconds a "not on the Hub" answer is remembered, seconds a
# request waits for the fetch task.
HUB_FETCH_PER_MINUTE = env.int("HUB_FETCH_PER_MINUTE", default=30)
HUB_FETCH_NEGATIVE_TTL_S = env.int("HUB_FETCH_NEGATIVE_TTL_S", default=3600)
HUB_FETCH_WAIT_S = env.float("HUB_FETCH_WAIT_S", default=20.0)
# Price feed loads look up the Hub repos of open-weights models missing from the catalog
# (catalog.services.linking): at most this many Hub fetches a load; off: never ask the Hub.
LINKING_HUB_FETCH = env.bool("LINKING_HUB_FETCH", default=True)
LINKING_HUB_FETCH_MAX = env.int("LINKING_HUB_FETCH_MAX", default=50)
# A non-Hub feed run still "running" after this long is stale: failed or resumed, never a lock.
FEED_RUN_STALE_AFTER_S = env.float("FEED_RUN_STALE_AFTER_S", default=3600.0)
FEED_TIMEOUT_S = env.float("FEED_TIMEOUT_S", default=30.0)
# A price sync is refused (nothing written) when it would close more than this share of
# the feed's current rows, or its document is under this share of the last good one's
# size or record count (pricing.services.feed_guard; `sync_prices --allow-mass-close`).
FEED_MAX_CLOSE_SHARE = env.float("FEED_MAX_CLOSE_SHARE", default=0.2)
FEED_MIN_SIZE_SHARE = env.float("FEED_MIN_SIZE_SHARE", default=0.5)
# ...except that up to this many rows may always close (a small feed's withdrawals).
FEED_MASS_CLOSE_MIN_ROWS = env.int("FEED_MASS_CLOSE_MIN_ROWS", default=10)
SNAPSHOT_PATH = env("SNAPSHOT_PATH", default=str(BASE_DIR / "data" / "demo_snapshot.json.gz"))

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # orjson for JSON (config.renderers); the browsable API for a browser
    "DEFAULT_RENDERER_CLASSES": [
        "config.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON only (documented as such; anything else is a 415), with a nesting limit
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
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
        "config.throttles.AnonThrottle",
        "config.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="600/min"),
        "user": env("API_THROTTLE_USER", default="3000/min"),
        # new plans (POST /api/plans/, the wizard's last step, re-ranking), per client
        "plan_create": env("PLAN_CREATE_THROTTLE", default="20/min"),
    },
    # Proxies in front of Django: the client address is the one the last of them saw
    # (X-Forwarded-For, as nginx appends it), not what the client sends. `make serve`
    # sets NUM_PROXIES=1 (nginx); 0 (REMOTE_ADDR) elsewhere and always under runserver.
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
# Seconds a rendered API list page is served from the cache (0 = off; config.api).
API_LIST_CACHE_SECONDS = env.int("API_LIST_CACHE_SECONDS", default=0)
# Saved plans (planner.lifecycle): never-viewed plans are deleted this many days after
# they were made (0 = never); an opening this long after creation counts as a view.
PLAN_EXPIRE_DAYS = env.int("PLAN_EXPIRE_DAYS", default=30)
PLAN_VIEW_GRACE_S = env.int("PLAN_VIEW_GRACE_S", default=600)
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
        "FactSourceEnum": "catalog.models.Model.FactSource",
        "BenchmarkRunSourceEnum": "benchmarks.models.BenchmarkRun.Source",
        "PlanBillingEnum": "planner.answers.BILLING_CHOICES",
        "SubscriptionBillingEnum": "pricing.subscription_models.SubscriptionPlan.Billing",
    },
    # Describes path parameters (repo_id, slug) and plain filterset_fields everywhere.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.schema_describe_parameters",
        "config.schema.schema_error_responses",
    ],
}

# The shared cache: throttle counters, the Hub-fetch window, cached list pages. Redis
# (Django's own backend) whenever a broker is configured, so every gunicorn worker and
# every process counts against the same limits; LocMemCache (per process) otherwise.
# CACHE_URL defaults to the broker's URL (keys prefixed; `make serve` gives it its own DB).
CACHE_URL = env(
    "CACHE_URL", default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else ""
)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "atlas",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
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
