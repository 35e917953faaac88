"""Load and soak: gunicorn, two Celery workers and beat under a mixed load for ten minutes.

Usage (from the repository root; about 13 minutes with the default 600 s of load):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/voix_soak \\
    REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/soak.py [--duration 600] [--keep] [--no-docs]

What it does:
1. Drops and recreates the database `voix_soak` (any other name is refused), migrates it and
   fills it with bench/public_pages.py's generator (`World`, `fill`: PostgreSQL COPY, texts
   from bench/review_corpus.py): 1,000 brands, 20,000 accounts, 100,000 published reviews by
   default. Then, through the services, the actors: customers with verified emails (API
   tokens, or web sessions), moderators (fr and en) and, for the biggest brands, a manager with
   a brand API token (scope `reply`) and a webhook to a receiver this script runs on 127.0.0.1.
   It empties Redis database 5 (the URL's database), its own.
2. Starts, with `config.settings.bench` (rate limits out of reach, emails to files, the client
   address taken from X-Forwarded-For): gunicorn on 127.0.0.1 (2 sync workers), two Celery
   workers, one on the `moderation` queue and one on `notifications` and `webhooks` (so that a
   slow mail server or webhook receiver never delays moderation, as in production), and beat
   (the sweeper of undecided submissions, webhook retries).
3. Runs locust (bench/locustfile.py, headless) for `--duration` seconds: visitors reading brand
   pages and the review APIs (most requests), customers submitting reviews by API and by the
   web form (a share of them mention an undeclared incentive, which sends them to a
   moderator), moderators claiming and deciding queue items, brands replying with their token.
   Every 60 s it records the resident memory (RSS) of each server process.
4. Then decides what is left in the moderators' queue (through the same API), waits until every
   submission (reviews and replies) is decided, runs `verify_audit_trail` and
   `recompute_ratings --check`, and reports: failed requests (any status but the expected one),
   p50/p99 per endpoint, requests/s, submissions/s sustained, RSS of each process at start,
   after the first minute and at the end, emails written, webhooks received, task errors in the
   workers' logs. It writes "## Load and soak" into docs/benchmarks.md (unless --no-docs),
   drops the database (unless --keep), and exits non-zero on any failed request, task error,
   undecided submission or failed check.

Only 127.0.0.1 is contacted. Logs, locust's CSV files and the emails are kept in a directory
under /tmp (printed).
"""

import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
DB_NAME = "voix_soak"
os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"

import public_pages  # noqa: E402  (sets the environment for its own run: overridden below)

os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
os.environ["REDIS_URL"] = REDIS_URL
os.environ.pop("DJANGO_DEBUG", None)

import django  # noqa: E402
import psutil  # noqa: E402
from common import drop_database, recreate_database  # noqa: E402
from common import machine as common_machine  # noqa: E402

UTC = dt.UTC
DOCS = REPO / "docs" / "benchmarks.md"
SECTION = "## Load and soak"
VENV = REPO / ".venv" / "bin"


# --- setup ----------------------------------------------------------------------------------------


