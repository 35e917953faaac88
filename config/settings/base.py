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
# Proofs of experience: outside MEDIA_ROOT, never served by URL (config/storage.py).
PRIVATE_MEDIA_ROOT = env("VOIX_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "config.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
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
# A mail server that stops answering fails the send after this many seconds (an OSError the
# email tasks retry with backoff) instead of holding a worker process until its time limit.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=30)

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
# The cache (rate limits, brand pages) lives in Redis too; VOIX_CACHE_URL puts it elsewhere.
CACHE_URL = env("VOIX_CACHE_URL", default=REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
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
# A broker gone without closing the connection (failover, firewall) must not block a request
# that enqueues: it fails within seconds, is logged, and the periodic tasks catch up
# (config.celery_app.Task).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 5,
    "socket_timeout": 10,
}
CELERY_TASK_DEFAULT_QUEUE = "moderation"
# Checked in order: emails first, so a slow mail server never delays moderation.
CELERY_TASK_ROUTES = {
    # Before "*.send_*": a slow receiver of a brand's webhooks never delays emails either.
    "brands.tasks.deliver_webhook*": {"queue": "webhooks"},
    "*.notify_*": {"queue": "notifications"},
    "*.send_*": {"queue": "notifications"},
    "*.acknowledge_*": {"queue": "notifications"},
    "moderation.tasks.*": {"queue": "moderation"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-undecided-submissions": {
        "task": "moderation.tasks.sweep_undecided_submissions_task",
        "schedule": timedelta(minutes=1),
    },
    # Proofs of experience not sent by their deadline (PROOF_UPLOAD_DEADLINE).
    "expire-proof-requests": {
        "task": "moderation.tasks.expire_proof_requests_task",
        "schedule": timedelta(minutes=15),
    },
    # Brands' webhook deliveries due for a retry (WEBHOOK_RETRY_BASE).
    "deliver-webhooks-due": {
        "task": "brands.tasks.deliver_webhooks_due_task",
        "schedule": timedelta(minutes=1),
    },
    # Review invitations and reminders whose time has come (INVITATION_SEND_DELAY).
    "send-due-invitations": {
        "task": "brands.tasks.send_due_invitations_task",
        "schedule": timedelta(minutes=5),
    },
    # Personal data past its retention period (PERSONAL DATA RETENTION below).
    "purge-expired-personal-data": {
        "task": "accounts.tasks.purge_expired_personal_data_task",
        "schedule": timedelta(hours=1),
    },
    # Decision emails whose task never reached the broker (DECISION_EMAIL_CATCH_UP_AFTER).
    "send-missed-decision-emails": {
        "task": "reviews.tasks.send_missed_decision_emails_task",
        "schedule": timedelta(minutes=5),
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fix-up closes every database connection before and after each task unless
# this is set: a new PostgreSQL connection (and server process) for every task. Set out of
# reach, so that a worker's connections live as Django's do around requests: dropped when
# unusable or older than CONN_MAX_AGE (config.celery_app.close_old_connections_around_tasks).
CELERY_DB_REUSE_MAX = 2**62

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
        "invitations": "600/hour",
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
    # config.converters.IdConverter
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
    },
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "accounts.models.User.Role",
        "MembershipRoleEnum": "brands.models.Membership.Role",
        "ReportSourceEnum": "moderation.models.Report.Source",
        "ReportStatusEnum": "moderation.models.Report.Status",
        "ReviewStatusEnum": "reviews.models.Review.Status",
        "WebhookEventEnum": "brands.models.WebhookEndpoint.Event",
    },
}

# VOIX: BRANDS
# ------------------------------------------------------------------------------
# How long the link in a domain-claim email stays valid.
BRAND_CLAIM_LINK_MAX_AGE = timedelta(days=2)

