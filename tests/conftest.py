"""Shared fixtures, requirement marks, and the rule for tests that need a real service.

A test that needs PostgreSQL, Redis, a Celery worker or chromium skips with the reason when the
service is missing, except under VOIX_REQUIRE_SERVICES=1 (set by .ci/run), where it fails:
nothing is skipped in CI.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import BrandFactory, MembershipFactory, PlaceFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
STANDARDS = ROOT / "docs" / "standards.md"
REQUIRE_SERVICES = os.environ.get("VOIX_REQUIRE_SERVICES") == "1"


def requirement_ids() -> dict[str, str]:
    """ID -> requirement text, read from the table rows of docs/standards.md."""
    ids: dict[str, str] = {}
    for line in STANDARDS.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| ([A-Z]+-[A-Z]*-?\d+) \| ([^|]*)\| ([^|]*)\|", line)
        if match:
            ids[match.group(1)] = match.group(3).strip()
    return ids


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--conformance-report",
        default=None,
        help="write the requirement coverage report to this path and exit",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    known = requirement_ids()
    unknown = sorted(
        {
            rid
            for item in items
            for mark in item.iter_markers("req")
            for rid in mark.args
            if rid not in known
        }
    )
    if unknown:
        raise pytest.UsageError(f"Unknown requirement IDs in @pytest.mark.req: {unknown}")
    path = config.getoption("--conformance-report")
    if path:
        from tests.conformance import write_report

        write_report(Path(path), items, known)


SERVICE_MARKS = ("postgres", "redis", "worker", "browser")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for name in SERVICE_MARKS:
        if item.get_closest_marker(name) and (reason := missing_service(name)):
            skip_unless_required(reason)


def skip_unless_required(reason: str) -> None:
    """A missing service or tool skips the test, except in CI, where it fails it."""
    if REQUIRE_SERVICES:
        pytest.fail(f"VOIX_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def missing_service(name: str) -> str:
    if (
        name == "postgres"
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if name in ("redis", "worker") and not os.environ.get("REDIS_URL"):
        return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0"
    if (
        name == "worker"
        and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
    ):
        return "a real worker process shares the database: needs PostgreSQL (DATABASE_URL)"
    if name == "browser" and not shutil.which("chromium"):
        return "needs Debian's chromium (apt-get install chromium)"
    return ""


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's default language. A request through the test client
    activates the visitor's language in this thread and nothing resets it (as in a server,
    where the next request activates its own): without this, one test's language would leak
    into the next."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _emails_in_outbox(settings: pytest.FixtureRequest) -> None:  # type: ignore[valid-type]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate limits live in the cache: each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    email_dir: Path

    def emails(self) -> list[str]:
        """The emails the worker has finished writing. Django's file backend creates the file
        before it writes the message, then ends each message with a line of 79 dashes: a file
        read in between is not an email yet."""
        texts = (p.read_text() for p in sorted(self.email_dir.glob("*.log")))
        return [text for text in texts if text.endswith("-" * 79 + "\n")]


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on Redis, using the test database.

    Tests that use it need `transactional_db` (the worker only sees committed rows) and the
    `real_broker` fixture (so this process enqueues to Redis instead of running tasks eagerly).
    """
    email_dir = tmp_path_factory.mktemp("worker-mail")
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "VOIX_CELERY_EAGER": "0",
        "VOIX_TEST_EMAIL_DIR": str(email_dir),
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "config",
            "worker",
            "--loglevel",
            "WARNING",
            "--queues",
            "moderation,notifications,webhooks",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
    )
    from config.celery_app import app

    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the Celery worker did not start")
    yield WorkerProcess(process, email_dir)
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def real_broker(settings):
    """Enqueue to Redis for real during this test."""
    from config.celery_app import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    raise AssertionError(f"not true after {timeout} s: {predicate}")


@pytest.fixture
def customer(db):  # type: ignore[no-untyped-def]
    return UserFactory(pseudonym="Camille")


@pytest.fixture
def unverified_user(db):  # type: ignore[no-untyped-def]
    return UserFactory(pseudonym="Nouveau", email_verified_at=None)


@pytest.fixture
def moderator(db):  # type: ignore[no-untyped-def]
    return UserFactory(pseudonym="Modo", role="moderator", moderation_languages=["fr", "en"])


@pytest.fixture
def operator(db):  # type: ignore[no-untyped-def]
    return UserFactory(pseudonym="Opératrice", role="operator", is_staff=True)


@pytest.fixture
def brand(db):  # type: ignore[no-untyped-def]
    return BrandFactory(name="Boulangerie Dupain", domain="dupain.fr")


@pytest.fixture
def place(brand):  # type: ignore[no-untyped-def]
    return PlaceFactory(brand=brand, name="Dupain Bastille", city="Paris")


@pytest.fixture
def brand_owner(brand):  # type: ignore[no-untyped-def]
    return MembershipFactory(brand=brand, role="owner").user


@pytest.fixture
def brand_agent(brand):  # type: ignore[no-untyped-def]
    return MembershipFactory(brand=brand, role="agent").user