def database_url() -> tuple[str, str]:
    url = os.environ["DATABASE_URL"]
    name = urlparse(url).path.lstrip("/")
    if name != DB_NAME:
        sys.exit(f"Refusing database {name!r}: this benchmark drops and fills {DB_NAME} only")
    return url, name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebhookReceiver(BaseHTTPRequestHandler):
    """A brand's endpoint: counts deliveries and their idempotency keys, answers 204."""

    received: list[str] = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.lock:
            self.received.append(self.headers.get("Voix-Delivery", ""))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def create_actors(args: argparse.Namespace, receiver_url: str) -> dict[str, Any]:
    """Customers, moderators and brand managers, through the services; their credentials."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django.db.models import Count, Q
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from brands.integrations import create_api_token
    from brands.models import Brand, Membership
    from brands.services import add_membership
    from brands.webhooks import create_webhook_endpoint

    now = dt.datetime.now(UTC)
    rng = random.Random(args.seed)

    def user(email: str, pseudonym: str, **extra: Any) -> User:
        return User.objects.create_user(
            email,
            pseudonym=pseudonym,
            email_verified_at=now - dt.timedelta(days=200),
            date_joined=now - dt.timedelta(days=200),
            **extra,
        )

    def customer(n: int, kind: str) -> dict[str, Any]:
        language = "fr" if rng.random() < 0.75 else "en"
        account = user(f"soak-{kind}-{n}@example.net", f"soak-{kind}-{n}", language=language)
        # Each customer on a network of its own (a /24), as seen through the proxy.
        return {
            "id": account.pk,
            "language": language,
            "ip": f"10.{n // 250 + (100 if kind == 'web' else 0)}.{n % 250}.{rng.randint(2, 250)}",
            "user_agent": f"Mozilla/5.0 (soak {kind} {n}) Gecko/20100101 Firefox/{120 + n % 20}",
        }

    api_customers = []
    for n in range(args.api_customers):
        entry = customer(n, "api")
        entry["token"] = Token.objects.create(user_id=entry["id"]).key
        api_customers.append(entry)
    web_customers = []
    for n in range(args.web_customers):
        entry = customer(n, "web")
        account = User.objects.get(pk=entry["id"])
        session = SessionStore()
        session[SESSION_KEY] = str(account.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = account.get_session_auth_hash()
        session.create()
        entry["session"] = session.session_key
        web_customers.append(entry)
    moderators = []
    for n in range(args.moderators):
        account = user(
            f"soak-moderator-{n}@voix.example",
            f"soak-moderator-{n}",
            role=User.Role.MODERATOR,
            moderation_languages=["fr", "en"],
        )
        moderators.append({"id": account.pk, "token": Token.objects.create(user=account).key})
    # Brands that reply: the biggest ones (most reviews to answer), one manager each.
    biggest = list(
        Brand.objects.annotate(n=Count("reviews", filter=Q(reviews__status="published"))).order_by(
            "-n", "pk"
        )[: args.brands_replying]
    )
    members = []
    for brand in biggest:
        manager = user(f"crm@{brand.domain}", f"soak-crm-{brand.slug}")
        with transaction.atomic():  # the caller's transaction, as an operator's view has
            add_membership(brand=brand, user=manager, role=Membership.Role.MANAGER, actor=None)
        created = create_api_token(
            brand=brand, actor=manager, name="CRM (soak)", scopes=["read_reviews", "reply"]
        )
        create_webhook_endpoint(
            brand=brand,
            actor=manager,
            url=receiver_url,
            events=["review.published", "review.removed", "reply.published"],
        )
        members.append({"brand": brand.slug, "key": created.key})
    return {
        "api_customers": api_customers,
        "web_customers": web_customers,
        "moderators": moderators,
        "brand_members": members,
    }


def read_weights() -> tuple[list[str], list[float]]:
    """Brands and how often visitors read them: as often as they are reviewed, plus a floor."""
    from django.db.models import Count, Q

    from brands.models import Brand

    rows = list(
        Brand.objects.annotate(n=Count("reviews", filter=Q(reviews__status="published")))
        .order_by("pk")
        .values_list("slug", "n")
    )
    return [slug for slug, _ in rows], [n + 10.0 for _, n in rows]


# --- processes ------------------------------------------------------------------------------------


def spawn(name: str, command: list[str], logs: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=REPO,
        env=env,
        stdout=(logs / f"{name}.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole, and only it
    )


def start_servers(args: argparse.Namespace, port: int, logs: Path) -> dict[str, subprocess.Popen]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
        "REDIS_URL": REDIS_URL,
        "VOIX_BENCH_EMAIL_DIR": str(logs / "emails"),
    }
    celery = [str(VENV / "celery"), "--app", "config"]
    processes = {
        "gunicorn": spawn(
            "gunicorn",
            [
                str(VENV / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.gunicorn_workers),
                "--worker-class",
                "sync",
                "--log-level",
                "warning",
            ],
            logs,
            env,
        ),
        # Moderation alone on one worker: emails and webhooks never wait behind it, nor it
        # behind them (the production layout, DESIGN.md "Queues").
        "celery moderation": spawn(
            "celery-moderation",
            [
                *celery,
                "worker",
                "--queues",
                "moderation",
                "--pool",
                "threads",  # as the Procfile runs it
                "--concurrency",
                str(args.moderation_concurrency),
                "--hostname",
                "moderation@%h",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            logs,
            env,
        ),
        "celery notifications+webhooks": spawn(
            "celery-notify",
            [
                *celery,
                "worker",
                "--queues",
                "notifications,webhooks",
                "--concurrency",
                str(args.notify_concurrency),
                "--hostname",
                "notify@%h",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            logs,
            env,
        ),
        "celery beat": spawn(
            "celery-beat",
            [
                *celery,
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(logs / "celerybeat-schedule"),
            ],
            logs,
            env,
        ),
    }
    return processes


def wait_ready(port: int, processes: dict[str, subprocess.Popen], logs: Path) -> None:
    """gunicorn answers /health/ and both workers answer a ping."""
    from config.celery_app import app

    deadline = time.time() + 90
    healthy = workers = False
    while time.time() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                sys.exit(f"{name} exited with {process.returncode}; see {logs}")
        if not healthy:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as r:
                    healthy = r.status == 200
            except OSError:
                pass
        if not workers:
            replies = app.control.ping(timeout=1.0) or []
            names = {name.split("@")[0] for reply in replies for name in reply}
            workers = {"moderation", "notify"} <= names
        if healthy and workers:
            return
        time.sleep(0.5)
    stop_servers(processes)
    sys.exit(f"servers not ready after 90 s (health {healthy}, workers {workers}); see {logs}")


def stop_servers(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def memory(processes: dict[str, subprocess.Popen]) -> dict[str, int]:
    """RSS in bytes of each server process: the parent, and each child on its own line."""
    found: dict[str, int] = {}
    for name, process in processes.items():
        try:
            parent = psutil.Process(process.pid)
            found[f"{name} (main)"] = parent.memory_info().rss
            for i, child in enumerate(sorted(parent.children(), key=lambda c: c.pid), 1):
                found[f"{name} (child {i})"] = child.memory_info().rss
        except psutil.NoSuchProcess:
            found[f"{name} (main)"] = 0
    return found


def warm_up(base: str, actors: dict[str, Any], brands: list[str], rounds: int) -> None:
    """A few requests of each kind, not counted: each gunicorn worker loads its templates,
    translations and lazily imported modules before the measured load, not during it."""
    web = actors["web_customers"][0] if actors["web_customers"] else None
    moderator = actors["moderators"][0] if actors["moderators"] else None
    requests_ = [
        (f"/marques/{brands[0]}/", {}),
        (f"/api/v1/brands/{brands[0]}/reviews/", {}),
        ("/api/v1/reviews/", {}),
    ]
    if web:
        requests_.append((f"/avis/ecrire/{brands[0]}/", {"Cookie": f"sessionid={web['session']}"}))
    if moderator:
        requests_.append(
            ("/api/v1/moderation/queue/", {"Authorization": f"Token {moderator['token']}"})
        )
    for _ in range(rounds):
        for path, headers in requests_:
            request = urllib.request.Request(base + path, headers=headers)
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()


# --- the run --------------------------------------------------------------------------------------


def undecided() -> dict[str, int]:
    from moderation.models import Submission

    rows = (
        Submission.objects.exclude(state=Submission.State.DECIDED)
        .values_list("kind", "state")
        .order_by()
    )
    counts: dict[str, int] = {}
    for kind, state in rows:
        counts[f"{kind} {state}"] = counts.get(f"{kind} {state}", 0) + 1
    return counts


def drain(base: str, moderators: list[dict[str, Any]], timeout: float, log) -> dict[str, Any]:
    """After the load: the moderators publish what is left (the load's moderators stopped with
    it), until every submission is decided. First the items each one still holds (a claim
    outlives a decision that failed, for MODERATION_CLAIM_LEASE), then the queue."""
    import requests

    from moderation.models import WorkItem

    started = time.time()
    decided = errors = 0
    failures: list[str] = []
    session = requests.Session()
    tokens = {m["id"]: {"Authorization": f"Token {m['token']}"} for m in moderators}

    def decide(item_id: int, headers: dict[str, str]) -> None:
        nonlocal decided, errors
        answer = session.post(
            f"{base}/api/v1/moderation/items/{item_id}/decide/",
            json={"action": "publish", "note": "soak: drain"},
            headers=headers,
        )
        if answer.status_code == 200:
            decided += 1
        else:
            errors += 1
            failures.append(f"decide {answer.status_code}: {answer.text[:200]}")

    while tokens and time.time() - started < timeout:
        held = WorkItem.objects.filter(
            state=WorkItem.State.OPEN, claimed_by_id__in=list(tokens)
        ).values_list("id", "claimed_by_id")
        for item_id, holder in held:
            decide(item_id, tokens[holder])
        headers = next(iter(tokens.values()))
        response = session.post(f"{base}/api/v1/moderation/queue/next/", headers=headers)
        if response.status_code == 200:
            decide(response.json()["id"], headers)
            continue
        if response.status_code != 204:
            errors += 1
            failures.append(f"queue/next {response.status_code}: {response.text[:200]}")
        if not undecided():
            break
        time.sleep(2)
    left = undecided()
    log(f"drain: {decided} items decided in {time.time() - started:.0f} s; undecided {left}")
    return {
        "decided": decided,
        "errors": errors,
        "failures": failures,
        "seconds": time.time() - started,
        "undecided": left,
    }


def locust_stats(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        return list(csv.DictReader(f))


def locust_failures(prefix: Path) -> list[dict[str, str]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


TASK_ERROR = re.compile(r"\] (ERROR|CRITICAL)/|Traceback \(most recent call last\)")


def log_errors(logs: Path) -> dict[str, list[str]]:
    """Error lines of the server logs (gunicorn's 500s, tasks that raised)."""
    found = {}
    for path in sorted(logs.glob("*.log")):
        lines = [
            line.rstrip()
            for line in path.read_text(errors="replace").splitlines()
            if TASK_ERROR.search(line) or " ERROR " in line or "Internal Server Error" in line
        ]
        if lines:
            found[path.name] = lines
    return found


def checks() -> dict[str, str]:
    """The audit chain and the rating counters after the run, as after every fault scenario."""
    from io import StringIO

    from django.core.management import call_command

    results = {}
    for label, command, options in (
        ("verify_audit_trail", "verify_audit_trail", {}),
        ("recompute_ratings --check", "recompute_ratings", {"check": True}),
    ):
        out = StringIO()
        try:
            call_command(command, stdout=out, stderr=out, **options)
            results[label] = "passed: " + " ".join(out.getvalue().split())[:160]
        except SystemExit as exit_:
            results[label] = f"FAILED (exit {exit_.code}): {out.getvalue()[:300]}"
        except Exception as error:  # a CommandError is the command's way of failing
            results[label] = f"FAILED: {error}"[:300]
    return results


def counts(since: dt.datetime) -> dict[str, Any]:
    from django.db.models import Count, Min

    from brands.models import WebhookDelivery
    from moderation.models import Decision, Submission
    from reviews.models import Review

    def by(queryset: Any, field: str) -> dict[str, int]:
        return dict(queryset.values(field).annotate(n=Count("id")).values_list(field, "n"))

    submitted = Review.objects.filter(submitted_at__gte=since)
    # How long the moderation worker took to give its verdict (publish, reject, or send to a
    # moderator): from the submission's arrival to its first decision, which is the pipeline's.
    delays = sorted(
        (first - received).total_seconds()
        for received, first in Submission.objects.filter(received_at__gte=since)
        .annotate(first=Min("decisions__decided_at"))
        .values_list("received_at", "first")
        if first is not None
    )
    return {
        "pipeline_delay": {
            "count": len(delays),
            "p50": delays[len(delays) // 2] if delays else None,
            "p99": delays[min(len(delays) - 1, int(len(delays) * 0.99))] if delays else None,
            "max": delays[-1] if delays else None,
        },
        "reviews": by(submitted, "status"),
        "submissions": by(Submission.objects.filter(received_at__gte=since), "kind"),
        "human": Decision.objects.filter(decided_at__gte=since, decided_by__isnull=False).count(),
        "webhooks": by(WebhookDelivery.objects.all(), "status"),
        "first": submitted.order_by("submitted_at").values_list("submitted_at", flat=True).first(),
        "last": submitted.order_by("-submitted_at").values_list("submitted_at", flat=True).first(),
    }


# --- the report -----------------------------------------------------------------------------------


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def mib(value: int) -> str:
    return f"{value / 1048576:.0f}"


def report(result: dict[str, Any], args: argparse.Namespace) -> str:
    info, stats = result["machine"], result["stats"]
    total = next(row for row in stats if row["Name"] == "Aggregated")
    c = result["counts"]
    n_reviews = sum(c["reviews"].values())
    submit_requests = sum(
        int(r["Request Count"])
        for r in stats
        if r["Name"] in ("POST /api/v1/reviews/", "POST /avis/ecrire/{slug}/")
    )
    lines = [
        SECTION,
        "",
        f"Measured {info['date']} by `bench/soak.py --duration {args.duration}` "
        f"(whole run {result['minutes']:.1f} min). Machine: {info['nproc']} CPUs "
        f"({info['cpu']}), {info['ram']} RAM, Debian 12, PostgreSQL {info['postgres']}, "
        f"Redis {info['redis']}, Python {info['python']}, Django {info['django']}, gunicorn "
        f"{info['gunicorn']}, Celery {info['celery']}, locust {info['locust']}, all on the same "
        "machine. Load average of the machine (1 min) during the load: "
        f"{min(result['loadavg']):.1f} to {max(result['loadavg']):.1f} "
        "(sampled every 60 s; the servers and locust themselves account for about 1)."
        + (f" **{args.note}**" if args.note else ""),
        "",
        "Requirement (issue 8): ten minutes of mixed load on 127.0.0.1 with gunicorn and two "
        "Celery workers on PostgreSQL and Redis: no error responses, every submitted review "
        "decided, p50/p99 latency per endpoint, sustained submissions per second, memory of "
        "each process at start and end (no growth).",
        "",
        f"Set-up: `config.settings.bench` (rate limits raised out of reach, since every client "
        f"is 127.0.0.1; X-Forwarded-For trusted so that each simulated customer has its own "
        f"network; emails to files; webhooks to a receiver in the script); gunicorn "
        f"{args.gunicorn_workers} sync workers; Celery worker `moderation` (queue moderation, "
        f"{args.moderation_concurrency} threads) and worker `notify` (queues notifications "
        f"and webhooks, concurrency {args.notify_concurrency}); beat. Store: "
        f"{args.reviews:,} published reviews of {args.brands:,} brands by {args.authors:,} "
        f"accounts (bench/public_pages.py's generator). Load (locust, one process): "
        f"{args.visitors} visitors (wait 0.5 to 2 s), {args.api_customers} API customers and "
        f"{args.web_customers} web-form customers (wait {args.submit_wait[0]:g} to "
        f"{args.submit_wait[1]:g} s; {args.to_moderator:.0%} of their reviews mention an "
        f"undeclared incentive and go to a moderator), {args.moderators} moderators (wait "
        f"{args.moderator_wait[0]:g} to {args.moderator_wait[1]:g} s) and "
        f"{args.brands_replying} brands replying by API token (wait {args.reply_wait[0]:g} to "
        f"{args.reply_wait[1]:g} s).",
        "",
        f"Verdict: {'**passed**' if result['passed'] else '**FAILED**'}. "
        f"{int(total['Request Count']):,} requests, {int(total['Failure Count'])} failed "
        f"(+ {result['drain']['errors']} in the final drain), "
        f"{float(total['Requests/s']):.1f} requests/s; {n_reviews:,} reviews submitted, "
        f"{result['submissions_per_s']:.2f}/s sustained "
        f"({submit_requests:,} submission requests); {c['human']:,} decisions by a moderator "
        f"({result['drain']['decided']} of them in the drain after the load, "
        f"{result['drain']['seconds']:.0f} s until every submission was decided); undecided "
        f"at the end: {result['drain']['undecided'] or 'none'}. Reviews by status: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(c["reviews"].items()))
        + ". Submissions moderated by kind: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(c["submissions"].items()))
        + f". Emails written: {result['emails']:,}. Webhook deliveries: "
        + (", ".join(f"{k} {v:,}" for k, v in sorted(c["webhooks"].items())) or "none")
        + f", {result['webhooks_received']:,} received by the receiver. From a submission's "
        f"arrival to the moderation worker's verdict (published, rejected or sent to a "
        f"moderator): p50 {seconds(c['pipeline_delay']['p50'])}, p99 "
        f"{seconds(c['pipeline_delay']['p99'])}, max {seconds(c['pipeline_delay']['max'])} "
        f"({c['pipeline_delay']['count']:,} submissions). Errors in the "
        f"server logs: {sum(len(v) for v in result['log_errors'].values())}. "
        + "; ".join(f"`{k}` {v}" for k, v in result["checks"].items())
        + ".",
        "",
        "| endpoint | requests | failed | requests/s | p50 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in stats:
        label = "all" if row["Name"] == "Aggregated" else f"`{row['Name']}`"
        lines.append(
            f"| {label} | {int(row['Request Count']):,} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.2f} | {row['50%']} | {row['99%']} | "
            f"{float(row['Max Response Time']):.0f} |"
        )
    start, minute, end = (result["memory"][k] for k in ("start", "minute", "end"))
    lines += [
        "",
        "Resident memory (RSS, MiB) of each server process: when ready (before any request), "
        "after the first minute of load, and at the end of the load; max over the samples taken "
        "every 60 s. A few requests of each kind warm the gunicorn workers up before the load "
        "(not counted in the figures above).",
        "",
        "| process | start | after 1 min | end | max | end - 1 min | every 60 s |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name in start:
        series = [sample.get(name, 0) for sample in result["memory"]["series"]]
        lines.append(
            f"| {name} | {mib(start[name])} | {mib(minute.get(name, 0))} | "
            f"{mib(end.get(name, 0))} | {mib(max(series or [0]))} | "
            f"{(end.get(name, 0) - minute.get(name, 0)) / 1048576:+.1f} | "
            f"{' '.join(f'{value / 1048576:.0f}' for value in series)} |"
        )
    lines += [""]
    return "\n".join(lines)


def write_docs(section: str) -> None:
    text = DOCS.read_text()
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[nxt + 1 :] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.write_text(text.rstrip("\n") + "\n")


def versions() -> dict[str, str]:
    from importlib.metadata import version

    import redis

    from config.celery_app import app

    gunicorn = subprocess.run([str(VENV / "gunicorn"), "--version"], capture_output=True, text=True)
    client = redis.Redis.from_url(app.conf.broker_url)
    return {
        **common_machine(),
        "gunicorn": (gunicorn.stdout + gunicorn.stderr).strip().split()[-1].strip("()"),
        "celery": version("celery"),
        "locust": version("locust"),  # not imported: it monkey-patches the process
        "redis": str(client.info("server")["redis_version"]),
        "date": dt.datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main() -> None:  # noqa: PLR0915 (one run, in order)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=600, help="seconds of load")
    parser.add_argument("--reviews", type=int, default=100_000, help="published reviews stored")
    parser.add_argument("--brands", type=int, default=1_000)
    parser.add_argument("--authors", type=int, default=20_000)
    parser.add_argument("--visitors", type=int, default=12)
    parser.add_argument("--api-customers", type=int, default=4)
    parser.add_argument("--web-customers", type=int, default=2)
    parser.add_argument("--moderators", type=int, default=2)
    parser.add_argument("--brands-replying", type=int, default=3)
    parser.add_argument("--submit-wait", type=float, nargs=2, default=(2.0, 6.0))
    parser.add_argument("--moderator-wait", type=float, nargs=2, default=(2.0, 5.0))
    parser.add_argument("--reply-wait", type=float, nargs=2, default=(5.0, 15.0))
    parser.add_argument(
        "--to-moderator", type=float, default=0.1, help="share of reviews sent to a moderator"
    )
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--moderation-concurrency", type=int, default=2, help="threads")
    parser.add_argument("--notify-concurrency", type=int, default=1)
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--keep", action="store_true", help=f"keep the {DB_NAME} database")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument(
        "--note",
        default="",
        help="a sentence on the conditions, written with the figures (e.g. a busy machine)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    # Stopped by a signal, the run still stops the servers it started (the `finally` below); a
    # shell's background job ignores SIGINT unless it is given back its handler.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {message}", flush=True)

    url, name = database_url()
    if urlparse(REDIS_URL).hostname not in ("127.0.0.1", "localhost"):
        sys.exit("Redis must be on 127.0.0.1: this benchmark empties its database")
    logs = Path(tempfile.mkdtemp(prefix="voix-soak-"))
    (logs / "emails").mkdir()
    log(f"logs in {logs}; recreating database {name}")
    recreate_database(url, name)
    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connections

    redis.Redis.from_url(REDIS_URL).flushdb()  # our own database number only
    call_command("migrate", verbosity=0)
    connections.close_all()
    end = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    world = public_pages.World(seed=args.seed, brands=args.brands, authors=args.authors, end=end)
    public_pages.WORLD = world  # read by the forked generators
    log("filling")
    fill_info = public_pages.fill(url, world, args.reviews, 2, log)

    receiver = ThreadingHTTPServer(("127.0.0.1", free_port()), WebhookReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    actors = create_actors(args, f"http://127.0.0.1:{receiver.server_address[1]}/hook")
    brands, weights = read_weights()
    world_file = logs / "world.json"
    world_file.write_text(
        json.dumps(
            {
                **actors,
                "brands": brands,
                "read_weights": weights,
                "to_moderator_share": args.to_moderator,
                "submit_wait": args.submit_wait,
                "moderator_wait": args.moderator_wait,
                "reply_wait": args.reply_wait,
                "counts": {
                    "visitor": args.visitors,
                    "api_customer": args.api_customers,
                    "web_customer": args.web_customers,
                    "moderator": args.moderators,
                    "brand": args.brands_replying,
                },
            }
        )
    )
    connections.close_all()
    log(
        f"store: {fill_info['statuses']}, database {fill_info['size']}; actors: "
        + ", ".join(f"{len(v)} {k}" for k, v in actors.items())
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = start_servers(args, port, logs)
    result: dict[str, Any] = {"memory": {"series": []}}
    load: subprocess.Popen | None = None
    try:
        wait_ready(port, processes, logs)
        result["memory"]["start"] = memory(processes)
        warm_up(base, actors, brands, rounds=2 * args.gunicorn_workers)
        log(
            f"servers ready on {base}: "
            + ", ".join(f"{k} pid {p.pid}" for k, p in processes.items())
        )
        since = dt.datetime.now(UTC)
        prefix = logs / "locust"
        users = (
            args.visitors
            + args.api_customers
            + args.web_customers
            + args.moderators
            + args.brands_replying
        )
        load = subprocess.Popen(
            [
                str(VENV / "locust"),
                "--locustfile",
                str(REPO / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                base,
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{args.duration}s",
                "--stop-timeout",
                "30",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=REPO,
            env={**os.environ, "VOIX_SOAK_WORLD": str(world_file)},
            stdout=(logs / "locust.out").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        load_started = time.time()
        result["loadavg"] = [os.getloadavg()[0]]
        next_sample = load_started + 60
        while load.poll() is None:
            time.sleep(1)
            if time.time() >= next_sample:
                sample = memory(processes)
                result["memory"]["series"].append(sample)
                result["loadavg"].append(os.getloadavg()[0])
                if "minute" not in result["memory"]:
                    result["memory"]["minute"] = sample
                total = sum(sample.values())
                log(f"  {time.time() - load_started:.0f} s: RSS of all servers {mib(total)} MiB")
                next_sample += 60
        load_seconds = time.time() - load_started
        result["memory"]["end"] = memory(processes)
        result["memory"]["series"].append(result["memory"]["end"])
        result["memory"].setdefault("minute", result["memory"]["start"])
        log(f"locust finished (exit {load.returncode}) after {load_seconds:.0f} s")
        result["drain"] = drain(base, actors["moderators"], args.drain_timeout, log)
        # Deliveries and emails of the last decisions: give the notify worker time to send them.
        time.sleep(5)
    finally:
        stop_servers({"locust": load, **processes} if load else processes)
        receiver.shutdown()
    result["stats"] = locust_stats(prefix)
    result["failures"] = locust_failures(prefix)
    result["counts"] = counts(since)
    result["checks"] = checks()
    result["log_errors"] = log_errors(logs)
    # The file backend writes one file per connection, which may hold several messages.
    result["emails"] = sum(
        len(re.findall(r"^Message-ID: ", path.read_text(errors="replace"), re.M))
        for path in (logs / "emails").iterdir()
    )
    result["webhooks_received"] = len(WebhookReceiver.received)
    c = result["counts"]
    span = (c["last"] - c["first"]).total_seconds() if c["first"] and c["last"] else load_seconds
    result["submissions_per_s"] = sum(c["reviews"].values()) / max(span, 1.0)
    result["machine"] = versions()
    result["minutes"] = (time.perf_counter() - started) / 60
    aggregated = next(row for row in result["stats"] if row["Name"] == "Aggregated")
    result["passed"] = (
        int(aggregated["Failure Count"]) == 0
        and result["drain"]["errors"] == 0
        and not result["drain"]["undecided"]
        and not result["log_errors"]
        and all(v.startswith("passed") for v in result["checks"].values())
        and int(aggregated["Request Count"]) > 0
        and load.returncode == 0  # 1 when a request failed, 2 when locust itself failed
    )
    section = report(result, args)
    print()
    print(section)
    for failure in result["failures"]:
        print(
            f"FAILED {failure['Method']} {failure['Name']} x{failure['Occurrences']}: "
            f"{failure['Error'][:300]}"
        )
    for failure in result["drain"]["failures"][:10]:
        print(f"FAILED in the drain: {failure}")
    for path, lines in result["log_errors"].items():
        print(f"errors in {path}:")
        for line in lines[:10]:
            print(f"  {line[:300]}")
    if not args.no_docs:
        write_docs(section)
        log(f"written {DOCS.relative_to(REPO)}")
    if args.keep:
        log(f"kept database {name}")
    else:
        drop_database(url, name)
        log(f"dropped database {name}")
    log(f"logs, locust CSV and emails in {logs}")
    log("passed" if result["passed"] else "FAILED")
    sys.exit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
