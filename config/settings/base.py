"""Settings shared by every environment, read from environment variables (django-environ).

Environment-specific modules (local, production, test) import this one and override.
Every number a user is promised (delays, windows, retention) is a setting here, so the
public information pages and the code read the same value.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
env.read_env(str(BASE_DIR / ".env"))  # optional; the process environment wins

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
TIME_ZONE = "Europe/Paris"
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
SITE_ID = 1
SITE_NAME = "Voix"
# The absolute address of the site, for links in emails sent by workers (no request there).
SITE_URL = env("VOIX_SITE_URL", default="http://127.0.0.1:8000")

# DATABASES
# ------------------------------------------------------------------------------
# PostgreSQL when DATABASE_URL is set; otherwise an embedded SQLite file so that a first run
# needs nothing but Python. IMMEDIATE transactions make SQLite writers queue instead of
# failing, which keeps the audit chain linear there too.
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("VOIX_SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# URLS
# ------------------------------------------------------------------------------
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# APPS
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "pgtrigger",
    "django_htmx",
]
LOCAL_APPS = [
    "audit",
    "accounts",
    "brands",
    "moderation",
    "reviews",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email is the login, verification is mandatory (NF-COL-3), and failed
# logins are rate-limited per IP and per account.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Voix] "

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env("VOIX_MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# TEMPLATES
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# SECURITY
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less header in templates
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_048_576  # 1 MiB: no legitimate form or payload is larger

# EMAIL
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Voix <noreply@voix.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"level": "INFO", "handlers": ["console"]},
}

# CACHE (rate limits of allauth, DRF throttles)
# ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# CELERY
# ------------------------------------------------------------------------------
# Without REDIS_URL tasks run in-process (eagerly, after the commit that enqueued them), so a
# first run needs no broker. With it, real workers consume three queues, so that a slow mail
# server never delays moderation.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# An unacknowledged message comes back after this long; longer than any task may run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = "moderation"
CELERY_TASK_ROUTES = {
    "moderation.tasks.*": {"queue": "moderation"},
    "*.notify_*": {"queue": "notifications"},
    "*.send_*": {"queue": "notifications"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-undecided-submissions": {
        "task": "moderation.tasks.sweep_undecided_submissions_task",
        "schedule": timedelta(minutes=1),
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# DJANGO REST FRAMEWORK
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "config.schema.VoixAutoSchema",
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "token": "10/minute",
        "claims": "10/hour",
        "reviews": "30/hour",
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Voix API",
    "DESCRIPTION": "Public and authenticated API of Voix, the transparent review platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "accounts.models.User.Role",
        "MembershipRoleEnum": "brands.models.Membership.Role",
    },
}

# VOIX: BRANDS
# ------------------------------------------------------------------------------
# How long the link in a domain-claim email stays valid.
BRAND_CLAIM_LINK_MAX_AGE = timedelta(days=2)

# VOIX: HEALTH
# ------------------------------------------------------------------------------
HEALTH_WORKER_PING_TIMEOUT = 1.0

# VOIX: MODERATION (every threshold the same for every rating: NF-MOD-3)
# ------------------------------------------------------------------------------
# A finding of an automatic content rule at or above this score rejects.
MODERATION_REJECT_THRESHOLD = 0.8
# A finding, or the combined authenticity risk, at or above this score goes to a moderator.
MODERATION_HUMAN_THRESHOLD = 0.5
# A submission still undecided this long after it was (re-)enqueued is enqueued again.
MODERATION_SWEEP_AFTER = timedelta(minutes=2)
# Near-duplicates: estimated Jaccard similarity of word 3-shingles; texts shorter than this
# many words are not compared (short texts like "Très bien" legitimately repeat).
DUPLICATE_SIMILARITY_THRESHOLD = 0.7
DUPLICATE_MIN_WORDS = 8
# Several accounts on one network (or one network and device) reviewing one brand.
NETWORK_WINDOW = timedelta(days=7)
NETWORK_MIN_ACCOUNTS = 4
DEVICE_MIN_ACCOUNTS = 3
# A burst: at least BURST_MIN_REVIEWS reviews on the same side of the scale in BURST_WINDOW,
# and BURST_RATIO times the brand's usual rate over BURST_BASELINE_WINDOW.
BURST_WINDOW = timedelta(hours=24)
BURST_BASELINE_WINDOW = timedelta(days=30)
BURST_MIN_REVIEWS = 8
BURST_RATIO = 5.0
# An account younger than this is "new" for the new-account-extreme-rating signal.
NEW_ACCOUNT_AGE = timedelta(days=7)

# VOIX: REVIEWS (stated on the information pages; the code reads the same values)
# ------------------------------------------------------------------------------
# A rating is the mean of the published reviews of this window (NF-RES-3).
RATING_WINDOW = timedelta(days=365)
# The per-brand transparency figures on brand pages are recomputed at most this often.
BRAND_TRANSPARENCY_CACHE_SECONDS = 300
# How long reviews are kept after they leave public pages (withdrawn, rejected, removed), and
# published reviews after publication (FR-10, ISO-MOD-3: at least one year).
REVIEW_RETENTION = timedelta(days=3 * 365)
# The maximum delay between submission and decision that we commit to (NF-RES-4, FR-10).
REVIEW_DECISION_MAX_DELAY = timedelta(days=7)
# What Voix gives an author for posting a review, stated on the page on how reviews work (FR-9).
# Empty: nothing. (Incentives from brands are the author's to declare; such reviews are labelled.)
REVIEW_COUNTERPART = ""
# How old an experience may be when reviewed.
REVIEW_EXPERIENCE_MAX_AGE = timedelta(days=365)
# One live review per author, brand and place within this window.
REVIEW_ONE_PER_WINDOW = timedelta(days=365)
# Submission rate limits: (count, period) per account and per network.
REVIEW_RATE_LIMIT_ACCOUNT = (5, timedelta(days=1))
REVIEW_RATE_LIMIT_NETWORK = (20, timedelta(days=1))
REVIEW_TEXT_MIN_LENGTH = 20
REVIEW_TEXT_MAX_LENGTH = 5000
REVIEW_TITLE_MAX_LENGTH = 120
# Key for the hashes of networks and user agents (kept for moderation, never shown).
VOIX_HASH_KEY = env("VOIX_HASH_KEY", default="")  # empty: derived from SECRET_KEY
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("VOIX_TRUSTED_PROXY_COUNT", default=0)