# VOIX: INVITATIONS (ISO-COL-1..5; stated in the invitation email and the brand's tool)
# ------------------------------------------------------------------------------
# An invitation is emailed this long after the brand created it, so that the customer has
# had the product or service when asked (ISO-COL-1); the date of purchase is never later.
INVITATION_SEND_DELAY = timedelta(days=1)
# One reminder at most, this long after the invitation, unless the customer reviewed or
# declined (ISO-COL-5).
INVITATION_REMINDER_AFTER = timedelta(days=7)
# How long the link in an invitation can be used to write a review, from its sending.
INVITATION_LINK_MAX_AGE = timedelta(days=60)
# The largest CSV upload or API batch, in rows, and the largest CSV file.
INVITATION_UPLOAD_MAX_ROWS = 2000
INVITATION_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
# Invitations one brand may create per period, by any member or token: (count, period).
INVITATION_RATE_LIMIT_BRAND = (10_000, timedelta(days=1))
# How many due invitations one run of the periodic task hands to the workers.
INVITATION_SEND_BATCH = 500
# A gap between the mean rating of invited and spontaneous reviews at least this large, with
# at least INVITATION_GAP_MIN_REVIEWS reviews on each side, is shown as a warning: invitations
# sent only to happy customers (gating, FTC-2) look like this.
INVITATION_GAP_ALERT = 1.0
INVITATION_GAP_MIN_REVIEWS = 10
# The in-shop display page: how many latest reviews it shows, how often the screen reloads
# it, and how long the server keeps it cached.
PLACE_DISPLAY_REVIEWS = 6
PLACE_DISPLAY_REFRESH_SECONDS = 300
PLACE_DISPLAY_CACHE_SECONDS = 60
# Brand and place pages, and the brand's review list in the API, are kept rendered for anonymous
# visitors (brands.page_cache): each change of the brand's reviews, replies or places shows at
# once; what changes elsewhere (an author's count of published reviews) within this delay.
# 0: no cache, every page rendered for every request (bench/public_pages.py --page-cache off).
PUBLIC_PAGE_CACHE_SECONDS = env.int("VOIX_PUBLIC_PAGE_CACHE_SECONDS", default=60)

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
# A review decision whose email has not gone out this long after the decision (its task was
# lost with the broker) is emailed again, for decisions at most DECISION_EMAIL_CATCH_UP_WINDOW
# old: an author learns of a refusal or a publication within minutes, not days later.
DECISION_EMAIL_CATCH_UP_AFTER = timedelta(minutes=10)
DECISION_EMAIL_CATCH_UP_WINDOW = timedelta(days=2)
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

# VOIX: AUTHENTICITY MODEL (moderation/authenticity; see docs/moderation.md)
# ------------------------------------------------------------------------------
# The model's score at or above this sends a review to a moderator; the model never rejects.
AUTHENTICITY_MODEL_HUMAN_THRESHOLD = 0.7
# Each worker process looks for a newer current model at most this often (seconds).
AUTHENTICITY_MODEL_REFRESH_SECONDS = 60.0
# The kinds of content it scores and learns from (a brand's reply is no consumer experience).
AUTHENTICITY_MODEL_KINDS = ("review",)

# VOIX: MODERATOR WORKSPACE (stated on the information pages; the code reads the same values)
# ------------------------------------------------------------------------------
# A moderator's claim on a work item lapses after this, and the item returns to the queue.
MODERATION_CLAIM_LEASE = timedelta(minutes=15)
# Maximum delays we commit to, from which each work item's due time is computed.
REPORT_DECISION_MAX_DELAY = timedelta(days=3)
TRUSTED_FLAGGER_DECISION_MAX_DELAY = timedelta(days=1)
APPEAL_DECISION_MAX_DELAY = timedelta(days=7)
PROOF_DECISION_MAX_DELAY = timedelta(days=3)
# Contesting a decision is open this long after the person concerned was told (DSA-17).
APPEAL_WINDOW = timedelta(days=183)
# An author asked for proof of experience has this long to upload it.
PROOF_UPLOAD_DEADLINE = timedelta(days=14)
PROOF_MAX_BYTES = 5 * 1024 * 1024
PROOF_CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
# Misuse of reporting (DSA art. 23(2)): manifestly unfounded reports or flags within the
# window; a warning at the first threshold, then a suspension of reporting.
REPORTING_ABUSE_WINDOW = timedelta(days=90)
REPORTING_WARNING_AFTER = 3
REPORTING_SUSPENSION_AFTER = 5
REPORTING_SUSPENSION = timedelta(days=30)
# The single point of contact (DSA art. 12) that reports' outcome emails give to notifiers
# without an account, to contest a decision.
MODERATION_CONTACT_EMAIL = env("VOIX_MODERATION_CONTACT_EMAIL", default="moderation@voix.example")
# Reports and flags one account, or one network (/24, /48), may file per period: (count, period).
REPORT_RATE_LIMIT_ACCOUNT = (10, timedelta(hours=1))
REPORT_RATE_LIMIT_NETWORK = (30, timedelta(hours=1))

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

