"""Settings for the course catalog, read from the environment (see README, "Configuration")."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from catalog.domain.limits import MAX_RECORD_BYTES

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Unset, this is production: DEBUG off, the secure defaults below on. `make run` and the tests set
# DJANGO_DEBUG=1. Without DJANGO_SECRET_KEY a development key stands in, so that management commands
# (`import_courses` next to `make run`, `check`) work with nothing set; but a server in production
# mode refuses to start with it (config/startup.py), and `check --deploy` flags it.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-key-do-not-deploy"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "catalog.apps.CatalogAdminConfig",  # django.contrib.admin with the catalog's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "adminsortable2",
    "nested_admin",
    "axes",
    "corsheaders",
    "django_guid",
    "catalog",
]

MIDDLEWARE = [
    # First: every answer, a cache hit too, carries X-Request-ID (the client's, or a new one), and
    # every log line of the request names it.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the learners' cache, so cached hits get their CORS headers (and Vary: Origin) too.
    "corsheaders.middleware.CorsMiddleware",
    # Before everything else but security and CORS headers: a learner's cache hit costs one Redis round
    # trip and nothing more. It also gives every API read its ETag and answers If-None-Match.
    "catalog.web.middleware.cache.LearnerCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Many failures for one username from any addresses slow its logins down (see LOGIN_SLOWDOWN_*).
    "catalog.web.middleware.login.LoginSlowdownMiddleware",
    # The admin's times in the editor's zone; without a worker, scheduled switches recorded in process.
    "catalog.web.middleware.editors.EditorTimeZoneMiddleware",
    "catalog.web.middleware.editors.InProcessTickMiddleware",
    # Last: turns a refused login (too many failures) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# GET /metrics in Prometheus' text format, and the counts behind it (catalog/metrics.py). Off, the
# middleware is not even installed, so requests pay nothing for it.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=False)
if METRICS_ENABLED:
    MIDDLEWARE.insert(0, "catalog.web.middleware.metrics.MetricsMiddleware")
# Who may scrape /metrics: client addresses or networks (REMOTE_ADDR), and/or whoever sends
# `Authorization: Bearer <METRICS_TOKEN>`. Anyone else gets a 404.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Statements a connection runs often (learners' hot reads: a detail, the counts, the first pages, a
# page's summaries) cost more to plan than to run: with server-side binding (Django's documented
# OPTIONS server_side_binding, psycopg 3), psycopg prepares a statement the fifth time a connection
# runs it. Behind a pooler in transaction mode (PgBouncer before 1.21, or without
# max_prepared_statements), DATABASE_TRANSACTION_POOLING=1: nothing prepared, parameters bound
# client-side, no server-side cursors (docs/deploy.md, "PgBouncer").
TRANSACTION_POOLING = env.bool("DATABASE_TRANSACTION_POOLING", default=False)
PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=not TRANSACTION_POOLING)
PREPARE_AFTER = 5  # runs of one statement on one connection before it is prepared (psycopg's default)


def postgresql_options(database: dict) -> None:
    if database["ENGINE"] != "django.db.backends.postgresql":
        return
    # Django's backend with a health check that asks the socket, not the server (config/postgresql).
    database["ENGINE"] = "config.postgresql"
    options = database.setdefault("OPTIONS", {})
    # A short connect timeout turns "database unreachable" into a quick 503 instead of a hung worker.
    options.setdefault("connect_timeout", 3)
    if PREPARED_STATEMENTS:
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", PREPARE_AFTER)
    # Django's iterator() cursors outlive a transaction, which a transaction pooler does not keep.
    database["DISABLE_SERVER_SIDE_CURSORS"] = TRANSACTION_POOLING


postgresql_options(DATABASES["default"])

# A PostgreSQL read replica for learners' reads (catalog/db/replica.py, docs/deploy.md). Reads go there
# only once it has replayed the last write, so lag costs speed, never freshness. In tests the alias
# mirrors the primary instead of getting a test database of its own.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    postgresql_options(DATABASES["replica"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["catalog.db.replica.ReplicaRouter"]
    # One routing decision per request, after the cache middleware (hits never reach the database).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("catalog.web.middleware.cache.LearnerCacheMiddleware") + 1,
        "catalog.web.middleware.replica.ReplicaRoutingMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Redis behind Sentinel: REDIS_SENTINELS=host:port,host:port and the master's name. The cache follows a
# failover (and kills what the new master holds from before it: catalog/cache/failover.py); so does the
# worker's broker, unless CELERY_BROKER_URL names another.
REDIS_SENTINELS = [
    (host.strip(), int(port)) for host, _, port in (s.rpartition(":") for s in env.list("REDIS_SENTINELS", default=[]))
]
REDIS_SENTINEL_MASTER = env.str("REDIS_SENTINEL_MASTER", default="")
REDIS_SENTINEL_DB = env.int("REDIS_SENTINEL_DB", default=0)
REDIS_PASSWORD = env.str("REDIS_PASSWORD", default="")
if REDIS_SENTINELS and not REDIS_SENTINEL_MASTER:
    raise ImproperlyConfigured("REDIS_SENTINELS needs REDIS_SENTINEL_MASTER, the name the Sentinels monitor")
if REDIS_URL or REDIS_SENTINELS:
    _redis_timeouts = {
        # Short timeouts: a dead or stalled Redis must cost a read milliseconds, not seconds.
        "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.25),
        "SOCKET_TIMEOUT": env.float("REDIS_SOCKET_TIMEOUT", default=0.25),
    }
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CATALOG_CACHE_PREFIX", default="catalog"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", **_redis_timeouts},
        }
    }
    if REDIS_SENTINELS:
        CACHES["default"]["LOCATION"] = f"redis://{REDIS_SENTINEL_MASTER}/{REDIS_SENTINEL_DB}"
        CACHES["default"]["OPTIONS"] = {
            "CLIENT_CLASS": "django_redis.client.SentinelClient",
            "CONNECTION_FACTORY": "catalog.cache.failover.ConnectionFactory",
            "CONNECTION_POOL_CLASS": "redis.sentinel.SentinelConnectionPool",
            "SENTINELS": REDIS_SENTINELS,
            "SENTINEL_KWARGS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
            **({"PASSWORD": REDIS_PASSWORD} if REDIS_PASSWORD else {}),
            **_redis_timeouts,
        }
else:
    # `make run` needs nothing running: pages in each process's memory, and the tokens that say
    # whether a page is still current in files every process on the machine shares, so a write from
    # another process (`import_courses` in a second terminal) is seen at once (catalog/cache/stores.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "catalog",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
        "tokens": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.str("CATALOG_CACHE_DIR", default=str(BASE_DIR / "var" / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }
# Sessions live in the database, but DRF's throttling uses this cache: a dead Redis must not fail
# a request (the catalog cache handles its own failures in catalog/cache.py).
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
CATALOG_CACHE_TTL = env.int("CATALOG_CACHE_TTL", default=300)
# Off: every learner read is built from the database (benchmarks, debugging); writes still invalidate.
CATALOG_CACHE_ENABLED = env.bool("CATALOG_CACHE_ENABLED", default=True)
# Learners' cache hits answered in front of Django's handler, with the same headers (catalog/web/hits.py);
# 0 sends them through the whole middleware stack instead (the same answers, three times the cost).
CATALOG_HIT_LANE = env.bool("CATALOG_HIT_LANE", default=True)
CATALOG_CACHE_VERSION = env.str("CATALOG_CACHE_VERSION", default="")
# The edge in front (Varnish with deploy/varnish/catalog.vcl, or a CDN): learner answers say how long it may
# keep them (at most CATALOG_EDGE_TTL seconds, never past the next scheduled switch) and their surrogate
# keys; every committed write purges those keys on each instance before it returns
# (catalog/services/changes/edge.py, docs/deploy.md "The edge cache").
CATALOG_EDGE_TTL = env.int("CATALOG_EDGE_TTL", default=CATALOG_CACHE_TTL)
CATALOG_EDGE_PURGE_URLS = [url.rstrip("/") for url in env.list("CATALOG_EDGE_PURGE_URLS", default=[]) if url.strip()]
CATALOG_EDGE_PURGE_TIMEOUT = env.float("CATALOG_EDGE_PURGE_TIMEOUT", default=2.0)
# A CDN instead of (or besides) Varnish: Fastly purges by Surrogate-Key, Cloudflare by Cache-Tag.
CATALOG_EDGE_FASTLY_SERVICE_ID = env.str("CATALOG_EDGE_FASTLY_SERVICE_ID", default="")
CATALOG_EDGE_FASTLY_TOKEN = env.str("CATALOG_EDGE_FASTLY_TOKEN", default="")
CATALOG_EDGE_FASTLY_API = env.str("CATALOG_EDGE_FASTLY_API", default="https://api.fastly.com")
CATALOG_EDGE_CLOUDFLARE_ZONE_ID = env.str("CATALOG_EDGE_CLOUDFLARE_ZONE_ID", default="")
CATALOG_EDGE_CLOUDFLARE_TOKEN = env.str("CATALOG_EDGE_CLOUDFLARE_TOKEN", default="")
CATALOG_EDGE_CLOUDFLARE_API = env.str("CATALOG_EDGE_CLOUDFLARE_API", default="https://api.cloudflare.com/client/v4")
CATALOG_EDGE_CDNS = [
    name
    for name, configured in (
        ("fastly", CATALOG_EDGE_FASTLY_SERVICE_ID),
        ("cloudflare", CATALOG_EDGE_CLOUDFLARE_ZONE_ID),
    )
    if configured
]
# Seconds a preview link of a working copy works (catalog/selectors/previews.py).
CATALOG_PREVIEW_TTL = env.int("CATALOG_PREVIEW_TTL", default=7 * 24 * 3600)
# The language (BCP 47) of a course whose record or form does not say.
CATALOG_DEFAULT_LANGUAGE = env.str("CATALOG_DEFAULT_LANGUAGE", default="en")
# Days the change feed keeps entries that are not a course's latest (catalog_tick compacts).
CATALOG_FEED_RETENTION = env.int("CATALOG_FEED_RETENTION", default=30)

# Webhooks (catalog/services/changes/webhooks.py, docs/integrations.md) and the Celery worker that sends them
# (`celery -A config worker -B`, config/celery.py). Without a broker, the process that made a change
# sends its deliveries from a thread of its own after commit (`make run` needs nothing else).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A dead broker must cost a write's after-commit wake-up a second, not a hang (the sweep catches up).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
if REDIS_SENTINELS and not CELERY_BROKER_URL:
    # kombu's Sentinel transport: it asks the Sentinels for the master, again after a failover.
    _auth = f":{quote(REDIS_PASSWORD, safe='')}@" if REDIS_PASSWORD else ""
    CELERY_BROKER_URL = ";".join(
        f"sentinel://{_auth}{host}:{port}/{REDIS_SENTINEL_DB}" for host, port in REDIS_SENTINELS
    )
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = env.str(
        "CELERY_BROKER_SENTINEL_MASTER", default=REDIS_SENTINEL_MASTER
    )
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# In the checkout (beside the embedded cache's tokens), so two checkouts on one machine never share it.
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / "var" / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE = {
    "catalog-tick": {"task": "catalog.tick", "schedule": 60.0},
    "webhooks-sweep": {"task": "catalog.webhooks_send", "schedule": 60.0},
}
# Who sends after a commit: "celery" (the worker), "thread" (this process) or "off" (tests and the
# bench call the sweep themselves).
WEBHOOKS_SENDER = "celery" if CELERY_BROKER_URL else "thread"
# Without a broker there is no worker's beat to run `catalog_tick`: the serving process records due
# scheduled switches itself, at most once a second, on a request (catalog.web.middleware.editors).
CATALOG_TICK_ON_REQUEST = env.bool("CATALOG_TICK_ON_REQUEST", default=not CELERY_BROKER_URL)
WEBHOOKS_SWEEP_SECONDS = 60  # the no-broker thread's sweep for retries
# Refuse endpoints on private, loopback, link-local or otherwise non-public addresses unless 1.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
# Failed rounds in a row after which an endpoint is switched off (the default takes a day of failing).
WEBHOOKS_FAILURE_LIMIT = env.int("WEBHOOKS_FAILURE_LIMIT", default=10)
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT", default=10.0)  # seconds for an answer (5 to connect)
WEBHOOKS_CONCURRENCY = env.int("WEBHOOKS_CONCURRENCY", default=8)  # requests at once per endpoint

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files in production (after collectstatic); plain files while developing.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "config.staticfiles.ManifestStaticFilesStorage"
    },
}
# Tests and `make run` need no collectstatic step to find the admin's assets; neither does a
# production server started before collectstatic ran (its pages work, `check --deploy` says why not).
WHITENOISE_USE_FINDERS = env.bool(
    "WHITENOISE_USE_FINDERS", default=DEBUG or not (STATIC_ROOT / "staticfiles.json").exists()
)
WHITENOISE_MANIFEST_STRICT = False

# Production hardening: on by default whenever DEBUG is off; each can be relaxed explicitly
# (e.g. DJANGO_SECURE_SSL_REDIRECT=0 behind a proxy that already redirects).
# Every absolute URL the API builds (pagination links, Location) and every cache key starts here,
# never with what a request's headers say (catalog/origin.py). Its path, if any, is where a proxy
# mounts the catalog: it becomes the script prefix, so a SCRIPT_NAME a client sends is ignored.
CATALOG_BASE_URL = env.str("CATALOG_BASE_URL", default="").strip().rstrip("/")
FORCE_SCRIPT_NAME = urlsplit(CATALOG_BASE_URL).path.rstrip("/")

# Headers a proxy sets are trusted only when the operator says a proxy sets them (and strips what
# clients send): e.g. DJANGO_SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto. See docs/deploy.md.
_proxy_ssl_header = env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default="").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
)
USE_X_FORWARDED_HOST = env.bool("DJANGO_USE_X_FORWARDED_HOST", default=False)
USE_X_FORWARDED_PORT = env.bool("DJANGO_USE_X_FORWARDED_PORT", default=False)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "admin:login"
# A request body may hold one whole course record at its limit (catalog/domain/limits.py): PUT takes
# every record the import takes.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_RECORD_BYTES

# Browser code on these origins may read the API (cache hits included); e.g.
# CORS_ALLOWED_ORIGINS=https://learn.example.org. No cookies cross origins: machine clients send a token.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
# Browser code makes conditional writes (If-Match, If-None-Match) with a token, and reads the tags,
# the cache's verdict, the request id and where a created course lives.
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "if-match", "if-none-match", "x-request-id"]
CORS_EXPOSE_HEADERS = ["ETag", "X-Cache", "X-Request-ID", "Location"]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# client address, that pair is refused, even with the right password, for AXES_COOLOFF_MINUTES. An
# administrator unlocks earlier with `manage.py axes_reset_username <name>` (docs/deploy.md). The
# address is REMOTE_ADDR: behind a proxy, see docs/deploy.md.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_VERBOSE = False
# Per username, from any addresses: past LOGIN_SLOWDOWN_FAILURES failures within AXES_COOLOFF_MINUTES,
# one attempt per LOGIN_SLOWDOWN_SECONDS (429 with Retry-After), except from a browser that logged in
# as that username before. Slowed, not locked: guessing from many addresses cannot shut an editor out.
# 0 failures turns it off.
LOGIN_SLOWDOWN_FAILURES = env.int("LOGIN_SLOWDOWN_FAILURES", default=20)
LOGIN_SLOWDOWN_SECONDS = env.int("LOGIN_SLOWDOWN_SECONDS", default=30)

REST_FRAMEWORK = {
    # Token first: an anonymous write then gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "catalog.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # JSON only: one representation per URL keeps ETags and the learners' cache simple.
    "DEFAULT_RENDERER_CLASSES": ["catalog.api.renderers.CompactJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Off unless set, e.g. API_ANON_THROTTLE_RATE=600/minute. Cached hits are answered before DRF
    # and are not counted: throttling protects the database, which hits never touch.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_ANON_THROTTLE_RATE", default="") or None},
    # The client is REMOTE_ADDR, as for the login throttle: a client-sent X-Forwarded-For is never
    # believed (rotating it would bypass the rate). Behind a proxy, gunicorn sets REMOTE_ADDR to the
    # client's address from the PROXY protocol of the proxies FORWARDED_ALLOW_IPS trusts (docs/deploy.md).
    "NUM_PROXIES": 0,
    "DEFAULT_SCHEMA_CLASS": "catalog.api.schema.CatalogSchema",
    "EXCEPTION_HANDLER": "catalog.api.exceptions.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Course catalog API",
    "DESCRIPTION": "Courses, their units and modules; learners see published courses only.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The errors and headers every operation may meet, declared once (catalog/api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "catalog.api.schema.postprocess"],
}

# X-Request-ID: kept when it is a UUID (a proxy's, e.g. nginx's $request_id), else a new one.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,  # CORS_EXPOSE_HEADERS names it with the others
}

# DJANGO_LOG_FORMAT=json: one JSON object per line (python-json-logger), for a log collector.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId", "correlation_id_field": "request_id"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
    "loggers": {
        "catalog": {"level": env.str("CATALOG_LOG_LEVEL", default="INFO")},
        # One line per problem: Django's own console handler would repeat what the root logs.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"level": env.str("DJANGO_REQUEST_LOG_LEVEL", default="ERROR")},
        # It would log every request, and a warning for each malformed X-Request-ID a client sends.
        "django_guid": {"level": "ERROR"},
    },
}

# SQLite cannot create the deferrable unique constraints on unit/module order; migration 0002 gives
# it plain unique indexes instead, so the warning says nothing we have not handled.
SILENCED_SYSTEM_CHECKS = ["models.W038"]

# The learner site's search-engine side (issue 22): the organisation named in course pages' JSON-LD.
CATALOG_PROVIDER_NAME = env.str("CATALOG_PROVIDER_NAME", default="Course catalog")
