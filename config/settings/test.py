"""The test suite. Tasks run eagerly unless a test starts a real worker; emails go to the outbox."""

from .base import *  # noqa: F403
from .base import DATABASES, env

SECRET_KEY = "test-only-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A real worker started by a test runs with these settings too, and writes its emails to files
# the test can read (see tests/conftest.py, `celery_worker_process`).
if env("VOIX_TEST_EMAIL_DIR", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("VOIX_TEST_EMAIL_DIR")
CELERY_TASK_ALWAYS_EAGER = env.bool("VOIX_CELERY_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# Where a fault test arms the points at which a worker stops (config/faults.py, tests/faults).
FAULT_POINTS_DIR = env("VOIX_FAULT_POINTS_DIR", default="")
if env("VOIX_BROKER_VISIBILITY_TIMEOUT", default=""):
    # A fault test's worker gets back, within seconds, the unacknowledged messages of a worker
    # it killed (in production they come back after an hour: config.settings.base).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "visibility_timeout": env.int("VOIX_BROKER_VISIBILITY_TIMEOUT"),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
ALLOWED_HOSTS = ["*"]
# The embedded SQLite default for tests is in memory; PostgreSQL when DATABASE_URL is set.
if not env("DATABASE_URL", default=""):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
elif env("VOIX_TEST_DB_NAME", default=""):
    # Several test runs on one PostgreSQL server (two developers, CI) need their own database.
    DATABASES["default"]["TEST"] = {"NAME": env("VOIX_TEST_DB_NAME")}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Proofs of experience uploaded by tests stay in memory.
STORAGES = {
    **STORAGES,  # noqa: F405
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