# VOIX: INTEGRATIONS (brands' API tokens and webhooks, brands/integrations.py, brands/webhooks.py)
# ------------------------------------------------------------------------------
# One delivery is tried this many times at most (network errors and 5xx answers), waiting
# WEBHOOK_RETRY_BASE * 2**(attempt-1) between tries (1 min, 2 min, 4 min... about 2 h in all).
WEBHOOK_MAX_ATTEMPTS = 8
WEBHOOK_RETRY_BASE = timedelta(minutes=1)
WEBHOOK_TIMEOUT_SECONDS = 5
# http://127.0.0.1 and http://localhost endpoints are refused unless DEBUG or this is true
# (tests, a developer's receiver); every other endpoint must be https.
WEBHOOK_ALLOW_LOCALHOST = env.bool("VOIX_WEBHOOK_ALLOW_LOCALHOST", default=False)
# Active endpoints per brand.
WEBHOOK_MAX_ENDPOINTS = 5

# VOIX: BRAND REPLIES (stated on the information pages; the code reads the same values)
# ------------------------------------------------------------------------------
# A reply (each version of it) is published or refused within this delay after it is submitted
# (NF-RES-5: 7 days at most): the due time of a reply sent to a moderator.
REPLY_DECISION_MAX_DELAY = timedelta(days=7)
REPLY_TEXT_MIN_LENGTH = 2
REPLY_TEXT_MAX_LENGTH = 3000
# Versions one brand member may submit per period (replies and updates): (count, period).
REPLY_RATE_LIMIT_MEMBER = (60, timedelta(hours=1))
# Versions of one reply per period: an update is a correction, not a conversation.
REPLY_RATE_LIMIT_PER_REPLY = (3, timedelta(days=1))
# Photos and videos a reply may carry (NF-RES-6). Each needs a text alternative (accessibility).
# A reply with any goes to a moderator: no automated check reads a picture.
REPLY_ATTACHMENT_MAX_COUNT = 4
REPLY_PHOTO_MAX_BYTES = 5 * 1024 * 1024
REPLY_VIDEO_MAX_BYTES = 50 * 1024 * 1024
# Width x height a photo may have: a small file that decodes to a huge image is an attack.
REPLY_PHOTO_MAX_PIXELS = 40_000_000
REPLY_ATTACHMENT_DESCRIPTION_MAX_LENGTH = 200

# VOIX: PERSONAL DATA RETENTION (GDPR, FR-11, ISO-MOD-3; the privacy page reads these values)
# ------------------------------------------------------------------------------
# Reviews themselves: REVIEW_RETENTION above. Each period below runs from the date named; the
# periodic task `purge_expired_personal_data` (accounts/privacy.py) removes what passed it,
# never earlier.
# Keyed hashes of the network and device a review or report came from, from its submission:
# longer than every window of the checks that read them (NETWORK_WINDOW, rate limits).
NETWORK_HASH_RETENTION = timedelta(days=180)
# A customer's email, name and order reference on a brand's invitation, from its last event
# (creation, sending, reminder, review, refusal): longer than the link's life
# (INVITATION_LINK_MAX_AGE), so that a brand can answer questions about its invitations.
INVITATION_PERSONAL_DATA_RETENTION = timedelta(days=365)
# The name and email of whoever filed a report or an appeal, from its decision: longer than
# the window to contest that decision (APPEAL_WINDOW).
REPORT_CONTACT_RETENTION = timedelta(days=365)
# Proofs of experience (files), from the moderator's decision on them: at least one year, so
# that the attachments of a rejected or removed review are kept that long (ISO-MOD-3).
PROOF_FILE_RETENTION = timedelta(days=365)
# A brand's webhook delivery log (payloads, answers), from the delivery's creation.
WEBHOOK_DELIVERY_RETENTION = timedelta(days=90)
# An account whose email address was never verified is erased this long after sign-up.
UNVERIFIED_ACCOUNT_RETENTION = timedelta(days=30)
# Who answers questions about personal data (GDPR art. 13(1)(a)), stated on the privacy page.
PRIVACY_CONTACT_EMAIL = env("VOIX_PRIVACY_CONTACT_EMAIL", default="privacy@voix.example")
