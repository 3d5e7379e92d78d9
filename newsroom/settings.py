"""
Settings for the newsroom CMS: one module, every deployment difference read from the environment.

DATABASE_URL      sqlite:///var/db.sqlite3 (default) or postgres://user:pass@host:port/name
DATABASE_REPLICA_URLS  optional, comma-separated read replicas (see newsroom/db_router.py)
DATABASE_PREPARED_STATEMENTS  PostgreSQL: 1 (default) binds parameters server-side and prepares
                  statements run repeatedly; 0 behind a transaction-mode pooler that cannot keep them
REDIS_URL         redis://host:port/db; when unset the cache is per-process local memory
SECRET_KEY        required when DEBUG is off
DEBUG             1/true/yes to enable (default off)
ALLOWED_HOSTS     comma-separated (default: localhost names)
MEDIA_ROOT        where uploads go (default var/media)
TIME_ZONE         default UTC
"""

import datetime
import json
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# pytest (>= 8.2) exports PYTEST_VERSION for the whole session.
RUNNING_TESTS = "PYTEST_VERSION" in os.environ


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _prepared_statements():
    """
    PostgreSQL options: parameters bound server-side, and a statement prepared once it has run
    PREPARE_THRESHOLD times on a connection, so PostgreSQL plans it once per connection instead of on every
    run. The public pages' fixed-shape queries (newsroom/fixed_queries.py) repeat the same SQL text: this
    took PostgreSQL's CPU per tag page from ~1.0 to ~0.3 ms (bench/RESULTS.md). Django's default (off) keeps
    transaction-mode poolers working; DATABASE_PREPARED_STATEMENTS=0 restores it.
    """
    if not env_bool("DATABASE_PREPARED_STATEMENTS", True):
        return {}
    return {"server_side_binding": True, "prepare_threshold": PREPARE_THRESHOLD}


PREPARE_THRESHOLD = 5  # psycopg's own default


