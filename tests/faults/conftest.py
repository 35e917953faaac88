"""What the fault scenarios share: their own Redis server, worker processes they can kill, fault
points they arm (config/faults.py), and the checks every scenario ends with.

Never the shared Redis of the machine: each scenario starts a `redis-server` on a free port,
stops and restarts it at will, and points this process's Celery app and its workers at it.
"""

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery_app import app
from moderation.models import Submission
from tests.conftest import ROOT, skip_unless_required, wait_until

QUEUES = ("moderation", "notifications", "webhooks")
CLEAN_TEXT = (
    "Réparation rapide de mon vélo, conseils utiles et prix annoncé respecté. "
    "Je reviendrai pour la révision."
)
# Another author's review must not read as a copy of the first (the duplicate check).
OTHER_TEXT = (
    "Accueil chaleureux en boutique, le casque commandé est arrivé en deux jours et "
    "l'équipe a réglé la selle gratuitement."
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A redis-server of the scenario's own, without persistence: stopped, it loses its data,
    as a broker whose messages are lost outright."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        log = (self.log_dir / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self._answers, timeout=10)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def is_idle(self) -> bool:
        """No message waiting in a queue, none delivered and not yet acknowledged."""
        client = self.client()
        return not any(client.llen(q) for q in QUEUES) and not client.hlen("unacked")


class FaultPoints:
    """Arms the points of config/faults.py for the workers that share this directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def arm(self, name: str) -> None:
        (self.directory / f"{name}.hold").touch()

    def wait_held(self, name: str, timeout: float = 30) -> int:
        """The process id of the worker process now waiting at the point."""
        held = self.directory / f"{name}.held"
        return int(wait_until(lambda: held.exists() and held.read_text(), timeout=timeout))

    def is_held(self, name: str) -> bool:
        return (self.directory / f"{name}.held").exists()

    def release(self, name: str) -> None:
        (self.directory / f"{name}.held").unlink(missing_ok=True)


class Worker:
    """A `celery worker` process (and its pool) in a session of its own, so that a test can
    kill all of it at once, like a machine lost."""

    count = 0

    def __init__(self, *, env: dict[str, str], log_dir: Path, queues: str, concurrency: int):
        Worker.count += 1
        self.hostname = f"fault{Worker.count}-{os.getpid()}@%h"
        self.log = log_dir / f"worker{Worker.count}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", "config", "worker"]
            + ["--loglevel", "INFO", "--queues", queues, "--concurrency", str(concurrency)]
            + ["--without-gossip", "--without-mingle", "--hostname", self.hostname],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        name = self.hostname.replace("%h", socket.gethostname())
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[name], timeout=0.5):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"the Celery worker did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL to the worker and its pool: nothing is acknowledged or cleaned up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class Scenario:
    """One fault scenario's Redis, fault points, emails and workers."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.email_dir = directory / "mail"
        self.email_dir.mkdir()
        self.points = FaultPoints(directory)
        self.redis = RedisServer(directory)
        self.workers: list[Worker] = []

    def start_worker(
        self, *, queues: str = ",".join(QUEUES), concurrency: int = 1, **extra: str
    ) -> Worker:
        database = settings.DATABASES["default"]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST']}:"
                f"{database['PORT']}/{database['NAME']}"
            ),
            "REDIS_URL": self.redis.url,
            "VOIX_CELERY_EAGER": "0",
            "VOIX_TEST_EMAIL_DIR": str(self.email_dir),
            "VOIX_FAULT_POINTS_DIR": str(self.directory),
            "VOIX_WEBHOOK_ALLOW_LOCALHOST": "1",
            # A killed worker's unacknowledged messages come back within seconds.
            "VOIX_BROKER_VISIBILITY_TIMEOUT": "4",
            **extra,
        }
        worker = Worker(env=env, log_dir=self.directory, queues=queues, concurrency=concurrency)
        self.workers.append(worker)
        return worker

    def emails_to(self, address: str) -> list[str]:
        """The emails the workers finished writing to `address` (see WorkerProcess.emails)."""
        texts = (p.read_text() for p in sorted(self.email_dir.glob("*.log")))
        done = (text for text in texts if text.endswith("-" * 79 + "\n"))
        return [text for text in done if f"To: {address}" in text]

    def worker_logs(self) -> str:
        return "\n".join(w.log.read_text() for w in self.workers if w.log.exists())

    def settle(self, timeout: float = 30) -> None:
        """Wait until every message was handled and acknowledged: after this, nothing more
        can happen, and counting side effects means counting all of them."""
        wait_until(self.redis.is_idle, timeout=timeout, interval=0.2)

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.redis.stop()


def _point_app_at(url: str, *, eager: bool) -> None:
    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    # Forget the pools of the previous broker, without closing them: kombu keeps one pool per
    # URL for the whole process, and a closed one could not serve that URL again.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def scenario(transactional_db, tmp_path) -> Iterator[Scenario]:
    """A scenario's own Redis server, to which this process enqueues (not eagerly) and its
    workers listen. Depends on transactional_db: the workers are gone before the tables are
    emptied, and see what the test commits."""
    if not shutil.which("redis-server"):
        skip_unless_required("needs redis-server (apt-get install redis-server)")
    previous = app.conf.broker_url
    current = Scenario(tmp_path)
    _point_app_at(current.redis.url, eager=False)
    try:
        yield current
    finally:
        current.close()
        print(current.worker_logs()[-6000:])  # shown when the test fails
        _point_app_at(previous, eager=True)


def check_invariants() -> None:
    """What every scenario ends with: the audit chain verifies and every rating counter
    equals a recount (both raise CommandError otherwise)."""
    call_command("verify_audit_trail", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("recompute_ratings", "--check", stdout=open(os.devnull, "w"))  # noqa: SIM115


def review_payload(brand, place, *, text: str = CLEAN_TEXT, rating: int = 4) -> dict:
    return {
        "brand": brand.slug,
        "place": place.pk,
        "channel": "in_store",
        "rating": rating,
        "title": "Mon avis",
        "text": text,
        "attested": True,
        "experience_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
    }


def submit_by_api(author, brand, place, **fields) -> int:
    api = APIClient()
    api.force_authenticate(author)
    response = api.post(
        reverse("api-reviews"),
        review_payload(brand, place, **fields),
        format="json",
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def as_if_forgotten() -> None:
    """Make every pending submission older than the sweeper's delay, as if its message had
    been waiting for MODERATION_SWEEP_AFTER."""
    Submission.objects.filter(state=Submission.State.PENDING).update(
        enqueued_at=timezone.now() - settings.MODERATION_SWEEP_AFTER - datetime.timedelta(seconds=1)
    )
