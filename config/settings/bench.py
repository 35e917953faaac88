"""The load and soak benchmark (bench/soak.py): production-like, but one machine plays every client.

Never for a public deployment: the secret key has a default, rate limits are raised so far that
they never trip, and X-Forwarded-For is trusted from anyone.
"""

from datetime import timedelta
from typing import cast

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, REST_FRAMEWORK, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="bench-only-not-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# As in production: database connections kept between requests and tasks.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Every client of the load test comes from 127.0.0.1. The load generator sends each simulated
# customer's own address in X-Forwarded-For, as a reverse proxy would, so that the per-network
# checks (rate limits, shared-network signals) see many networks, not one.
TRUSTED_PROXY_COUNT = 1

# Rate limits would stop a load test from one machine within seconds: raised out of reach.
# (They are tested for what they are in the test suite, not here.)
_UNLIMITED = (1_000_000, timedelta(minutes=1))
REVIEW_RATE_LIMIT_ACCOUNT = _UNLIMITED
REVIEW_RATE_LIMIT_NETWORK = _UNLIMITED
REPORT_RATE_LIMIT_ACCOUNT = _UNLIMITED
REPORT_RATE_LIMIT_NETWORK = _UNLIMITED
REPLY_RATE_LIMIT_MEMBER = _UNLIMITED
REPLY_RATE_LIMIT_PER_REPLY = _UNLIMITED
_THROTTLE_RATES = cast(dict[str, str], REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {scope: "1000000/minute" for scope in _THROTTLE_RATES},
}
# (allauth's login limits stay: the benchmark creates its customers' sessions, nobody logs in.)

# No mail server: emails are written to files (counted by the benchmark), so sending costs
# what rendering and writing one costs.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("VOIX_BENCH_EMAIL_DIR", default=str(BASE_DIR / ".state" / "bench-emails"))
# Brands' webhooks go to the benchmark's own receiver on 127.0.0.1.
WEBHOOK_ALLOW_LOCALHOST = True