def database_from_url(url):
    """Turn a DATABASE_URL into a Django DATABASES entry (sqlite:/// and postgres:// schemes)."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path and sqlite:////absolute/path, as in dj-database-url.
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path:
            raise ImproperlyConfigured(f"DATABASE_URL {url!r} names no SQLite file")
        name = Path(path) if Path(path).is_absolute() else BASE_DIR / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "postgres",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": int(os.environ.get("CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": _prepared_statements(),
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported; use sqlite:///path or postgres://user@host/name"
    )


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or RUNNING_TESTS:
        SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: set the SECRET_KEY environment variable, or DEBUG=1 for development."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "taggit",
    "django_prose_editor",
    "tags",
    "authors",
    "images",
    "articles",
    "embeds",
    "search",
    "desk",
    "live",
    "ingest",
    "public",
    "planning",  # the story budget (docs/desk.md)
    "redirects",  # the redirect manager (docs/desk.md)
    "rest_framework",
    "drf_spectacular",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.db_router.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "newsroom.security_headers.PermissionsPolicyMiddleware",
    # Last, so it sees every 404 (docs/desk.md): a managed redirect is looked up only then.
    "redirects.middleware.RedirectFallbackMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    # The public pages (templates/jinja2/): Jinja2 renders a page of story cards several times faster than
    # Django templates. Listed first, so that "articles/home.html" and the 404 and 500 pages are found there.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "newsroom.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.csp",
                "newsroom.context_processors.site",
            ],
        },
    },
    # The admin and everything else.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "newsroom.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", "sqlite:///var/db.sqlite3"))}
for index, replica_url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASES[f"replica{index}"] = database_from_url(replica_url)
    DATABASES[f"replica{index}"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["newsroom.db_router.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Parallel test workers (pytest-xdist) share one Redis: each gets its own keys, or one worker would read the
# page cache generation, and the pages, that another stored.
_TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "") if RUNNING_TESTS else ""
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom")
            + (f"-{_TEST_WORKER}" if _TEST_WORKER else ""),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Benchmarks (bench/pages.py): DISABLE_CACHE=1 measures pages uncached (a cache that stores nothing), and
# BENCH_FLOOR=1 routes the framework-floor view (bench/floor.py). Never set them in production.
if env_bool("DISABLE_CACHE"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
BENCH_FLOOR = env_bool("BENCH_FLOOR")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if RUNNING_TESTS:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files with far-future cache headers in production; plain files in
    # development and tests, where collectstatic has not run.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or RUNNING_TESTS
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Images (issue 6): upload limits, and an optional S3-compatible bucket (pip install 'newsroom[s3]') for
# uploaded media. With AWS_STORAGE_BUCKET_NAME set, originals and renditions go to the bucket; credentials
# come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or boto3's usual sources). Serve the bucket on its own
# domain and add that origin to CSP_IMG_SRC.
IMAGE_MAX_UPLOAD_BYTES = int(os.environ.get("IMAGE_MAX_UPLOAD_BYTES", 25 * 1024 * 1024))
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", 50_000_000))
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,  # MinIO, R2, Spaces, ...
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,  # a CDN in front of the bucket
            "location": os.environ.get("AWS_LOCATION", ""),  # a key prefix inside the bucket
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),  # public-read URLs, cacheable
            "file_overwrite": False,
        },
    }

# Content-Security-Policy: no inline script anywhere; scripts need the per-request nonce.
# The style hash is the one inline <style> that Tiptap (django-prose-editor 0.28.0) injects.
PROSE_EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE, PROSE_EDITOR_STYLE_HASH],
    "img-src": [CSP.SELF, "data:", *env_list("CSP_IMG_SRC")],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Embeds (issue 18, docs/media.md): oEmbed of an allow-list of providers (embeds/providers.py), cached in
# the database; readers load a provider's iframe only after pressing its placeholder's button.
# EMBED_MASTODON_HOSTS: the Mastodon instances whose posts may be embedded. EMBED_OEMBED_ENDPOINTS (JSON):
# endpoints by provider name, replacing the built-in ones. frame-src lists every provider's frame host, on
# every page: cached pages are served with their request's own header (public/cache.py).
EMBED_MASTODON_HOSTS = env_list("EMBED_MASTODON_HOSTS", "mastodon.social,mastodon.online")
EMBED_OEMBED_ENDPOINTS = json.loads(os.environ.get("EMBED_OEMBED_ENDPOINTS", "{}"))
EMBED_FETCH_TIMEOUT = float(os.environ.get("EMBED_FETCH_TIMEOUT", "4"))
EMBED_CACHE_DAYS = int(os.environ.get("EMBED_CACHE_DAYS", "30"))
EMBED_FRAME_HOSTS = [
    "www.youtube-nocookie.com",
    "player.vimeo.com",
    "platform.twitter.com",
    "www.instagram.com",
    "www.tiktok.com",
    "embed.bsky.app",
    "embed.documentcloud.org",
    "datawrapper.dwcdn.net",
    *EMBED_MASTODON_HOSTS,
]
SECURE_CSP["frame-src"] = [f"https://{host}" for host in EMBED_FRAME_HOSTS]

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent by newsroom.security_headers.PermissionsPolicyMiddleware (Django has no setting for it): no page of
# ours uses these browser features. Embedded players keep fullscreen and autoplay.
PERMISSIONS_POLICY = os.environ.get(
    "PERMISSIONS_POLICY",
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()",
)
X_FRAME_OPTIONS = "DENY"
# Production (docs/security.md): HTTPS only, with HSTS, secure cookies and a redirect from plain HTTP, so
# that `manage.py check --deploy` is clean. Each may be turned off on purpose (HSTS while trying HTTPS out,
# the redirect where the proxy does it); the check that would warn about it is then silenced, because the
# choice was made.
SILENCED_SYSTEM_CHECKS = []
if not DEBUG and not RUNNING_TESTS:
    # The header our TLS-terminating proxy sets ("Name: value"); empty when nothing is in front of the
    # app (a client could send the header itself).
    _ssl_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https")
    if _ssl_header.strip():
        _name, _, _value = _ssl_header.partition(":")
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip())
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SILENCED_SYSTEM_CHECKS += [
        check
        for check, turned_off in [
            ("security.W004", not SECURE_HSTS_SECONDS),
            ("security.W005", not SECURE_HSTS_INCLUDE_SUBDOMAINS),
            ("security.W021", not SECURE_HSTS_PRELOAD),
            ("security.W008", not SECURE_SSL_REDIRECT),
        ]
        if turned_off
    ]

TAGGIT_CASE_INSENSITIVE = True

# Django 6.1 mailers; the console backend prints mail in development. Set EMAIL_BACKEND (a backend path)
# and EMAIL_OPTIONS (JSON, e.g. {"host": "smtp.example.com", "port": 587, "use_tls": true}) in production.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        "OPTIONS": json.loads(os.environ.get("EMAIL_OPTIONS", "{}")),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")

# The article form (docs/editors.md, "Autosave and presence"): how often it autosaves and sends its
# heartbeat, and after how many seconds without one an open form no longer counts as open.
ARTICLE_AUTOSAVE_SECONDS = int(os.environ.get("ARTICLE_AUTOSAVE_SECONDS", "30"))
ARTICLE_PRESENCE_TIMEOUT = int(os.environ.get("ARTICLE_PRESENCE_TIMEOUT", "90"))

# The public name and address of the site, for feeds, JSON-LD and absolute URLs in emails.
SITE_NAME = os.environ.get("SITE_NAME", "The Newsroom")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Public site: keep rendered pages in the cache (public/cache.py); 0 to benchmark uncached rendering.
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", True)
# Live blogs (docs/live.md): how often an open page asks for new updates, in seconds.
LIVE_POLL_SECONDS = int(os.environ.get("LIVE_POLL_SECONDS", 15))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Staff accounts (issue 16, docs/accounts.md): two-factor for the admin (django-otp) and the audit log
# (django-auditlog). OTP_REQUIRED_ROLES: groups, permissions (app.codename) or "superuser" whose members must
# use two-factor; empty turns it off for everyone (development only).
INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
    "accounts",
]
MIDDLEWARE[MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1 : 0] = [
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.AuditMiddleware",
]
OTP_REQUIRED_ROLES = env_list(
    "OTP_REQUIRED_ROLES",
    "Editor,Publisher,articles.publish_article,articles.review_article,auth.change_user,superuser",
)
# Besides /admin/: staff-only areas whose session users need two-factor too (accounts/middleware.py).
OTP_GUARDED_PATH_PREFIXES = env_list("OTP_GUARDED_PATH_PREFIXES", "/api/")
OTP_TOTP_ISSUER = SITE_NAME
OTP_ADMIN_HIDE_SENSITIVE_DATA = (
    True  # no admin page shows a device's secret or QR code, not even to superusers
)
AUDIT_LOG_RETENTION_DAYS = int(os.environ.get("AUDIT_LOG_RETENTION_DAYS", "365"))
# How many proxies of ours are in front of the app: the audit log's client address (accounts/middleware.py).
AUDIT_LOG_TRUSTED_PROXIES = int(os.environ.get("AUDIT_LOG_TRUSTED_PROXIES", "0"))

# Login throttling (django-axes, docs/security.md): AXES_FAILURE_LIMIT wrong passwords (or two-factor codes)
# from one address for one username lock that pair out for AXES_COOLOFF minutes; a successful login clears
# the count. Attempts are database rows (the admin lists them), written to and read from the primary.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out username + address
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_MINUTES = int(os.environ.get("AXES_COOLOFF", "15"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Masked in the POST data an attempt row keeps (passwords always are): two-factor codes and CSRF tokens.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "token", "csrfmiddlewaretoken"]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.client.client_address"
# Whom a locked-out editor should ask, shown on the lockout page: a name, a desk or an address.
LOCKOUT_CONTACT = os.environ.get("LOCKOUT_CONTACT", "a site administrator")

# Staff sessions (docs/security.md): logged out after STAFF_SESSION_IDLE_MINUTES without a request; a
# password change ends every other session of the user (accounts/sessions.py).
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "60"))
# After the messages middleware: the logout leaves a message for the login page.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "accounts.middleware.StaffSessionIdleMiddleware",
)
AUTH_PASSWORD_VALIDATORS += [{"NAME": "accounts.sessions.EndOtherSessionsOnPasswordChange"}]

# Background worker (issue 17, docs/worker.md): Django's task API on django-tasks-db, whose rows live in
# this database; `manage.py db_worker` runs them. TASKS_BACKEND: "database" (default) or "immediate"
# (development: a task runs inside the request that enqueues it; no retries, no periodic tasks).
# `worker` comes before django_tasks_db: its db_worker command (heartbeats, recovery) replaces the library's.
INSTALLED_APPS += ["worker", "django_tasks_db"]
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND is {TASKS_BACKEND!r}: use 'database' (the worker) or 'immediate' (development)."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}
# A worker's heartbeat period; a task whose worker has not beaten for WORKER_STALE_SECONDS runs again.
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
WORKER_STALE_SECONDS = float(os.environ.get("WORKER_STALE_SECONDS", str(3 * WORKER_HEARTBEAT_SECONDS)))
# Seconds after a publish or unpublish when the worker purges the page cache once more, after read
# replicas have caught up (public/tasks.py); 0 turns it off. Default: 5 with replicas, else off.
PAGE_PURGE_REPLICA_DELAY = float(
    os.environ.get("PAGE_PURGE_REPLICA_DELAY", "5" if env_list("DATABASE_REPLICA_URLS") else "0")
)

# Content API (docs/api.md): Bearer tokens only; anonymous reads see published articles.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.JSONRenderer",  # DRF's bytes, by orjson
        "rest_framework.renderers.BrowsableAPIRenderer",  # at ?format=api: local static files only
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.JsonUnlessAsked",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom content API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Webhooks (issue 17, docs/webhooks.md): article events POSTed, signed, to endpoints set in the admin, by
# the worker. A delivery is tried WEBHOOK_MAX_ATTEMPTS times, waiting WEBHOOK_RETRY_BASE_DELAY seconds
# after the first failure and twice as long after each next (at most WEBHOOK_RETRY_MAX_DELAY); an endpoint
# is disabled after WEBHOOK_DISABLE_AFTER dead deliveries in a row (0: never).
INSTALLED_APPS += ["webhooks"]
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "6"))
WEBHOOK_RETRY_BASE_DELAY = float(os.environ.get("WEBHOOK_RETRY_BASE_DELAY", "60"))
WEBHOOK_RETRY_MAX_DELAY = float(os.environ.get("WEBHOOK_RETRY_MAX_DELAY", "3600"))
WEBHOOK_DISABLE_AFTER = int(os.environ.get("WEBHOOK_DISABLE_AFTER", "5"))
# The SSRF guard (webhooks/destinations.py) refuses endpoints on loopback, private, link-local, multicast
# and reserved addresses; True allows them (a receiver on the intranet; tests with a local receiver).
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False)
